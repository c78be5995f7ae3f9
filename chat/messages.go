package chat

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/p2p"
	"parley/search"
	"parley/store"
	"parley/wire"
)

// Message is an entry of a room as the UI shows it: a text message with
// its reactions and edits folded in, the stub of a deleted one, or a room
// event (a rename, a new topic).
type Message struct {
	ID   string `json:"id"`
	Room string `json:"room"`
	// Kind is KindText, KindFile, KindRoomName, KindRoomTopic,
	// KindRoomNearby or KindMember; Text is a file's caption, the room's
	// new name or topic, for KindRoomNearby "on" (visible on this
	// network) or "off" (invite only), for KindMember what changed.
	Kind string `json:"kind"`
	// Author is the author's full peer ID; AuthorShort its fingerprint.
	Author      string `json:"author"`
	AuthorShort string `json:"authorShort"`
	// AuthorName is the author's display name, empty if unknown.
	AuthorName string `json:"authorName"`
	// Time is the hybrid logical clock reading that orders the room, as 20
	// zero-padded decimal digits: it is beyond JavaScript's exact integers,
	// and as fixed-width text it sorts right. SentAt is the wall time it
	// stands for, in unix milliseconds.
	Time    string `json:"time"`
	SentAt  int64  `json:"sentAt"`
	Text    string `json:"text"`
	Mine    bool   `json:"mine"`
	ReplyTo string `json:"replyTo,omitempty"`
	// ReplyPreview shows what a reply answers.
	ReplyPreview *ReplyPreview `json:"replyPreview,omitempty"`
	Reactions    []Reaction    `json:"reactions"`
	// Edited: the author changed the text. Deleted: the author deleted the
	// message, or, when Removed, the owner or a moderator of the private
	// room removed it (RemovedBy is their name, "" if unknown); Text is
	// empty.
	Edited     bool   `json:"edited"`
	Deleted    bool   `json:"deleted"`
	Removed    bool   `json:"removed,omitempty"`
	RemovedBy  string `json:"removedBy,omitempty"`
	MentionsMe bool   `json:"mentionsMe"`
	// Highlight is set on search results: the matching part of the text.
	Highlight []search.Part `json:"highlight,omitempty"`
	// State is the delivery state of the user's own messages: StateStored
	// while no peer has had it (it waits in the outbox, also across
	// restarts), StateSent once a peer in the room was sent it. Others'
	// messages and deleted ones carry none.
	State string `json:"state,omitempty"`
	// File is a KindFile message's file.
	File *File `json:"file,omitempty"`
}

// Kinds of Message.
const (
	KindText      = "text"
	KindRoomName  = "roomName"
	KindRoomTopic = "roomTopic"
	// KindMember: a private room's membership changed; Text says how
	// ("Ada removed Bob").
	KindMember = "member"
	// KindRoomNearby: a member made the room visible on the network, or
	// invite-only again.
	KindRoomNearby = "roomNearby"
	// KindFile: a shared file (Message.File); Text is its caption.
	KindFile = "file"
)

// Delivery states of the user's own messages.
const (
	StateSent   = "sent"
	StateStored = "stored"
)

// Arrived is the data of EventArrived.
type Arrived struct {
	Room  string `json:"room"`
	Count int    `json:"count"`
}

// Delivered is the data of EventDelivered.
type Delivered struct {
	ID   string `json:"id"`
	Room string `json:"room"`
}

// MaxHistoryPage is the most messages History returns at once.
const MaxHistoryPage = 500

// Send signs a text message, stores it, then publishes it. The store is the
// outbox: once Send returns without error the message is kept, even if no
// peer is online to receive it yet.
func (s *Service) Send(ctx context.Context, roomID, text string) (Message, error) {
	return s.sendText(ctx, roomID, text, nil)
}

// Reply sends text as an answer to a message of the room.
func (s *Service) Reply(ctx context.Context, roomID, messageID, text string) (Message, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	target, err := s.target(id, messageID)
	if err != nil {
		return Message{}, err
	}
	return s.sendText(ctx, roomID, text, &target.ID)
}

func (s *Service) sendText(ctx context.Context, roomID, text string, replyTo *wire.MessageID) (Message, error) {
	defer s.answerRequest(roomID)
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	if err := checkText(text); err != nil {
		return Message{}, err
	}
	msg, err := s.postOwn(ctx, wire.Draft{Room: id, Kind: wire.Kind_KIND_TEXT, Text: text, ReplyTo: replyTo})
	if err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	return msg, nil
}

