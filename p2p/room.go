package p2p

import (
	"context"
	"errors"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// ErrNotJoined is returned for rooms the node has not joined.
var ErrNotJoined = errors.New("room not joined")

// Join subscribes to a room's topic. Every valid message from another peer
// is passed to deliver, in arrival order, on a read loop owned by the node.
// Joining a room twice is a no-op.
func (n *Node) Join(id wire.RoomID, deliver Handler) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.rooms[id]; ok {
		return nil
	}
	if err := n.ps.RegisterTopicValidator(id.Topic(), n.validator(id)); err != nil {
		return fmt.Errorf("join room %s: validator: %w", id, err)
	}
	topic, err := n.ps.Join(id.Topic())
	if err != nil {
		return errors.Join(fmt.Errorf("join room %s: %w", id, err), n.ps.UnregisterTopicValidator(id.Topic()))
	}
	if err := topic.SetScoreParams(topicScoreParams()); err != nil {
		return errors.Join(fmt.Errorf("join room %s: score params: %w", id, err), topic.Close(), n.ps.UnregisterTopicValidator(id.Topic()))
	}
	sub, err := topic.Subscribe(pubsub.WithBufferSize(subscriptionBuf))
	if err != nil {
		return errors.Join(fmt.Errorf("join room %s: subscribe: %w", id, err), topic.Close(), n.ps.UnregisterTopicValidator(id.Topic()))
	}
	events, err := topic.EventHandler()
	if err != nil {
		sub.Cancel()
		return errors.Join(fmt.Errorf("join room %s: peer events: %w", id, err), topic.Close(), n.ps.UnregisterTopicValidator(id.Topic()))
	}
	ctx, cancel := context.WithCancel(n.ctx)
	r := &room{deliver: deliver, topic: topic, sub: sub, events: events, cancel: cancel, loops: roomLoops}
	if n.disc != nil {
		r.rendezvous = &rendezvous{wake: make(chan struct{}, 1)}
		r.loops++
	}
	r.done = make(chan struct{}, r.loops)
	n.rooms[id] = r
	incoming := make(chan received, gossipBatch)
	n.wg.Add(r.loops)
	go n.readLoop(ctx, r, incoming)
	go n.deliverLoop(ctx, id, r, incoming)
	go n.peerLoop(ctx, id, r)
	if r.rendezvous != nil {
		go func() {
			defer n.wg.Done()
			defer func() { r.done <- struct{}{} }()
			n.runRendezvous(ctx, id, r.rendezvous)
		}()
	}
	return nil
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
		if n.opts.OnRoomPeer != nil {
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
	n.mu.Lock()
	r, ok := n.rooms[id]
	delete(n.rooms, id)
	n.mu.Unlock()
	if !ok {
		return nil
	}
	return n.closeRoom(id, r)
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
	err := errors.Join(r.topic.Close(), n.ps.UnregisterTopicValidator(id.Topic()))
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

// RoomPeers lists the connected peers subscribed to a room's topic.
func (n *Node) RoomPeers(id wire.RoomID) []peer.ID {
	n.mu.Lock()
	r, ok := n.rooms[id]
	n.mu.Unlock()
	if !ok {
		return nil
	}
	return r.topic.ListPeers()
}
