package chat

import (
	"errors"
	"strings"
	"testing"

	"parley/invite"
	"parley/roomkey"
	"parley/wire"
)

func TestNamesFollowTheWireRule(t *testing.T) {
	if MaxRoomNameLen != wire.MaxRoomNameChars || MaxNameLen != wire.MaxNameChars {
		t.Fatalf("chat limits %d/%d differ from what peers accept, %d/%d", MaxNameLen, MaxRoomNameLen, wire.MaxNameChars, wire.MaxRoomNameChars)
	}
	s := newNode(t, t.TempDir())
	otherKeys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	// A link to a room of nobody's: joining it opens the room here.
	other, err := invite.Encode(invite.Link{Room: otherKeys, Name: "other", Inviter: s.id.ID})
	if err != nil {
		t.Fatal(err)
	}
	family := "👨‍👩‍👧‍👦"
	bad := map[string]string{
		"bidi override":       "\u202Eadmin",
		"isolate":             "Ada\u2066",
		"zero-width only":     "\u200B\u200B\u200B",
		"Hangul filler":       "\u3164",
		"Braille blank":       "\u2800",
		"variation selectors": "\uFE0F\uFE0F",
		"control character":   "Ada\x1b[31m",
		"newline":             "Ada\nBob",
	}
	for why, name := range bad {
		t.Run(why, func(t *testing.T) {
			if _, err := s.SetName(t.Context(), name); !errors.Is(err, ErrBadName) {
				t.Errorf("SetName(%q) error = %v, want ErrBadName", name, err)
			}
			if _, err := s.CreateRoom(name); !errors.Is(err, ErrBadName) {
				t.Errorf("CreateRoom(%q) error = %v, want ErrBadName", name, err)
			}
			if _, err := s.JoinRoom(other, name); !errors.Is(err, ErrBadName) {
				t.Errorf("JoinRoom(%q) error = %v, want ErrBadName", name, err)
			}
		})
	}
	if len(s.Rooms()) != 0 || s.Me().Name != "" {
		t.Fatalf("a refused name left a trace: rooms %+v, me %+v", s.Rooms(), s.Me())
	}

	me, err := s.SetName(t.Context(), " "+strings.Repeat(family, MaxNameLen)+" ")
	if err != nil || me.Name != strings.Repeat(family, MaxNameLen) {
		t.Fatalf("SetName of %d family emoji: %+v, %v", MaxNameLen, me, err)
	}
	if _, err := s.SetName(t.Context(), strings.Repeat(family, MaxNameLen+1)); !errors.Is(err, ErrBadName) {
		t.Errorf("SetName of %d family emoji: error = %v, want ErrBadName", MaxNameLen+1, err)
	}
	room, err := s.CreateRoom("Cafe\u0301 ☕")
	if err != nil || room.Name != "Café ☕" {
		t.Fatalf("CreateRoom in NFD: %+v, %v; want the name in NFC", room, err)
	}
	joined, err := s.JoinRoom(other, strings.Repeat("🇫🇷", MaxRoomNameLen))
	if err != nil || joined.Name != strings.Repeat("🇫🇷", MaxRoomNameLen) {
		t.Fatalf("JoinRoom named with %d flags: %+v, %v", MaxRoomNameLen, joined, err)
	}
}
