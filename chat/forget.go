package chat

import (
	"errors"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
)

// Errors of ForgetAuthor, beside ErrNotJoined.
var (
	// ErrBadPeerID: the text given is not a peer ID.
	ErrBadPeerID = errors.New("not a valid peer ID")
	// ErrForgetSelf: the user's own messages cannot be forgotten.
	ErrForgetSelf = errors.New("you cannot forget your own messages")
)

// ForgetAuthor drops everything a peer wrote in a joined room from this
// device, and keeps what they write there later from being stored, by
// gossip or by sync alike. Other members' copies are untouched. The room
// is reloaded (EventArrived), and its members with it (EventMembers).
func (s *Service) ForgetAuthor(roomID, peerID string) error {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return err
	}
	author, err := peer.Decode(strings.TrimSpace(peerID))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadPeerID, err)
	}
	if author == s.id.ID {
		return ErrForgetSelf
	}
	n, err := s.store.ForgetAuthor(s.ctx, room, string(author))
	if err != nil {
		return fmt.Errorf("forget %s in room %s: %w", identity.ShortID(author), room.String()[:8], err)
	}
	s.log.Info("author forgotten", "room", room.String()[:8], "author", identity.ShortID(author), "messages", n)
	s.bus.publish(Event{Name: EventArrived, Data: Arrived{Room: room.String(), Count: n}})
	s.bus.publish(Event{Name: EventMembers})
	return nil
}
