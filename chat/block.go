package chat

import (
	"fmt"
	"slices"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Block hides a person from the user, on this device only: their
// messages do not show or notify, and the direct conversations they offer
// are turned away. They are not told.
func (s *Service) Block(peerID string) error {
	return s.setBlocked(peerID, true)
}

// Unblock undoes Block.
func (s *Service) Unblock(peerID string) error {
	return s.setBlocked(peerID, false)
}

func (s *Service) setBlocked(peerID string, blocked bool) error {
	p, err := peer.Decode(strings.TrimSpace(peerID))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadPeerID, err)
	}
	if p == s.id.ID {
		return ErrOwnPeerID
	}
	if err := s.store.SetBlocked(string(p), blocked); err != nil {
		return err
	}
	s.mu.Lock()
	if blocked {
		s.blocked[p] = true
	} else {
		delete(s.blocked, p)
	}
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventRooms})
	return nil
}

// Blocked lists the people the user blocked, by name.
func (s *Service) Blocked() []Profile {
	s.mu.Lock()
	ids := make([]peer.ID, 0, len(s.blocked))
	for p := range s.blocked {
		ids = append(ids, p)
	}
	s.mu.Unlock()
	out := make([]Profile, 0, len(ids))
	for _, p := range ids {
		out = append(out, s.profile(p))
	}
	slices.SortFunc(out, byName)
	return out
}

func (s *Service) isBlocked(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked[p]
}

// loadBlocked reads the blocked people at start.
func (s *Service) loadBlocked() error {
	ids, err := s.store.Blocked()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.blocked[peer.ID(id)] = true
	}
	return nil
}
