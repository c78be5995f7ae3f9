package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/invite"
	"parley/memberlog"
	"parley/store"
	"parley/wire"
)

// Invitation is an open invitation to a private room.
type Invitation struct {
	ID string `json:"id"`
	// Link is the invite link; "" for one made on another device (only
	// its maker holds the link).
	Link string `json:"link"`
	// ExpiresAt is when it stops letting people in, unix ms; 0 never.
	ExpiresAt int64 `json:"expiresAt"`
	// Uses is how many people it lets in, 0 any number; Used how many
	// it did.
	Uses int `json:"uses"`
	Used int `json:"used"`
	// By is the peer ID of the member who made it.
	By string `json:"by"`
}

// Bounds of an invitation (CreateInvite).
const (
	MaxInviteHours   = 8760
	MaxInviteUses    = memberlog.MaxInviteUses
	defaultInviteFor = 7 * 24 * time.Hour
)

// joinedPrivate finds a joined private room by ID.
func (s *Service) joinedPrivate(roomID string) (wire.RoomID, *privateRoom, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return id, nil, err
	}
	pr := s.privateRoom(id)
	if pr == nil {
		return id, nil, ErrPublicRoom
	}
	if pr.State().Role(s.id.ID) == memberlog.None {
		return id, nil, ErrNotAdmitted
	}
	return id, pr, nil
}

// CreateInvite makes an invitation to a private room and its link: valid
// for hours (0: until revoked), letting in uses people (0: any number).
// Anyone holding the link can join until then. The owner and moderators
// may invite.
func (s *Service) CreateInvite(ctx context.Context, roomID string, hours, uses int) (Invitation, error) {
	if hours < 0 || hours > MaxInviteHours {
		return Invitation{}, ErrBadHours
	}
	if uses < 0 || uses > MaxInviteUses {
		return Invitation{}, ErrBadUses
	}
	id, pr, err := s.joinedPrivate(roomID)
	if err != nil {
		return Invitation{}, err
	}
	var expires time.Time
	if hours > 0 {
		expires = s.opts.Now().Add(time.Duration(hours) * time.Hour)
	}
	ev, inv, err := pr.Invite(expires, uses)
	if err != nil {
		return Invitation{}, privateError(err)
	}
	s.waitForWayIn(ctx)
	s.mu.Lock()
	name, keys := s.joined[id], s.keys[id]
	s.mu.Unlock()
	link, err := invite.Encode(invite.Link{
		Room: keys, Name: name, Inviter: s.id.ID,
		Addrs: s.node.InviteAddrs(), Helpers: s.node.HelperAddrs(),
		Invitation: &invite.Invitation{Seed: inv.Seed, Expires: expires},
	})
	if err != nil {
		return Invitation{}, err
	}
	// The link is kept before the event goes out: an invitation whose
	// link is lost would be one nobody can use or show.
	if err := s.updateRecord(id, func(rec *store.Room) {
		if rec.Private.Links == nil {
			rec.Private.Links = map[string]string{}
		}
		rec.Private.Links[ev.ID.String()] = link
	}); err != nil {
		return Invitation{}, err
	}
	if err := s.putOwn(ev); err != nil {
		return Invitation{}, err
	}
	return s.invitation(pr.State().Invite(ev.ID), link), nil
}

// invitePrivate is Invite for a private room: a link for 7 days, for any
// number of people.
func (s *Service) invitePrivate(ctx context.Context, roomID string) (string, error) {
	inv, err := s.CreateInvite(ctx, roomID, int(defaultInviteFor/time.Hour), 0)
	return inv.Link, err
}

func (s *Service) invitation(inv *memberlog.Invite, link string) Invitation {
	return Invitation{ID: inv.ID.String(), Link: link, ExpiresAt: int64(inv.Expires), Uses: inv.Uses, Used: inv.Used, By: inv.By.String()}
}

