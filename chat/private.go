package chat

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/memberlog"
	"parley/p2p"
	"parley/private"
	"parley/roomkey"
	"parley/store"
	"parley/wire"
)

// Errors of private rooms a UI tells apart.
var (
	// ErrForbidden: the user's role in the room does not allow it.
	ErrForbidden = errors.New("your role in this room does not allow that")
	// ErrNotMember: the person named is not a member of the room.
	ErrNotMember = errors.New("that person is not a member of this room")
	// ErrOwnerStays: the owner leaves only once someone else owns the room.
	ErrOwnerStays = errors.New("the owner cannot leave while others stay: make someone else the owner first")
	// ErrNotAdmitted: joined by link, the user is not let in yet, or was
	// removed.
	ErrNotAdmitted = errors.New("you cannot write in this room: no member has let you in")
	// ErrBadRole, ErrBadHours, ErrBadUses: arguments out of range.
	ErrBadRole  = errors.New("a role is member, moderator or owner")
	ErrBadHours = errors.New("an invitation lasts 1 to 8760 hours, or 0 for ever")
	ErrBadUses  = errors.New("an invitation admits 1 to 1000 people, or 0 for any number")
	// ErrOwnPeerID: a direct conversation or a block names the user.
	ErrOwnPeerID = errors.New("that is your own ID")
	// ErrPublicRoom: the call is for private rooms only.
	ErrPublicRoom = errors.New("this is not a private room")
)

// privateRoom is a joined private room: its log and keys, and the
// messages that came before what opens them.
type privateRoom struct {
	*private.Room
	mu   sync.Mutex
	held []heldMessage
}

// heldMessage is a verified message waiting for its epoch's key, for the
// log to list its author, or, a removal of someone else's message, for
// the log to give its author the role (see awaitsRole).
type heldMessage struct {
	m     *wire.Message
	since time.Time
	// forRole: it opened, and waits for the role only.
	forRole bool
}

// A room holds at most maxHeld messages, each for at most holdFor: past
// that, sync brings them again later (they were never stored), and a
// removal still waiting for its author's role is stored as it stands.
const (
	maxHeld = 1000
	holdFor = 10 * time.Minute
)

// takeHeld returns the messages held so far, and apart those held too
// long that only waited for a role; the others held too long are dropped.
func (pr *privateRoom) takeHeld(now time.Time) (retry []heldMessage, noRole []*wire.Message) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	retry = make([]heldMessage, 0, len(pr.held))
	for _, h := range pr.held {
		switch {
		case now.Sub(h.since) < holdFor:
			retry = append(retry, h)
		case h.forRole:
			noRole = append(noRole, h.m)
		}
	}
	pr.held = nil
	return retry, noRole
}

// hold keeps messages to try again, the newest maxHeld.
func (pr *privateRoom) hold(hs []heldMessage) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.held = append(pr.held, hs...)
	if over := len(pr.held) - maxHeld; over > 0 {
		pr.held = slices.Delete(pr.held, 0, over)
	}
}

// privateRoom is a joined private room, nil for any other room.
func (s *Service) privateRoom(id wire.RoomID) *privateRoom {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.private[id]
}

func (s *Service) me() private.Identity {
	return private.Identity{ID: s.id.ID, Key: s.id.Key, Device: s.device}
}

// genesisOf is what a private room's record says its ID commits to.
func genesisOf(id wire.RoomID, rec *store.PrivateRoom) (memberlog.Genesis, error) {
	g := memberlog.Genesis{Room: id}
	for _, f := range rec.Founders {
		p, err := peer.Decode(f)
		if err != nil {
			return g, fmt.Errorf("room %s: founder: %w", id, err)
		}
		g.Founders = append(g.Founders, p)
	}
	if len(g.Founders) != 1 && len(g.Founders) != 2 {
		return g, fmt.Errorf("room %s: %d founders", id, len(g.Founders))
	}
	return g, nil
}

