package p2p

import (
	"context"
	"errors"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/wire"
)

// validator checks every message on a room's topic with wire.Decode before
// GossipSub forwards or delivers it. Forged or malformed messages are
// rejected, which also lowers the sender's peer score; copies of stored
// messages are ignored.
func (rs *roomService) validator(room wire.RoomID) pubsub.ValidatorEx {
	self := rs.self
	return func(_ context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		if from == self {
			if _, ok := msg.ValidatorData.(*wire.Message); ok {
				return pubsub.ValidationAccept // signed and checked by Publish's caller
			}
		}
		// Only a proven member may bring a room's messages: anything
		// else is ignored unread, and earns the sender no score.
		if from != self && !rs.trust.isMember(from, room) {
			return pubsub.ValidationIgnore
		}
		// What a peer passes on counts against its budget before anything
		// is read, whoever wrote it: a peer relaying a flood of made-up
		// authors is cut here, and graylisted through its score.
		if from != self {
			if ok, log, dropped, bytes := rs.limits.peers.allow(from, len(msg.Data), time.Now()); !ok {
				if log {
					rs.limits.logPeerThrottled(from, dropped, bytes)
				}
				return pubsub.ValidationIgnore
			}
		}
		// During a flood, a message claiming a cut author is dropped
		// before its signature is checked: that check is most of the cost
		// of a message, and the claim cannot hurt an honest author (only
		// verified messages count against a budget, and a verified author
		// over its budget is dropped after the check anyway).
		if now := time.Now(); rs.limits.authors.recentlyCut(now) {
			if claimed, err := wire.Parse(msg.Data); err == nil && rs.limits.authors.flooding(claimed.Author, now) {
				return pubsub.ValidationIgnore
			}
		}
		m, err := wire.Decode(msg.Data, wire.Check{Room: &room, Now: rs.now()})
		if err != nil {
			rs.limits.reject(from, room, err)
			// A message from the future may become valid, and a kind we do
			// not know may come from a newer Parley: not the sender's fault.
			if errors.Is(err, wire.ErrFuture) || errors.Is(err, wire.ErrUnknownKind) {
				return pubsub.ValidationIgnore
			}
			return pubsub.ValidationReject
		}
		if rs.history != nil {
			if has, err := rs.history.Has(m.ID); err == nil && has {
				return pubsub.ValidationIgnore
			}
		}
		if ok, log, dropped := rs.limits.authors.allow(room, m.Author, time.Now()); !ok {
			if log {
				rs.limits.logThrottled(room, m.Author, dropped)
			}
			// Ignored, never rejected: honest peers that passed a copy on
			// must not lose score. The flooder pays through appScore.
			return pubsub.ValidationIgnore
		}
		msg.ValidatorData = m
		return pubsub.ValidationAccept
	}
}

// Bounds on what the node remembers of misbehaving peers.
const (
	// maxTrackedPeers caps the peers whose rejections, hellos or LAN
	// origin the node keeps, and the peers the user named: a flood of new
	// peer IDs cannot grow these tables.
	maxTrackedPeers = 1024
	// A peer's rejections are logged at most rejectLogBurst times per
	// rejectLogWindow; the rest are counted and reported with the next line.
	rejectLogBurst  = 5
	rejectLogWindow = time.Minute
)

// rejectRecord is what the node keeps of one peer's bad messages.
type rejectRecord struct {
	count      int
	windowFrom time.Time // start of the current log window
	logged     int       // lines logged in this window
	suppressed int       // rejections not logged since the last line
}

func (ls *limitService) reject(from peer.ID, room wire.RoomID, reason error) {
	now := time.Now()
	ls.mu.Lock()
	rec, ok := ls.rejections.Get(from)
	if !ok {
		rec = &rejectRecord{}
		ls.rejections.Add(from, rec, nil) // the peer rejected longest ago goes
	}
	rec.count++
	ls.rejectedTotal.Add(1)
	if now.Sub(rec.windowFrom) >= rejectLogWindow {
		rec.windowFrom, rec.logged = now, 0
	}
	log := rec.logged < rejectLogBurst
	count, suppressed := rec.count, rec.suppressed
	if log {
		rec.logged++
		rec.suppressed = 0
	} else {
		rec.suppressed++
	}
	ls.mu.Unlock()
	if log {
		// Never the body: only who sent it and why it failed.
		ls.log.Warn("message rejected", "peer", identity.ShortID(from), "room", room.String()[:8], "reason", reason, "count", count, "notLogged", suppressed)
	}
}

// RejectedTotal counts every message that failed validation since start.
func (n *Node) RejectedTotal() int64 { return n.limits.rejectedTotal.Load() }

// Rejections returns how many messages from a peer failed validation.
func (n *Node) Rejections(from peer.ID) int {
	n.limits.mu.Lock()
	defer n.limits.mu.Unlock()
	if rec, ok := n.limits.rejections.Peek(from); ok {
		return rec.count
	}
	return 0
}

func (n *Node) isConnected(id peer.ID) bool {
	return n.host.Network().Connectedness(id) == network.Connected
}
