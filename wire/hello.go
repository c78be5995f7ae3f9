package wire

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Limits on what a hello may carry.
const (
	MaxHelloRooms = 256
	// MaxHelloSize bounds an encoded hello; EncodeHello leaves out the rooms
	// that would not fit.
	MaxHelloSize = 256 << 10
)

// RoomInfo is a public room a peer says it is in.
type RoomInfo struct {
	ID   RoomID
	Name string
}

// PeerHello is a decoded, checked hello.
type PeerHello struct {
	// Profile is the sender's verified profile; nil if it has no name yet.
	Profile *Message
	Rooms   []RoomInfo
}

// EncodeHello encodes a hello. profile is our signed profile envelope, or
// nil. Rooms whose names peers would refuse are left out, and so are the
// rooms past MaxHelloRooms or past MaxHelloSize.
func EncodeHello(profile []byte, rooms []RoomInfo) ([]byte, error) {
	h := &Hello{Profile: profile}
	size := proto.Size(h)
	for _, r := range rooms {
		if len(h.Rooms) == MaxHelloRooms {
			break
		}
		name, err := CleanName(r.Name, MaxRoomNameChars)
		if err != nil {
			continue
		}
		room := &PublicRoom{Id: r.ID[:], Name: name}
		n := proto.Size(room)
		n += protowire.SizeTag(2) + protowire.SizeVarint(uint64(n))
		if size+n > MaxHelloSize {
			break
		}
		size += n
		h.Rooms = append(h.Rooms, room)
	}
	raw, err := proto.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode hello: %w", err)
	}
	return raw, nil
}

// DecodeHello parses a hello from peer from and checks it: the profile must
// be a valid profile message by that same peer, and the room list within
// limits. The room list is the peer's own claim, made over a connection
// authenticated as that peer.
func DecodeHello(raw []byte, from peer.ID, now time.Time) (*PeerHello, error) {
	if len(raw) > MaxHelloSize {
		return nil, fmt.Errorf("%w: hello of %d bytes, limit %d", ErrTooLarge, len(raw), MaxHelloSize)
	}
	var h Hello
	if err := proto.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%w: hello: %w", ErrMalformed, err)
	}
	out := &PeerHello{}
	if len(h.Profile) > 0 {
		m, err := Decode(h.Profile, Check{Now: now})
		if err != nil {
			return nil, fmt.Errorf("hello profile: %w", err)
		}
		if m.Kind != Kind_KIND_PROFILE || m.Author != from {
			return nil, fmt.Errorf("%w: hello profile is not the sender's own profile", ErrMalformed)
		}
		out.Profile = m
	}
	if len(h.Rooms) > MaxHelloRooms {
		return nil, fmt.Errorf("%w: %d rooms in hello, limit %d", ErrTooLarge, len(h.Rooms), MaxHelloRooms)
	}
	for _, r := range h.Rooms {
		if len(r.Id) != IDSize {
			return nil, fmt.Errorf("%w: room ID of %d bytes in hello", ErrMalformed, len(r.Id))
		}
		name, err := CleanName(r.Name, MaxRoomNameChars)
		if err != nil {
			return nil, fmt.Errorf("%w: room name in hello: %w", ErrBadBody, err)
		}
		var info RoomInfo
		copy(info.ID[:], r.Id)
		info.Name = name
		out.Rooms = append(out.Rooms, info)
	}
	return out, nil
}
