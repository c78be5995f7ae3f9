package chat

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"parley/invite"
	"parley/p2p"
	"parley/roomkey"
	"parley/store"
	"parley/wire"
)

// MaxRoomNameLen is the longest room name, in characters: what peers accept.
const MaxRoomNameLen = wire.MaxRoomNameChars

// Room is a room the user has joined.
type Room struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Topic is the line that says what the room is for; empty if none.
	Topic string `json:"topic"`
	// Notify is when the room notifies: NotifyAll, NotifyMentions or NotifyNone.
	Notify string `json:"notify"`
	// Unread counts messages after LastRead, up to MaxUnread.
	Unread int `json:"unread"`
	// Mentions counts the unread messages that mention the user, among
	// the newest mentionScan of them.
	Mentions int `json:"mentions"`
	// Undelivered counts the user's own messages no peer has had yet,
	// up to MaxUndelivered.
	Undelivered int `json:"undelivered"`
	// LastRead is the ID of the newest message the user has seen; empty if none.
	LastRead string `json:"lastRead"`
	// LastActivity is the wall time of the newest message, unix ms; 0 if none.
	LastActivity int64 `json:"lastActivity"`
	// Nearby is true if the room is visible on this network: peers found
	// here see it in Nearby and can join it from there. Any member may
	// change it (SetRoomNearby).
	Nearby bool `json:"nearby"`
	// Legacy is true for a room made by an older Parley: anyone who has
	// its ID can join it.
	Legacy bool `json:"legacy"`
	// Private is true for a private room: only the members its log lists
	// read it. Direct marks a direct conversation (also private).
	Private bool `json:"private"`
	Direct  bool `json:"direct"`
	// MyRole is the user's role in a private room: "owner", "moderator"
	// or "member"; "" in a public room, and while pending or removed.
	MyRole string `json:"myRole"`
	// Pending: joined by link, no member has let this device in yet.
	// Refused says why one turned it away, if one did.
	Pending bool   `json:"pending"`
	Refused string `json:"refused,omitempty"`
	// Removed: a moderator or the owner removed the user.
	Removed bool `json:"removed"`
	// Request: a direct conversation from someone the user shares no
	// room with; it does not notify.
	Request bool `json:"request"`
}

// MaxUnread caps the unread count (the UI shows "999+").
const MaxUnread = 1000

// CreateRoom makes a new room with a fresh secret and joins it. Only
// people given its invite link can join it, until a member makes it
// visible on the network (SetRoomNearby).
func (s *Service) CreateRoom(name string) (Room, error) {
	name, err := cleanRoomName(name)
	if err != nil {
		return Room{}, err
	}
	keys, err := roomkey.New()
	if err != nil {
		return Room{}, fmt.Errorf("create room: %w", err)
	}
	return s.join(keys, name, false)
}

// JoinRoom joins a room by an invite link, or by its ID if this node knows
// the room's secret: a room it was in before, or one a peer on this network
// made visible (Nearby). A bare ID of any other room is refused with
// ErrNeedInvite. name is how the room shows here; empty takes the link's
// name, or keeps the name it had, or the name it has in Nearby.
func (s *Service) JoinRoom(idOrLink, name string) (Room, error) {
	if invite.IsLink(idOrLink) {
		return s.joinByInvite(idOrLink, name)
	}
	id, err := parseRoom(idOrLink)
	if err != nil {
		return Room{}, fmt.Errorf("%w: it is neither an invite link (parley://join/…) nor a room ID", err)
	}
	if strings.TrimSpace(name) == "" {
		name = ""
	} else if name, err = cleanRoomName(name); err != nil {
		return Room{}, err
	}
	keys, known, err := s.knownRoom(id)
	if err != nil {
		return Room{}, err
	}
	if name != "" {
		return s.join(keys, name, false)
	}
	if known.Name != "" {
		// A name kept from an earlier stay, or heard from a nearby peer,
		// if it still passes today's rule.
		if kept, err := cleanRoomName(known.Name); err == nil {
			return s.join(keys, kept, known.Placeholder)
		}
	}
	return s.join(keys, placeholderName(id), true)
}

