// Package memberlog folds a private room's membership log and key events
// into who is in the room, with which role and device, which invitations
// are open, and which key each epoch has (docs/SECURITY.md). Every node
// folds the same events in the same (time, ID) order, so all reach the
// same state whatever order the events arrived in. It knows no network,
// no store and no keys: events come opened and checked.
package memberlog

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/seal"
	"parley/wire"
)

// MaxInviteUses bounds an invitation's use count; 0 is any number.
const MaxInviteUses = 1000

// ErrMalformed marks an event whose form is wrong whatever the log holds.
var ErrMalformed = errors.New("malformed membership event")

// Event is one membership event: a KIND_MEMBER message, opened, or a
// KIND_KEYS message. Exactly one of Member and Keys is set.
type Event struct {
	ID     wire.MessageID
	Author peer.ID
	Time   uint64
	Member *wire.Member
	Keys   *wire.Keys
}

// before orders events as the fold reads them: by time, then ID.
func (e Event) before(o Event) bool {
	if e.Time != o.Time {
		return e.Time < o.Time
	}
	return string(e.ID[:]) < string(o.ID[:])
}

// DecodeMember reads an opened KIND_MEMBER body and checks its form.
func DecodeMember(body []byte) (*wire.Member, error) {
	var m wire.Member
	if err := proto.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := CheckMember(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// DecodeKeys reads a KIND_KEYS body and checks its form.
func DecodeKeys(body []byte) (*wire.Keys, error) {
	var k wire.Keys
	if err := proto.Unmarshal(body, &k); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := CheckKeys(&k); err != nil {
		return nil, err
	}
	return &k, nil
}

// CheckMember checks the form of a membership event: what the log cannot
// judge by itself.
func CheckMember(m *wire.Member) error {
	bad := func(what string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrMalformed, m.Action, fmt.Sprintf(what, args...))
	}
	if err := optionalID(m.Prev); err != nil {
		return bad("prev: %v", err)
	}
	if m.Action != wire.Member_ACTION_REMOVE && len(m.Known) != 0 {
		return bad("only a removal names what it knew")
	}
	needsSubject := false
	switch m.Action {
	case wire.Member_ACTION_CREATE:
		if len(m.Device) != seal.DeviceKeySize {
			return bad("device key of %d bytes", len(m.Device))
		}
	case wire.Member_ACTION_INVITE:
		if len(m.InviteKey) != ed25519.PublicKeySize {
			return bad("invitation key of %d bytes", len(m.InviteKey))
		}
		if m.Uses > MaxInviteUses {
			return bad("%d uses, limit %d", m.Uses, MaxInviteUses)
		}
	case wire.Member_ACTION_REVOKE_INVITE:
		if len(m.Invite) != wire.IDSize {
			return bad("invite ID of %d bytes", len(m.Invite))
		}
	case wire.Member_ACTION_ADMIT:
		needsSubject = true
		if len(m.Invite) != wire.IDSize {
			return bad("invite ID of %d bytes", len(m.Invite))
		}
		if len(m.Device) != seal.DeviceKeySize {
			return bad("device key of %d bytes", len(m.Device))
		}
		if len(m.Proof) != ed25519.SignatureSize {
			return bad("join proof of %d bytes", len(m.Proof))
		}
	case wire.Member_ACTION_REMOVE:
		needsSubject = true
		if err := optionalID(m.Known); err != nil {
			return bad("known: %v", err)
		}
	case wire.Member_ACTION_LEAVE:
	case wire.Member_ACTION_ROLE:
		needsSubject = true
		if RoleOf(m.Role) == None {
			return bad("no role")
		}
	default:
		return fmt.Errorf("%w: unknown action %d", ErrMalformed, m.Action)
	}
	if needsSubject {
		if _, err := peer.IDFromBytes(m.Subject); err != nil {
			return bad("subject: %v", err)
		}
	} else if len(m.Subject) != 0 {
		return bad("a subject where none belongs")
	}
	return nil
}

func optionalID(b []byte) error {
	if len(b) != 0 && len(b) != wire.IDSize {
		return fmt.Errorf("message ID of %d bytes", len(b))
	}
	return nil
}

// CheckKeys checks the form of a keys event.
func CheckKeys(k *wire.Keys) error {
	if err := optionalID(k.Prev); err != nil {
		return fmt.Errorf("%w: keys: prev: %v", ErrMalformed, err)
	}
	if len(k.Check) != seal.CheckSize {
		return fmt.Errorf("%w: keys: check of %d bytes", ErrMalformed, len(k.Check))
	}
	if len(k.Wraps) == 0 || len(k.Wraps) > seal.MaxWraps {
		return fmt.Errorf("%w: keys: %d wraps, between 1 and %d", ErrMalformed, len(k.Wraps), seal.MaxWraps)
	}
	seen := make(map[string]bool, len(k.Wraps))
	for _, w := range k.Wraps {
		if len(w.Device) != seal.DeviceKeySize || len(w.Wrapped) != seal.WrapSize {
			return fmt.Errorf("%w: keys: a wrap of %d bytes for a device key of %d", ErrMalformed, len(w.Wrapped), len(w.Device))
		}
		if seen[string(w.Device)] {
			return fmt.Errorf("%w: keys: two wraps for one device", ErrMalformed)
		}
		seen[string(w.Device)] = true
	}
	return nil
}

// Role is what a member of a private room may do.
type Role int8

// Roles, each able to do all the one before it can.
const (
	None Role = iota
	Member
	Moderator
	Owner
)

// RoleOf is the Role a wire role stands for.
func RoleOf(r wire.Role) Role {
	switch r {
	case wire.Role_ROLE_MEMBER:
		return Member
	case wire.Role_ROLE_MODERATOR:
		return Moderator
	case wire.Role_ROLE_OWNER:
		return Owner
	}
	return None
}

// String is the role's name in the API: "" for none.
func (r Role) String() string {
	switch r {
	case Member:
		return "member"
	case Moderator:
		return "moderator"
	case Owner:
		return "owner"
	}
	return ""
}
