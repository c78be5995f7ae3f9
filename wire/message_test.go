package wire

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"google.golang.org/protobuf/proto"
)

func newKey(t testing.TB) crypto.PrivKey {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newRoom(t testing.TB) RoomID {
	t.Helper()
	id, err := NewRoomID()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// resign builds an envelope around a hand-made payload, signed by key.
func resign(t testing.TB, key crypto.PrivKey, p *Payload) []byte {
	t.Helper()
	payload, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := key.Sign(signedBytes(payload))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := proto.Marshal(&Envelope{Payload: payload, Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSignThenDecode(t *testing.T) {
	key := newKey(t)
	room := newRoom(t)
	now := time.Now()
	reply := IDOf([]byte("earlier"))
	signed, err := Sign(key, Draft{Room: room, Time: WallTime(now), Kind: Kind_KIND_TEXT, Text: "héllo 👋", ReplyTo: &reply})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	got, err := Decode(signed.Raw, Check{Room: &room, Now: now})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got.ID != signed.ID || got.Author != signed.Author || got.Text != "héllo 👋" ||
		got.Room != room || got.Time != WallTime(now) || got.ReplyTo == nil || *got.ReplyTo != reply {
		t.Errorf("decoded %+v, want %+v", got, signed)
	}
	if !bytes.Equal(got.Raw, signed.Raw) {
		t.Error("Raw is not the envelope as received")
	}
}

func TestDecodeRejects(t *testing.T) {
	key := newKey(t)
	other := newKey(t)
	room := newRoom(t)
	now := time.Now()
	author, _ := crypto.MarshalPublicKey(key.GetPublic())
	text, _ := proto.Marshal(&Text{Text: "hi"})
	good := func() *Payload {
		return &Payload{Version: Version, Room: room[:], Author: author, Time: WallTime(now), Kind: Kind_KIND_TEXT, Body: text}
	}
	valid := resign(t, key, good())

	tampered := bytes.Clone(valid)
	tampered[bytes.Index(tampered, []byte("hi"))] = 'H'

	withPayload := func(edit func(*Payload)) []byte {
		p := good()
		edit(p)
		return resign(t, key, p)
	}
	otherRoom := newRoom(t)
	big, _ := proto.Marshal(&Text{Text: strings.Repeat("x", MaxTextSize+1)})
	badUTF8 := append([]byte{0x0a, 0x02}, 0xff, 0xfe)

	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"garbage", []byte("definitely not protobuf \xff\xff\xff"), ErrMalformed},
		{"empty", nil, ErrMalformed},
		{"tampered payload", tampered, ErrSignature},
		{"signed by another key", func() []byte {
			p := good()
			payload, _ := proto.Marshal(p)
			sig, _ := other.Sign(signedBytes(payload))
			raw, _ := proto.Marshal(&Envelope{Payload: payload, Signature: sig})
			return raw
		}(), ErrSignature},
		{"signature without context", func() []byte {
			payload, _ := proto.Marshal(good())
			sig, _ := key.Sign(payload)
			raw, _ := proto.Marshal(&Envelope{Payload: payload, Signature: sig})
			return raw
		}(), ErrSignature},
		{"oversized envelope", withPayload(func(p *Payload) { p.ReplyTo = make([]byte, MaxEnvelopeSize) }), ErrTooLarge},
		{"text over limit", withPayload(func(p *Payload) { p.Body = big }), ErrTooLarge},
		{"text not UTF-8", withPayload(func(p *Payload) { p.Body = badUTF8 }), ErrBadBody},
		{"unknown version", withPayload(func(p *Payload) { p.Version = 2 }), ErrVersion},
		{"unknown kind", withPayload(func(p *Payload) { p.Kind = 99 }), ErrUnknownKind},
		{"short room ID", withPayload(func(p *Payload) { p.Room = room[:5] }), ErrMalformed},
		{"bad reply_to", withPayload(func(p *Payload) { p.ReplyTo = []byte{1, 2, 3} }), ErrMalformed},
		{"another room", withPayload(func(p *Payload) { p.Room = otherRoom[:] }), ErrWrongRoom},
		{"far future", withPayload(func(p *Payload) { p.Time = WallTime(now.Add(MaxFutureSkew + time.Minute)) }), ErrFuture},
		{"non-Ed25519 author", withPayload(func(p *Payload) { p.Author = []byte("junk") }), ErrMalformed},
	}
	if _, err := Decode(valid, Check{Room: &room, Now: now}); err != nil {
		t.Fatalf("the unmodified message must pass: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.raw, Check{Room: &room, Now: now})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFutureCheckAllowsSkewWithinLimit(t *testing.T) {
	key := newKey(t)
	room := newRoom(t)
	now := time.Now()
	m, err := Sign(key, Draft{Room: room, Time: WallTime(now.Add(MaxFutureSkew - time.Second)), Kind: Kind_KIND_TEXT, Text: "soon"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(m.Raw, Check{Now: now}); err != nil {
		t.Errorf("a time %v ahead was rejected: %v", MaxFutureSkew-time.Second, err)
	}
	if _, err := Decode(m.Raw, Check{Now: now.Add(-2 * time.Second)}); !errors.Is(err, ErrFuture) {
		t.Errorf("a time just past the limit: error = %v, want ErrFuture", err)
	}
}

func TestSignRefusesWhatPeersWouldReject(t *testing.T) {
	key := newKey(t)
	room := newRoom(t)
	tests := []struct {
		name  string
		draft Draft
		want  error
	}{
		{"long text", Draft{Room: room, Kind: Kind_KIND_TEXT, Text: strings.Repeat("a", MaxTextSize+1)}, ErrTooLarge},
		{"invalid UTF-8", Draft{Room: room, Kind: Kind_KIND_TEXT, Text: "\xff"}, ErrBadBody},
		{"long name", Draft{Room: room, Kind: Kind_KIND_PROFILE, Name: strings.Repeat("n", MaxNameSize+1)}, ErrTooLarge},
		{"no kind", Draft{Room: room}, ErrUnknownKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Sign(key, tc.draft); !errors.Is(err, tc.want) {
				t.Fatalf("Sign error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestIDsRoundTrip(t *testing.T) {
	room := newRoom(t)
	parsed, err := ParseRoomID(room.String())
	if err != nil || parsed != room {
		t.Fatalf("ParseRoomID(%s) = %s, %v", room, parsed, err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("zz", IDSize)} {
		if _, err := ParseRoomID(bad); err == nil {
			t.Errorf("ParseRoomID(%q) accepted", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	key := newKey(f)
	room := newRoom(f)
	for _, d := range []Draft{
		{Room: room, Time: 1 << 40, Kind: Kind_KIND_TEXT, Text: "hello"},
		{Room: room, Time: 1 << 41, Kind: Kind_KIND_PROFILE, Name: "Ada"},
		{Room: room, Time: 1 << 42, Kind: Kind_KIND_REACTION, Target: &MessageID{1}, Emoji: "👍", On: true},
		{Room: room, Time: 1 << 42, Kind: Kind_KIND_EDIT, Target: &MessageID{2}, Text: "fixed"},
		{Room: room, Time: 1 << 42, Kind: Kind_KIND_DELETE, Target: &MessageID{3}, TargetTime: 1 << 40},
		{Room: room, Time: 1 << 42, Kind: Kind_KIND_ROOM_META, Topic: new(string)},
		{Room: room, Time: 1 << 42, Kind: Kind_KIND_TYPING},
	} {
		m, err := Sign(key, d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Raw)
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00, 0x12, 0x00})
	// Profiles whose names the name rule refuses.
	for _, name := range []string{"Ada\u202E", "\u200B\u200B", "\u3164", "\uFE0F", "A\x07", ""} {
		f.Add(signProfile(f, key, name))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Decode(raw, Check{Now: time.Now()})
		if err != nil {
			return
		}
		if m.Kind.Changes() && m.Target == nil {
			t.Fatalf("accepted %s with no target", m.Kind)
		}
		if m.Kind == Kind_KIND_REACTION {
			if clean, err := CleanName(m.Emoji, MaxEmojiChars); err != nil || clean != m.Emoji {
				t.Fatalf("accepted reaction %q: %v", m.Emoji, err)
			}
		}
		if m.Kind == Kind_KIND_PROFILE {
			if clean, err := CleanName(m.Name, MaxNameChars); err != nil || clean != m.Name {
				t.Fatalf("accepted profile name %q: %v", m.Name, err)
			}
		}
		// Whatever passes must be self-consistent: its ID is the hash of its
		// payload and decoding it again gives the same message.
		payload, err := PayloadOf(raw)
		if err != nil || IDOf(payload) != m.ID {
			t.Fatalf("accepted message with inconsistent ID")
		}
		again, err := Decode(m.Raw, Check{})
		if err != nil || again.ID != m.ID || again.Author != m.Author || again.Text != m.Text {
			t.Fatalf("accepted message does not decode the same twice: %v", err)
		}
	})
}

// BenchmarkDecode is the receive path's CPU cost before storing: unmarshal,
// Ed25519 verify, body checks.
func BenchmarkDecode(b *testing.B) {
	key := newKey(b)
	room := newRoom(b)
	m, err := Sign(key, Draft{Room: room, Time: WallTime(time.Now()), Kind: Kind_KIND_TEXT, Text: strings.Repeat("x", 200)})
	if err != nil {
		b.Fatal(err)
	}
	check := Check{Room: &room, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(m.Raw, check); err != nil {
			b.Fatal(err)
		}
	}
}
