// Package invite is the parley://join/ link: what an invitation to a room
// carries (the room's secret, its name, where the inviter and its helpers
// can be reached) and how it is written and read. It knows no network.
package invite

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"

	"parley/roomkey"
	"parley/seal"
	"parley/wire"
)

// Prefix starts every invite link.
const Prefix = "parley://join/"

// Version is the payload version this Parley writes and reads for a room
// anyone with the link may join. Version 1 carried only the room ID, which
// no longer lets anyone in.
const Version = 2

// PrivateVersion is the version of a private room's link: one an older
// Parley cannot use, so it says to update rather than join without the
// invitation.
const PrivateVersion = 3

// Bounds of a link: it must fit a chat message or a QR code.
const (
	MaxLinkLen = 1500
	maxAddrs   = 8
	maxHelpers = 4
)

// Errors a caller can tell apart with errors.Is. Their text is fit for a
// user: what is wrong with the link.
var (
	ErrNotInvite = errors.New("this is not a Parley invite link")
	ErrMalformed = errors.New("this invite link is damaged or incomplete; ask for it again")
	ErrVersion   = errors.New("this invite link was made by a newer Parley; update Parley to use it")
	ErrOld       = errors.New("this invite link was made by an older Parley and no longer opens its room; ask a member for a new link")
	ErrTooLong   = errors.New("this invite link is too long")
)

// Link is what an invite says.
type Link struct {
	// Room is the room's keys: whoever holds the link can read the room.
	Room roomkey.Room
	Name string
	// Inviter is the peer that made the link; Addrs are where it can be
	// reached, best first.
	Inviter peer.ID
	Addrs   []multiaddr.Multiaddr
	// Helpers are helper nodes and relays the inviter uses, each address
	// ending in /p2p/<id>.
	Helpers []multiaddr.Multiaddr
	// Invitation is set for a private room (Room.Founders names its
	// founder): what the joiner proves it holds to be admitted.
	Invitation *Invitation
}

// Invitation is what a private room's link carries beyond the room.
type Invitation struct {
	Seed [seal.SeedSize]byte
	// Expires is when the invitation ends; zero never.
	Expires time.Time
}

// Encode writes a link. Addresses are kept in the order given, and the last
// ones are left out if the link would be longer than MaxLinkLen.
func Encode(l Link) (string, error) {
	name, err := wire.CleanName(l.Name, wire.MaxRoomNameChars)
	if err != nil {
		return "", fmt.Errorf("make invite: room name: %w", err)
	}
	if err := l.Inviter.Validate(); err != nil {
		return "", fmt.Errorf("make invite: inviter: %w", err)
	}
	in := &Invite{Version: Version, Name: name, Inviter: []byte(l.Inviter)}
	switch founder := l.Room.Founders[0]; {
	case l.Room.Legacy:
		in.Room = l.Room.ID[:]
	case founder != "" && l.Room.Founders[1] != "":
		return "", errors.New("make invite: a direct conversation has no invite links")
	case founder != "":
		if l.Invitation == nil {
			return "", errors.New("make invite: a private room's link needs an invitation")
		}
		in.Version, in.Secret, in.Founder, in.Seed = PrivateVersion, l.Room.Secret[:], []byte(founder), l.Invitation.Seed[:]
		if !l.Invitation.Expires.IsZero() {
			in.Expires = uint64(l.Invitation.Expires.UnixMilli())
		}
	default:
		in.Secret = l.Room.Secret[:]
	}
	for _, h := range l.Helpers[:min(len(l.Helpers), maxHelpers)] {
		in.Helpers = append(in.Helpers, h.Bytes())
	}
	for _, a := range l.Addrs[:min(len(l.Addrs), maxAddrs)] {
		in.Addrs = append(in.Addrs, a.Bytes())
	}
	for {
		raw, err := proto.Marshal(in)
		if err != nil {
			return "", fmt.Errorf("make invite: %w", err)
		}
		link := Prefix + base64.RawURLEncoding.EncodeToString(raw)
		if len(link) <= MaxLinkLen {
			return link, nil
		}
		switch {
		case len(in.Addrs) > 0:
			in.Addrs = in.Addrs[:len(in.Addrs)-1]
		case len(in.Helpers) > 0:
			in.Helpers = in.Helpers[:len(in.Helpers)-1]
		default:
			return "", fmt.Errorf("make invite: %w", ErrTooLong)
		}
	}
}

