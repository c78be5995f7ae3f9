package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

func TestHelloRoundTrip(t *testing.T) {
	key := newKey(t)
	from, _ := peer.IDFromPrivateKey(key)
	profile, err := Sign(key, Draft{Time: WallTime(time.Now()), Kind: Kind_KIND_PROFILE, Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	rooms := []RoomInfo{{ID: newRoom(t), Name: "général"}, {ID: newRoom(t), Name: "games"}}
	raw, err := EncodeHello(profile.Raw, rooms)
	if err != nil {
		t.Fatal(err)
	}
	h, err := DecodeHello(raw, from, time.Now())
	if err != nil {
		t.Fatalf("DecodeHello: %v", err)
	}
	if h.Profile == nil || h.Profile.Name != "Ada" || len(h.Rooms) != 2 || h.Rooms[0] != rooms[0] {
		t.Errorf("decoded %+v", h)
	}

	anonymous, _ := EncodeHello(nil, nil)
	if h, err := DecodeHello(anonymous, from, time.Now()); err != nil || h.Profile != nil {
		t.Errorf("hello without a profile: %+v, %v", h, err)
	}
}

func TestDecodeHelloRejects(t *testing.T) {
	key, other := newKey(t), newKey(t)
	from, _ := peer.IDFromPrivateKey(key)
	otherProfile, _ := Sign(other, Draft{Kind: Kind_KIND_PROFILE, Name: "Mallory"})
	text, _ := Sign(key, Draft{Kind: Kind_KIND_TEXT, Text: "not a profile"})
	marshal := func(h *Hello) []byte {
		raw, _ := proto.Marshal(h)
		return raw
	}
	tooMany := &Hello{}
	for range MaxHelloRooms + 1 {
		tooMany.Rooms = append(tooMany.Rooms, &PublicRoom{Id: make([]byte, IDSize)})
	}
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"garbage", []byte("\xff\xff\xff"), ErrMalformed},
		{"someone else's profile", marshal(&Hello{Profile: otherProfile.Raw}), ErrMalformed},
		{"a text instead of a profile", marshal(&Hello{Profile: text.Raw}), ErrMalformed},
		{"forged profile", marshal(&Hello{Profile: []byte("junk")}), ErrMalformed},
		{"short room ID", marshal(&Hello{Rooms: []*PublicRoom{{Id: []byte{1, 2}}}}), ErrMalformed},
		{"long room name", marshal(&Hello{Rooms: []*PublicRoom{{Id: make([]byte, IDSize), Name: strings.Repeat("n", MaxRoomNameBytes+1)}}}), ErrBadBody},
		{"too many rooms", marshal(tooMany), ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeHello(tc.raw, from, time.Now()); !errors.Is(err, tc.want) {
				t.Fatalf("DecodeHello error = %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecodeHello(f *testing.F) {
	key := newKey(f)
	from, _ := peer.IDFromPrivateKey(key)
	profile, _ := Sign(key, Draft{Kind: Kind_KIND_PROFILE, Name: "Ada"})
	raw, _ := EncodeHello(profile.Raw, []RoomInfo{{Name: "lobby"}})
	f.Add(raw)
	f.Add([]byte{})
	// Room names the name rule refuses.
	for _, name := range []string{"lobby\u202E", "\u200B", "\u3164", "a\nb", ""} {
		bad, _ := proto.Marshal(&Hello{Rooms: []*PublicRoom{{Id: make([]byte, IDSize), Name: name}}})
		f.Add(bad)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, err := DecodeHello(raw, from, time.Now())
		if err != nil {
			return
		}
		if h.Profile != nil && h.Profile.Author != from {
			t.Fatal("accepted a profile by another peer")
		}
		if len(h.Rooms) > MaxHelloRooms {
			t.Fatal("accepted too many rooms")
		}
		for _, r := range h.Rooms {
			if clean, err := CleanName(r.Name, MaxRoomNameChars); err != nil || clean != r.Name {
				t.Fatalf("accepted room name %q: %v", r.Name, err)
			}
		}
	})
}