// postOwn publishes a message the user wrote or shared, marks it read
// (what you wrote yourself you have read), and tells the window.
func (s *Service) postOwn(ctx context.Context, d wire.Draft) (Message, error) {
	m, state, err := s.publishOwn(ctx, d)
	if err != nil {
		return Message{}, err
	}
	if err := s.markRead(d.Room, store.Position{Time: m.Time, ID: m.ID}); err != nil {
		s.log.Warn("mark read failed", "room", d.Room.String()[:8], "err", err)
	}
	msg := s.view(m, nil)
	msg.State = state
	s.bus.publish(Event{Name: EventMessage, Data: msg})
	return msg, nil
}

func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return ErrEmptyMessage
	}
	if len(text) > wire.MaxTextSize {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(text), wire.MaxTextSize)
	}
	return nil
}

// publishOwn signs a message of ours, stores it, then hands it to the
// room's peers, or to the outbox when none is online. The store is the
// outbox: once it returns without error the message is kept.
func (s *Service) publishOwn(ctx context.Context, d wire.Draft) (*wire.Message, string, error) {
	release, err := s.sendSlot(ctx)
	if err != nil {
		return nil, "", err
	}
	defer release()
	d.Time = s.clock.Now()
	m, err := s.sign(d)
	if err != nil {
		return nil, "", err
	}
	// The message exists nowhere else yet: it must be on the disk itself,
	// not only in the OS's cache, before the user sees it as kept. Peers
	// get it while the fsync runs.
	_, onDisk, err := s.store.PutOwn(ctx, s.itemOf(m))
	if err != nil {
		if errors.Is(err, store.ErrRoomFull) {
			return nil, "", ErrRoomFull
		}
		return nil, "", err
	}
	state, err := s.handOver(ctx, m)
	if err = errors.Join(err, onDisk()); err != nil {
		return nil, "", err
	}
	return m, state, nil
}

// handOver gives a stored own message to the room's peers, or leaves it in
// the outbox when none is online or the publish fails; it says which.
func (s *Service) handOver(ctx context.Context, m *wire.Message) (string, error) {
	if len(s.node.RoomPeers(m.Room)) > 0 {
		err := s.node.Publish(ctx, m)
		if err == nil {
			return StateSent, nil
		}
		// Not sent: it waits in the outbox like a message written offline.
		s.log.Warn("publish failed; the message waits in the outbox", "room", m.Room.String()[:8], "err", err)
	}
	// Nobody to hand it to: the outbox publishes it when a peer joins.
	// Publishing now would not help and would hurt: GossipSub remembers
	// the ID as seen and would drop the real publish later.
	if err := s.store.AddToOutbox(m.Room, m.ID); err != nil {
		return "", err
	}
	return StateStored, nil
}

// Back-pressure on sending: at most maxSending own messages are signed and
// stored at once (the store commits them together); a sender waits up to
// sendWait for a slot, then gets ErrBusy.
const maxSending = 64

var sendWait = 10 * time.Second // a variable for tests

func (s *Service) sendSlot(ctx context.Context) (release func(), err error) {
	select {
	case s.sending <- struct{}{}:
		return func() { <-s.sending }, nil
	default:
	}
	wait := time.NewTimer(sendWait)
	defer wait.Stop()
	select {
	case s.sending <- struct{}{}:
		return func() { <-s.sending }, nil
	case <-wait.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// roomsFull logs, at most once per room a minute, that a room's history
// reached its cap and messages from peers are not kept.
func (s *Service) roomsFull(e *store.RoomFullError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, room := range e.Rooms {
		if now.Sub(s.fullLogged[room]) < time.Minute {
			continue
		}
		if len(s.fullLogged) >= maxFullLogged {
			// Forget rooms logged over a minute ago; if none, stay quiet.
			maps.DeleteFunc(s.fullLogged, func(_ wire.RoomID, at time.Time) bool { return now.Sub(at) >= time.Minute })
			if len(s.fullLogged) >= maxFullLogged {
				continue
			}
		}
		s.fullLogged[room] = now
		s.log.Warn("room history at its size limit: new messages are not kept", "room", room.String()[:8], "limitMiB", e.Quota>>20)
	}
}

// maxFullLogged bounds the rooms remembered as logged full.
const maxFullLogged = 64

// HistoryAfter returns up to limit messages of a room just after the
// message with ID after (from the very first when empty), oldest first.
func (s *Service) HistoryAfter(roomID, after string, limit int) ([]Message, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return nil, err
	}
	var from store.Position
	if after != "" {
		if from, err = s.position(id, after); err != nil {
			return nil, err
		}
	}
	items, err := s.store.Page(id, from, store.After, min(max(limit, 1), MaxHistoryPage))
	if err != nil {
		return nil, err
	}
	return s.views(id, items), nil
}

// MaxJumpTime is the latest time HistoryAround takes, in unix
// milliseconds: the end of the year 9999, well within the clock's 48 bits
// of milliseconds.
const MaxJumpTime = 253402300799999

// HistoryAround returns up to limit messages of a joined room around the
// wall time at (unix milliseconds), oldest first: limit/2 sent before at,
// the rest at or after it. A side with fewer leaves its share to the
// other, so the page comes short only when the room holds fewer messages.
func (s *Service) HistoryAround(roomID string, at int64, limit int) ([]Message, error) {
	if at < 0 || at > MaxJumpTime {
		return nil, fmt.Errorf("%w: %d ms", ErrBadTime, at)
	}
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return nil, err
	}
	items, err := s.pageAround(id, wire.WallTime(time.UnixMilli(at)), min(max(limit, 1), MaxHistoryPage))
	if err != nil {
		return nil, fmt.Errorf("history around %d ms: %w", at, err)
	}
	return s.views(id, items), nil
}