// privateKeys derives a private room's keys from its record.
func privateKeys(rec store.Room) (roomkey.Room, error) {
	g, err := genesisOf(rec.ID, rec.Private)
	if err != nil {
		return roomkey.Room{}, err
	}
	if len(rec.Secret) != roomkey.SecretSize {
		return roomkey.Room{}, fmt.Errorf("room %s: stored secret of %d bytes", rec.ID, len(rec.Secret))
	}
	keys := roomkey.Private(roomkey.Secret(rec.Secret), g.Founders[0])
	if g.Direct() {
		keys = roomkey.Direct(g.Founders[0], g.Founders[1], roomkey.Secret(rec.Secret))
	}
	if keys.ID != rec.ID {
		return roomkey.Room{}, fmt.Errorf("room %s: stored secret and founder belong to another room", rec.ID)
	}
	return keys, nil
}

// loadPrivate builds a private room from what the store kept: its keys,
// then its log, opened with them.
func (s *Service) loadPrivate(rec store.Room) (*privateRoom, error) {
	g, err := genesisOf(rec.ID, rec.Private)
	if err != nil {
		return nil, err
	}
	room := private.New(g, s.me(), s.clock.Now)
	keys, err := s.store.EpochKeys(rec.ID)
	if err != nil {
		return nil, err
	}
	for epoch, k := range keys {
		room.AddKey(epoch, k)
	}
	events, err := s.store.LogEvents(rec.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range events {
		m, err := wire.Parse(it.Envelope)
		if err == nil {
			m, err = room.Open(m)
		}
		if err == nil {
			_, err = room.Add(m)
		}
		if err != nil {
			return nil, fmt.Errorf("load the log of room %s: event %s: %w", rec.ID, it.ID, err)
		}
	}
	return &privateRoom{Room: room}, nil
}

// admit tells the node who the room's log lists: only they are its
// members on the network.
func (s *Service) admit(id wire.RoomID, pr *privateRoom) {
	members := pr.State().Members()
	peers := make([]peer.ID, 0, len(members))
	for p := range members {
		peers = append(peers, p)
	}
	s.node.AdmitToRoom(id, peers)
}

// CreatePrivateRoom makes a private room with the user as its owner and
// joins it. Only people the owner or a moderator invite get in, and only
// its members read it.
func (s *Service) CreatePrivateRoom(name string) (Room, error) {
	name, err := cleanRoomName(name)
	if err != nil {
		return Room{}, err
	}
	secret, err := roomkey.New()
	if err != nil {
		return Room{}, fmt.Errorf("create private room: %w", err)
	}
	keys := roomkey.Private(secret.Secret, s.id.ID)
	g := memberlog.Genesis{Room: keys.ID, Founders: []peer.ID{s.id.ID}}
	room, log, err := private.Create(g, s.me(), s.clock.Now)
	if err != nil {
		return Room{}, fmt.Errorf("create private room: %w", err)
	}
	pr := &privateRoom{Room: room}
	if err := s.keepKeys(keys.ID, pr); err != nil {
		return Room{}, err
	}
	if err := s.putOwn(log...); err != nil {
		return Room{}, err
	}
	rec := store.Room{ID: keys.ID, Name: name, Joined: true, Secret: keys.Secret[:],
		Private: &store.PrivateRoom{Founders: []string{s.id.ID.String()}}}
	return s.joinPrivate(keys, rec, pr)
}

// joinPrivate saves a private room's record and joins its topic, members
// admitted first.
func (s *Service) joinPrivate(keys roomkey.Room, rec store.Room, pr *privateRoom) (Room, error) {
	id := keys.ID
	s.readMu.Lock()
	err := s.store.PutRoom(rec)
	s.readMu.Unlock()
	if err != nil {
		return Room{}, err
	}
	s.mu.Lock()
	s.keys[id] = keys
	s.private[id] = pr
	s.mu.Unlock()
	s.admit(id, pr)
	if err := s.node.Join(keys, s.receive); err != nil {
		s.mu.Lock()
		delete(s.keys, id)
		delete(s.private, id)
		s.mu.Unlock()
		return Room{}, err
	}
	s.mu.Lock()
	s.joined[id] = rec.Name
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventRooms})
	return s.roomView(id, rec.Name), nil
}