// Invites lists a private room's open invitations: not revoked, expired
// or used up. The owner and moderators may list them.
func (s *Service) Invites(roomID string) ([]Invitation, error) {
	id, pr, err := s.joinedPrivate(roomID)
	if err != nil {
		return nil, err
	}
	state := pr.State()
	if state.Role(s.id.ID) < memberlog.Moderator {
		return nil, ErrForbidden
	}
	rec, _, err := s.store.Room(id)
	if err != nil {
		return nil, err
	}
	now := uint64(s.opts.Now().UnixMilli())
	out := []Invitation{}
	for _, inv := range state.Invites() {
		if inv.Revoked || inv.Expires != 0 && now >= inv.Expires || inv.Uses != 0 && inv.Used >= inv.Uses {
			continue
		}
		var link string
		if rec.Private != nil {
			link = rec.Private.Links[inv.ID.String()]
		}
		out = append(out, s.invitation(inv, link))
	}
	return out, nil
}

// RevokeInvite ends an invitation: its link lets no one else in.
func (s *Service) RevokeInvite(roomID, inviteID string) error {
	id, pr, err := s.joinedPrivate(roomID)
	if err != nil {
		return err
	}
	invID, err := wire.ParseMessageID(strings.TrimSpace(inviteID))
	if err != nil || pr.State().Invite(invID) == nil {
		return ErrUnknownInvite
	}
	ev, err := pr.RevokeInvite(invID)
	if err != nil {
		return privateError(err)
	}
	if err := s.putOwn(ev); err != nil {
		return err
	}
	return s.updateRecord(id, func(rec *store.Room) { delete(rec.Private.Links, invID.String()) })
}

// ErrUnknownInvite: no invitation of the room has that ID.
var ErrUnknownInvite = errors.New("no such invitation in this room")

// roleOf reads a role's API name.
func roleOf(role string) (wire.Role, error) {
	switch role {
	case "member":
		return wire.Role_ROLE_MEMBER, nil
	case "moderator":
		return wire.Role_ROLE_MODERATOR, nil
	case "owner":
		return wire.Role_ROLE_OWNER, nil
	}
	return 0, ErrBadRole
}

// SetRole gives a member of a private room a role: "member",
// "moderator", or "owner", which hands the room over (the user becomes a
// moderator). Only the owner sets roles.
func (s *Service) SetRole(roomID, peerID, role string) error {
	r, err := roleOf(role)
	if err != nil {
		return err
	}
	_, pr, subject, err := s.memberAction(roomID, peerID)
	if err != nil {
		return err
	}
	ev, err := pr.SetRole(subject, r)
	if err != nil {
		return privateError(err)
	}
	if err := s.putOwn(ev); err != nil {
		return err
	}
	s.bus.publish(Event{Name: EventRooms})
	s.bus.publish(Event{Name: EventMembers})
	return nil
}

// RemoveMember removes someone from a private room: from the next key on
// they read nothing new. The owner removes anyone, moderators members.
func (s *Service) RemoveMember(roomID, peerID string) error {
	id, pr, subject, err := s.memberAction(roomID, peerID)
	if err != nil {
		return err
	}
	evs, err := pr.Remove(subject)
	if err == nil {
		err = s.keepKeys(id, pr)
	}
	if err != nil {
		return privateError(err)
	}
	if err := s.putOwn(evs...); err != nil {
		return err
	}
	s.admit(id, pr) // the removed member is told apart (removal.go)
	s.bus.publish(Event{Name: EventRooms})
	return nil
}

// memberAction reads the room and the person a member action names.
func (s *Service) memberAction(roomID, peerID string) (wire.RoomID, *privateRoom, peer.ID, error) {
	subject, err := peer.Decode(strings.TrimSpace(peerID))
	if err != nil {
		return wire.RoomID{}, nil, "", fmt.Errorf("%w: %w", ErrBadPeerID, err)
	}
	id, pr, err := s.joinedPrivate(roomID)
	if err != nil {
		return id, nil, "", err
	}
	if pr.State().Role(subject) == memberlog.None {
		return id, nil, "", ErrNotMember
	}
	return id, pr, subject, nil
}

// leavePrivate writes the user's leaving a private room, before the node
// leaves its topic.
func (s *Service) leavePrivate(pr *privateRoom) error {
	state := pr.State()
	if state.Role(s.id.ID) == memberlog.None {
		return nil // pending or removed: nothing to say
	}
	if g := pr.Genesis(); g.Direct() && s.isBlocked(s.otherOf(g)) {
		return nil // a blocked person is not told, not even that one left
	}
	ev, err := pr.Leave()
	if err != nil {
		return privateError(err)
	}
	return s.putOwn(ev)
}