// pageAround reads up to limit view entries of a room around the clock
// reading t: limit/2 before it, the rest at or after it, each side taking
// what the other lacks. Each side is one seek on the time-ordered keys.
func (s *Service) pageAround(room wire.RoomID, t uint64, limit int) ([]store.Item, error) {
	// No message has the all-zero ID (IDs are SHA-256), so this position
	// sorts before every message at t: strictly after it is "at t or
	// later", strictly before it is "before t".
	at := store.Position{Time: t}
	half := limit / 2
	before, err := s.pageBefore(room, at, half)
	if err != nil {
		return nil, err
	}
	after, err := s.store.Page(room, at, store.After, limit-len(before))
	if err != nil {
		return nil, err
	}
	if short := limit - len(before) - len(after); short > 0 && len(before) == half {
		// The room ends soon after t: earlier messages fill the page.
		from := at
		if len(before) > 0 {
			from = before[0].Position
		}
		more, err := s.pageBefore(room, from, short)
		if err != nil {
			return nil, err
		}
		before = append(more, before...)
	}
	return append(before, after...), nil
}

// pageBefore reads up to limit view entries strictly before from. Unlike
// store.Page, the zero position is the start of time: nothing is before it.
func (s *Service) pageBefore(room wire.RoomID, from store.Position, limit int) ([]store.Item, error) {
	if from == (store.Position{}) {
		return nil, nil
	}
	return s.store.Page(room, from, store.Before, limit)
}

// syncEventsMax is the most messages of one batch from sync announced one
// by one, as they are shown and notified; a bigger one (a frame of a big
// catch-up) is announced with one EventArrived, and the UI reloads. Gossip
// is announced message by message however much came at once (at most
// p2p's batch of 256): the window merges the events of a frame, and a
// reload per burst cost it more than the events.
const syncEventsMax = 16

// receive takes a batch of verified messages from the network: what is
// kept goes into the room's history in one commit, profiles into the
// profile table, passing signals (typing, presence) to the UI only.
func (s *Service) receive(b p2p.Batch) {
	var refused []*wire.Message
	if pr := s.privateRoom(b.Room); pr != nil {
		b.Messages, refused = s.openPrivate(b.Room, pr, b)
	}
	items := make([]store.Item, 0, len(b.Messages)+len(refused))
	kept := make([]*wire.Message, 0, len(b.Messages))
	for _, m := range b.Messages {
		switch {
		case m.Kind == wire.Kind_KIND_PROFILE:
			s.clock.Observe(m.Time)
			s.receiveProfile(m)
			continue
		case m.Kind.Ephemeral():
			s.receiveSignal(m)
			continue
		}
		// Reactions, edits and deletes are stored whoever wrote them:
		// whether one applies is the store's call, made once, when both it
		// and its target are there.
		s.clock.Observe(m.Time)
		items = append(items, s.itemOf(m))
		kept = append(kept, m)
	}
	for _, m := range refused {
		it := store.ItemOf(m)
		it.Refused = true
		items = append(items, it)
	}
	if len(items) == 0 {
		return
	}
	added, err := s.store.Put(s.ctx, items...)
	var full *store.RoomFullError
	if errors.As(err, &full) {
		s.roomsFull(full) // the others are stored
		err = nil
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			s.log.Error("store messages failed", "from", identity.ShortID(b.From), "messages", len(items), "err", err)
		}
		return
	}
	s.rememberSender(b, added)
	var shown []*wire.Message
	changed := map[wire.MessageID]bool{}
	for i, m := range kept {
		if !added[i] {
			continue
		}
		switch {
		case m.Kind.Changes():
			changed[*m.Target] = true
		case m.Kind == wire.Kind_KIND_ROOM_META:
			if s.roomMetaCounts(m) {
				s.applyRoomMeta(m)
				shown = append(shown, m)
			}
		case m.Kind == wire.Kind_KIND_KEYS:
			// The log's, never shown.
		case s.isBlocked(m.Author):
		default:
			shown = append(shown, m)
			if m.Kind == wire.Kind_KIND_FILE && int64(m.File.Size) <= s.autoFetchSize() {
				s.fetchFile(b.Room, m)
			}
		}
	}
	switch {
	case !b.Live && len(shown)+len(changed) > syncEventsMax:
		s.bus.publish(Event{Name: EventArrived, Data: Arrived{Room: b.Room.String(), Count: len(shown) + len(changed)}})
		return
	default:
		for _, m := range shown {
			s.bus.publish(Event{Name: EventMessage, Data: s.view(m, nil)})
		}
	}
	for target := range changed {
		s.publishChanged(b.Room, target)
	}
}

