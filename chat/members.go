package chat

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// Member is someone in a room: a peer that wrote there or is subscribed now.
type Member struct {
	Profile
	// Online is true while the peer is connected and subscribed to the room.
	Online bool `json:"online"`
	Me     bool `json:"me"`
	// Via is how we reach an online member: "lan" (on this network),
	// "direct", "holepunched" (direct, through both sides' NATs) or
	// "relayed"; empty for ourselves and for members who are not connected.
	Via string `json:"via"`
	// Transport is that connection's transport: "quic", "tcp", "wss" or
	// "ws" (for a relayed one, that of the path to the relay); empty when
	// Via is.
	Transport string `json:"transport"`
	// Presence is PresenceOnline, PresenceAway (connected, idle) or
	// PresenceOffline.
	Presence string `json:"presence"`
	// LastSeen is when an offline member was last connected to us, unix
	// ms (kept across restarts for the peers remembered); 0 if never, as
	// for an author known only from what sync brought, or online now.
	LastSeen int64 `json:"lastSeen"`
	// Role is the member's role in a private room ("owner", "moderator",
	// "member"); "" in a public room.
	Role string `json:"role"`
}

// Presence values of a member.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// Members lists a joined room's members, online ones first, then by name.
func (s *Service) Members(roomID string) ([]Member, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return nil, err
	}
	authors, err := s.store.Authors(id)
	if err != nil {
		return nil, err
	}
	seen := map[peer.ID]*Member{}
	add := func(p peer.ID) *Member {
		if m, ok := seen[p]; ok {
			return m
		}
		m := &Member{Profile: s.profile(p), Me: p == s.id.ID}
		seen[p] = m
		return m
	}
	add(s.id.ID).Online = true
	pr := s.privateRoom(id)
	if pr != nil {
		// A private room's members are whom its log lists.
		for p := range pr.State().Members() {
			add(p)
		}
	} else {
		for _, a := range authors {
			add(peer.ID(a))
		}
	}
	for _, p := range s.node.RoomPeers(id) {
		if pr != nil && seen[p] == nil {
			continue // in the mesh a moment longer, no longer in the log
		}
		m := add(p)
		m.Online = true
		m.Via, m.Transport = s.node.Path(p)
	}
	stored := s.lastSeen()
	out := make([]Member, 0, len(seen))
	for p, m := range seen {
		m.Role = roleName(pr, p)
		switch {
		case !m.Online:
			m.Presence, m.LastSeen = PresenceOffline, s.lastSeenOf(p, stored)
		case s.isAway(p):
			m.Presence = PresenceAway
		default:
			m.Presence = PresenceOnline
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Member) int {
		return cmpFirst(trueFirst(a.Online, b.Online), byName(a.Profile, b.Profile))
	})
	return out, nil
}

// onPeer and onRoomPeer run on libp2p's goroutines: they must not block.
func (s *Service) onPeer(p peer.ID, connected bool) {
	s.peerTimes.mark(p, connected, s.opts.Now())
	s.nearbyLeft(p, connected)
	if !connected {
		s.forgetAway(p)
	}
	s.bus.publish(Event{Name: EventMembers})
	s.bus.publish(Event{Name: EventNearby})
}

func (s *Service) onRoomPeer(room wire.RoomID, p peer.ID, joined bool) {
	s.bus.publish(Event{Name: EventMembers})
	// A member (re)appears: reconcile histories. One side starts, so the
	// two do not run the same session twice.
	if joined && s.id.ID < p {
		s.requestSync(room, p)
	}
	if joined {
		s.flush.Add(room)
		s.wakeFetches(room)
		if s.isAway(s.id.ID) {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.tellAway(room)
			}()
		}
	}
}

// lastSeen maps remembered peers to when they were last connected
// to us, as saved.
func (s *Service) lastSeen() map[peer.ID]int64 {
	known, err := s.store.KnownPeers()
	if err != nil {
		s.log.Warn("read known peers failed", "err", err)
	}
	out := make(map[peer.ID]int64, len(known))
	for _, k := range known {
		out[peer.ID(k.ID)] = k.Seen
	}
	return out
}
