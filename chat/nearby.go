package chat

import (
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/p2p"
	"parley/version"
	"parley/wire"
)

// NearbyRoom is a room a peer on this network made visible here.
type NearbyRoom struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Joined bool   `json:"joined"` // we are in it too
	// Legacy is true for a room made by an older Parley.
	Legacy bool `json:"legacy"`
}

// NearbyPeer is a peer that introduced itself with a hello.
type NearbyPeer struct {
	Profile
	// Connected is true while there is a connection to the peer.
	Connected bool `json:"connected"`
	// LAN is true if the peer was found on the local network by mDNS.
	LAN bool `json:"lan"`
	// Rooms are the rooms it made visible on this network; only a peer
	// found here (LAN) has any.
	Rooms []NearbyRoom `json:"rooms"`
}

// Peer is a connected peer.
type Peer struct {
	Profile
	// LAN is true if mDNS found the peer; Via says how it is reached now:
	// "lan", "direct", "holepunched" or "relayed".
	LAN bool   `json:"lan"`
	Via string `json:"via"`
	// Transport is the transport of that connection: "quic", "tcp",
	// "wss" or "ws".
	Transport string `json:"transport"`
	// Why says why it is connected, as the trust policy sees it: "member"
	// (in a room with us), "nearby" (found on this network), "helper",
	// "kept" (remembered), "relay" (reached through a relay, for a hole
	// punch) or "dht" (anyone else: looking up rooms).
	Why string `json:"why"`
}

// Status answers "am I connected, to whom, how".
type Status struct {
	PeerID  string   `json:"peerId"`
	Network string   `json:"network"`
	Peers   int      `json:"peers"`
	MDNS    bool     `json:"mdns"` // LAN discovery is running
	Addrs   []string `json:"addrs"`
	// Reachability is "public" (others can dial us), "private" (behind a
	// NAT: through relays or hole punching only) or "unknown".
	Reachability string `json:"reachability"`
	// Relays are the peer IDs of the relays that carry our circuits now.
	Relays []string `json:"relays"`
	// NATType is "cone" or "symmetric" when known behind a NAT, else "".
	NATType string `json:"natType"`
	// Helper is true on a helper node.
	Helper bool `json:"helper"`
	// Restricted is true when this network seems to let only web traffic
	// out: helpers are reached over secure WebSocket only.
	Restricted bool `json:"restricted"`
	// Proxy is how secure WebSocket dials go out (SetProxy).
	Proxy ProxySetting `json:"proxy"`
	// WSS is a helper's secure WebSocket listener; nil on other nodes
	// and on helpers without one.
	WSS *WSSStatus `json:"wss"`
	// Rejected counts messages from peers refused since start: malformed,
	// badly signed, an edit or delete by someone who is not the author,
	// or a private room's message that does not open or count.
	Rejected int64 `json:"rejected"`
	// Version is the running Parley's version (package version).
	Version string `json:"version"`
	// Throttled are the members whose messages went over the per-author
	// rate in the last minute and were cut; ThrottledTotal counts the
	// messages cut since start.
	Throttled      []ThrottledAuthor `json:"throttled"`
	ThrottledTotal int64             `json:"throttledTotal"`
	// ThrottledPeers are the peers whose relayed messages went over the
	// per-peer rate in the last minute and were cut.
	ThrottledPeers []ThrottledPeer `json:"throttledPeers"`
	// Limits counts what every flood limit turned away since start.
	Limits Limits `json:"limits"`
}

// WSSStatus is a helper's secure WebSocket listener.
type WSSStatus struct {
	// Addrs are the listener's addresses, as links carry them.
	Addrs []string `json:"addrs"`
	// Cert is where the certificate comes from: "file" or "autotls".
	Cert string `json:"cert"`
	// Names are the DNS names the certificate is for.
	Names []string `json:"names"`
	// ExpiresAt is when the certificate ends (unix milliseconds); 0 while
	// there is none.
	ExpiresAt int64 `json:"expiresAt"`
	// Error is what needs the admin's attention, in one sentence: a
	// reload or renewal that failed, an end near or past; "" if nothing.
	Error string `json:"error"`
}

