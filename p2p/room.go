package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/roomkey"
	"parley/wire"
)

// ErrNotJoined is returned for rooms the node has not joined.
var ErrNotJoined = errors.New("room not joined")

// ErrClosed is returned for a room joined while the node closes.
var ErrClosed = errors.New("node closed")

// roomService holds the joined rooms: each one's GossipSub topic, its
// validator, the loops that hand its messages over, and its rendezvous.
type roomService struct {
	ctx   context.Context // ends when the node closes
	self  peer.ID
	ps    *pubsub.PubSub
	trust *trust
	run   *group
	hello *helloService
	// resetGossip makes a peer announce its subscriptions again;
	// lostMember has it do so later if GossipSub does not bring it back.
	resetGossip func(peer.ID)
	lostMember  func(peer.ID)
	limits      *limitService
	history     History // may be nil
	now         func() time.Time
	// rendezvous, nil outside internet mode, runs a room's presence on
	// the DHT until ctx ends, a round each time wake fires.
	rendezvous func(ctx context.Context, room roomkey.Room, wake <-chan struct{})
	onRoomPeer func(room wire.RoomID, id peer.ID, joined bool) // may be nil
	connected  func(peer.ID) bool
	log        *slog.Logger

	// joinMu serialises Join, Leave and close, which call into GossipSub.
	joinMu sync.Mutex
	closed bool       // set once by close: no room joins after it
	mu     sync.Mutex // guards rooms; never held across a call into GossipSub
	rooms  map[wire.RoomID]*room
}

type room struct {
	deliver Handler
	wake    chan struct{} // a rendezvous round now; nil outside internet mode
	loops   int           // goroutines serving the room
	topic   *pubsub.Topic
	sub     *pubsub.Subscription
	events  *pubsub.TopicEventHandler
	cancel  context.CancelFunc
	done    chan struct{} // one signal from each of the room's loops
}

// Join subscribes to a room's topic; see Node.Join.
func (rs *roomService) Join(keys roomkey.Room, deliver Handler) error {
	// joinMu, not mu, is held across the calls into GossipSub: mu guards
	// only the map, which GossipSub's own loop may wait on.
	rs.joinMu.Lock()
	defer rs.joinMu.Unlock()
	if rs.closed {
		return fmt.Errorf("join room %s: %w", keys.ID, ErrClosed)
	}
	id := keys.ID
	rs.mu.Lock()
	_, joined := rs.rooms[id]
	rs.mu.Unlock()
	if joined {
		return nil
	}
	// Members' proofs count from before the subscription goes out, so
	// that their subscriptions find the room known.
	proven := rs.trust.join(keys)
	rs.hello.first(helloFirstWait)
	r, err := rs.subscribe(keys, deliver)
	if err != nil {
		rs.trust.leave(id)
		return fmt.Errorf("join room %s: %w", id, err)
	}
	rs.mu.Lock()
	rs.rooms[id] = r
	rs.mu.Unlock()
	ctx, cancel := context.WithCancel(rs.ctx)
	r.cancel = cancel
	incoming := make(chan received, gossipBatch)
	// The node's group is open: it closes only after close, which waits
	// for joinMu.
	rs.run.Go(func() { rs.readLoop(ctx, r, incoming) })
	rs.run.Go(func() { rs.deliverLoop(ctx, id, r, incoming) })
	rs.run.Go(func() { rs.peerLoop(ctx, id, r) })
	if r.wake != nil {
		rs.run.Go(func() {
			defer func() { r.done <- struct{}{} }()
			rs.rendezvous(ctx, keys, r.wake)
		})
	}
	rs.reportMembers(id, proven, true)
	for _, p := range proven {
		rs.hello.Hello(p) // now a fellow member, it may hear who we are
	}
	// GossipSub kept the subscriptions peers made to the topic before we
	// joined it: one that proved nothing must announce again, to be
	// refused this time.
	for _, p := range r.topic.ListPeers() {
		if !rs.trust.isMember(p, id) {
			rs.log.Debug("a peer on a joined room's topic proved nothing; it announces again", "peer", identity.ShortID(p))
			rs.resetGossip(p)
		}
	}
	return nil
}

// helloFirstWait bounds how long a join waits for its hellos to go out.
const helloFirstWait = 2 * time.Second

