package memberlog

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/seal"
	"parley/wire"
)

// Why an event does not count, or why the API refuses an action; test with
// errors.Is. The API answers 403, 404 and 409 for the first three.
var (
	ErrForbidden  = errors.New("not allowed with this role")
	ErrNotMember  = errors.New("not a member of the room")
	ErrOwnerStays = errors.New("the owner cannot leave while others stay: make someone else the owner first")
	// ErrInvite: the invitation is unknown, revoked, expired or used up.
	ErrInvite = errors.New("the invitation does not admit")
	// ErrEpoch: a key for an epoch that is not the next, or a second key
	// for one.
	ErrEpoch = errors.New("wrong epoch")
	// ErrUnknown: dated before its author's removal, and not one the
	// remover knew.
	ErrUnknown = errors.New("written before the author's removal and unknown to the remover")
)

// Genesis is what a private room's ID commits to: who founded it.
type Genesis struct {
	Room wire.RoomID
	// Founders: the owner of a private room; both people of a direct
	// conversation, who are both its owners.
	Founders []peer.ID
}

// Direct reports whether the room is a direct conversation.
func (g Genesis) Direct() bool { return len(g.Founders) == 2 }

// Invite is an invitation as the log has it.
type Invite struct {
	ID   wire.MessageID
	By   peer.ID
	Time uint64
	Key  ed25519.PublicKey
	// Expires is unix milliseconds; 0 never.
	Expires uint64
	// Uses is how many joins it admits, 0 any number; Used how many it has.
	Uses, Used int
	Revoked    bool
}

// Epoch is one epoch's key as the log has it: its check value, the event
// that started it, and the devices it was wrapped for.
type Epoch struct {
	Check   [seal.CheckSize]byte
	ID      wire.MessageID
	Time    uint64
	Devices map[seal.DevicePublic]bool
}

// State is a folded log.
type State struct {
	genesis Genesis
	roles   map[peer.ID]Role
	// since is each identity's roles in log order, from when each held:
	// what RoleAt reads.
	since   map[peer.ID][]heldFrom
	devices map[peer.ID]seal.DevicePublic
	// removedAt is when each removed identity was removed (until admitted
	// again).
	removedAt map[peer.ID]uint64
	invites   map[wire.MessageID]*Invite
	epochs    []*Epoch
	// departedAt is when each identity that left or was removed went
	// (until admitted again); lastDeparture the newest of those times.
	departedAt    map[peer.ID]uint64
	lastDeparture uint64
	// goneDevices are the devices of those who departed, until their
	// identity is admitted again with that device.
	goneDevices map[seal.DevicePublic]bool
	removals    []Event
	refused     map[wire.MessageID]error
}

