package p2p

import (
	"slices"
	"strings"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"parley/identity"
	"parley/wire"
)

// GossipSub can lose a peer it is still connected to when one of two
// connections to it closes (the relayed one, after a hole punch): each side
// clears the other's subscriptions when its stream on that connection dies
// and announces its own on a new one, and an announcement that arrives
// before the clearing is wiped out by it; or the writer it opens anew fails
// on the closing connection and is given up. Either way, messages stop
// going to the peer while everything looks connected, until the next
// history sync. The gossip check finds that state and repairs it.
const (
	gossipCheckers = 4
	gossipSettle   = 10 * time.Second // how long a peer may take to reappear
	gossipTries    = 3
	gossipSweep    = 30 * time.Second // every connected peer is checked this often
)

// meshsubPrefix starts GossipSub's protocol IDs.
const meshsubPrefix = "/meshsub/"

// gossipLoop runs the checks asked for, and a sweep over every connected
// peer now and then as a safety net.
func (n *Node) gossipLoop() {
	defer n.wg.Done()
	for range gossipCheckers {
		n.wg.Go(func() { n.gossipChecks.Serve(n.ctx, nil, n.checkGossip) })
	}
	for range gossipCheckers {
		n.wg.Go(func() { n.reannounce.Serve(n.ctx, nil, n.askToReannounce) })
	}
	sweep := time.NewTicker(gossipSweep)
	defer sweep.Stop()
	for {
		select {
		case <-sweep.C:
			for _, p := range n.host.Network().Peers() {
				if n.isConnected(p) && !n.graylisted(p) && len(n.sharedRooms(p)) > 0 && !n.gossipWhole(p) {
					n.gossipChecks.Add(p)
				}
			}
		case <-n.ctx.Done():
			return
		}
	}
}

// sharedRooms lists the topics of the joined rooms the peer proved
// membership of and was seen in: those that can have lost it.
func (n *Node) sharedRooms(id peer.ID) []string { return n.topicsOf(n.trust.seenRooms(id)) }

// provenRooms lists the topics of the joined rooms the peer proved
// membership of.
func (n *Node) provenRooms(id peer.ID) []string { return n.topicsOf(n.trust.memberRooms(id)) }

func (n *Node) topicsOf(rooms []wire.RoomID) []string {
	out := make([]string, 0, len(rooms))
	for _, room := range rooms {
		if r, ok := n.trust.room(room); ok {
			out = append(out, r.Topic())
		}
	}
	return out
}

// graylisted reports whether the node's own judgement puts a peer below
// GossipSub's graylist: no repair is owed to a flooder.
func (n *Node) graylisted(id peer.ID) bool {
	return n.score(id) < peerScoreThresholds().GraylistThreshold
}

// gossipWhole reports whether GossipSub has a stream to send to the peer
// and sees it in every room both have joined.
func (n *Node) gossipWhole(id peer.ID) bool {
	return n.hasGossipWriter(id) && len(n.missingRooms(id, n.sharedRooms(id))) == 0
}

// hasGossipWriter reports whether an outbound GossipSub stream to the peer
// is open: without one, nothing we publish reaches it.
func (n *Node) hasGossipWriter(id peer.ID) bool {
	for _, c := range n.host.Network().ConnsToPeer(id) {
		for _, s := range c.GetStreams() {
			if s.Stat().Direction == network.DirOutbound && strings.HasPrefix(string(s.Protocol()), meshsubPrefix) {
				return true
			}
		}
	}
	return false
}

