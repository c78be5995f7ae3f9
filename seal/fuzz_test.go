package seal

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// Whatever a peer sends as a sealed body: it is refused by form or does
// not open, never opens as something, never panics.
func FuzzDecodeSealed(f *testing.F) {
	_, ada := newPeer(f)
	room := wire.RoomID{1}
	k := Key{2}
	c := Context{Room: room, Author: ada, Time: 5, Epoch: 1}
	good, err := Seal(k, c, []byte("hello"))
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := proto.Marshal(good)
	f.Add(raw)
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x01, 0x12, 0x02, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := DecodeSealed(body)
		if err != nil {
			return
		}
		inner, err := Open(k, c, s)
		if err == nil && !bytes.Equal(body, raw) && !bytes.Equal(inner, []byte("hello")) {
			t.Fatalf("a made-up body opened as %q", inner)
		}
	})
}

// Whatever arrives on /parley/join/1: refused, or a request whose device
// the sender vouched for and whose proof holds.
func FuzzDecodeJoin(f *testing.F) {
	key, bob := newPeer(f)
	room := wire.RoomID{3}
	d, err := NewDevice()
	if err != nil {
		f.Fatal(err)
	}
	inv := InvitationFromSeed([SeedSize]byte{4})
	dk, _ := SignDevice(key, d.Public())
	raw, _ := proto.Marshal(&wire.JoinRequest{Room: room[:], InviteKey: inv.Public(), Device: dk, Proof: inv.Prove(room, bob, d.Public())})
	f.Add(raw)
	f.Add([]byte{0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		j, err := DecodeJoin(raw, bob)
		if err != nil {
			return
		}
		if err := VerifyJoin(j.InviteKey, j.Room, bob, j.Device, j.Proof); err != nil {
			t.Fatalf("accepted a request whose proof fails: %v", err)
		}
	})
}