// knownRoom finds the keys of a room this node may join by ID alone: one
// it was in before (the store kept its secret), else one a peer on this
// network made visible. known carries the name it had.
func (s *Service) knownRoom(id wire.RoomID) (keys roomkey.Room, known store.Room, err error) {
	rec, ok, err := s.store.Room(id)
	if err != nil {
		return keys, known, err
	}
	if ok && rec.Private != nil {
		// A private room lets in only by invitation, also one left before.
		return keys, known, ErrNeedInvite
	}
	if ok {
		keys, err := roomKeys(rec)
		return keys, rec, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, np := range s.nearby.All() {
		for _, r := range np.rooms {
			if r.Room.ID == id {
				return r.Room, store.Room{Name: r.Name}, nil
			}
		}
	}
	return keys, known, ErrNeedInvite
}

// roomKeys derives a stored room's keys: from its secret, or from its ID
// for a room made before rooms had secrets.
func roomKeys(rec store.Room) (roomkey.Room, error) {
	if rec.Private != nil {
		return privateKeys(rec)
	}
	if len(rec.Secret) == 0 {
		return roomkey.FromLegacyID(rec.ID), nil
	}
	if len(rec.Secret) != roomkey.SecretSize {
		return roomkey.Room{}, fmt.Errorf("room %s: stored secret of %d bytes", rec.ID, len(rec.Secret))
	}
	keys := roomkey.FromSecret(roomkey.Secret(rec.Secret))
	if keys.ID != rec.ID {
		return roomkey.Room{}, fmt.Errorf("room %s: stored secret belongs to another room", rec.ID)
	}
	return keys, nil
}

// placeholderName stands for a room whose name we do not know yet.
func placeholderName(id wire.RoomID) string { return "Room " + id.String()[:8] }

func (s *Service) join(keys roomkey.Room, name string, placeholder bool) (Room, error) {
	id := keys.ID
	s.readMu.Lock()
	rec, _, err := s.store.Room(id)
	if err == nil {
		rec.ID, rec.Name, rec.Joined, rec.Placeholder = id, name, true, placeholder
		rec.Secret = nil
		if !keys.Legacy {
			rec.Secret = keys.Secret[:]
		}
		err = s.store.PutRoom(rec) // keeps the read position of an earlier stay
	}
	s.readMu.Unlock()
	if err != nil {
		return Room{}, err
	}
	s.mu.Lock()
	s.keys[id] = keys
	s.visible[id] = rec.Nearby
	s.mu.Unlock()
	if err := s.node.Join(keys, s.receive); err != nil {
		s.mu.Lock()
		delete(s.keys, id)
		delete(s.visible, id)
		s.mu.Unlock()
		return Room{}, err
	}
	s.mu.Lock()
	s.joined[id] = name
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventRooms})
	return s.roomView(id, name), nil
}

// learnRoomNames names the joined rooms we know only by a placeholder after
// what a nearby peer calls them. The names passed wire's rule already.
func (s *Service) learnRoomNames(rooms []p2p.NearbyRoom) {
	learned := false
	for _, nr := range rooms {
		id, name := nr.Room.ID, nr.Name
		s.mu.Lock()
		current, joined := s.joined[id]
		s.mu.Unlock()
		if !joined || current != placeholderName(id) || name == current {
			continue
		}
		s.readMu.Lock()
		rec, ok, err := s.store.Room(id)
		if err == nil && ok && rec.Joined && rec.Placeholder {
			rec.ID, rec.Name, rec.Placeholder = id, name, false
			err = s.store.PutRoom(rec)
			if err == nil {
				s.mu.Lock()
				if _, still := s.joined[id]; still {
					s.joined[id] = name
				}
				s.mu.Unlock()
				learned = true
			}
		}
		s.readMu.Unlock()
		if err != nil {
			s.log.Error("name room failed", "room", id.String()[:8], "err", err)
		}
	}
	if learned {
		s.bus.publish(Event{Name: EventRooms})
		s.node.HelloAll()
	}
}

// LeaveRoom unsubscribes from a room. Its history stays on disk; the
// helpers its link named leave with it, unless another joined room names
// them.
func (s *Service) LeaveRoom(roomID string) error {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return err
	}
	if pr := s.privateRoom(id); pr != nil {
		if err := s.leavePrivate(pr); err != nil {
			return err
		}
	}
	s.mu.Lock()
	name := s.joined[id]
	delete(s.joined, id)
	delete(s.keys, id)
	delete(s.visible, id)
	delete(s.private, id)
	s.mu.Unlock()
	s.readMu.Lock()
	rec, _, err := s.store.Room(id)
	if err == nil {
		rec.ID, rec.Name, rec.Joined = id, name, false
		err = s.store.PutRoom(rec)
	}
	s.readMu.Unlock()
	if err != nil {
		return err
	}
	if err := s.node.Leave(id); err != nil {
		return err
	}
	s.setRoomHelpers(id, nil)
	s.bus.publish(Event{Name: EventRooms})
	return nil
}