// checkGossip gives GossipSub time to settle with a peer, then repairs what
// is still broken: a missing writer is asked for again (GossipSub gives up
// on a peer whose streams died four times in ten minutes), and a room that
// lost the peer gets both sides to announce their rooms again. One check
// runs per peer at a time; a check asked for meanwhile is covered by it.
func (n *Node) checkGossip(id peer.ID) {
	n.checkMu.Lock()
	_, busy := n.checking[id]
	if !busy {
		n.checking[id] = struct{}{}
	}
	n.checkMu.Unlock()
	if busy {
		return
	}
	defer func() {
		n.checkMu.Lock()
		delete(n.checking, id)
		n.checkMu.Unlock()
	}()
	for try := 1; try <= gossipTries; try++ {
		if !n.waitGossipWhole(id, gossipSettle) || n.gossipWhole(id) || !n.isConnected(id) || n.graylisted(id) {
			return
		}
		if !n.hasGossipWriter(id) {
			n.log.Info("no gossip stream to a peer; asking for one", "peer", identity.ShortID(id), "try", try)
			n.askForGossipWriter(id)
			if !n.waitGossipWhole(id, time.Second) || n.gossipWhole(id) {
				continue
			}
		}
		// Both sides may be repairing at once: a random pause, and a last
		// look, so that one reset, not two, answers one fault.
		if !sleep(n.ctx, jitter(time.Second)) || n.gossipWhole(id) {
			continue
		}
		if missing := n.missingRooms(id, n.sharedRooms(id)); len(missing) > 0 {
			n.log.Info("rooms lost a connected peer; both sides announce again", "peer", identity.ShortID(id), "rooms", len(missing), "try", try)
			n.resetGossipStreams(id)
		}
	}
	if n.isConnected(id) && !n.gossipWhole(id) {
		n.log.Warn("gossip with a peer stays broken; history sync carries the rooms", "peer", identity.ShortID(id))
	}
}

// reannounceAfter gathers what makes a peer announce its rooms again (a
// join of several rooms, a hello with several new proofs) into one reset.
const reannounceAfter = 250 * time.Millisecond

// askToReannounce makes a proven member whose subscription GossipSub does
// not hold announce its rooms again. The subscription filter drops a
// subscription that came before the proof, and any to a room we had not
// joined yet; GossipSub announces subscriptions only when they change or
// on a new stream, so new streams it is.
func (n *Node) askToReannounce(p peer.ID) {
	if !sleep(n.ctx, reannounceAfter) || !n.isConnected(p) {
		return
	}
	if missing := n.missingRooms(p, n.provenRooms(p)); len(missing) > 0 {
		n.log.Debug("a member's rooms are missing its subscription; both sides announce again", "peer", identity.ShortID(p), "rooms", len(missing))
		n.resetGossipStreams(p)
	}
}

// waitGossipWhole waits until gossip with the peer is whole, or d passes;
// it reports false if the node is closing.
func (n *Node) waitGossipWhole(id peer.ID, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && !n.gossipWhole(id) {
		if !sleep(n.ctx, 250 * time.Millisecond) {
			return false
		}
	}
	return n.ctx.Err() == nil
}

// askForGossipWriter tells GossipSub the peer speaks its protocol, the
// event it opens a writer on when it has none (identify sends the same).
func (n *Node) askForGossipWriter(id peer.ID) {
	added := []protocol.ID{pubsub.GossipSubID_v13, pubsub.GossipSubID_v12, pubsub.GossipSubID_v11}
	if err := n.protoEmitter.Emit(event.EvtPeerProtocolsUpdated{Peer: id, Added: added}); err != nil {
		n.log.Debug("ask for a gossip writer failed", "peer", identity.ShortID(id), "err", err)
	}
}

// resetGossipStreams resets the GossipSub streams with a peer, both ways:
// each side's router then opens a new one and announces its rooms again.
func (n *Node) resetGossipStreams(id peer.ID) {
	for _, c := range n.host.Network().ConnsToPeer(id) {
		for _, s := range c.GetStreams() {
			if strings.HasPrefix(string(s.Protocol()), meshsubPrefix) {
				s.Reset()
			}
		}
	}
}

// missingRooms lists the topics in want whose GossipSub peers lack id.
func (n *Node) missingRooms(id peer.ID, want []string) []string {
	have := map[string]bool{}
	for _, topic := range n.joinedTopics() { // asks GossipSub with no lock held
		if slices.Contains(topic.ListPeers(), id) {
			have[topic.String()] = true
		}
	}
	var missing []string
	for _, t := range want {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	return missing
}
