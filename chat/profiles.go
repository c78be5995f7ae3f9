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
	// The profile is kept as a signed message like any other, so it can be
	// passed on unchanged. It needs a room; ours is stored under the zero room.
	m, err := wire.Sign(s.id.Key, wire.Draft{Time: s.clock.Now(), Kind: wire.Kind_KIND_PROFILE, Name: name})
	if err != nil {
		return Me{}, fmt.Errorf("set name: %w", err)
	}
	if _, err := s.store.PutProfile(string(s.id.ID), m.Time, m.Raw); err != nil {
		return Me{}, fmt.Errorf("set name: %w", err)
	}
	s.mu.Lock()
	s.myName = name
	s.names[s.id.ID] = name
	rooms := make([]wire.RoomID, 0, len(s.joined))
	for id := range s.joined {
		rooms = append(rooms, id)
	}
	s.mu.Unlock()
	s.mu.Lock()
	s.myProfile = m.Raw
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventProfile, Data: s.profile(s.id.ID)})
	s.node.HelloAll()
	for _, id := range rooms {
		s.publishProfile(ctx, id)
	}
	return s.Me(), nil
}

// publishProfile broadcasts our name into a room, reaching members we are
// not directly connected to.
func (s *Service) publishProfile(ctx context.Context, id wire.RoomID) {
	s.mu.Lock()
	name := s.myName
	s.mu.Unlock()
	if name == "" {
		return
	}
	m, err := wire.Sign(s.id.Key, wire.Draft{Room: id, Time: s.clock.Now(), Kind: wire.Kind_KIND_PROFILE, Name: name})
	if err != nil {
		s.log.Error("sign profile failed", "err", err)
		return
	}
	if err := s.node.Publish(ctx, m); err != nil {
		s.log.Warn("publish profile failed", "room", id.String()[:8], "err", err)
	}
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