// itemOf is the store's item for a verified message. A delete in a
// private room by someone the log made owner or moderator by then is a
// removal: it takes the message whoever wrote it.
func (s *Service) itemOf(m *wire.Message) store.Item {
	it := store.ItemOf(m)
	if m.Kind != wire.Kind_KIND_DELETE {
		return it
	}
	if pr := s.privateRoom(m.Room); pr != nil {
		it.Redacts = pr.mayRemoveAt(m.Author, m.Time)
	}
	return it
}

// awaitsRole says whether a message is a delete of someone else's message
// by an author the log does not let remove others' messages: the role may
// be on its way (the removal overtook the appointment, or sync brings them
// in separate batches), and the store judges a delete once, when both it
// and its target are there. It waits as a message whose key has not come
// does.
func (s *Service) awaitsRole(id wire.RoomID, pr *privateRoom, m *wire.Message) bool {
	if m.Kind != wire.Kind_KIND_DELETE || m.Target == nil || pr.mayRemoveAt(m.Author, m.Time) {
		return false
	}
	it, found, err := s.store.Get(*m.Target)
	if err != nil || !found || it.Deleted || it.Room != id {
		return false
	}
	target, err := s.openStored(id, it.Envelope)
	return err == nil && target.Author != m.Author
}

// mayRemoveAt says whether someone could remove others' messages at a
// time: the owner and moderators of a private room could, and no one in
// a direct conversation (both are its owners).
func (pr *privateRoom) mayRemoveAt(p peer.ID, t uint64) bool {
	return !pr.Genesis().Direct() && pr.State().RoleAt(p, t) >= memberlog.Moderator
}

// keepKeys stores the epoch keys the room learned, before anything sealed
// under them is stored.
func (s *Service) keepKeys(id wire.RoomID, pr *privateRoom) error {
	for _, k := range pr.Fresh() {
		if err := s.store.PutEpochKey(id, k.Epoch, k.Key); err != nil {
			return err
		}
	}
	return nil
}

// putOwn stores log events the user wrote, durably, and hands them to the
// room's peers (or the outbox). The membership lines among them show in
// the window at once, as read: the user did it.
func (s *Service) putOwn(msgs ...*wire.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	items := make([]store.Item, len(msgs))
	for i, m := range msgs {
		items[i] = store.ItemOf(m)
	}
	if _, err := s.store.PutDurable(s.ctx, items...); err != nil {
		return err
	}
	for _, m := range msgs {
		if _, err := s.handOver(s.ctx, m); err != nil {
			s.log.Error("queue message failed", "room", m.Room.String()[:8], "err", err)
		}
		if m.Kind != wire.Kind_KIND_MEMBER {
			continue
		}
		if err := s.markRead(m.Room, store.Position{Time: m.Time, ID: m.ID}); err != nil && !errors.Is(err, ErrNotJoined) {
			s.log.Warn("mark read failed", "room", m.Room.String()[:8], "err", err)
		}
		s.bus.publish(Event{Name: EventMessage, Data: s.view(m, nil)})
	}
	return nil
}

// sign signs an own message: sealed in a private room.
func (s *Service) sign(d wire.Draft) (*wire.Message, error) {
	if pr := s.privateRoom(d.Room); pr != nil {
		m, err := pr.Seal(d)
		if errors.Is(err, private.ErrNoKey) || errors.Is(err, private.ErrNotMember) {
			return nil, ErrNotAdmitted
		}
		return m, err
	}
	return wire.Sign(s.id.Key, d)
}

