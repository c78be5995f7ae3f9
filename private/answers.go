package private

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/roomkey"
	"parley/wire"
)

// DecodeJoinAnswer reads a member's answer to this device's request to
// join room: the refusal (REFUSAL_NONE when let in) and the room's log,
// each envelope verified as gossip verifies it.
func DecodeJoinAnswer(raw []byte, room wire.RoomID, now time.Time) (wire.JoinAnswer_Refusal, []*wire.Message, error) {
	var a wire.JoinAnswer
	if err := proto.Unmarshal(raw, &a); err != nil {
		return 0, nil, fmt.Errorf("%w: join answer: %w", wire.ErrMalformed, err)
	}
	if _, known := wire.JoinAnswer_Refusal_name[int32(a.Refused)]; !known {
		return 0, nil, fmt.Errorf("%w: join answer: refusal %d", wire.ErrMalformed, a.Refused)
	}
	if a.Refused != wire.JoinAnswer_REFUSAL_NONE {
		return a.Refused, nil, nil
	}
	msgs, err := decodeEnvelopes(a.Envelopes, room, now)
	return a.Refused, msgs, err
}

// DecodeDirectOffer reads the offer of a direct conversation that from
// sent me: the conversation's keys and its log, verified.
func DecodeDirectOffer(raw []byte, me, from peer.ID, now time.Time) (roomkey.Room, []*wire.Message, error) {
	var o wire.DirectOffer
	if err := proto.Unmarshal(raw, &o); err != nil {
		return roomkey.Room{}, nil, fmt.Errorf("%w: direct offer: %w", wire.ErrMalformed, err)
	}
	if len(o.Secret) != roomkey.SecretSize {
		return roomkey.Room{}, nil, fmt.Errorf("%w: direct offer: secret of %d bytes", wire.ErrMalformed, len(o.Secret))
	}
	if me == from {
		return roomkey.Room{}, nil, fmt.Errorf("%w: direct offer from oneself", wire.ErrMalformed)
	}
	keys := roomkey.Direct(me, from, roomkey.Secret(o.Secret))
	msgs, err := decodeEnvelopes(o.Envelopes, keys.ID, now)
	return keys, msgs, err
}

func decodeEnvelopes(envelopes [][]byte, room wire.RoomID, now time.Time) ([]*wire.Message, error) {
	out := make([]*wire.Message, 0, len(envelopes))
	for _, env := range envelopes {
		m, err := wire.Decode(env, wire.Check{Room: &room, Now: now})
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
