package private

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// A join answer and a direct offer are what a peer sends a device that
// asked: whatever the bytes, they decode or fail with an error, and what
// decodes is of the room asked about.
func FuzzDecodeJoinAnswer(f *testing.F) {
	ada, log := found(f)
	room := ada.room.Genesis().Room
	answer := &wire.JoinAnswer{}
	for _, m := range log {
		answer.Envelopes = append(answer.Envelopes, m.Raw)
	}
	good, _ := proto.Marshal(answer)
	refused, _ := proto.Marshal(&wire.JoinAnswer{Refused: wire.JoinAnswer_REFUSAL_EXPIRED})
	f.Add(good)
	f.Add(refused)
	f.Add([]byte{0x08, 0x63})
	f.Fuzz(func(t *testing.T, raw []byte) {
		refusal, msgs, err := DecodeJoinAnswer(raw, room, time.Now())
		if err != nil {
			return
		}
		if refusal != wire.JoinAnswer_REFUSAL_NONE && len(msgs) != 0 {
			t.Fatal("a refusal with a log")
		}
		for _, m := range msgs {
			if m.Room != room {
				t.Fatalf("an envelope of room %s in an answer for %s", m.Room, room)
			}
		}
	})
}

func FuzzDecodeDirectOffer(f *testing.F) {
	ada, bob := newIdentity(f), newIdentity(f)
	good, _ := proto.Marshal(&wire.DirectOffer{Secret: make([]byte, 32)})
	f.Add(good)
	f.Add([]byte{0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		keys, msgs, err := DecodeDirectOffer(raw, bob.ID, ada.ID, time.Now())
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.Room != keys.ID {
				t.Fatal("an envelope of another room in a direct offer")
			}
		}
	})
}
