package chat

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/wire"
)

// Typing is the data of EventTyping.
type Typing struct {
	Room    string `json:"room"`
	PeerID  string `json:"peerId"`
	ShortID string `json:"shortId"`
	Name    string `json:"name"`
}

// Bounds on passing signals.
const (
	// typingEvery is the least time between two typing signals we send to
	// a room; the UI shows one for a few seconds more.
	typingEvery = 3 * time.Second
	// signalMaxAge drops signals older than this: a replay, or one that
	// waited in a queue, says nothing about now.
	signalMaxAge = 30 * time.Second
	// maxAway bounds the peers remembered as away.
	maxAway = 1024
)

// Typing tells a room's online members that the user is typing. Calls
// closer together than typingEvery are dropped here, whatever the UI does.
func (s *Service) Typing(ctx context.Context, roomID string) error {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return err
	}
	now := s.opts.Now()
	s.mu.Lock()
	last := s.typedAt[room]
	if now.Sub(last) < typingEvery {
		s.mu.Unlock()
		return nil
	}
	s.typedAt[room] = now
	s.mu.Unlock()
	return s.signal(ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_TYPING})
}

// SetAway says whether the user is away from the computer. Members of the
// user's rooms see it beside the name while connected.
func (s *Service) SetAway(ctx context.Context, away bool) error {
	s.mu.Lock()
	changed := s.amAway != away
	s.amAway = away
	rooms := slices.Collect(maps.Keys(s.joined))
	s.mu.Unlock()
	if !changed {
		return nil
	}
	s.bus.publish(Event{Name: EventMembers})
	for _, room := range rooms {
		if err := s.signal(ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_PRESENCE, Away: away}); err != nil {
			return err
		}
	}
	return nil
}

// tellAway repeats that we are away to a room a peer just joined.
func (s *Service) tellAway(room wire.RoomID) {
	s.mu.Lock()
	away := s.amAway
	s.mu.Unlock()
	if away {
		if err := s.signal(s.ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_PRESENCE, Away: true}); err != nil {
			s.log.Debug("presence not sent", "room", room.String()[:8], "err", err)
		}
	}
}

// signal signs and gossips a passing signal to those online; it is not
// stored, so nobody offline ever gets it.
func (s *Service) signal(ctx context.Context, d wire.Draft) error {
	if len(s.node.RoomPeers(d.Room)) == 0 {
		return nil
	}
	d.Time = s.clock.Now()
	m, err := s.sign(d)
	if err != nil {
		return fmt.Errorf("sign %s: %w", d.Kind, err)
	}
	if err := s.node.Publish(ctx, m); err != nil {
		return fmt.Errorf("send %s: %w", d.Kind, err)
	}
	return nil
}

// receiveSignal shows a peer's passing signal.
func (s *Service) receiveSignal(m *wire.Message) {
	if m.Author == s.id.ID || s.opts.Now().Sub(wire.TimeOf(m.Time)) > signalMaxAge {
		return
	}
	switch m.Kind {
	case wire.Kind_KIND_TYPING:
		s.bus.publish(Event{Name: EventTyping, Data: Typing{
			Room: m.Room.String(), PeerID: m.Author.String(), ShortID: identity.ShortID(m.Author), Name: s.nameOf(m.Author),
		}})
	case wire.Kind_KIND_PRESENCE:
		s.mu.Lock()
		if m.Away && len(s.away) < maxAway {
			s.away[m.Author] = true
		} else if !m.Away {
			delete(s.away, m.Author)
		}
		s.mu.Unlock()
		s.bus.publish(Event{Name: EventMembers})
	}
}

// isAway reports whether a connected peer said it is away.
func (s *Service) isAway(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == s.id.ID {
		return s.amAway
	}
	return s.away[p]
}

// forgetAway drops what a peer said once it disconnects.
func (s *Service) forgetAway(p peer.ID) {
	s.mu.Lock()
	delete(s.away, p)
	s.mu.Unlock()
}
