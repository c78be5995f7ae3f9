package private

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/memberlog"
	"parley/seal"
	"parley/wire"
)

// Why an invitation does not let a joiner in, as a join's answer says.
var (
	ErrInviteUnknown = errors.New("the invitation is not in this room's log")
	ErrInviteRevoked = errors.New("the invitation was revoked")
	ErrInviteExpired = errors.New("the invitation expired")
	ErrInviteUsedUp  = errors.New("the invitation was used up")
)

// write signs a membership event of this identity, sealed under the
// newest key, names its previous event, and takes it in.
func (r *Room) write(m *wire.Member) (*wire.Message, error) {
	m.Prev = r.head(r.me.ID)
	msg, err := r.Seal(wire.Draft{Time: r.clock(), Kind: wire.Kind_KIND_MEMBER, Member: m})
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", m.Action, err)
	}
	return msg, r.takeOwn(msg)
}

// keysEvent signs a keys event wrapping k, the key of epoch, for devices,
// and takes it in.
func (r *Room) keysEvent(epoch uint32, k seal.Key, devices []seal.DevicePublic) (*wire.Message, error) {
	check := k.Check(r.genesis.Room, epoch)
	body := &wire.Keys{Epoch: epoch, Check: check[:], Prev: r.head(r.me.ID)}
	for _, d := range devices {
		wrapped, err := seal.Wrap(k, d, r.genesis.Room, epoch)
		if err != nil {
			return nil, err
		}
		body.Wraps = append(body.Wraps, &wire.Wrap{Device: d.Bytes(), Wrapped: wrapped})
	}
	msg, err := wire.Sign(r.me.Key, wire.Draft{Room: r.genesis.Room, Time: r.clock(), Kind: wire.Kind_KIND_KEYS, Keys: body})
	if err != nil {
		return nil, fmt.Errorf("write keys of epoch %d: %w", epoch, err)
	}
	return msg, r.takeOwn(msg)
}

// takeOwn adds an event this device just wrote, which must count.
func (r *Room) takeOwn(msg *wire.Message) error {
	if _, err := r.Add(msg); err != nil {
		return err
	}
	return r.State().Why(msg.ID)
}

// head is the ID of an identity's newest log event here, nil for none:
// what its next event names as prev, and what a removal names as known.
func (r *Room) head(p peer.ID) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var newest *memberlog.Event
	for _, e := range r.events {
		if e.Author == p && (newest == nil || e.Time > newest.Time || e.Time == newest.Time && string(e.ID[:]) > string(newest.ID[:])) {
			newest = &e
		}
	}
	if newest == nil {
		return nil
	}
	return newest.ID[:]
}

// allowed checks the user may do action to subject now.
func (r *Room) allowed(action wire.Member_Action, subject peer.ID) error {
	return r.State().Allowed(r.me.ID, action, subject)
}

// Invite writes an invitation: expires is when it stops admitting (zero
// never), uses how many joins it admits (0 any number). The invitation's
// seed goes into the link; the event into the log.
func (r *Room) Invite(expires time.Time, uses int) (*wire.Message, seal.Invitation, error) {
	if err := r.allowed(wire.Member_ACTION_INVITE, ""); err != nil {
		return nil, seal.Invitation{}, err
	}
	inv, err := seal.NewInvitation()
	if err != nil {
		return nil, seal.Invitation{}, err
	}
	m := &wire.Member{Action: wire.Member_ACTION_INVITE, InviteKey: inv.Public(), Uses: uint32(uses)}
	if !expires.IsZero() {
		m.Expires = uint64(expires.UnixMilli())
	}
	msg, err := r.write(m)
	return msg, inv, err
}

// RevokeInvite writes the revocation of an open invitation.
func (r *Room) RevokeInvite(id wire.MessageID) (*wire.Message, error) {
	if err := r.allowed(wire.Member_ACTION_REVOKE_INVITE, ""); err != nil {
		return nil, err
	}
	if r.State().Invite(id) == nil {
		return nil, ErrInviteUnknown
	}
	return r.write(&wire.Member{Action: wire.Member_ACTION_REVOKE_INVITE, Invite: id[:]})
}

// inviteFor finds the invitation a join proof was made with and checks
// it still admits at now.
func (r *Room) inviteFor(key ed25519.PublicKey, now time.Time) (*memberlog.Invite, error) {
	for _, inv := range r.State().Invites() {
		if !inv.Key.Equal(key) {
			continue
		}
		switch {
		case inv.Revoked:
			return nil, ErrInviteRevoked
		case inv.Expires != 0 && uint64(now.UnixMilli()) >= inv.Expires:
			return nil, ErrInviteExpired
		case inv.Uses != 0 && inv.Used >= inv.Uses:
			return nil, ErrInviteUsedUp
		}
		return inv, nil
	}
	return nil, ErrInviteUnknown
}

