package wire

import (
	"errors"
	"slices"
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
	rooms := []NearbyRoom{{ID: newRoom(t), Name: "général", Secret: make([]byte, SecretSize)}, {ID: newRoom(t), Name: "games"}}
	proofs := []HelloProof{{1, 2, 3}, {4, 5, 6}, {7}}
	raw, err := EncodeHello(profile.Raw, nil, rooms, proofs)
	if err != nil {
		t.Fatal(err)
	}
	h, err := DecodeHello(raw, from, time.Now())
	if err != nil {
		t.Fatalf("DecodeHello: %v", err)
	}
	if h.Profile == nil || h.Profile.Name != "Ada" || len(h.Nearby) != 2 || h.Nearby[0].ID != rooms[0].ID ||
		len(h.Nearby[0].Secret) != SecretSize || h.Nearby[1].Secret != nil || !slices.Equal(h.Proofs, proofs) {
		t.Errorf("decoded %+v", h)
	}

	anonymous, _ := EncodeHello(nil, nil, nil, nil)
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
		tooMany.Nearby = append(tooMany.Nearby, &HelloRoom{Id: make([]byte, IDSize)})
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
		{"short room ID", marshal(&Hello{Nearby: []*HelloRoom{{Id: []byte{1, 2}}}}), ErrMalformed},
		{"short room secret", marshal(&Hello{Nearby: []*HelloRoom{{Id: make([]byte, IDSize), Name: "a", Secret: []byte{1}}}}), ErrMalformed},
		{"long room name", marshal(&Hello{Nearby: []*HelloRoom{{Id: make([]byte, IDSize), Name: strings.Repeat("n", MaxRoomNameBytes+1)}}}), ErrBadBody},
		{"too many rooms", marshal(tooMany), ErrTooLarge},
		{"a proof cut short", marshal(&Hello{Proofs: make([]byte, ProofSize+1)}), ErrMalformed},
		{"too many proofs", marshal(&Hello{Proofs: make([]byte, ProofSize*(MaxHelloRooms+1))}), ErrMalformed},
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
	raw, _ := EncodeHello(profile.Raw, nil, []NearbyRoom{{Name: "lobby"}}, []HelloProof{{1}})
	f.Add(raw)
	f.Add([]byte{})
	// Room names the name rule refuses.
	for _, name := range []string{"lobby\u202E", "\u200B", "\u3164", "a\nb", ""} {
		bad, _ := proto.Marshal(&Hello{Nearby: []*HelloRoom{{Id: make([]byte, IDSize), Name: name}}})
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
		if len(h.Nearby) > MaxHelloRooms || len(h.Proofs) > MaxHelloRooms {
			t.Fatal("accepted too many rooms or proofs")
		}
		for _, r := range h.Nearby {
			if len(r.Secret) != 0 && len(r.Secret) != SecretSize {
				t.Fatalf("accepted a secret of %d bytes", len(r.Secret))
			}
			if clean, err := CleanName(r.Name, MaxRoomNameChars); err != nil || clean != r.Name {
				t.Fatalf("accepted room name %q: %v", r.Name, err)
			}
		}
	})
}