// Rooms lists the joined rooms by name, with unread counts.
func (s *Service) Rooms() []Room {
	s.mu.Lock()
	joined := maps.Clone(s.joined)
	s.mu.Unlock()
	rooms := make([]Room, 0, len(joined))
	for id, name := range joined {
		rooms = append(rooms, s.roomView(id, name))
	}
	slices.SortFunc(rooms, func(a, b Room) int {
		return cmpFirst(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return rooms
}

// roomView adds what the store knows (last read, unread, last activity) to
// a joined room. Store errors leave those fields empty: the list still shows.
func (s *Service) roomView(id wire.RoomID, name string) Room {
	r := Room{ID: id.String(), Name: name, Notify: NotifyAll}
	rec, ok, err := s.store.Room(id)
	if err != nil || !ok {
		return r
	}
	r.Topic, r.Nearby, r.Legacy = rec.Topic, rec.Nearby, len(rec.Secret) == 0
	s.privateView(&r, id, rec)
	if rec.Notify != "" {
		r.Notify = rec.Notify
	}
	if rec.LastRead != (store.Position{}) {
		r.LastRead = rec.LastRead.ID.String()
	}
	if r.Unread, err = s.store.CountAfter(id, rec.LastRead, MaxUnread); err != nil {
		s.log.Error("count unread failed", "room", id.String()[:8], "err", err)
	}
	if r.Unread > 0 {
		r.Mentions = s.countMentions(id, min(r.Unread, mentionScan))
	}
	r.Undelivered = s.undelivered(id)
	if newest, err := s.store.Page(id, store.Position{}, store.Before, 1); err == nil && len(newest) == 1 {
		r.LastActivity = wire.TimeOf(newest[0].Time).UnixMilli()
	}
	return r
}

// MarkRead records that the user has seen a room up to a message. Marking
// an older message than already read changes nothing.
func (s *Service) MarkRead(roomID, messageID string) error {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return err
	}
	pos, err := s.position(id, messageID)
	if err != nil {
		return err
	}
	return s.markRead(id, pos)
}

func (s *Service) markRead(id wire.RoomID, pos store.Position) error {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	rec, _, err := s.store.Room(id)
	if err != nil {
		return err
	}
	if !positionLess(rec.LastRead, pos) {
		return nil
	}
	rec.ID, rec.LastRead = id, pos
	if err := s.store.PutRoom(rec); err != nil {
		return err
	}
	s.bus.publish(Event{Name: EventRooms})
	return nil
}

func positionLess(a, b store.Position) bool {
	if a.Time != b.Time {
		return a.Time < b.Time
	}
	return bytes.Compare(a.ID[:], b.ID[:]) < 0
}

// loadJoinedRooms fills the joined set from the store, before the network
// starts, and returns the rooms whose topics to join.
func (s *Service) loadJoinedRooms() ([]roomkey.Room, error) {
	rooms, err := s.store.Rooms()
	if err != nil {
		return nil, err
	}
	var out []roomkey.Room
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rooms {
		if !r.Joined {
			continue
		}
		keys, err := roomKeys(r)
		if err != nil {
			return nil, fmt.Errorf("load rooms: %w", err)
		}
		if r.Private != nil {
			pr, err := s.loadPrivate(r)
			if err != nil {
				return nil, fmt.Errorf("load rooms: %w", err)
			}
			s.private[r.ID] = pr
		}
		s.joined[r.ID] = r.Name
		s.keys[r.ID] = keys
		s.visible[r.ID] = r.Nearby
		out = append(out, keys)
	}
	return out, nil
}

// joinedIDs lists the joined rooms.
func (s *Service) joinedIDs() []wire.RoomID {
	s.mu.Lock()
	defer s.mu.Unlock()
	rooms := make([]wire.RoomID, 0, len(s.joined))
	for id := range s.joined {
		rooms = append(rooms, id)
	}
	return rooms
}

func (s *Service) joinedRoom(roomID string) (wire.RoomID, error) {
	id, err := parseRoom(roomID)
	if err != nil {
		return id, err
	}
	s.mu.Lock()
	_, ok := s.joined[id]
	s.mu.Unlock()
	if !ok {
		return id, ErrNotJoined
	}
	return id, nil
}

func parseRoom(roomID string) (wire.RoomID, error) {
	id, err := wire.ParseRoomID(strings.TrimSpace(roomID))
	if err != nil {
		return id, fmt.Errorf("%w: %w", ErrBadRoomID, err)
	}
	return id, nil
}

// trueFirst orders true before false.
func trueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	default:
		return 1
	}
}

func cmpFirst(cmps ...int) int {
	for _, c := range cmps {
		if c != 0 {
			return c
		}
	}
	return 0
}

// MessageCount says how many messages a room's history holds here.
func (s *Service) MessageCount(roomID string) (int, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return 0, err
	}
	return s.store.Count(id)
}

// mentionScan bounds how many unread messages are read to count mentions.
const mentionScan = 300

// countMentions counts the newest n messages of a room that mention the
// user, as they read now. Stored messages were verified on arrival: they
// are parsed, not verified again.
func (s *Service) countMentions(room wire.RoomID, n int) int {
	name := s.ownName()
	if name == "" {
		return 0
	}
	items, err := s.store.Page(room, store.Position{}, store.Before, n)
	if err != nil {
		s.log.Error("count mentions failed", "room", room.String()[:8], "err", err)
		return 0
	}
	count := 0
	for _, it := range items {
		if it.Deleted {
			continue
		}
		m, err := wire.Parse(it.Envelope)
		if err != nil || m.Kind != wire.Kind_KIND_TEXT || m.Author == s.id.ID {
			continue
		}
		text := m.Text
		if f := foldChanges(m, it.Changes); f.edited {
			text = f.text
		}
		if mentions(text, name) {
			count++
		}
	}
	return count
}
