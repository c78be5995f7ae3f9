package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/store"
	"parley/wire"
)

// Reaction is everyone's reactions with one emoji to a message.
type Reaction struct {
	Emoji string `json:"emoji"`
	Count int    `json:"count"`
	// Mine: you are among those who reacted.
	Mine bool `json:"mine"`
	// By names those who reacted (display name, else short ID), in order.
	By []string `json:"by"`
}

// ReplyPreview is what a reply shows of the message it answers.
type ReplyPreview struct {
	ID          string `json:"id"`
	AuthorName  string `json:"authorName"`
	AuthorShort string `json:"authorShort"`
	// Text is the start of the answered message's text as it is now.
	Text    string `json:"text"`
	Deleted bool   `json:"deleted"`
	// Missing: the answered message is not (yet) on this node.
	Missing bool `json:"missing"`
}

// replyPreviewChars is how much of an answered message a reply shows.
const replyPreviewChars = 200

// folded is a message's changes reduced to what shows.
type folded struct {
	text      string
	edited    bool
	reactions []reactionState
}

type reactionState struct {
	emoji string
	by    []peer.ID
}

// foldChanges applies a message's changes, oldest first: the newest edit
// wins; per person and emoji the newest reaction says whether it stands.
// Every node folds the same set the same way, whatever order it arrived
// in. Whether a change applies at all the store decides, once (see
// store's apply.go): it files the others apart. The room and author
// checks here only guard histories stored before it did.
func foldChanges(m *wire.Message, changes []store.Change) folded {
	var f folded
	type key struct {
		who   peer.ID
		emoji string
	}
	on := map[key]bool{}
	var order []key
	for _, c := range changes {
		if c.Room != m.Room {
			continue
		}
		switch c.Kind {
		case wire.Kind_KIND_EDIT:
			if peer.ID(c.Author) == m.Author {
				f.text, f.edited = c.Text, true
			}
		case wire.Kind_KIND_REACTION:
			k := key{peer.ID(c.Author), c.Emoji}
			if _, seen := on[k]; !seen {
				order = append(order, k)
			}
			on[k] = c.On
		}
	}
	index := map[string]int{}
	for _, k := range order {
		if !on[k] {
			continue
		}
		i, ok := index[k.emoji]
		if !ok {
			i = len(f.reactions)
			index[k.emoji] = i
			f.reactions = append(f.reactions, reactionState{emoji: k.emoji})
		}
		f.reactions[i].by = append(f.reactions[i].by, k.who)
	}
	return f
}

func (s *Service) reactionViews(states []reactionState) []Reaction {
	out := make([]Reaction, 0, len(states))
	for _, r := range states {
		v := Reaction{Emoji: r.emoji, Count: len(r.by), By: make([]string, 0, len(r.by))}
		for _, p := range r.by {
			v.Mine = v.Mine || p == s.id.ID
			name := s.nameOf(p)
			if name == "" {
				name = identity.ShortID(p)
			}
			v.By = append(v.By, name)
		}
		out = append(out, v)
	}
	return out
}

func (s *Service) replyPreview(room wire.RoomID, id wire.MessageID) ReplyPreview {
	p := ReplyPreview{ID: id.String()}
	msg, ok, err := s.message(room, id)
	if err != nil || !ok {
		p.Missing = true
		return p
	}
	p.AuthorName, p.AuthorShort, p.Deleted = msg.AuthorName, msg.AuthorShort, msg.Deleted
	p.Text = cutText(msg.Text, replyPreviewChars)
	return p
}

// cutText keeps the first n characters of text, marking a cut with "…".
func cutText(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n]) + "…"
}

// mentions reports whether text holds "@name" as a whole word, in any case.
func mentions(text, name string) bool {
	if name == "" {
		return false
	}
	lower, at := strings.ToLower(text), "@"+strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(lower[i:], at)
		if j < 0 {
			return false
		}
		end := i + j + len(at)
		if next, _ := utf8.DecodeRuneInString(lower[end:]); end == len(lower) || !(unicode.IsLetter(next) || unicode.IsDigit(next)) {
			return true
		}
		i = end
	}
}

func (s *Service) ownName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.myName
}

// RejectedChanges counts the changes from peers kept but not applied since
// the service opened: edits and deletes by someone who did not write the
// message, and changes naming a message of another room.
func (s *Service) RejectedChanges() int64 { return s.store.ForgedChanges() }