// publishChanged tells the UI how a message looks now that it changed.
func (s *Service) publishChanged(room wire.RoomID, target wire.MessageID) {
	msg, ok, err := s.message(room, target)
	if err != nil {
		s.log.Error("read changed message failed", "room", room.String()[:8], "err", err)
	}
	if ok {
		s.bus.publish(Event{Name: EventChanged, Data: msg})
	}
}

// History returns up to limit messages of a joined room, oldest first:
// the newest ones when before is empty, else those just before the message
// with that ID.
func (s *Service) History(roomID, before string, limit int) ([]Message, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return nil, err
	}
	var from store.Position
	if before != "" {
		if from, err = s.position(id, before); err != nil {
			return nil, err
		}
	}
	items, err := s.store.Page(id, from, store.Before, min(max(limit, 1), MaxHistoryPage))
	if err != nil {
		return nil, err
	}
	return s.views(id, items), nil
}

// position finds where a message of a room sorts.
func (s *Service) position(room wire.RoomID, messageID string) (store.Position, error) {
	mid, err := wire.ParseMessageID(messageID)
	if err != nil {
		return store.Position{}, fmt.Errorf("%w: %w", ErrUnknownCursor, err)
	}
	at, pos, ok, err := s.store.Locate(mid)
	if err != nil {
		return store.Position{}, err
	}
	if !ok || at != room {
		return store.Position{}, ErrUnknownCursor
	}
	return pos, nil
}

// views builds what the UI shows of stored view entries.
func (s *Service) views(id wire.RoomID, items []store.Item) []Message {
	out := make([]Message, 0, len(items))
	for _, it := range items {
		if msg, ok := s.itemView(id, it); ok {
			out = append(out, msg)
		}
	}
	return s.withStates(id, out)
}

// withStates sets the delivery state of the user's own messages among
// msgs, all of one room: stored while in the outbox, else sent.
func (s *Service) withStates(room wire.RoomID, msgs []Message) []Message {
	var waiting map[string]bool // read once, when an own message needs it
	for i := range msgs {
		m := &msgs[i]
		if !m.Mine || m.Deleted {
			continue
		}
		if waiting == nil {
			waiting = s.waitingToGo(room)
		}
		m.State = StateSent
		if waiting[m.ID] {
			m.State = StateStored
		}
	}
	return msgs
}

// MaxUndelivered caps Room.Undelivered: the sidebar only needs to know
// there are some, and the count stays cheap.
const MaxUndelivered = 100

// undelivered counts the room's own text messages in the outbox that are
// still there to read (a reaction or an edit waiting there is part of its
// message; a deleted message has nothing left to deliver).
func (s *Service) undelivered(room wire.RoomID) int {
	ids := s.outbox(room)
	n := 0
	for _, id := range ids[:min(len(ids), MaxUndelivered)] {
		it, ok, err := s.store.Get(id)
		if err != nil || !ok || it.Deleted || it.Envelope == nil {
			continue
		}
		if m, err := s.openStored(room, it.Envelope); err == nil && m.Kind == wire.Kind_KIND_TEXT {
			n++
		}
	}
	return n
}