// mayChangeRoom says whether the user may send a room change: in a
// private room, only the owner and moderators rename it or set its topic,
// and it is never visible on the network.
func (s *Service) mayChangeRoom(d wire.Draft) error {
	pr := s.privateRoom(d.Room)
	switch {
	case pr == nil:
		return nil
	case d.Nearby != nil:
		return fmt.Errorf("%w: a private room is never visible on the network", ErrForbidden)
	case pr.State().Role(s.id.ID) == memberlog.None:
		return ErrNotAdmitted
	case pr.State().Role(s.id.ID) < memberlog.Moderator:
		return ErrForbidden
	}
	return nil
}

// roomMetaCounts says whether a room change applies: in a private room,
// a name or topic from the owner or a moderator, never visibility.
func (s *Service) roomMetaCounts(m *wire.Message) bool {
	pr := s.privateRoom(m.Room)
	return pr == nil || m.Nearby == nil && pr.State().Role(m.Author) >= memberlog.Moderator
}

// privateView adds a private room's state to its view.
func (s *Service) privateView(r *Room, id wire.RoomID, rec store.Room) {
	if rec.Private == nil {
		return
	}
	r.Private, r.Nearby = true, false
	r.Pending, r.Refused = rec.Private.Pending, rec.Private.Refused
	pr := s.privateRoom(id)
	if pr == nil {
		return
	}
	state := pr.State()
	r.MyRole = state.Role(s.id.ID).String()
	r.Direct, r.Request = pr.Genesis().Direct(), rec.Private.Request
	if r.Direct {
		r.Name = s.displayName(s.otherOf(pr.Genesis()))
	}
	r.Removed = !r.Pending && r.MyRole == "" && (state.Removed(s.id.ID) || state.Epochs() > 0)
}

// updateRecord changes a private room's stored record.
func (s *Service) updateRecord(id wire.RoomID, change func(*store.Room)) error {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	rec, ok, err := s.store.Room(id)
	if err != nil {
		return err
	}
	if !ok || rec.Private == nil {
		return fmt.Errorf("room %s has no private record", id)
	}
	rec.ID = id
	change(&rec)
	return s.store.PutRoom(rec)
}

// memberText says what a membership event did, as the room's timeline
// shows it: "Ada removed Bob".
func (s *Service) memberText(m *wire.Message) string {
	who := s.displayName(m.Author)
	subject := ""
	if p, err := peer.IDFromBytes(m.Member.GetSubject()); err == nil {
		subject = s.displayName(p)
		if p == s.id.ID {
			subject = "you" // mid-sentence
		}
	}
	switch m.Member.GetAction() {
	case wire.Member_ACTION_CREATE:
		if pr := s.privateRoom(m.Room); pr != nil && pr.Genesis().Direct() {
			return who + " started the conversation"
		}
		return who + " created the room"
	case wire.Member_ACTION_INVITE:
		return who + " made an invite link"
	case wire.Member_ACTION_REVOKE_INVITE:
		return who + " revoked an invite link"
	case wire.Member_ACTION_ADMIT:
		return who + " let " + subject + " in"
	case wire.Member_ACTION_REMOVE:
		return who + " removed " + subject
	case wire.Member_ACTION_LEAVE:
		return who + " left"
	case wire.Member_ACTION_ROLE:
		switch m.Member.GetRole() {
		case wire.Role_ROLE_OWNER:
			return who + " made " + subject + " the owner"
		case wire.Role_ROLE_MODERATOR:
			return who + " made " + subject + " a moderator"
		}
		return who + " made " + subject + " a member"
	}
	return who + " changed the room's members"
}

// displayName is how the timeline names a person: "You", their name, or
// their fingerprint while their name is not known.
func (s *Service) displayName(p peer.ID) string {
	if p == s.id.ID {
		return "You"
	}
	if name := s.nameOf(p); name != "" {
		return name
	}
	return identity.ShortID(p)
}