func (s *Service) wssStatus() *WSSStatus {
	addrs, cert, ok := s.node.WSSStatus()
	if !ok {
		return nil
	}
	st := &WSSStatus{Addrs: addrs, Cert: cert.Source, Names: cert.Names, Error: cert.Error}
	if st.Addrs == nil {
		st.Addrs = []string{}
	}
	if st.Names == nil {
		st.Names = []string{}
	}
	if !cert.ExpiresAt.IsZero() {
		st.ExpiresAt = cert.ExpiresAt.UnixMilli()
	}
	return st
}

// ThrottledPeer is a neighbour passing on more than the per-peer limit.
type ThrottledPeer struct {
	PeerID  string `json:"peerId"`
	ShortID string `json:"shortId"`
	Name    string `json:"name"`
	// Dropped and DroppedBytes count what was cut since the last report
	// in the log.
	Dropped      int64 `json:"dropped"`
	DroppedBytes int64 `json:"droppedBytes"`
}

// Limits counts what the flood limits turned away since start (see
// p2p.LimitCounts).
type Limits struct {
	AuthorMessages int64 `json:"authorMessages"`
	PeerMessages   int64 `json:"peerMessages"`
	PeerBytes      int64 `json:"peerBytes"`
	SyncsLimited   int64 `json:"syncsLimited"`
	SyncsBusy      int64 `json:"syncsBusy"`
}

// ThrottledAuthor is a member sending faster than the per-author limit.
type ThrottledAuthor struct {
	PeerID  string `json:"peerId"`
	ShortID string `json:"shortId"`
	Name    string `json:"name"`
	Room    string `json:"room"`
	// Dropped counts its messages cut since the last report in the log.
	Dropped int64 `json:"dropped"`
}

// Nearby peers that leave stay listed as gone for a while (a laptop that
// sleeps comes back), then are dropped; the list never grows past maxNearby:
// a new peer takes the place of the one gone longest, and is not listed
// while none has left.
const (
	nearbyForget = 5 * time.Minute
	maxNearby    = 256
)

// nearbyPeer is what a peer said in its hello, and when it left.
type nearbyPeer struct {
	rooms  []p2p.NearbyRoom
	leftAt time.Time // zero while connected
}

// nearbyLeft marks a nearby peer gone, or back: of the peers gone, the
// least recently used in s.nearby is the one gone longest.
func (s *Service) nearbyLeft(p peer.ID, connected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if np, ok := s.nearby.Get(p); ok {
		np.leftAt = time.Time{}
		if !connected {
			np.leftAt = s.opts.Now()
		}
	}
}

// nearbyLoop drops the peers that left long enough ago.
func (s *Service) nearbyLoop() {
	tick := time.NewTicker(nearbyForget / 5)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if s.forgetDepartedNearby() {
				s.bus.publish(Event{Name: EventNearby})
			}
		case <-s.ctx.Done():
			return
		}
	}
}

// forgetDepartedNearby drops peers gone for nearbyForget; it reports
// whether it dropped any.
func (s *Service) forgetDepartedNearby() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, dropped := s.opts.Now(), false
	for id, np := range s.nearby.All() {
		if !np.leftAt.IsZero() && now.Sub(np.leftAt) >= nearbyForget {
			s.nearby.Remove(id)
			dropped = true
		}
	}
	return dropped
}

// stillNearbyLocked reports whether a listed peer has not left: it keeps
// its place. Called with s.mu held.
func (s *Service) stillNearbyLocked(p peer.ID) bool {
	np, ok := s.nearby.Peek(p)
	return ok && np.leftAt.IsZero()
}