// Fold reads a room's membership and key events, in any order, into the
// room's state. An event counts only if its author held the role for it at
// that point of the log; the others are kept in Refused.
func Fold(g Genesis, events []Event) *State {
	sorted := slices.Clone(events)
	slices.SortFunc(sorted, func(a, b Event) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	first := fold(g, sorted, nil)
	excluded := first.unknownToRemovers(sorted)
	if len(excluded) == 0 {
		return first
	}
	// Once more without the events no remover vouched for: the log as if
	// they had never been written.
	return fold(g, sorted, excluded)
}

func fold(g Genesis, sorted []Event, excluded map[wire.MessageID]bool) *State {
	s := &State{
		genesis:     g,
		roles:       map[peer.ID]Role{},
		since:       map[peer.ID][]heldFrom{},
		devices:     map[peer.ID]seal.DevicePublic{},
		removedAt:   map[peer.ID]uint64{},
		departedAt:  map[peer.ID]uint64{},
		goneDevices: map[seal.DevicePublic]bool{},
		invites:     map[wire.MessageID]*Invite{},
		refused:     map[wire.MessageID]error{},
	}
	for _, f := range g.Founders {
		s.setRole(f, Owner, 0)
	}
	for _, e := range sorted {
		var err error
		switch {
		case excluded[e.ID]:
			err = ErrUnknown
		case e.Member != nil:
			err = s.applyMember(e)
		case e.Keys != nil:
			err = s.applyKeys(e)
		default:
			err = fmt.Errorf("%w: an event with no body", ErrMalformed)
		}
		if err != nil {
			s.refused[e.ID] = err
		}
	}
	return s
}

// Allowed says whether actor may do action to subject now, with the error
// the API answers with when not. For an admission it checks the role only:
// the invitation is checked with the event.
func (s *State) Allowed(actor peer.ID, action wire.Member_Action, subject peer.ID) error {
	role := s.roles[actor]
	if role == None {
		return ErrNotMember
	}
	direct := s.genesis.Direct()
	switch action {
	case wire.Member_ACTION_CREATE:
		if !slices.Contains(s.genesis.Founders, actor) {
			return ErrForbidden
		}
	case wire.Member_ACTION_INVITE, wire.Member_ACTION_REVOKE_INVITE:
		if direct || role < Moderator {
			return ErrForbidden
		}
	case wire.Member_ACTION_ADMIT:
		if direct {
			return ErrForbidden
		}
	case wire.Member_ACTION_REMOVE:
		target := s.roles[subject]
		switch {
		case direct:
			return ErrForbidden
		case target == None:
			return ErrNotMember
		case subject == actor:
			return ErrForbidden // leave instead
		case role == Owner, role == Moderator && target == Member:
		default:
			return ErrForbidden
		}
	case wire.Member_ACTION_LEAVE:
		if role == Owner && !direct && len(s.roles) > 1 {
			return ErrOwnerStays
		}
	case wire.Member_ACTION_ROLE:
		switch {
		case direct || role != Owner || subject == actor:
			return ErrForbidden
		case s.roles[subject] == None:
			return ErrNotMember
		}
	default:
		return fmt.Errorf("%w: unknown action %d", ErrMalformed, action)
	}
	return nil
}

func (s *State) applyMember(e Event) error {
	m := e.Member
	if err := CheckMember(m); err != nil {
		return err
	}
	subject, _ := peer.IDFromBytes(m.Subject) // checked; empty where unused
	if err := s.Allowed(e.Author, m.Action, subject); err != nil {
		return err
	}
	switch m.Action {
	case wire.Member_ACTION_CREATE:
		if _, ok := s.devices[e.Author]; ok {
			return fmt.Errorf("%w: created twice", ErrForbidden)
		}
		s.devices[e.Author] = seal.DevicePublic(m.Device)
	case wire.Member_ACTION_INVITE:
		s.invites[e.ID] = &Invite{ID: e.ID, By: e.Author, Time: e.Time, Key: ed25519.PublicKey(m.InviteKey),
			Expires: m.Expires, Uses: int(m.Uses)}
	case wire.Member_ACTION_REVOKE_INVITE:
		inv := s.invites[wire.MessageID(m.Invite)]
		if inv == nil {
			return fmt.Errorf("%w: no such invitation", ErrInvite)
		}
		inv.Revoked = true
	case wire.Member_ACTION_ADMIT:
		return s.admit(e, subject)
	case wire.Member_ACTION_REMOVE:
		s.depart(subject, e.Time)
		s.removedAt[subject] = e.Time
		s.removals = append(s.removals, e)
	case wire.Member_ACTION_LEAVE:
		s.depart(e.Author, e.Time)
	case wire.Member_ACTION_ROLE:
		role := RoleOf(m.Role)
		if role == Owner {
			s.setRole(e.Author, Moderator, e.Time) // ownership handed over
		}
		s.setRole(subject, role, e.Time)
	}
	return nil
}

func (s *State) admit(e Event, subject peer.ID) error {
	m := e.Member
	inv := s.invites[wire.MessageID(m.Invite)]
	switch {
	case inv == nil:
		return fmt.Errorf("%w: no such invitation", ErrInvite)
	case inv.Revoked:
		return fmt.Errorf("%w: revoked", ErrInvite)
	case inv.Expires != 0 && uint64(wire.TimeOf(e.Time).UnixMilli()) >= inv.Expires:
		return fmt.Errorf("%w: expired", ErrInvite)
	case inv.Uses != 0 && inv.Used >= inv.Uses:
		return fmt.Errorf("%w: used up", ErrInvite)
	case s.roles[subject] != None:
		return fmt.Errorf("%w: already a member", ErrForbidden)
	}
	if at, ok := s.removedAt[subject]; ok && inv.Time <= at {
		return fmt.Errorf("%w: made before the joiner's removal", ErrInvite)
	}
	device := seal.DevicePublic(m.Device)
	if err := seal.VerifyJoin(inv.Key, s.genesis.Room, subject, device, m.Proof); err != nil {
		return fmt.Errorf("%w: %w", ErrInvite, err)
	}
	inv.Used++
	s.setRole(subject, Member, e.Time)
	s.devices[subject] = device
	delete(s.goneDevices, device)
	delete(s.removedAt, subject)
	delete(s.departedAt, subject)
	return nil
}

func (s *State) depart(who peer.ID, at uint64) {
	if d, ok := s.devices[who]; ok {
		s.goneDevices[d] = true
	}
	s.setRole(who, None, at)
	delete(s.devices, who)
	s.departedAt[who] = at
	s.lastDeparture = max(s.lastDeparture, at)
}

func (s *State) applyKeys(e Event) error {
	k := e.Keys
	if err := CheckKeys(k); err != nil {
		return err
	}
	role := s.roles[e.Author]
	if role == None {
		return ErrNotMember
	}
	n := int(k.Epoch)
	switch {
	case n < len(s.epochs):
		// More devices for an epoch begun before (a member admitting
		// someone wraps every earlier key for it): the same key only.
		ep := s.epochs[n]
		if [seal.CheckSize]byte(k.Check) != ep.Check {
			return fmt.Errorf("%w: a second key for epoch %d (the first in time holds)", ErrEpoch, n)
		}
		addWraps(ep, k)
	case n == len(s.epochs):
		if role < Moderator {
			return fmt.Errorf("%w: only the owner and moderators begin an epoch", ErrForbidden)
		}
		if n == 0 && !slices.Contains(s.genesis.Founders, e.Author) {
			return fmt.Errorf("%w: the first epoch is the founder's", ErrForbidden)
		}
		ep := &Epoch{Check: [seal.CheckSize]byte(k.Check), ID: e.ID, Time: e.Time, Devices: map[seal.DevicePublic]bool{}}
		addWraps(ep, k)
		s.epochs = append(s.epochs, ep)
	default:
		return fmt.Errorf("%w: epoch %d before epoch %d", ErrEpoch, n, len(s.epochs))
	}
	return nil
}

func addWraps(ep *Epoch, k *wire.Keys) {
	for _, w := range k.Wraps {
		ep.Devices[seal.DevicePublic(w.Device)] = true
	}
}

// unknownToRemovers lists, for each removal that counted, the removed
// identity's events dated before it that the remover did not vouch for:
// those not on the chain (prev links) of the event it named as known.
// When the named event is not here yet, all are kept until it comes.
func (s *State) unknownToRemovers(sorted []Event) map[wire.MessageID]bool {
	var excluded map[wire.MessageID]bool
	for _, r := range s.removals {
		subject, _ := peer.IDFromBytes(r.Member.Subject)
		byID := map[wire.MessageID]Event{}
		for _, e := range sorted {
			if !e.before(r) {
				break
			}
			if e.Author == subject {
				byID[e.ID] = e
			}
		}
		kept := map[wire.MessageID]bool{}
		if len(r.Member.Known) == wire.IDSize { // a counted removal passed checkMember
			head, ok := byID[wire.MessageID(r.Member.Known)]
			if !ok {
				continue
			}
			// A chain is at most as long as the events it runs through.
			for range len(byID) {
				if kept[head.ID] {
					break
				}
				kept[head.ID] = true
				prev := prevOf(head)
				if len(prev) != wire.IDSize { // the first, or malformed (refused)
					break
				}
				if head, ok = byID[wire.MessageID(prev)]; !ok {
					break
				}
			}
		}
		for id := range byID {
			if !kept[id] {
				if excluded == nil {
					excluded = map[wire.MessageID]bool{}
				}
				excluded[id] = true
			}
		}
	}
	return excluded
}

func prevOf(e Event) []byte {
	if e.Member != nil {
		return e.Member.Prev
	}
	return e.Keys.GetPrev()
}

// Role is a peer's role in the room: None when it is not a member.
func (s *State) Role(p peer.ID) Role { return s.roles[p] }

// heldFrom is a role and the log time it was given at.
type heldFrom struct {
	time uint64
	role Role
}

func (s *State) setRole(p peer.ID, role Role, at uint64) {
	if role == None {
		delete(s.roles, p)
	} else {
		s.roles[p] = role
	}
	s.since[p] = append(s.since[p], heldFrom{at, role})
}

// RoleAt is the role an identity held at a time, as the log has it: what
// judges an act that is not a log event (a moderator's removal of a
// message), the same on every member whenever the act reaches it.
func (s *State) RoleAt(p peer.ID, t uint64) Role {
	role := None
	for _, h := range s.since[p] {
		if h.time > t {
			break
		}
		role = h.role
	}
	return role
}

// Device is a member's device key.
func (s *State) Device(p peer.ID) (seal.DevicePublic, bool) {
	d, ok := s.devices[p]
	return d, ok
}

// Members lists the members with their roles.
func (s *State) Members() map[peer.ID]Role { return maps.Clone(s.roles) }

// Removed reports whether p was removed and not admitted again since.
func (s *State) Removed(p peer.ID) bool {
	_, ok := s.removedAt[p]
	return ok
}

// DepartedAt is when p left or was removed, if it did and was not
// admitted again since.
func (s *State) DepartedAt(p peer.ID) (uint64, bool) {
	at, ok := s.departedAt[p]
	return at, ok
}

// Invites lists the room's invitations, oldest first.
func (s *State) Invites() []*Invite {
	out := slices.Collect(maps.Values(s.invites))
	slices.SortFunc(out, func(a, b *Invite) int {
		if a.Time != b.Time {
			return cmp.Compare(a.Time, b.Time)
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out
}

// Invite is an invitation of the room, nil if the log has none by that ID.
func (s *State) Invite(id wire.MessageID) *Invite { return s.invites[id] }

// Epochs is how many epochs have begun; the newest is Epochs()-1, the one
// a message is sealed under.
func (s *State) Epochs() int { return len(s.epochs) }

// Epoch is one epoch, nil if it has not begun.
func (s *State) Epoch(n uint32) *Epoch {
	if int(n) >= len(s.epochs) {
		return nil
	}
	return s.epochs[n]
}

// NeedsRotation reports whether the newest epoch's key must be replaced:
// someone left or was removed after it began, or it was wrapped for the
// device of someone who left (the losing half of two removals at once).
// A wrap for a device the log does not name yet (a direct conversation's
// other person, before their own creation event) is no reason.
func (s *State) NeedsRotation() bool {
	if len(s.epochs) == 0 {
		return false
	}
	newest := s.epochs[len(s.epochs)-1]
	if s.lastDeparture > newest.Time {
		return true
	}
	for d := range newest.Devices {
		if s.goneDevices[d] {
			return true
		}
	}
	return false
}

// Unwrapped lists, for each member's device, the epochs whose key was not
// wrapped for it: what a member holding those keys should hand it.
func (s *State) Unwrapped() map[seal.DevicePublic][]uint32 {
	out := map[seal.DevicePublic][]uint32{}
	for _, d := range s.devices {
		for n, ep := range s.epochs {
			if !ep.Devices[d] {
				out[d] = append(out[d], uint32(n))
			}
		}
	}
	return out
}

// Why says why an event does not count; nil if it counts or is unknown.
func (s *State) Why(id wire.MessageID) error { return s.refused[id] }

// Refused lists the events that did not count, with why.
func (s *State) Refused() map[wire.MessageID]error { return maps.Clone(s.refused) }
