package p2p

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"parley/identity"
	"parley/wire"
	"parley/workset"
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

// gossipRepair finds peers GossipSub lost while still connected, and
// members whose subscriptions it does not hold, and makes both sides
// announce their rooms again.
type gossipRepair struct {
	ctx     context.Context // ends when the node closes
	host    host.Host
	trust   *trust
	run     *group
	emitter event.Emitter // tells GossipSub a peer speaks its protocol
	// topics lists the joined rooms' topics; graylisted says whether the
	// node's own judgement puts a peer below GossipSub's graylist (no
	// repair is owed to a flooder).
	topics     func() []*pubsub.Topic
	graylisted func(peer.ID) bool
	log        *slog.Logger

	// repaired, may be nil, hears of a member whose GossipSub streams were
	// reset, once gossip with it is whole again: what was published while
	// they were down is for history sync to carry.
	repaired func(p peer.ID, rooms []wire.RoomID)

	checks     *workset.Set[peer.ID] // peers whose gossip to check
	reannounce *workset.Set[peer.ID] // members to have announce their rooms again
	resyncs    *workset.Set[peer.ID] // members whose streams were reset

	mu       sync.Mutex
	checking map[peer.ID]struct{} // peers whose gossip is being checked
	asking   map[peer.ID]struct{} // members being asked to announce again
}

func newGossipRepair(ctx context.Context, run *group, log *slog.Logger, repaired func(peer.ID, []wire.RoomID)) *gossipRepair {
	return &gossipRepair{
		ctx: ctx, run: run, log: log, repaired: repaired,
		checks:     workset.New[peer.ID](),
		reannounce: workset.New[peer.ID](),
		resyncs:    workset.New[peer.ID](),
		checking:   map[peer.ID]struct{}{},
		asking:     map[peer.ID]struct{}{},
	}
}

// start runs the checks asked for until the node closes.
func (g *gossipRepair) start(h host.Host, t *trust, topics func() []*pubsub.Topic, graylisted func(peer.ID) bool) error {
	g.host, g.trust, g.topics, g.graylisted = h, t, topics, graylisted
	var err error
	if g.emitter, err = h.EventBus().Emitter(new(event.EvtPeerProtocolsUpdated)); err != nil {
		return fmt.Errorf("start gossip repair: event emitter: %w", err)
	}
	g.run.Go(g.loop)
	return nil
}

// check asks for a peer's gossip to be checked; reannounceLater for a
// member to announce its rooms again if its subscriptions do not come.
func (g *gossipRepair) check(p peer.ID)           { g.checks.Add(p) }
func (g *gossipRepair) reannounceLater(p peer.ID) { g.reannounce.Add(p) }

// gossipLoop runs the checks asked for, and a sweep over every connected
// peer now and then as a safety net.
func (g *gossipRepair) loop() {
	// A peer already being worked on stays queued until that run ends,
	// then runs again: a request that came after the run's last look (a
	// proof of one more room, say) is never dropped.
	for range gossipCheckers {
		g.run.Go(func() {
			g.checks.Serve(g.ctx, g.claimer(g.checking), g.releasing(g.checks, g.checking, g.checkGossip))
		})
	}
	for range gossipCheckers {
		g.run.Go(func() {
			g.reannounce.Serve(g.ctx, g.claimer(g.asking), g.releasing(g.reannounce, g.asking, g.askToReannounce))
		})
	}
	g.run.Go(func() { g.resyncs.Serve(g.ctx, nil, g.resync) })
	sweep := time.NewTicker(gossipSweep)
	defer sweep.Stop()
	for {
		select {
		case <-sweep.C:
			for _, p := range g.host.Network().Peers() {
				if !g.connected(p) || g.graylisted(p) {
					continue
				}
				if len(g.sharedRooms(p)) > 0 && !g.gossipWhole(p) {
					g.checks.Add(p)
				}
				if len(g.missingRooms(p, g.provenRooms(p))) > 0 {
					g.reannounce.Add(p) // a member never seen in a room it proved
				}
			}
		case <-g.ctx.Done():
			return
		}
	}
}

// sharedRooms lists the topics of the joined rooms the peer proved
// membership of and was seen in: those that can have lost it.
func (g *gossipRepair) sharedRooms(id peer.ID) []string { return g.topicsOf(g.trust.seenRooms(id)) }

// provenRooms lists the topics of the joined rooms the peer proved
// membership of.
func (g *gossipRepair) provenRooms(id peer.ID) []string { return g.topicsOf(g.trust.memberRooms(id)) }

func (g *gossipRepair) topicsOf(rooms []wire.RoomID) []string {
	out := make([]string, 0, len(rooms))
	for _, room := range rooms {
		if r, ok := g.trust.room(room); ok {
			out = append(out, r.Topic())
		}
	}
	return out
}

// gossipWhole reports whether GossipSub has a stream to send to the peer
// and sees it in every room both have joined.
func (g *gossipRepair) gossipWhole(id peer.ID) bool {
	return g.hasGossipWriter(id) && len(g.missingRooms(id, g.sharedRooms(id))) == 0
}

