package p2p

import (
	"crypto/rand"
	mrand "math/rand/v2"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/lru"
	"parley/roomkey"
	"parley/wire"
)

// Why a peer is connected, as the trust policy sees it (Peer.Why in the
// API): the first that holds, in this order.
const (
	WhyMember = "member" // proved membership of a room we are in
	WhyNearby = "nearby" // found by mDNS on this network
	WhyHelper = "helper" // a helper we use
	WhyKept   = "kept"   // remembered from an earlier room or link
	WhyRelay  = "relay"  // reached us through a relay, for a hole punch
	WhyDHT    = "dht"    // anyone else: DHT traffic, lookups
)

// trust is the one place that says what each peer is to this node: a
// stranger, found on this network, or a proven member of which rooms. Every
// "may this peer do X?" (be meshed in a room's topic, get its sync, hear its
// nearby rooms) asks it. It holds the keys of the joined rooms, since proofs
// are checked against them, and its lock is never held while calling into
// GossipSub, which asks it questions from its own loop.
type trust struct {
	self peer.ID

	// The tables kept per peer hold at most maxTrackedPeers each (lan,
	// hellos, refused, others); members and seen only hold peers whose
	// hello is kept. lan and hellos never evict a connected peer to make
	// room for another.
	mu      sync.Mutex
	rooms   map[wire.RoomID]roomkey.Room
	topics  map[string]wire.RoomID
	lan     *lru.Map[peer.ID, struct{}]          // found by mDNS
	members map[peer.ID]map[wire.RoomID]struct{} // proven by the peer's last hello
	hellos  *lru.Map[peer.ID, *wire.PeerHello]   // each connected peer's last hello
	// refused are the rooms whose topic a peer subscribed to before it
	// proved membership: once it does, it must announce them again.
	refused *lru.Map[peer.ID, map[wire.RoomID]struct{}]
	// others are the topics of rooms we are not in that each peer
	// subscribed to, at most maxOtherTopics a peer: GossipSub keeps them, so
	// that when we join one of those rooms its members are known already.
	others *lru.Map[peer.ID, map[string]struct{}]
	// seen are the rooms whose topic each member was seen in on this
	// connection: only a room a peer was in can have lost it.
	seen map[peer.ID]map[wire.RoomID]struct{}
	// admitted are, for each private room, the peers its membership log
	// lists: there, proving the secret is not enough to be a member. A
	// room not named here admits every peer that proves its secret.
	admitted map[wire.RoomID]map[peer.ID]struct{}
	changed  chan struct{} // closed and replaced at each hello heard
}

// maxOtherTopics bounds the subscriptions to rooms we are not in that one
// peer may have GossipSub keep: what a peer says cannot grow its tables
// without bound.
const maxOtherTopics = wire.MaxHelloRooms

func newTrust(self peer.ID) *trust {
	t := &trust{
		self:     self,
		rooms:    map[wire.RoomID]roomkey.Room{},
		topics:   map[string]wire.RoomID{},
		lan:      lru.New[peer.ID, struct{}](maxTrackedPeers, nil),
		members:  map[peer.ID]map[wire.RoomID]struct{}{},
		refused:  lru.New[peer.ID, map[wire.RoomID]struct{}](maxTrackedPeers, nil),
		others:   lru.New[peer.ID, map[string]struct{}](maxTrackedPeers, nil),
		seen:     map[peer.ID]map[wire.RoomID]struct{}{},
		admitted: map[wire.RoomID]map[peer.ID]struct{}{},
		changed:  make(chan struct{}),
	}
	// What a peer proved goes with its hello.
	t.hellos = lru.New(maxTrackedPeers, func(p peer.ID, _ *wire.PeerHello) {
		delete(t.members, p)
		delete(t.seen, p)
	})
	return t
}

