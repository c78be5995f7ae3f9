package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"parley/identity"
	"parley/p2p"
	"parley/store"
	"parley/wire"
)

// Message is a text message as the UI shows it.
type Message struct {
	ID   string `json:"id"`
	Room string `json:"room"`
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
	// State is set on messages returned by Send: StateSent when at least
	// one peer in the room was sent it, StateStored when none was online and
	// it waits in the outbox.
	State string `json:"state,omitempty"`
}

// Delivery states of a message just sent.
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
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	if strings.TrimSpace(text) == "" {
		return Message{}, ErrEmptyMessage
	}
	if len(text) > wire.MaxTextSize {
		return Message{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(text), wire.MaxTextSize)
	}
	m, err := wire.Sign(s.id.Key, wire.Draft{Room: id, Time: s.clock.Now(), Kind: wire.Kind_KIND_TEXT, Text: text})
	if err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	item := store.ItemOf(m)
	// The message exists nowhere else yet: it must be on the disk itself,
	// not only in the OS's cache, before the user sees it as kept.
	if _, err := s.store.PutDurable(ctx, item); err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	// What you wrote yourself you have read.
	if err := s.markRead(id, item.Position); err != nil {
		s.log.Warn("mark read failed", "room", id.String()[:8], "err", err)
	}
	msg := s.view(m)
	if len(s.node.RoomPeers(id)) == 0 {
		// Nobody to hand it to: the outbox publishes it when a peer joins.
		// Publishing now would not help and would hurt: GossipSub remembers
		// the ID as seen and would drop the real publish later.
		msg.State = StateStored
		if err := s.store.AddToOutbox(id, m.ID); err != nil {
			return Message{}, fmt.Errorf("send: %w", err)
		}
		s.bus.publish(Event{Name: EventMessage, Data: msg})
		return msg, nil
	}
	msg.State = StateSent
	s.bus.publish(Event{Name: EventMessage, Data: msg})
	if err := s.node.Publish(ctx, m); err != nil {
		s.log.Warn("publish failed", "room", id.String()[:8], "err", err)
	}
	return msg, nil
}

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

// liveEventsMax is the most messages of one batch announced one by one, as
// they are shown and notified; a bigger batch (a burst of gossip, a frame of
// a big catch-up) is announced with one EventArrived, and the UI reloads.
// Whether a message came by gossip or by sync does not matter: the two race.
const liveEventsMax = 16

// receive takes a batch of verified messages from the network: text goes
// into the room's history in one commit, profiles into the profile table.
func (s *Service) receive(b p2p.Batch) {
	items := make([]store.Item, 0, len(b.Messages))
	texts := make([]*wire.Message, 0, len(b.Messages))
	for _, m := range b.Messages {
		s.clock.Observe(m.Time)
		switch m.Kind {
		case wire.Kind_KIND_TEXT:
			items = append(items, store.ItemOf(m))
			texts = append(texts, m)
		case wire.Kind_KIND_PROFILE:
			s.receiveProfile(m)
		}
	}
	if len(items) == 0 {
		return
	}
	added, err := s.store.Put(s.ctx, items...)
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			s.log.Error("store messages failed", "from", identity.ShortID(b.From), "messages", len(items), "err", err)
		}
		return
	}
	fresh := make([]*wire.Message, 0, len(texts))
	for i, m := range texts {
		if added[i] {
			fresh = append(fresh, m)
		}
	}
	switch {
	case len(fresh) == 0:
	case len(fresh) > liveEventsMax:
		s.bus.publish(Event{Name: EventArrived, Data: Arrived{Room: b.Room.String(), Count: len(fresh)}})
	default:
		for _, m := range fresh {
			s.bus.publish(Event{Name: EventMessage, Data: s.view(m)})
		}
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
	it, ok, err := s.store.Get(mid)
	if err != nil {
		return store.Position{}, err
	}
	if !ok || it.Room != room {
		return store.Position{}, ErrUnknownCursor
	}
	return it.Position, nil
}

// views decodes stored messages for the UI.
func (s *Service) views(id wire.RoomID, items []store.Item) []Message {
	out := make([]Message, 0, len(items))
	for _, it := range items {
		// The one decode path; times are not checked again (Now left zero).
		m, err := wire.Decode(it.Envelope, wire.Check{Room: &id})
		if err != nil {
			s.log.Error("stored message unreadable", "id", it.ID.String()[:8], "err", err)
			continue
		}
		out = append(out, s.view(m))
	}
	return out
}

func (s *Service) view(m *wire.Message) Message {
	msg := Message{
		ID:          m.ID.String(),
		Room:        m.Room.String(),
		Author:      m.Author.String(),
		AuthorShort: identity.ShortID(m.Author),
		AuthorName:  s.nameOf(m.Author),
		Time:        fmt.Sprintf("%020d", m.Time),
		SentAt:      wire.TimeOf(m.Time).UnixMilli(),
		Text:        m.Text,
		Mine:        m.Author == s.id.ID,
	}
	if m.ReplyTo != nil {
		msg.ReplyTo = m.ReplyTo.String()
	}
	return msg
}
