package wire

import (
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"google.golang.org/protobuf/proto"
)

func TestChangeKindsRoundTrip(t *testing.T) {
	key, room := newKey(t), newRoom(t)
	target := IDOf([]byte("the message changed"))
	name, topic := " Plans ", "What we ship next"
	cases := []struct {
		name  string
		draft Draft
		check func(t *testing.T, m *Message)
	}{
		{"reaction", Draft{Kind: Kind_KIND_REACTION, Target: &target, Emoji: "👍🏽", On: true}, func(t *testing.T, m *Message) {
			if *m.Target != target || m.Emoji != "👍🏽" || !m.On {
				t.Errorf("reaction = %v %q %v", m.Target, m.Emoji, m.On)
			}
		}},
		{"edit", Draft{Kind: Kind_KIND_EDIT, Target: &target, Text: "fixed typo"}, func(t *testing.T, m *Message) {
			if *m.Target != target || m.Text != "fixed typo" {
				t.Errorf("edit = %v %q", m.Target, m.Text)
			}
		}},
		{"delete", Draft{Kind: Kind_KIND_DELETE, Target: &target, TargetTime: 42}, func(t *testing.T, m *Message) {
			if *m.Target != target || m.TargetTime != 42 {
				t.Errorf("delete = %v %d", m.Target, m.TargetTime)
			}
		}},
		{"room name and topic", Draft{Kind: Kind_KIND_ROOM_META, RoomName: &name, Topic: &topic}, func(t *testing.T, m *Message) {
			if m.RoomName == nil || *m.RoomName != "Plans" || m.Topic == nil || *m.Topic != topic {
				t.Errorf("room meta = %v %v", m.RoomName, m.Topic)
			}
		}},
		{"topic cleared", Draft{Kind: Kind_KIND_ROOM_META, Topic: new(string)}, func(t *testing.T, m *Message) {
			if m.RoomName != nil || m.Topic == nil || *m.Topic != "" {
				t.Errorf("room meta = %v %v", m.RoomName, m.Topic)
			}
		}},
		{"typing", Draft{Kind: Kind_KIND_TYPING}, func(t *testing.T, m *Message) {
			if !m.Kind.Ephemeral() || m.Kind.Changes() {
				t.Error("typing is not ephemeral")
			}
		}},
		{"presence", Draft{Kind: Kind_KIND_PRESENCE, Away: true}, func(t *testing.T, m *Message) {
			if !m.Away {
				t.Error("away lost")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.draft.Room, c.draft.Time = room, WallTime(time.Now())
			signed, err := Sign(key, c.draft)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(signed.Raw, Check{Room: &room, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != signed.ID || m.Kind != c.draft.Kind {
				t.Fatalf("decoded %s %s, signed %s %s", m.ID, m.Kind, signed.ID, c.draft.Kind)
			}
			c.check(t, m)
		})
	}
}

func TestChangeKindsRefuseBadBodies(t *testing.T) {
	key, room := newKey(t), newRoom(t)
	target := IDOf([]byte("x"))
	long := string(make([]byte, MaxTopicSize+1))
	cases := []struct {
		name  string
		draft Draft
		want  error
	}{
		{"reaction without target", Draft{Kind: Kind_KIND_REACTION, Emoji: "👍", On: true}, ErrBadBody},
		{"edit without target", Draft{Kind: Kind_KIND_EDIT, Text: "x"}, ErrBadBody},
		{"delete without target", Draft{Kind: Kind_KIND_DELETE}, ErrBadBody},
		{"two emoji", Draft{Kind: Kind_KIND_REACTION, Target: &target, Emoji: "👍👎"}, ErrBadBody},
		{"empty emoji", Draft{Kind: Kind_KIND_REACTION, Target: &target}, ErrBadBody},
		{"emoji with a control character", Draft{Kind: Kind_KIND_REACTION, Target: &target, Emoji: "\u0007"}, ErrBadBody},
		{"room meta setting nothing", Draft{Kind: Kind_KIND_ROOM_META}, ErrBadBody},
		{"topic too long", Draft{Kind: Kind_KIND_ROOM_META, Topic: &long}, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.draft.Room, c.draft.Time = room, 1
			if _, err := Sign(key, c.draft); !errors.Is(err, c.want) {
				t.Errorf("Sign = %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeRejectsAChangeWithAShortTarget(t *testing.T) {
	key, room := newKey(t), newRoom(t)
	body, err := proto.Marshal(&Edit{Target: []byte("short"), Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	author, err := crypto.MarshalPublicKey(key.GetPublic())
	if err != nil {
		t.Fatal(err)
	}
	raw := resign(t, key, &Payload{Version: Version, Room: room[:], Author: author, Time: 1, Kind: Kind_KIND_EDIT, Body: body})
	if _, err := Decode(raw, Check{}); !errors.Is(err, ErrBadBody) {
		t.Errorf("Decode = %v, want %v", err, ErrBadBody)
	}
}