// join adds a room whose members we recognise; proofs already received
// are checked against it. It returns the peers that turn out to be members.
func (t *trust) join(r roomkey.Room) []peer.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rooms[r.ID] = r
	t.topics[r.Topic()] = r.ID
	var proven []peer.ID
	for p, h := range t.hellos.All() {
		if t.provesLocked(r, p, h.Proofs) {
			t.addMemberLocked(p, r.ID)
			proven = append(proven, p)
		}
	}
	if len(proven) > 0 {
		t.notifyLocked()
	}
	return proven
}

// leave forgets a room and who proved membership of it.
func (t *trust) leave(id wire.RoomID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.rooms[id]; ok {
		delete(t.topics, r.Topic())
	}
	delete(t.rooms, id)
	delete(t.admitted, id)
	for _, rooms := range t.members {
		delete(rooms, id)
	}
	for _, rooms := range t.refused.All() {
		delete(rooms, id)
	}
	for _, rooms := range t.seen {
		delete(rooms, id)
	}
}

func (t *trust) room(id wire.RoomID) (roomkey.Room, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.rooms[id]
	return r, ok
}

// proofs are what we show a peer: a proof for every joined room, padded
// with random ones and shuffled, so that the peer learns only the rooms it
// shares with us, and roughly how many rooms we are in.
func (t *trust) proofs(to peer.ID) []wire.HelloProof {
	t.mu.Lock()
	out := make([]wire.HelloProof, 0, paddedCount(len(t.rooms)))
	for _, r := range t.rooms {
		out = append(out, wire.HelloProof(r.Proof(t.self, to)))
	}
	t.mu.Unlock()
	for len(out) < cap(out) {
		var pad wire.HelloProof
		_, _ = rand.Read(pad[:]) // crypto/rand.Read never fails
		out = append(out, pad)
	}
	mrand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// paddedCount is how many proofs a hello carries for n rooms: at least 8,
// then the next power of two, at most wire.MaxHelloRooms.
func paddedCount(n int) int {
	c := 8
	for c < n {
		c *= 2
	}
	return min(c, wire.MaxHelloRooms)
}

// provesLocked reports whether a peer's proofs make it a member of a
// joined room: it holds the secret and, in a private room, the log admits
// it.
func (t *trust) provesLocked(r roomkey.Room, from peer.ID, proofs []wire.HelloProof) bool {
	if admitted, private := t.admitted[r.ID]; private {
		if _, ok := admitted[from]; !ok {
			return false
		}
	}
	return t.proves(r, from, proofs)
}

func (t *trust) proves(r roomkey.Room, from peer.ID, proofs []wire.HelloProof) bool {
	for _, p := range proofs {
		if r.Verify(roomkey.Proof(p), from, t.self) {
			return true
		}
	}
	return false
}

// heard records a peer's hello and checks its proofs: the peer is a member
// of exactly the joined rooms it proved. It returns the rooms it joined and
// left by this hello, and whether a room it joined had its subscription
// refused before (then the peer must announce its rooms again). A peer's
// nearby rooms are kept with the hello but count only once it is found on
// this network. A hello that would take the place of a connected peer's
// is not kept: the peer stays a stranger.
func (t *trust) heard(from peer.ID, h *wire.PeerHello, connected func(peer.ID) bool) (joined, left []wire.RoomID, reannounce bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.hellos.Add(from, h, connected) {
		return nil, nil, false
	}
	refused, _ := t.refused.Peek(from)
	now := map[wire.RoomID]struct{}{}
	for id, r := range t.rooms {
		if t.provesLocked(r, from, h.Proofs) {
			now[id] = struct{}{}
		}
	}
	before := t.members[from]
	for id := range now {
		if _, ok := before[id]; !ok {
			joined = append(joined, id)
		}
		if _, ok := refused[id]; ok {
			delete(refused, id)
			reannounce = true
		}
	}
	for id := range before {
		if _, ok := now[id]; !ok {
			left = append(left, id)
		}
	}
	if len(now) == 0 {
		delete(t.members, from)
	} else {
		t.members[from] = now
	}
	t.notifyLocked()
	return joined, left, reannounce
}

// admit sets who a private room's membership log lists, and checks the
// kept hellos again: it returns the peers that became members, those that
// stopped being members, and the new members whose subscription was
// refused before (they must announce it again).
func (t *trust) admit(room wire.RoomID, peers []peer.ID) (joined, left []peer.ID, reannounce []peer.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	admitted := make(map[peer.ID]struct{}, len(peers))
	for _, p := range peers {
		admitted[p] = struct{}{}
	}
	t.admitted[room] = admitted
	r, ok := t.rooms[room]
	if !ok {
		return nil, nil, nil
	}
	for p, h := range t.hellos.All() {
		_, was := t.members[p][room]
		now := t.provesLocked(r, p, h.Proofs)
		switch {
		case now && !was:
			t.addMemberLocked(p, room)
			joined = append(joined, p)
			if refused, _ := t.refused.Peek(p); refused != nil {
				if _, ok := refused[room]; ok {
					delete(refused, room)
					reannounce = append(reannounce, p)
				}
			}
		case was && !now:
			delete(t.members[p], room)
			if len(t.members[p]) == 0 {
				delete(t.members, p)
			}
			if t.seen[p] != nil {
				delete(t.seen[p], room)
			}
			left = append(left, p)
		}
	}
	if len(joined)+len(left) > 0 {
		t.notifyLocked()
	}
	return joined, left, reannounce
}

// outsiderRooms lists the private rooms whose secret a peer's proofs show
// it holds though the room's log does not list it.
func (t *trust) outsiderRooms(p peer.ID, proofs []wire.HelloProof) []wire.RoomID {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []wire.RoomID
	for id, admitted := range t.admitted {
		if _, listed := admitted[p]; listed {
			continue
		}
		if r, ok := t.rooms[id]; ok && t.proves(r, p, proofs) {
			out = append(out, id)
		}
	}
	return out
}

// holders lists the connected peers whose hello proves they hold a joined
// room's secret, admitted or not: whom a newcomer with an invitation asks
// to be let in.
func (t *trust) holders(room wire.RoomID) []peer.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.rooms[room]
	if !ok {
		return nil
	}
	var out []peer.ID
	for p, h := range t.hellos.All() {
		if t.proves(r, p, h.Proofs) {
			out = append(out, p)
		}
	}
	return out
}