// Admit lets in a joiner whose request was checked (seal.DecodeJoin): the
// admission, then every earlier epoch's key wrapped for its device, so it
// reads the history. It returns the events in the order written.
func (r *Room) Admit(j *seal.Join) ([]*wire.Message, error) {
	if j.Room != r.genesis.Room {
		return nil, fmt.Errorf("%w: a join request for another room", ErrInviteUnknown)
	}
	if err := r.allowed(wire.Member_ACTION_ADMIT, j.Joiner); err != nil {
		return nil, err
	}
	if r.State().Role(j.Joiner) != memberlog.None {
		return nil, nil // already in: nothing to write
	}
	inv, err := r.inviteFor(j.InviteKey, time.Now())
	if err != nil {
		return nil, err
	}
	admit, err := r.write(&wire.Member{
		Action: wire.Member_ACTION_ADMIT, Subject: []byte(j.Joiner), Invite: inv.ID[:],
		Device: j.Device.Bytes(), Proof: j.Proof,
	})
	if err != nil {
		return nil, err
	}
	keys, err := r.WrapFor(j.Device)
	return append([]*wire.Message{admit}, keys...), err
}

// WrapFor hands every epoch's key to a device: a keys event per epoch,
// each with the one wrap. It writes nothing for epochs the device has.
func (r *Room) WrapFor(device seal.DevicePublic) ([]*wire.Message, error) {
	var out []*wire.Message
	for epoch := range uint32(r.State().Epochs()) {
		r.mu.Lock()
		k, err := r.keyLocked(epoch)
		has := r.state.Epoch(epoch).Devices[device]
		r.mu.Unlock()
		if err != nil {
			return out, err
		}
		if has {
			continue
		}
		keys, err := r.keysEvent(epoch, k, []seal.DevicePublic{device})
		if err != nil {
			return out, err
		}
		out = append(out, keys)
	}
	return out, nil
}

// Found writes the user's own creation event in a direct conversation the
// other person started: it names the user's device, which later keys are
// wrapped for. It returns nil when the log has it already.
func (r *Room) Found() (*wire.Message, error) {
	if _, ok := r.State().Device(r.me.ID); ok {
		return nil, nil
	}
	return r.write(&wire.Member{Action: wire.Member_ACTION_CREATE, Device: r.me.Device.Public().Bytes()})
}

// Remove writes a member's removal and a new epoch its device does not
// get.
func (r *Room) Remove(subject peer.ID) ([]*wire.Message, error) {
	if err := r.allowed(wire.Member_ACTION_REMOVE, subject); err != nil {
		return nil, err
	}
	removal, err := r.write(&wire.Member{Action: wire.Member_ACTION_REMOVE, Subject: []byte(subject), Known: r.head(subject)})
	if err != nil {
		return nil, err
	}
	rotation, err := r.Rotate()
	if err != nil {
		return []*wire.Message{removal}, err
	}
	return []*wire.Message{removal, rotation}, nil
}

// Leave writes the user's leaving; an owner or moderator who stays
// rotates the key when it reads it.
func (r *Room) Leave() (*wire.Message, error) {
	if err := r.allowed(wire.Member_ACTION_LEAVE, ""); err != nil {
		return nil, err
	}
	return r.write(&wire.Member{Action: wire.Member_ACTION_LEAVE})
}

// SetRole writes a member's new role; making someone the owner hands
// ownership over (the user becomes a moderator).
func (r *Room) SetRole(subject peer.ID, role wire.Role) (*wire.Message, error) {
	if memberlog.RoleOf(role) == memberlog.None {
		return nil, fmt.Errorf("%w: no role %d", memberlog.ErrMalformed, role)
	}
	if err := r.allowed(wire.Member_ACTION_ROLE, subject); err != nil {
		return nil, err
	}
	return r.write(&wire.Member{Action: wire.Member_ACTION_ROLE, Subject: []byte(subject), Role: role})
}

// Rotate begins a new epoch: a fresh key wrapped for every member's
// device.
func (r *Room) Rotate() (*wire.Message, error) {
	state := r.State()
	if state.Role(r.me.ID) < memberlog.Moderator {
		return nil, memberlog.ErrForbidden
	}
	k, err := seal.NewKey()
	if err != nil {
		return nil, err
	}
	epoch := uint32(state.Epochs())
	var devices []seal.DevicePublic
	for p := range state.Members() {
		if d, ok := state.Device(p); ok {
			devices = append(devices, d)
		}
	}
	slices.SortFunc(devices, func(a, b seal.DevicePublic) int { return slices.Compare(a[:], b[:]) })
	r.learn(epoch, k)
	return r.keysEvent(epoch, k, devices)
}

// RotateIfNeeded begins a new epoch if the log says the newest key must
// go (someone left or was removed since it began) and the user may: the
// owner and moderators do it for the room. It returns nil when nothing
// was written.
func (r *Room) RotateIfNeeded() (*wire.Message, error) {
	state := r.State()
	if !state.NeedsRotation() || state.Role(r.me.ID) < memberlog.Moderator {
		return nil, nil
	}
	return r.Rotate()
}

// HandOutKeys wraps, for every member's device the log names, the keys of
// the epochs it lacks: one written before its device was known (a direct
// conversation's first rotation, say). The owner and moderators do it for
// the room; it returns nil when nothing was missing.
func (r *Room) HandOutKeys() ([]*wire.Message, error) {
	state := r.State()
	if state.Role(r.me.ID) < memberlog.Moderator {
		return nil, nil
	}
	var out []*wire.Message
	for device := range state.Unwrapped() {
		keys, err := r.WrapFor(device)
		out = append(out, keys...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