// outbox lists the room's messages waiting for a peer; a store error is
// logged and reads as none.
func (s *Service) outbox(room wire.RoomID) []wire.MessageID {
	ids, err := s.store.Outbox(room)
	if err != nil {
		s.log.Warn("read outbox failed", "room", room.String()[:8], "err", err)
	}
	return ids
}

// waitingToGo is the set of the room's messages in the outbox.
func (s *Service) waitingToGo(room wire.RoomID) map[string]bool {
	ids := s.outbox(room)
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id.String()] = true
	}
	return out
}

// message reads one message of a room as the UI shows it now.
func (s *Service) message(room wire.RoomID, id wire.MessageID) (Message, bool, error) {
	it, ok, err := s.store.Get(id)
	if err != nil || !ok || it.Room != room {
		return Message{}, false, err
	}
	msg, ok := s.itemView(room, it)
	if ok {
		msg = s.withStates(room, []Message{msg})[0]
	}
	return msg, ok, nil
}

func (s *Service) itemView(room wire.RoomID, it store.Item) (Message, bool) {
	if it.Deleted {
		return s.stubView(room, it), true
	}
	// The one decode path; times are not checked again (Now left zero).
	m, err := s.openStored(room, it.Envelope)
	if err != nil {
		s.log.Error("stored message unreadable", "id", it.ID.String()[:8], "err", err)
		return Message{}, false
	}
	if m.Kind == wire.Kind_KIND_TEXT && s.isBlocked(m.Author) {
		return Message{}, false // blocked: kept, not shown
	}
	if m.Kind == wire.Kind_KIND_ROOM_META && !s.roomMetaCounts(m) {
		return Message{}, false // a private room's change by someone without the role
	}
	return s.view(m, it.Changes), true
}

// stubView is what stays of a deleted message: who wrote it and when.
func (s *Service) stubView(room wire.RoomID, it store.Item) Message {
	author := peer.ID(it.Author)
	if author == "" {
		author = peer.ID(it.RemovedBy) // removed before it came: the guess shows under the remover
	}
	msg := Message{
		ID: it.ID.String(), Room: room.String(), Kind: KindText,
		Author: author.String(), AuthorShort: identity.ShortID(author), AuthorName: s.nameOf(author),
		Time: fmt.Sprintf("%020d", it.Time), SentAt: wire.TimeOf(it.Time).UnixMilli(),
		Mine: author == s.id.ID, Deleted: true, Reactions: []Reaction{},
	}
	if it.RemovedBy != "" {
		msg.Removed, msg.RemovedBy = true, s.nameOf(peer.ID(it.RemovedBy))
	}
	return msg
}

// view builds a message as the UI shows it, with its changes folded in.
func (s *Service) view(m *wire.Message, changes []store.Change) Message {
	msg := Message{
		ID:          m.ID.String(),
		Room:        m.Room.String(),
		Kind:        KindText,
		Author:      m.Author.String(),
		AuthorShort: identity.ShortID(m.Author),
		AuthorName:  s.nameOf(m.Author),
		Time:        fmt.Sprintf("%020d", m.Time),
		SentAt:      wire.TimeOf(m.Time).UnixMilli(),
		Text:        m.Text,
		Mine:        m.Author == s.id.ID,
	}
	if m.Kind == wire.Kind_KIND_MEMBER {
		msg.Kind, msg.Text = KindMember, s.memberText(m)
	}
	if m.Kind == wire.Kind_KIND_FILE {
		msg.Kind, msg.File = KindFile, s.fileView(m)
	}
	if m.Kind == wire.Kind_KIND_ROOM_META {
		switch {
		case m.RoomName != nil:
			msg.Kind, msg.Text = KindRoomName, *m.RoomName
		case m.Nearby != nil:
			msg.Kind, msg.Text = KindRoomNearby, "off"
			if *m.Nearby {
				msg.Text = "on"
			}
		default:
			msg.Kind, msg.Text = KindRoomTopic, derefOr(m.Topic, "")
		}
	}
	fold := foldChanges(m, changes)
	if fold.edited {
		msg.Text, msg.Edited = fold.text, true
	}
	msg.Reactions = s.reactionViews(fold.reactions)
	if m.ReplyTo != nil {
		msg.ReplyTo = m.ReplyTo.String()
		preview := s.replyPreview(m.Room, *m.ReplyTo)
		msg.ReplyPreview = &preview
	}
	if !msg.Mine && (msg.Kind == KindText || msg.Kind == KindFile) {
		msg.MentionsMe = mentions(msg.Text, s.ownName())
	}
	return msg
}

func derefOr(p *string, or string) string {
	if p == nil {
		return or
	}
	return *p
}