// subscribe joins a room's topic in GossipSub, with its validator and
// score parameters.
func (rs *roomService) subscribe(keys roomkey.Room, deliver Handler) (*room, error) {
	name := keys.Topic()
	if err := rs.ps.RegisterTopicValidator(name, rs.validator(keys.ID)); err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}
	topic, err := rs.ps.Join(name)
	if err != nil {
		return nil, errors.Join(err, rs.ps.UnregisterTopicValidator(name))
	}
	if err := topic.SetScoreParams(topicScoreParams()); err != nil {
		return nil, errors.Join(fmt.Errorf("score params: %w", err), topic.Close(), rs.ps.UnregisterTopicValidator(name))
	}
	sub, err := topic.Subscribe(pubsub.WithBufferSize(subscriptionBuf))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("subscribe: %w", err), topic.Close(), rs.ps.UnregisterTopicValidator(name))
	}
	events, err := topic.EventHandler()
	if err != nil {
		sub.Cancel()
		return nil, errors.Join(fmt.Errorf("peer events: %w", err), topic.Close(), rs.ps.UnregisterTopicValidator(name))
	}
	r := &room{deliver: deliver, topic: topic, sub: sub, events: events, loops: roomLoops}
	if rs.rendezvous != nil {
		r.wake = make(chan struct{}, 1)
		r.loops++
	}
	r.done = make(chan struct{}, r.loops)
	return r, nil
}

// reportMembers tells the owner that proven peers joined or left a room.
// A peer counts as in the room once it both proved membership and
// subscribed to the topic; the topic's events report the rest.
func (rs *roomService) reportMembers(id wire.RoomID, peers []peer.ID, joined bool) {
	if len(peers) == 0 {
		return
	}
	rs.mu.Lock()
	r, ok := rs.rooms[id]
	rs.mu.Unlock()
	if !ok {
		return
	}
	subscribed := r.topic.ListPeers()
	for _, p := range peers {
		if slices.Contains(subscribed, p) {
			if joined {
				rs.trust.sawInTopic(p, id)
			}
			if rs.onRoomPeer != nil {
				rs.onRoomPeer(id, p, joined)
			}
		}
	}
}

// peerLoop reports peers joining and leaving the room's topic.
func (rs *roomService) peerLoop(ctx context.Context, id wire.RoomID, r *room) {
	defer func() { r.done <- struct{}{} }()
	for {
		ev, err := r.events.NextPeerEvent(ctx)
		if err != nil {
			return
		}
		// A subscriber that never proved membership is no member: it is
		// reported when its proof arrives (reportMembers), if ever.
		if ev.Type == pubsub.PeerJoin {
			rs.trust.sawInTopic(ev.Peer, id)
		}
		if rs.onRoomPeer != nil && rs.trust.isMember(ev.Peer, id) {
			rs.onRoomPeer(id, ev.Peer, ev.Type == pubsub.PeerJoin)
		}
		if ev.Type == pubsub.PeerLeave && rs.connected(ev.Peer) && rs.trust.isMember(ev.Peer, id) {
			// GossipSub dropped a member that is still connected (a stream
			// reset, one of two connections closing): its subscriptions
			// should come back by themselves, and are asked for if not.
			rs.lostMember(ev.Peer)
		}
		if ev.Type == pubsub.PeerLeave && r.wake != nil {
			select { // look for the room's members again
			case r.wake <- struct{}{}:
			default:
			}
		}
	}
}

