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
	// ProofSize is the size of one membership proof in a hello.
	ProofSize = 16
	// SecretSize is the size of a room secret.
	SecretSize = 32
	// MaxHelloSize bounds an encoded hello; EncodeHello leaves out the
	// nearby rooms that would not fit.
	MaxHelloSize = 256 << 10
)

// NearbyRoom is a room its members made visible on the local network.
type NearbyRoom struct {
	ID   RoomID
	Name string
	// Secret is the room's secret; nil for a legacy room.
	Secret []byte
}

// HelloProof is one membership proof in a hello.
type HelloProof [ProofSize]byte

// PeerHello is a decoded, checked hello.
type PeerHello struct {
	// Profile is the sender's verified profile; nil if it has no name yet.
	Profile *Message
	Nearby  []NearbyRoom
	Proofs  []HelloProof
	// Device is the sender's device key as sent, nil if none; the seal
	// package checks its signature.
	Device *DeviceKey
}

// EncodeHello encodes a hello. profile is our signed profile envelope, or
// nil; device our signed device key, or nil. Nearby rooms whose names peers would refuse are left out, and so
// are the rooms past MaxHelloRooms or past MaxHelloSize; proofs past
// MaxHelloRooms are an error (the caller pads them, it must not lose any).
func EncodeHello(profile []byte, device *DeviceKey, nearby []NearbyRoom, proofs []HelloProof) ([]byte, error) {
	if len(proofs) > MaxHelloRooms {
		return nil, fmt.Errorf("encode hello: %d proofs, limit %d", len(proofs), MaxHelloRooms)
	}
	h := &Hello{Profile: profile, Device: device}
	for _, p := range proofs {
		h.Proofs = append(h.Proofs, p[:]...)
	}
	size := proto.Size(h)
	for _, r := range nearby {
		if len(h.Nearby) == MaxHelloRooms {
			break
		}
		name, err := CleanName(r.Name, MaxRoomNameChars)
		if err != nil {
			continue
		}
		room := &HelloRoom{Id: r.ID[:], Name: name, Secret: r.Secret}
		n := proto.Size(room)
		n += protowire.SizeTag(3) + protowire.SizeVarint(uint64(n))
		if size+n > MaxHelloSize {
			break
		}
		size += n
		h.Nearby = append(h.Nearby, room)
	}
	raw, err := proto.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode hello: %w", err)
	}
	return raw, nil
}

// DecodeHello parses a hello from peer from and checks its form: the
// profile must be a valid profile message by that same peer, and the rest
// within limits. What the nearby rooms and proofs are worth is for the
// caller to judge: they are the peer's own claims, made over a connection
// authenticated as that peer.
func DecodeHello(raw []byte, from peer.ID, now time.Time) (*PeerHello, error) {
	if len(raw) > MaxHelloSize {
		return nil, fmt.Errorf("%w: hello of %d bytes, limit %d", ErrTooLarge, len(raw), MaxHelloSize)
	}
	var h Hello
	if err := proto.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%w: hello: %w", ErrMalformed, err)
	}
	out := &PeerHello{Device: h.Device}
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
	if len(h.Nearby) > MaxHelloRooms {
		return nil, fmt.Errorf("%w: %d nearby rooms in hello, limit %d", ErrTooLarge, len(h.Nearby), MaxHelloRooms)
	}
	if len(h.Proofs)%ProofSize != 0 || len(h.Proofs)/ProofSize > MaxHelloRooms {
		return nil, fmt.Errorf("%w: hello proofs of %d bytes", ErrMalformed, len(h.Proofs))
	}
	for p := range len(h.Proofs) / ProofSize {
		out.Proofs = append(out.Proofs, HelloProof(h.Proofs[p*ProofSize:(p+1)*ProofSize]))
	}
	for _, r := range h.Nearby {
		if len(r.Id) != IDSize {
			return nil, fmt.Errorf("%w: room ID of %d bytes in hello", ErrMalformed, len(r.Id))
		}
		if len(r.Secret) != 0 && len(r.Secret) != SecretSize {
			return nil, fmt.Errorf("%w: room secret of %d bytes in hello", ErrMalformed, len(r.Secret))
		}
		name, err := CleanName(r.Name, MaxRoomNameChars)
		if err != nil {
			return nil, fmt.Errorf("%w: room name in hello: %w", ErrBadBody, err)
		}
		room := NearbyRoom{ID: RoomID(r.Id), Name: name}
		if len(r.Secret) > 0 {
			room.Secret = append([]byte(nil), r.Secret...)
		}
		out.Nearby = append(out.Nearby, room)
	}
	return out, nil
}
