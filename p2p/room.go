package p2p

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/roomkey"
	"parley/wire"
)

// ErrNotJoined is returned for rooms the node has not joined.
var ErrNotJoined = errors.New("room not joined")

// Join subscribes to a room's topic. Every valid message from a member is
// passed to deliver, in arrival order, on a read loop owned by the node.
// Joining a room twice is a no-op.
func (n *Node) Join(keys roomkey.Room, deliver Handler) error {
	// joinMu, not mu, is held across the calls into GossipSub: mu guards
	// only the map, which GossipSub's own loop may wait on.
	n.joinMu.Lock()
	defer n.joinMu.Unlock()
	id := keys.ID
	n.mu.Lock()
	_, joined := n.rooms[id]
	n.mu.Unlock()
	if joined {
		return nil
	}
	// Members' proofs count from before the subscription goes out, so
	// that their subscriptions find the room known.
	proven := n.trust.join(keys)
	n.hello.first(helloFirstWait)
	r, err := n.subscribe(keys, deliver)
	if err != nil {
		n.trust.leave(id)
		return fmt.Errorf("join room %s: %w", id, err)
	}
	n.mu.Lock()
	n.rooms[id] = r
	n.mu.Unlock()
	ctx, cancel := context.WithCancel(n.ctx)
	r.cancel = cancel
	incoming := make(chan received, gossipBatch)
	n.wg.Add(r.loops)
	go n.readLoop(ctx, r, incoming)
	go n.deliverLoop(ctx, id, r, incoming)
	go n.peerLoop(ctx, id, r)
	if r.rendezvous != nil {
		go func() {
			defer n.wg.Done()
			defer func() { r.done <- struct{}{} }()
			n.runRendezvous(ctx, keys, r.rendezvous)
		}()
	}
	n.reportMembers(id, proven, true)
	for _, p := range proven {
		n.Hello(p) // now a fellow member, it may hear who we are
	}
	// GossipSub kept the subscriptions peers made to the topic before we
	// joined it: one that proved nothing must announce again, to be
	// refused this time.
	for _, p := range r.topic.ListPeers() {
		if !n.trust.isMember(p, id) {
			n.log.Debug("a peer on a joined room's topic proved nothing; it announces again", "peer", identity.ShortID(p))
			n.repair.resetGossipStreams(p)
		}
	}
	return nil
}

// helloFirstWait bounds how long a join waits for its hellos to go out.
const helloFirstWait = 2 * time.Second

// subscribe joins a room's topic in GossipSub, with its validator and
// score parameters.
func (n *Node) subscribe(keys roomkey.Room, deliver Handler) (*room, error) {
	name := keys.Topic()
	if err := n.ps.RegisterTopicValidator(name, n.validator(keys.ID)); err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}
	topic, err := n.ps.Join(name)
	if err != nil {
		return nil, errors.Join(err, n.ps.UnregisterTopicValidator(name))
	}
	if err := topic.SetScoreParams(topicScoreParams()); err != nil {
		return nil, errors.Join(fmt.Errorf("score params: %w", err), topic.Close(), n.ps.UnregisterTopicValidator(name))
	}
	sub, err := topic.Subscribe(pubsub.WithBufferSize(subscriptionBuf))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("subscribe: %w", err), topic.Close(), n.ps.UnregisterTopicValidator(name))
	}
	events, err := topic.EventHandler()
	if err != nil {
		sub.Cancel()
		return nil, errors.Join(fmt.Errorf("peer events: %w", err), topic.Close(), n.ps.UnregisterTopicValidator(name))
	}
	r := &room{deliver: deliver, topic: topic, sub: sub, events: events, loops: roomLoops}
	if n.disc != nil {
		r.rendezvous = &rendezvous{wake: make(chan struct{}, 1)}
		r.loops++
	}
	r.done = make(chan struct{}, r.loops)
	return r, nil
}

// reportMembers tells the owner that proven peers joined or left a room.
// A peer counts as in the room once it both proved membership and
// subscribed to the topic; the topic's events report the rest.
func (n *Node) reportMembers(id wire.RoomID, peers []peer.ID, joined bool) {
	if len(peers) == 0 {
		return
	}
	n.mu.Lock()
	r, ok := n.rooms[id]
	n.mu.Unlock()
	if !ok {
		return
	}
	subscribed := r.topic.ListPeers()
	for _, p := range peers {
		if slices.Contains(subscribed, p) {
			if joined {
				n.trust.sawInTopic(p, id)
			}
			if n.opts.OnRoomPeer != nil {
				n.opts.OnRoomPeer(id, p, joined)
			}
		}
	}
}