// IsLink reports whether s, surrounding spaces aside, starts like an invite
// link: what tells a pasted link from a room ID, before Parse checks it.
func IsLink(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= len(Prefix) && strings.EqualFold(s[:len(Prefix)], Prefix)
}

// Parse reads a link, as pasted or opened: surrounding spaces are ignored.
func Parse(s string) (Link, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxLinkLen {
		return Link{}, ErrTooLong
	}
	if !IsLink(s) {
		return Link{}, ErrNotInvite
	}
	raw, err := base64.RawURLEncoding.DecodeString(s[len(Prefix):])
	if err != nil {
		return Link{}, fmt.Errorf("%w (%v)", ErrMalformed, err)
	}
	var in Invite
	if err := proto.Unmarshal(raw, &in); err != nil {
		return Link{}, fmt.Errorf("%w (%v)", ErrMalformed, err)
	}
	private := in.Version == PrivateVersion
	switch {
	case in.Version > PrivateVersion:
		return Link{}, ErrVersion
	case in.Version == 1:
		return Link{}, ErrOld
	case in.Version != Version && !private:
		return Link{}, fmt.Errorf("%w (version %d)", ErrMalformed, in.Version)
	case private && (len(in.Room) != 0 || len(in.Seed) != seal.SeedSize):
		return Link{}, fmt.Errorf("%w (private link with a room ID of %d bytes, a seed of %d)", ErrMalformed, len(in.Room), len(in.Seed))
	case !private && (len(in.Seed) != 0 || len(in.Founder) != 0 || in.Expires != 0):
		return Link{}, fmt.Errorf("%w (an invitation in a link to a room open to any holder)", ErrMalformed)
	case len(in.Room) == 0 && len(in.Secret) != roomkey.SecretSize:
		return Link{}, fmt.Errorf("%w (room secret of %d bytes)", ErrMalformed, len(in.Secret))
	case len(in.Room) != 0 && (len(in.Room) != wire.IDSize || len(in.Secret) != 0):
		return Link{}, fmt.Errorf("%w (legacy room ID of %d bytes, secret of %d)", ErrMalformed, len(in.Room), len(in.Secret))
	case len(in.Addrs) > maxAddrs || len(in.Helpers) > maxHelpers:
		return Link{}, fmt.Errorf("%w (%d addresses, %d helpers)", ErrMalformed, len(in.Addrs), len(in.Helpers))
	}
	l := Link{}
	switch {
	case private:
		founder, err := peer.IDFromBytes(in.Founder)
		if err != nil {
			return Link{}, fmt.Errorf("%w (founder: %v)", ErrMalformed, err)
		}
		l.Room = roomkey.Private(roomkey.Secret(in.Secret), founder)
		l.Invitation = &Invitation{Seed: [seal.SeedSize]byte(in.Seed)}
		if in.Expires != 0 {
			l.Invitation.Expires = time.UnixMilli(int64(min(in.Expires, math.MaxInt64)))
		}
	case len(in.Room) != 0:
		l.Room = roomkey.FromLegacyID(wire.RoomID(in.Room))
	default:
		l.Room = roomkey.FromSecret(roomkey.Secret(in.Secret))
	}
	if l.Name, err = wire.CleanName(in.Name, wire.MaxRoomNameChars); err != nil {
		return Link{}, fmt.Errorf("%w (room name: %v)", ErrMalformed, err)
	}
	if l.Inviter, err = peer.IDFromBytes(in.Inviter); err != nil {
		return Link{}, fmt.Errorf("%w (inviter: %v)", ErrMalformed, err)
	}
	for _, b := range in.Addrs {
		a, err := multiaddr.NewMultiaddrBytes(b)
		if err != nil {
			return Link{}, fmt.Errorf("%w (address: %v)", ErrMalformed, err)
		}
		l.Addrs = append(l.Addrs, a)
	}
	for _, b := range in.Helpers {
		a, err := multiaddr.NewMultiaddrBytes(b)
		if err == nil {
			_, err = peer.AddrInfoFromP2pAddr(a)
		}
		if err != nil {
			return Link{}, fmt.Errorf("%w (helper: %v)", ErrMalformed, err)
		}
		l.Helpers = append(l.Helpers, a)
	}
	return l, nil
}