func (t *trust) addMemberLocked(p peer.ID, room wire.RoomID) {
	if t.members[p] == nil {
		t.members[p] = map[wire.RoomID]struct{}{}
	}
	t.members[p][room] = struct{}{}
}

func (t *trust) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// gone forgets what a peer proved: proofs hold for one connection's life.
func (t *trust) gone(p peer.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.members, p)
	t.hellos.Remove(p)
	t.refused.Remove(p)
	t.others.Remove(p)
	delete(t.seen, p)
}

// sawInTopic records that a member showed up on a room's topic.
func (t *trust) sawInTopic(p peer.ID, room wire.RoomID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, member := t.members[p][room]; !member {
		return
	}
	if t.seen[p] == nil {
		t.seen[p] = map[wire.RoomID]struct{}{}
	}
	t.seen[p][room] = struct{}{}
}

// seenRooms lists the joined rooms a member proved and was seen in.
func (t *trust) seenRooms(p peer.ID) []wire.RoomID {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]wire.RoomID, 0, len(t.seen[p]))
	for id := range t.seen[p] {
		if _, member := t.members[p][id]; member {
			out = append(out, id)
		}
	}
	return out
}

// seenIn lists the members of a room seen on its topic during their
// current connection.
func (t *trust) seenIn(room wire.RoomID) []peer.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []peer.ID
	for p, rooms := range t.seen {
		_, seen := rooms[room]
		_, member := t.members[p][room]
		if seen && member {
			out = append(out, p)
		}
	}
	return out
}

// isMember reports whether a peer proved membership of a joined room.
func (t *trust) isMember(p peer.ID, room wire.RoomID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.members[p][room]
	return ok
}

// news returns a channel closed at the next hello heard.
func (t *trust) news() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