// peerLoop reports peers joining and leaving the room's topic.
func (n *Node) peerLoop(ctx context.Context, id wire.RoomID, r *room) {
	defer n.wg.Done()
	defer func() { r.done <- struct{}{} }()
	for {
		ev, err := r.events.NextPeerEvent(ctx)
		if err != nil {
			return
		}
		// A subscriber that never proved membership is no member: it is
		// reported when its proof arrives (reportMembers), if ever.
		if ev.Type == pubsub.PeerJoin {
			n.trust.sawInTopic(ev.Peer, id)
		}
		if n.opts.OnRoomPeer != nil && n.trust.isMember(ev.Peer, id) {
			n.opts.OnRoomPeer(id, ev.Peer, ev.Type == pubsub.PeerJoin)
		}
		if ev.Type == pubsub.PeerLeave {
			n.wakeRendezvous(id) // look for the room's members again
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
func (n *Node) readLoop(ctx context.Context, r *room, out chan<- received) {
	defer n.wg.Done()
	defer func() { r.done <- struct{}{} }()
	self := n.host.ID()
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
func (n *Node) deliverLoop(ctx context.Context, id wire.RoomID, r *room, in <-chan received) {
	defer n.wg.Done()
	defer func() { r.done <- struct{}{} }()
	for {
		var first received
		select {
		case first = <-in:
		case <-ctx.Done():
			return
		}
		b := Batch{Room: id, Messages: []*wire.Message{first.m}, From: first.from}
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

// Leave unsubscribes from a room's topic.
func (n *Node) Leave(id wire.RoomID) error {
	n.joinMu.Lock()
	defer n.joinMu.Unlock()
	n.mu.Lock()
	r, ok := n.rooms[id]
	delete(n.rooms, id)
	n.mu.Unlock()
	if !ok {
		return nil
	}
	err := n.closeRoom(id, r)
	n.trust.leave(id)
	n.HelloAll() // our proofs changed
	return err
}

func (n *Node) closeRoom(id wire.RoomID, r *room) error {
	r.sub.Cancel()
	r.events.Cancel()
	r.cancel()
	for range r.loops {
		<-r.done
	}
	if n.ctx.Err() != nil {
		return nil // the router has stopped and its topics with it
	}
	err := errors.Join(r.topic.Close(), n.ps.UnregisterTopicValidator(r.topic.String()))
	if err != nil {
		return fmt.Errorf("leave room %s: %w", id, err)
	}
	return nil
}

// Publish sends a message, already signed and stored, to the room's peers.
func (n *Node) Publish(ctx context.Context, m *wire.Message) error {
	n.mu.Lock()
	r, ok := n.rooms[m.Room]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("publish to room %s: %w", m.Room, ErrNotJoined)
	}
	// The validator data marks the message as ours and already verified.
	if err := r.topic.Publish(ctx, m.Raw, pubsub.WithValidatorData(m)); err != nil {
		return fmt.Errorf("publish to room %s: %w", m.Room, err)
	}
	return nil
}

// RoomPeers lists the connected peers in a room: subscribed to its topic
// and proven members.
func (n *Node) RoomPeers(id wire.RoomID) []peer.ID {
	n.mu.Lock()
	r, ok := n.rooms[id]
	n.mu.Unlock()
	if !ok {
		return nil
	}
	return slices.DeleteFunc(r.topic.ListPeers(), func(p peer.ID) bool { return !n.trust.isMember(p, id) })
}

// joinedTopics lists the topics of the joined rooms. Callers ask GossipSub
// about them with no lock held: GossipSub asks the trust policy from its
// own loop.
func (n *Node) joinedTopics() []*pubsub.Topic {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]*pubsub.Topic, 0, len(n.rooms))
	for _, r := range n.rooms {
		out = append(out, r.topic)
	}
	return out
}

// handler is a joined room's handler, where its messages go.
func (n *Node) handler(room wire.RoomID) (Handler, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r, ok := n.rooms[room]
	if !ok {
		return nil, false
	}
	return r.deliver, true
}

// proven takes in what a peer's hello proved: the rooms it became or
// stopped being a member of, and whether it must announce its
// subscriptions again.
func (n *Node) proven(from peer.ID, joined, left []wire.RoomID, reannounce bool) {
	if reannounce {
		// Its subscription came before its proof and was dropped.
		n.repair.reannounceLater(from)
	}
	for _, room := range joined {
		n.reportMembers(room, []peer.ID{from}, true)
	}
	for _, room := range left {
		n.reportMembers(room, []peer.ID{from}, false)
	}
	if len(joined) > 0 {
		n.repair.check(from)
		n.repair.reannounceLater(from) // if its subscriptions do not follow soon
	}
}