// helloContent is what we tell each peer we connect to: our profile, and
// the rooms visible on this network (the node tells those only to peers
// found here).
func (s *Service) helloContent() p2p.HelloContent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := p2p.HelloContent{Profile: s.myProfile, Device: s.deviceKey}
	for id, on := range s.visible {
		if !on {
			continue
		}
		r := wire.NearbyRoom{ID: id, Name: s.joined[id]}
		if keys := s.keys[id]; !keys.Legacy {
			r.Secret = keys.Secret[:]
		}
		out.Nearby = append(out.Nearby, r)
	}
	slices.SortFunc(out.Nearby, func(a, b wire.NearbyRoom) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// receiveHello runs on the hello stream's goroutine. Nearby lists the
// peers found on this network; others are members or strangers, and never
// show there.
func (s *Service) receiveHello(from peer.ID, h p2p.PeerHello) {
	if h.Profile != nil {
		s.receiveProfile(h.Profile)
	}
	if h.HasDevice {
		s.mu.Lock()
		s.devices.Add(from, h.Device, nil)
		s.mu.Unlock()
	}
	if !h.LAN {
		return
	}
	s.mu.Lock()
	listed := s.nearby.Add(from, &nearbyPeer{rooms: h.Nearby}, s.stillNearbyLocked)
	s.mu.Unlock()
	s.learnRoomNames(h.Nearby)
	if listed {
		s.bus.publish(Event{Name: EventNearby})
	}
}

// Nearby lists the peers that introduced themselves, with their public
// rooms: LAN peers first, then by name.
func (s *Service) Nearby() []NearbyPeer {
	s.mu.Lock()
	out := make([]NearbyPeer, 0, s.nearby.Len())
	for id, np := range s.nearby.All() {
		p := NearbyPeer{Profile: Profile{PeerID: id.String(), ShortID: identity.ShortID(id), Name: s.names[id]}}
		for _, r := range np.rooms {
			_, joined := s.joined[r.Room.ID]
			p.Rooms = append(p.Rooms, NearbyRoom{ID: r.Room.ID.String(), Name: r.Name, Joined: joined, Legacy: r.Room.Legacy})
		}
		out = append(out, p)
	}
	s.mu.Unlock()
	for i := range out {
		id, _ := peer.Decode(out[i].PeerID)
		out[i].Connected = s.node.Connectedness(id) == network.Connected
		out[i].LAN = s.node.FoundOnLAN(id)
	}
	slices.SortFunc(out, func(a, b NearbyPeer) int {
		return cmpFirst(trueFirst(a.LAN, b.LAN), byName(a.Profile, b.Profile))
	})
	return out
}

// Peers lists the connected peers.
func (s *Service) Peers() []Peer {
	ids := s.node.ConnectedPeers()
	out := make([]Peer, 0, len(ids))
	for _, id := range ids {
		via, transport := s.node.Path(id)
		out = append(out, Peer{Profile: s.profile(id), LAN: s.node.FoundOnLAN(id), Via: via, Transport: transport, Why: s.node.Why(id)})
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.PeerID, b.PeerID) })
	return out
}

// Status reports the node's network state.
func (s *Service) Status() Status {
	reach := s.node.Reachability()
	relays := make([]string, len(reach.Relays))
	for i, r := range reach.Relays {
		relays[i] = r.String()
	}
	return Status{
		PeerID:         s.id.ID.String(),
		Network:        string(s.opts.Network),
		Peers:          len(s.node.ConnectedPeers()),
		MDNS:           s.node.MDNSRunning(),
		Addrs:          s.node.Addrs(),
		Reachability:   reach.State,
		Relays:         relays,
		NATType:        reach.NATType,
		Helper:         s.opts.Helper,
		Restricted:     s.node.Restricted(),
		Proxy:          proxySetting(p2p.CurrentProxy()),
		WSS:            s.wssStatus(),
		Rejected:       s.node.RejectedTotal() + s.RejectedChanges() + s.privateRejected.Load(),
		Version:        version.String(),
		Throttled:      s.throttled(),
		ThrottledTotal: s.node.ThrottledTotal(),
		ThrottledPeers: s.throttledPeers(),
		Limits:         Limits(s.node.LimitCounts()),
	}
}

func (s *Service) throttledPeers() []ThrottledPeer {
	out := []ThrottledPeer{}
	for _, t := range s.node.ThrottledPeers() {
		out = append(out, ThrottledPeer{
			PeerID:       t.Peer.String(),
			ShortID:      identity.ShortID(t.Peer),
			Name:         s.nameOf(t.Peer),
			Dropped:      t.Dropped,
			DroppedBytes: t.DroppedBytes,
		})
	}
	return out
}

func (s *Service) throttled() []ThrottledAuthor {
	out := []ThrottledAuthor{}
	for _, t := range s.node.Throttled() {
		out = append(out, ThrottledAuthor{
			PeerID:  t.Author.String(),
			ShortID: identity.ShortID(t.Author),
			Name:    s.nameOf(t.Author),
			Room:    t.Room.String(),
			Dropped: t.Dropped,
		})
	}
	return out
}