// target finds a message of a room that the user may act on.
func (s *Service) target(room wire.RoomID, messageID string) (store.Item, error) {
	id, err := wire.ParseMessageID(messageID)
	if err != nil {
		return store.Item{}, fmt.Errorf("%w: %w", ErrUnknownMessage, err)
	}
	it, ok, err := s.store.Get(id)
	if err != nil {
		return store.Item{}, err
	}
	if !ok || it.Room != room {
		return store.Item{}, ErrUnknownMessage
	}
	return it, nil
}

// ownTarget finds a text message of the user's, not deleted, to edit.
func (s *Service) ownTarget(room wire.RoomID, messageID string) (*wire.Message, error) {
	return s.changeableTarget(room, messageID, false, wire.Kind_KIND_TEXT)
}

// deletableTarget finds a text or file message, not deleted, the user may
// delete: one of theirs, or, for the owner and moderators of a private
// room, anyone's.
func (s *Service) deletableTarget(room wire.RoomID, messageID string) (*wire.Message, error) {
	pr := s.privateRoom(room)
	anyones := pr != nil && pr.mayRemoveAt(s.id.ID, s.clock.Now())
	return s.changeableTarget(room, messageID, anyones, wire.Kind_KIND_TEXT, wire.Kind_KIND_FILE)
}

func (s *Service) changeableTarget(room wire.RoomID, messageID string, anyones bool, kinds ...wire.Kind) (*wire.Message, error) {
	it, err := s.target(room, messageID)
	if err != nil {
		return nil, err
	}
	if it.Deleted {
		return nil, ErrMessageDeleted
	}
	m, err := s.openStored(room, it.Envelope)
	if err != nil {
		return nil, err
	}
	if m.Author != s.id.ID && !anyones {
		return nil, ErrNotAuthor
	}
	if !slices.Contains(kinds, m.Kind) {
		return nil, fmt.Errorf("%w: only text messages can be changed", ErrNotAuthor)
	}
	return m, nil
}

// React toggles the user's reaction with emoji on a message of the room
// and returns the message as it is now.
func (s *Service) React(ctx context.Context, roomID, messageID, emoji string) (Message, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	it, err := s.target(room, messageID)
	if err != nil {
		return Message{}, err
	}
	if it.Deleted {
		return Message{}, ErrMessageDeleted
	}
	emoji = strings.TrimSpace(emoji)
	if clean, err := wire.CleanName(emoji, wire.MaxEmojiChars); err != nil || clean != emoji || len(emoji) > wire.MaxEmojiSize {
		return Message{}, ErrBadEmoji
	}
	mine := false
	m, err := s.openStored(room, it.Envelope)
	if err != nil {
		return Message{}, err
	}
	for _, r := range foldChanges(m, it.Changes).reactions {
		if r.emoji == emoji {
			for _, p := range r.by {
				mine = mine || p == s.id.ID
			}
		}
	}
	return s.change(ctx, room, wire.Draft{Room: room, Kind: wire.Kind_KIND_REACTION, Target: &it.ID, Emoji: emoji, On: !mine})
}

// Edit replaces the text of one of the user's messages.
func (s *Service) Edit(ctx context.Context, roomID, messageID, text string) (Message, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	if err := checkText(text); err != nil {
		return Message{}, err
	}
	m, err := s.ownTarget(room, messageID)
	if err != nil {
		return Message{}, err
	}
	return s.change(ctx, room, wire.Draft{Room: room, Kind: wire.Kind_KIND_EDIT, Target: &m.ID, Text: text})
}

// Delete deletes one of the user's messages: its text (and its edits')
// leaves this node's store now and every member's as the delete reaches
// them; a stub stays so that replies still make sense.
func (s *Service) Delete(ctx context.Context, roomID, messageID string) (Message, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	m, err := s.deletableTarget(room, messageID)
	if err != nil {
		return Message{}, err
	}
	return s.change(ctx, room, wire.Draft{Room: room, Kind: wire.Kind_KIND_DELETE, Target: &m.ID, TargetTime: m.Time})
}

// change sends a change of the user's and returns its target as it is now.
func (s *Service) change(ctx context.Context, room wire.RoomID, d wire.Draft) (Message, error) {
	if _, _, err := s.publishOwn(ctx, d); err != nil {
		return Message{}, fmt.Errorf("%s: %w", strings.ToLower(strings.TrimPrefix(d.Kind.String(), "KIND_")), err)
	}
	msg, ok, err := s.message(room, *d.Target)
	if err != nil {
		return Message{}, err
	}
	if !ok {
		return Message{}, ErrUnknownMessage
	}
	s.bus.publish(Event{Name: EventChanged, Data: msg})
	return msg, nil
}
