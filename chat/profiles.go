package chat

import (
	"context"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/wire"
)

// MaxNameLen is the longest display name, in characters as wire.CleanName
// counts them.
const MaxNameLen = wire.MaxNameChars

// Profile is a peer's display name as last announced.
type Profile struct {
	PeerID  string `json:"peerId"`
	ShortID string `json:"shortId"`
	Name    string `json:"name"`
}

// SetName sets the display name and announces it, signed, in every joined room.
func (s *Service) SetName(ctx context.Context, name string) (Me, error) {
	name, err := cleanDisplayName(name)
	if err != nil {
		return Me{}, err
	}
	rooms := s.joinedIDs()
	// Each room hears a profile signed for it: its topic takes only the
	// room's messages. The one hellos and sync pass on, signed for no room
	// (stored under the zero room), is signed last: peers keep only the
	// newest profile of each peer, and pass one signed for a room on only
	// in that room.
	perRoom := make([]*wire.Message, 0, len(rooms))
	for _, id := range rooms {
		m, err := s.signProfile(id, name)
		if err != nil {
			return Me{}, fmt.Errorf("set name: %w", err)
		}
		perRoom = append(perRoom, m)
	}
	m, err := s.signProfile(wire.RoomID{}, name)
	if err != nil {
		return Me{}, fmt.Errorf("set name: %w", err)
	}
	if _, err := s.store.PutProfile(string(s.id.ID), m.Time, m.Raw); err != nil {
		return Me{}, fmt.Errorf("set name: %w", err)
	}
	s.mu.Lock()
	s.myName = name
	s.names[s.id.ID] = name
	s.myProfile = m.Raw
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventProfile, Data: s.profile(s.id.ID)})
	s.node.HelloAll()
	// Reaching members we are not directly connected to.
	for _, pm := range perRoom {
		if err := s.node.Publish(ctx, pm); err != nil {
			s.log.Warn("publish profile failed", "room", pm.Room.String()[:8], "err", err)
		}
	}
	return s.Me(), nil
}

// signProfile signs our name for a room, or for none (the zero room).
func (s *Service) signProfile(room wire.RoomID, name string) (*wire.Message, error) {
	m, err := wire.Sign(s.id.Key, wire.Draft{Room: room, Time: s.clock.Now(), Kind: wire.Kind_KIND_PROFILE, Name: name})
	if err != nil {
		return nil, fmt.Errorf("sign profile: %w", err)
	}
	return m, nil
}

func (s *Service) receiveProfile(m *wire.Message) {
	newer, err := s.store.PutProfile(string(m.Author), m.Time, m.Raw)
	if err != nil {
		s.log.Error("store profile failed", "peer", identity.ShortID(m.Author), "err", err)
		return
	}
	if !newer {
		return
	}
	s.mu.Lock()
	s.names[m.Author] = m.Name
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventProfile, Data: s.profile(m.Author)})
}

// loadProfiles reads the stored profiles through the one decode path.
func (s *Service) loadProfiles() error {
	profiles, err := s.store.Profiles()
	if err != nil {
		return err
	}
	for _, raw := range profiles {
		m, err := wire.Decode(raw, wire.Check{})
		if err != nil {
			s.log.Error("stored profile unreadable", "err", err)
			continue
		}
		s.names[m.Author] = m.Name
		if m.Author == s.id.ID {
			s.myName = m.Name
			s.myProfile = raw
		}
	}
	return nil
}

func (s *Service) nameOf(id peer.ID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[id]
}

func (s *Service) profile(id peer.ID) Profile {
	return Profile{PeerID: id.String(), ShortID: identity.ShortID(id), Name: s.nameOf(id)}
}

// byName orders profiles by name, case-insensitively, then by peer ID.
func byName(a, b Profile) int {
	return cmpFirst(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.PeerID, b.PeerID))
}