// hasGossipWriter reports whether an outbound GossipSub stream to the peer
// is open: without one, nothing we publish reaches it.
func (g *gossipRepair) hasGossipWriter(id peer.ID) bool {
	for _, c := range g.host.Network().ConnsToPeer(id) {
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
// runs per peer at a time (the caller holds its claim in checking).
func (g *gossipRepair) checkGossip(id peer.ID) {
	for try := 1; try <= gossipTries; try++ {
		if !g.waitGossipWhole(id, gossipSettle) || g.gossipWhole(id) || !g.connected(id) || g.graylisted(id) {
			return
		}
		if !g.hasGossipWriter(id) {
			g.log.Info("no gossip stream to a peer; asking for one", "peer", identity.ShortID(id), "try", try)
			g.askForGossipWriter(id)
			if !g.waitGossipWhole(id, time.Second) || g.gossipWhole(id) {
				continue
			}
		}
		// Both sides may be repairing at once: a random pause, and a last
		// look, so that one reset, not two, answers one fault.
		if !sleep(g.ctx, jitter(time.Second)) || g.gossipWhole(id) {
			continue
		}
		if missing := g.missingRooms(id, g.sharedRooms(id)); len(missing) > 0 {
			g.log.Info("rooms lost a connected peer; both sides announce again", "peer", identity.ShortID(id), "rooms", len(missing), "try", try)
			g.resetGossipStreams(id)
		}
	}
	if g.connected(id) && !g.gossipWhole(id) {
		g.log.Warn("gossip with a peer stays broken; history sync carries the rooms", "peer", identity.ShortID(id))
	}
}

// reannounceAfter gathers what makes a peer announce its rooms again (a
// join of several rooms, a hello with several new proofs) into one reset.
const reannounceAfter = 250 * time.Millisecond

// askToReannounce makes a proven member whose subscription GossipSub does
// not hold announce its rooms again. The subscription filter drops a
// subscription that came before the proof, and any to a room we had not
// joined yet; GossipSub announces subscriptions only when they change or
// on a new stream, so new streams it is. Both sides often ask at once, and
// a reset can wipe the announcement the other side's reset brought: each
// try is checked, and the next comes after a random pause. One run per
// member at a time (the caller holds its claim in asking).
func (g *gossipRepair) askToReannounce(p peer.ID) {
	wait := reannounceAfter
	for try := 1; try <= gossipTries; try++ {
		if !sleep(g.ctx, wait) || !g.connected(p) {
			return
		}
		missing := g.missingRooms(p, g.provenRooms(p))
		if len(missing) == 0 {
			return
		}
		g.log.Debug("a member's rooms are missing its subscription; both sides announce again", "peer", identity.ShortID(p), "rooms", len(missing), "try", try)
		g.resetGossipStreams(p)
		wait = reannounceSettle + jitter(reannounceSettle)
	}
}

// reannounceSettle is about how long a reset takes to bring the peer's
// subscriptions back.
const reannounceSettle = time.Second

// waitGossipWhole waits until gossip with the peer is whole, or d passes;
// it reports false if the node is closing.
func (g *gossipRepair) waitGossipWhole(id peer.ID, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && !g.gossipWhole(id) {
		if !sleep(g.ctx, 250*time.Millisecond) {
			return false
		}
	}
	return g.ctx.Err() == nil
}

// askForGossipWriter tells GossipSub the peer speaks its protocol, the
// event it opens a writer on when it has none (identify sends the same).
func (g *gossipRepair) askForGossipWriter(id peer.ID) {
	added := []protocol.ID{pubsub.GossipSubID_v13, pubsub.GossipSubID_v12, pubsub.GossipSubID_v11}
	if err := g.emitter.Emit(event.EvtPeerProtocolsUpdated{Peer: id, Added: added}); err != nil {
		g.log.Debug("ask for a gossip writer failed", "peer", identity.ShortID(id), "err", err)
	}
}

// claimer is a workset Take filter: it claims the peer in busy, and
// leaves a peer already claimed queued.
func (g *gossipRepair) claimer(busy map[peer.ID]struct{}) func(peer.ID) bool {
	return func(p peer.ID) bool { return g.claim(busy, p) }
}

// releasing runs do on a claimed peer, then releases it and wakes a worker
// for what waited on it.
func (g *gossipRepair) releasing(set *workset.Set[peer.ID], busy map[peer.ID]struct{}, do func(peer.ID)) func(peer.ID) {
	return func(p peer.ID) {
		defer func() {
			g.release(busy, p)
			if set.Len() > 0 {
				set.Wake()
			}
		}()
		do(p)
	}
}

// claim marks a peer as being worked on in busy, unless it is already;
// release ends that.
func (g *gossipRepair) claim(busy map[peer.ID]struct{}, p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := busy[p]; ok {
		return false
	}
	busy[p] = struct{}{}
	return true
}

func (g *gossipRepair) release(busy map[peer.ID]struct{}, p peer.ID) {
	g.mu.Lock()
	delete(busy, p)
	g.mu.Unlock()
}

// resetGossipStreams resets the GossipSub streams with a peer, both ways:
// each side's router then opens a new one and announces its rooms again.
// Messages queued on the old streams are lost with them: a sync of the
// shared rooms follows once gossip is whole again.
func (g *gossipRepair) resetGossipStreams(id peer.ID) {
	for _, c := range g.host.Network().ConnsToPeer(id) {
		for _, s := range c.GetStreams() {
			if strings.HasPrefix(string(s.Protocol()), meshsubPrefix) {
				s.Reset()
			}
		}
	}
	g.resyncs.Add(id)
}

// resync waits for gossip with a member whose streams were reset to be
// whole again, then has the owner sync the rooms it proved.
func (g *gossipRepair) resync(p peer.ID) {
	if g.repaired == nil || !sleep(g.ctx, reannounceSettle) || !g.waitGossipWhole(p, gossipSettle) || !g.connected(p) {
		return
	}
	if rooms := g.trust.memberRooms(p); len(rooms) > 0 {
		g.repaired(p, rooms)
	}
}

// missingRooms lists the topics in want whose GossipSub peers lack id.
func (g *gossipRepair) missingRooms(id peer.ID, want []string) []string {
	have := map[string]bool{}
	for _, topic := range g.topics() { // asks GossipSub with no lock held
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

func (g *gossipRepair) connected(p peer.ID) bool {
	return g.host.Network().Connectedness(p) == network.Connected
}
