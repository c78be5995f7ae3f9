package p2p

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"parley/identity"
)

// A relay we use is pinged every relayPingEvery; one that has not answered
// for relaySilentAfter is taken for dead. Both together keep the time to
// notice under 10 s.
const (
	relayPingEvery   = 1500 * time.Millisecond
	relaySilentAfter = 5 * time.Second
	// A relay that refuses ping is asked again only after this long.
	relayPingRefusedWait = time.Minute
	maxWatchedRelays     = 16
)

// relayWatch notices a relay that went silent. Circuits through a relay
// ride on our connection to it, and when the relay dies without a word (a
// crash, a pulled cable, a NAT that forgot the mapping) a QUIC connection
// to it lives on until its idle timeout, 30 s, and every circuit with it:
// members behind it look online and messages to them are called sent. So
// each relay in use (ours, and those of the circuits we hold) is pinged,
// and one that stops answering is cut, circuits and all. Its members then
// show offline, sends wait in the outbox, and the redials bring them back
// once a relay works again.
type relayWatch struct {
	ctx  context.Context // ends when the node closes
	host host.Host
	run  *group
	log  *slog.Logger
	// inUse lists the relays in use now.
	inUse func() []peer.ID

	mu      sync.Mutex
	watched map[peer.ID]struct{}  // relays with a watcher running
	refused map[peer.ID]time.Time // relays that refused ping, and since when
}

func newRelayWatch(ctx context.Context, run *group, log *slog.Logger) *relayWatch {
	return &relayWatch{
		ctx: ctx, run: run, log: log,
		watched: map[peer.ID]struct{}{},
		refused: map[peer.ID]time.Time{},
	}
}

// start looks for relays in use every relayPingEvery until the node closes.
func (rw *relayWatch) start(h host.Host, inUse func() []peer.ID) {
	rw.host, rw.inUse = h, inUse
	rw.run.Go(func() {
		tick := time.NewTicker(relayPingEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				for _, relay := range rw.inUse() {
					rw.watch(relay)
				}
			case <-rw.ctx.Done():
				return
			}
		}
	})
}

// watch starts a watcher for the relay unless one runs, it refused ping a
// short while ago, or enough relays are watched.
func (rw *relayWatch) watch(relay peer.ID) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if _, ok := rw.watched[relay]; ok || len(rw.watched) >= maxWatchedRelays {
		return
	}
	if since, ok := rw.refused[relay]; ok {
		if time.Since(since) < relayPingRefusedWait {
			return
		}
		delete(rw.refused, relay)
	}
	rw.watched[relay] = struct{}{}
	if !rw.run.Go(func() { rw.ping(relay) }) {
		delete(rw.watched, relay)
	}
}

// ping asks the relay for an answer every relayPingEvery over one stream,
// and cuts it once none came for relaySilentAfter.
func (rw *relayWatch) ping(relay peer.ID) {
	defer func() {
		rw.mu.Lock()
		delete(rw.watched, relay)
		rw.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(rw.ctx)
	defer cancel()
	// Never a dial: a relay we lost is not worth a connection for a ping.
	answers := ping.Ping(network.WithNoDial(ctx, "relay watch"), rw.host, relay)
	silent := time.NewTimer(relaySilentAfter)
	defer silent.Stop()
	for {
		select {
		case a, ok := <-answers:
			if !ok || a.Error != nil {
				// The connection ended, or the relay will not answer pings
				// (then we cannot tell, and leave it be for a while).
				if rw.host.Network().Connectedness(relay) == network.Connected {
					rw.mu.Lock()
					if len(rw.refused) < maxTrackedPeers {
						rw.refused[relay] = time.Now()
					}
					rw.mu.Unlock()
				}
				return
			}
			silent.Reset(relaySilentAfter)
			if !sleep(ctx, relayPingEvery) {
				return
			}
		case <-silent.C:
			rw.log.Warn("a relay went silent: closing the connections through it", "relay", identity.ShortID(relay), "silent", relaySilentAfter)
			if err := rw.host.Network().ClosePeer(relay); err != nil {
				rw.log.Debug("close a silent relay", "relay", identity.ShortID(relay), "err", err)
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

// relaysInUse lists the relays of our reservations and of the relayed
// connections we hold.
func relaysInUse(h host.Host, ours []peer.ID) []peer.ID {
	seen := map[peer.ID]bool{}
	out := make([]peer.ID, 0, len(ours))
	add := func(p peer.ID) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range ours {
		add(p)
	}
	for _, c := range h.Network().Conns() {
		if relay, ok := circuitRelay(c.RemoteMultiaddr()); ok {
			add(relay)
		}
	}
	return out
}
