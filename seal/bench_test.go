package seal

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// A 200-byte body sealed and opened: the cost a private room adds to each
// message, beside the signature every message has.
func BenchmarkSealOpen200(b *testing.B) {
	_, ada := newPeer(b)
	k := Key{1}
	c := Context{Room: wire.RoomID{2}, Author: ada, Time: 3, Epoch: 4}
	body := make([]byte, 200)
	for b.Loop() {
		s, err := Seal(k, c, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Open(k, c, s); err != nil {
			b.Fatal(err)
		}
	}
}

// A rotation for a room of 100 members with two devices each: a fresh key
// wrapped 200 times; the size of the Keys body is reported.
func BenchmarkRotation200Devices(b *testing.B) {
	devices := make([]DevicePublic, 200)
	for i := range devices {
		d, err := NewDevice()
		if err != nil {
			b.Fatal(err)
		}
		devices[i] = d.Public()
	}
	room := wire.RoomID{5}
	var size int
	for b.Loop() {
		k, err := NewKey()
		if err != nil {
			b.Fatal(err)
		}
		check := k.Check(room, 7)
		keys := &wire.Keys{Epoch: 7, Check: check[:]}
		for _, d := range devices {
			w, err := Wrap(k, d, room, 7)
			if err != nil {
				b.Fatal(err)
			}
			keys.Wraps = append(keys.Wraps, &wire.Wrap{Device: d.Bytes(), Wrapped: w})
		}
		raw, err := proto.Marshal(keys)
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.ReportMetric(float64(size), "body-bytes")
}

// A 200-byte text signed and sealed, then verified and opened, as a
// private room's member sends and receives it; BenchmarkSignVerify200 is
// the same message in a public room.
func BenchmarkSignSealVerifyOpen200(b *testing.B) {
	key, _ := newPeer(b)
	k := Key{1}
	room := wire.RoomID{2}
	text := string(make([]byte, 200))
	for i := 0; b.Loop(); i++ {
		m, err := SignMessage(key, k, 0, wire.Draft{Room: room, Time: uint64(i), Kind: wire.Kind_KIND_TEXT, Text: text})
		if err != nil {
			b.Fatal(err)
		}
		got, err := wire.Decode(m.Raw, wire.Check{Room: &room})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := OpenMessage(k, got); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignVerify200(b *testing.B) {
	key, _ := newPeer(b)
	room := wire.RoomID{2}
	text := string(make([]byte, 200))
	for i := 0; b.Loop(); i++ {
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: uint64(i), Kind: wire.Kind_KIND_TEXT, Text: text})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wire.Decode(m.Raw, wire.Check{Room: &room}); err != nil {
			b.Fatal(err)
		}
	}
}