// rendezvousNow runs a rendezvous round in every joined room: our relay
// addresses changed, and members looking for us should find the new ones
// (a room advertised before we had a relay gave none).
func (rs *roomService) rendezvousNow() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.rooms {
		if r.wake == nil {
			continue
		}
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// roomLoops is how many goroutines serve a joined room, besides its
// rendezvous in internet mode.
const roomLoops = 3

// gossipBatch caps how many gossip messages are handed over at once.
const gossipBatch = 256

type received struct {
	m    *wire.Message
	from peer.ID
}

// readLoop takes verified messages off the subscription as fast as they
// come, so GossipSub's buffer never fills while the store commits.
func (rs *roomService) readLoop(ctx context.Context, r *room, out chan<- received) {
	defer func() { r.done <- struct{}{} }()
	self := rs.self
	for {
		msg, err := r.sub.Next(ctx)
		if err != nil {
			return // cancelled or subscription closed
		}
		if msg.ReceivedFrom == self {
			continue // our own message: stored before it was published
		}
		m, ok := msg.ValidatorData.(*wire.Message)
		if !ok {
			continue
		}
		select {
		case out <- received{m: m, from: msg.ReceivedFrom}:
		case <-ctx.Done():
			return
		}
	}
}

// deliverLoop hands what readLoop queued to the room's handler, all that
// waits at once (up to gossipBatch): under a burst the store commits once
// per batch, not once per message.
func (rs *roomService) deliverLoop(ctx context.Context, id wire.RoomID, r *room, in <-chan received) {
	defer func() { r.done <- struct{}{} }()
	for {
		var first received
		select {
		case first = <-in:
		case <-ctx.Done():
			return
		}
		b := Batch{Room: id, Messages: []*wire.Message{first.m}, From: first.from, Live: true}
	gather:
		for len(b.Messages) < gossipBatch {
			select {
			case more := <-in:
				b.Messages = append(b.Messages, more.m)
			default:
				break gather
			}
		}
		r.deliver(b)
	}
}

// Leave unsubscribes from a room's topic; see Node.Leave.
func (rs *roomService) Leave(id wire.RoomID) error {
	rs.joinMu.Lock()
	defer rs.joinMu.Unlock()
	rs.mu.Lock()
	r, ok := rs.rooms[id]
	delete(rs.rooms, id)
	rs.mu.Unlock()
	if !ok {
		return nil
	}
	err := rs.closeRoom(id, r)
	rs.trust.leave(id)
	rs.hello.HelloAll() // our proofs changed
	return err
}

func (rs *roomService) closeRoom(id wire.RoomID, r *room) error {
	r.sub.Cancel()
	r.events.Cancel()
	r.cancel()
	for range r.loops {
		<-r.done
	}
	if rs.ctx.Err() != nil {
		return nil // the router has stopped and its topics with it
	}
	err := errors.Join(r.topic.Close(), rs.ps.UnregisterTopicValidator(r.topic.String()))
	if err != nil {
		return fmt.Errorf("leave room %s: %w", id, err)
	}
	return nil
}

// Publish sends a message to the room's peers; see Node.Publish.
func (rs *roomService) Publish(ctx context.Context, m *wire.Message) error {
	rs.mu.Lock()
	r, ok := rs.rooms[m.Room]
	rs.mu.Unlock()
	if !ok {
		return fmt.Errorf("publish to room %s: %w", m.Room, ErrNotJoined)
	}
	// The validator data marks the message as ours and already verified.
	if err := r.topic.Publish(ctx, m.Raw, pubsub.WithValidatorData(m)); err != nil {
		return fmt.Errorf("publish to room %s: %w", m.Room, err)
	}
	return nil
}

// Hears reports whether GossipSub counts the peer on the room's topic:
// what is published there now goes to it. RoomPeers can list a member a
// moment before this holds (its hello came first), so a signal that is
// never stored, such as typing, can miss it then.
func (rs *roomService) Hears(id wire.RoomID, p peer.ID) bool {
	rs.mu.Lock()
	r, ok := rs.rooms[id]
	rs.mu.Unlock()
	return ok && slices.Contains(r.topic.ListPeers(), p)
}

// RoomPeers lists the room's members that are here: connected, proven,
// and subscribed to its topic. A member GossipSub drops for a moment while
// one of two connections to it closes (the relayed one, after a hole
// punch) stays listed, since it was seen on the topic during this
// connection: the gossip check brings GossipSub back in line, and the
// member must not look gone meanwhile.
func (rs *roomService) RoomPeers(id wire.RoomID) []peer.ID {
	rs.mu.Lock()
	r, ok := rs.rooms[id]
	rs.mu.Unlock()
	if !ok {
		return nil
	}
	out := slices.DeleteFunc(r.topic.ListPeers(), func(p peer.ID) bool { return !rs.trust.isMember(p, id) })
	for _, p := range rs.trust.seenIn(id) {
		if !slices.Contains(out, p) && rs.connected(p) {
			out = append(out, p)
		}
	}
	return out
}

// joinedTopics lists the topics of the joined rooms. Callers ask GossipSub
// about them with no lock held: GossipSub asks the trust policy from its
// own loop.
func (rs *roomService) joinedTopics() []*pubsub.Topic {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]*pubsub.Topic, 0, len(rs.rooms))
	for _, r := range rs.rooms {
		out = append(out, r.topic)
	}
	return out
}

// handler is a joined room's handler, where its messages go.
func (rs *roomService) handler(room wire.RoomID) (Handler, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.rooms[room]
	if !ok {
		return nil, false
	}
	return r.deliver, true
}

// close leaves every room; no room joins after it.
func (rs *roomService) close() error {
	rs.joinMu.Lock()
	defer rs.joinMu.Unlock()
	rs.closed = true
	rs.mu.Lock()
	rooms := rs.rooms
	rs.rooms = map[wire.RoomID]*room{}
	rs.mu.Unlock()
	var errs []error
	for id, r := range rooms {
		errs = append(errs, rs.closeRoom(id, r))
	}
	return errors.Join(errs...)
}