// openPrivate opens a private room's batch: sealed messages come back
// opened, log events are taken into the room, and what cannot be opened
// yet is held for the next batch. It returns what to store and show, and
// the messages refused (counted; their places are kept so that sync does
// not bring them again).
func (s *Service) openPrivate(id wire.RoomID, pr *privateRoom, b p2p.Batch) (out, refused []*wire.Message) {
	now := s.opts.Now()
	out = make([]*wire.Message, 0, len(b.Messages))
	pending, noRole := pr.takeHeld(now)
	for _, m := range b.Messages {
		pending = append(pending, heldMessage{m: m, since: now})
	}
	for _, m := range noRole {
		if opened, err := pr.Open(m); err == nil {
			out = append(out, opened) // filed as its author's role has it
		}
	}
	logChanged := false
	for progress := true; progress && len(pending) > 0; {
		progress = false
		var waiting []heldMessage
		for _, h := range pending {
			m := h.m
			opened, err := pr.Open(m)
			if errors.Is(err, private.ErrNoKey) || errors.Is(err, private.ErrNotMember) {
				waiting = append(waiting, heldMessage{m: m, since: h.since})
				continue
			}
			if err == nil && s.awaitsRole(id, pr, opened) {
				waiting = append(waiting, heldMessage{m: m, since: h.since, forRole: true})
				continue
			}
			if err == nil && private.IsLogEvent(opened) {
				var added bool
				if added, err = pr.Add(opened); added {
					logChanged, progress = true, true
					// Kept, so every member holds the same log; counted
					// when it does not count (yet: the fold is redone as
					// the log grows).
					if why := pr.State().Why(opened.ID); why != nil {
						s.refusePrivate(b.From, id, why)
					}
				}
			}
			if err != nil {
				s.refusePrivate(b.From, id, err)
				refused = append(refused, m)
				continue
			}
			out = append(out, opened)
		}
		pending = waiting
	}
	pr.hold(pending)
	if logChanged {
		if err := s.keepKeys(id, pr); err != nil {
			s.log.Error("keep epoch keys failed", "room", id.String()[:8], "err", err)
		}
		s.admit(id, pr)
		s.bus.publish(Event{Name: EventMembers})
		s.wg.Go(func() { s.afterLogChange(id, pr) })
	}
	return out, refused
}

// refusePrivate counts a private room's message that failed to open or
// to count.
func (s *Service) refusePrivate(from peer.ID, id wire.RoomID, err error) {
	s.privateRejected.Add(1)
	s.log.Debug("private room message refused", "peer", identity.ShortID(from), "room", id.String()[:8], "err", err)
}

// afterLogChange does what a change of a room's log asks of this device:
// a new epoch if someone left and the user may begin one, and the room's
// new state in the window.
func (s *Service) afterLogChange(id wire.RoomID, pr *privateRoom) {
	rotation, err := pr.RotateIfNeeded()
	if err == nil && rotation != nil {
		err = s.keepKeys(id, pr)
		if err == nil {
			err = s.putOwn(rotation)
		}
	}
	if err == nil {
		var keys []*wire.Message
		keys, err = pr.HandOutKeys()
		if len(keys) > 0 {
			err = errors.Join(err, s.putOwn(keys...))
		}
	}
	if err != nil {
		s.log.Error("rotate room key failed", "room", id.String()[:8], "err", err)
	}
	s.bus.publish(Event{Name: EventRooms})
}

// openStored opens a stored envelope of a room: decoded, and opened if
// sealed.
func (s *Service) openStored(room wire.RoomID, raw []byte) (*wire.Message, error) {
	m, err := wire.Decode(raw, wire.Check{Room: &room})
	if err != nil || m.Kind != wire.Kind_KIND_SEALED {
		return m, err
	}
	pr := s.privateRoom(room)
	if pr == nil {
		return nil, fmt.Errorf("a sealed message in room %s, which is not private here", room)
	}
	return pr.Open(m)
}

// roleName is a member's role as the API names it.
func roleName(pr *privateRoom, p peer.ID) string {
	if pr == nil {
		return ""
	}
	return pr.State().Role(p).String()
}

// privateError maps the log's refusals to the API's errors.
func privateError(err error) error {
	switch {
	case errors.Is(err, memberlog.ErrNotMember):
		return fmt.Errorf("%w: %w", ErrNotMember, err)
	case errors.Is(err, memberlog.ErrForbidden):
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	case errors.Is(err, memberlog.ErrOwnerStays):
		return fmt.Errorf("%w: %w", ErrOwnerStays, err)
	case errors.Is(err, private.ErrNoKey):
		return fmt.Errorf("%w: %w", ErrNotAdmitted, err)
	}
	return err
}