// heardFrom reports whether a peer's hello has been heard on its current
// connection.
func (t *trust) heardFrom(p peer.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.hellos.Peek(p)
	return ok
}

// memberRooms lists the joined rooms a peer proved.
func (t *trust) memberRooms(p peer.ID) []wire.RoomID {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]wire.RoomID, 0, len(t.members[p]))
	for id := range t.members[p] {
		out = append(out, id)
	}
	return out
}

// mayGossip is GossipSub's peer filter: a room's topic is meshed, gossiped
// and served (IWANT) only with the room's proven members.
func (t *trust) mayGossip(p peer.ID, topic string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	room, ok := t.topics[topic]
	if !ok {
		return false
	}
	_, ok = t.members[p][room]
	return ok
}

// markLAN records a peer found by mDNS; it reports whether that is news.
// A peer that would take the place of a connected one is not recorded.
func (t *trust) markLAN(p peer.ID, connected func(peer.ID) bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.lan.Get(p); ok {
		return false // found again: the last to go
	}
	return t.lan.Add(p, struct{}{}, connected)
}

func (t *trust) foundOnLAN(p peer.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.lan.Peek(p)
	return ok
}

// lastHello is the peer's last hello, or nil.
func (t *trust) lastHello(p peer.ID) *wire.PeerHello {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, _ := t.hellos.Peek(p)
	return h
}

// FilterIncomingSubscriptions is GossipSub's subscription filter: a peer's
// subscription to a joined room's topic counts only once the peer proved
// membership, so that it is neither meshed nor flooded with our messages.
// Subscriptions to other topics are kept, up to maxOtherTopics a peer (when
// we join such a room, Join checks who is on its topic). Unsubscriptions
// always pass.
func (t *trust) FilterIncomingSubscriptions(p peer.ID, subs []*pubsubpb.RPC_SubOpts) ([]*pubsubpb.RPC_SubOpts, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := subs[:0:0]
	for _, s := range subs {
		name := s.GetTopicid()
		if !s.GetSubscribe() {
			if topics, ok := t.others.Peek(p); ok {
				delete(topics, name)
			}
			out = append(out, s)
			continue
		}
		room, ok := t.topics[name]
		if !ok {
			if t.keepOtherLocked(p, name) {
				out = append(out, s)
			}
			continue
		}
		if _, member := t.members[p][room]; member {
			out = append(out, s)
			continue
		}
		rooms, ok := t.refused.Get(p)
		if !ok {
			rooms = map[wire.RoomID]struct{}{}
			t.refused.Add(p, rooms, nil)
		}
		rooms[room] = struct{}{}
	}
	return out, nil
}

// keepOtherLocked counts a peer's subscription to a room we are not in; it
// reports false past maxOtherTopics.
func (t *trust) keepOtherLocked(p peer.ID, topic string) bool {
	topics, ok := t.others.Get(p)
	if !ok {
		topics = map[string]struct{}{}
		t.others.Add(p, topics, nil)
	}
	if _, ok := topics[topic]; !ok && len(topics) >= maxOtherTopics {
		return false
	}
	topics[topic] = struct{}{}
	return true
}

// CanSubscribe lets us subscribe to any topic we choose.
func (t *trust) CanSubscribe(string) bool { return true }

var (
	_ pubsub.PeerFilter         = (*trust)(nil).mayGossip
	_ pubsub.SubscriptionFilter = (*trust)(nil)
)

// Why says why a peer is connected, as the trust policy sees it: one of
// the Why values.
func (n *Node) Why(p peer.ID) string {
	if len(n.trust.memberRooms(p)) > 0 {
		return WhyMember
	}
	if n.trust.foundOnLAN(p) {
		return WhyNearby
	}
	if n.helpers.has(p) {
		return WhyHelper
	}
	if n.keep.isKept(p) {
		return WhyKept
	}
	if n.Via(p) == ViaRelayed {
		return WhyRelay
	}
	return WhyDHT
}
