package p2p

import (
	"context"
	"errors"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/wire"
)

// validator checks every message on a room's topic with wire.Decode before
// GossipSub forwards or delivers it. Forged or malformed messages are
// rejected, which also lowers the sender's peer score; copies of stored
// messages are ignored.
func (n *Node) validator(room wire.RoomID) pubsub.ValidatorEx {
	self := n.host.ID()
	return func(_ context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		if from == self {
			if _, ok := msg.ValidatorData.(*wire.Message); ok {
				return pubsub.ValidationAccept // signed and checked by Publish's caller
			}
		}
		m, err := wire.Decode(msg.Data, wire.Check{Room: &room, Now: n.opts.Now()})
		if err != nil {
			n.reject(from, room, err)
			// A message from the future may become valid, and a kind we do
			// not know may come from a newer Parley: not the sender's fault.
			if errors.Is(err, wire.ErrFuture) || errors.Is(err, wire.ErrUnknownKind) {
				return pubsub.ValidationIgnore
			}
			return pubsub.ValidationReject
		}
		if n.opts.History != nil {
			if has, err := n.opts.History.Has(m.ID); err == nil && has {
				return pubsub.ValidationIgnore
			}
		}
		msg.ValidatorData = m
		return pubsub.ValidationAccept
	}
}

func (n *Node) reject(from peer.ID, room wire.RoomID, reason error) {
	n.rejectMu.Lock()
	n.rejections[from]++
	count := n.rejections[from]
	n.rejectMu.Unlock()
	// Never the body: only who sent it and why it failed.
	n.log.Warn("message rejected", "peer", identity.ShortID(from), "room", room.String()[:8], "reason", reason, "count", count)
}

// Rejections returns how many messages from a peer failed validation.
func (n *Node) Rejections(from peer.ID) int {
	n.rejectMu.Lock()
	defer n.rejectMu.Unlock()
	return n.rejections[from]
}
