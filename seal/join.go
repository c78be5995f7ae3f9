package seal

import (
	"crypto/ed25519"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// MaxJoinRequest bounds a join request's encoding: its fields are all of
// fixed size, a few hundred bytes together.
const MaxJoinRequest = 1 << 10

// Join is a checked join request: who asks, for which room, with which
// invitation and device.
type Join struct {
	Room      wire.RoomID
	Joiner    peer.ID
	InviteKey ed25519.PublicKey
	Device    DevicePublic
	Proof     []byte
}

// DecodeJoin reads a join request that arrived from the peer joiner and
// checks everything it can alone: the form, that the joiner's node key
// vouches for the device, and that the proof was made with the invitation
// it names. Whether that invitation is open is the room's log to say.
func DecodeJoin(raw []byte, joiner peer.ID) (*Join, error) {
	if len(raw) > MaxJoinRequest {
		return nil, fmt.Errorf("%w: join request of %d bytes", ErrMalformed, len(raw))
	}
	var req wire.JoinRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("%w: join request: %w", ErrMalformed, err)
	}
	if len(req.Room) != wire.IDSize {
		return nil, fmt.Errorf("%w: join request: room ID of %d bytes", ErrMalformed, len(req.Room))
	}
	device, err := VerifyDevice(req.GetDevice(), joiner)
	if err != nil {
		return nil, err
	}
	j := &Join{Room: wire.RoomID(req.Room), Joiner: joiner, InviteKey: ed25519.PublicKey(req.InviteKey), Device: device, Proof: req.Proof}
	if err := VerifyJoin(j.InviteKey, j.Room, joiner, device, j.Proof); err != nil {
		return nil, err
	}
	return j, nil
}
