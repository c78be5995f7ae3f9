package p2p

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
)

// MaxKept bounds the peers a node keeps reconnecting to.
const MaxKept = 256

// Redial backoff: the first attempt soon after a drop (a cable pulled, a
// laptop waking up, the peer restarting), then doubling up to a few minutes,
// each wait stretched or shrunk by up to a quarter so that peers that lost
// each other together do not all dial at once.
const (
	redialFirst = time.Second
	redialMax   = 5 * time.Minute
	// lanRedials is how often a LAN peer found by mDNS alone is redialled;
	// mDNS finds it again later. Kept peers are redialled until they answer.
	lanRedials = 5
)

// keeper keeps the node connected to the peers it should stay with: those
// kept (Keep) are redialled with backoff after every drop, and peers found
// on this network by mDNS (discovery_mdns.go) are dialled, and redialled a
// few times.
type keeper struct {
	ctx      context.Context // ends when the node closes
	host     host.Host
	trust    *trust
	run      *group
	isHelper func(peer.ID) bool
	// foundOnLAN hears each peer mDNS finds.
	foundOnLAN func(peer.ID)
	log        *slog.Logger

	mu        sync.Mutex
	kept      map[peer.ID]struct{} // to stay connected to (Keep)
	redialing map[peer.ID]struct{} // being redialled
	wake      chan struct{}        // closed to cut every redial's wait short

	found       chan peer.AddrInfo // peers found by mDNS, to dial
	mdnsStarted bool               // set once by start; mDNS never starts in off mode
	mdnsRunning atomic.Bool
}

func newKeeper(ctx context.Context, h host.Host, t *trust, run *group, log *slog.Logger) *keeper {
	return &keeper{
		ctx: ctx, host: h, trust: t, run: run, log: log,
		kept:      map[peer.ID]struct{}{},
		redialing: map[peer.ID]struct{}{},
		wake:      make(chan struct{}),
		found:     make(chan peer.AddrInfo, 64),
	}
}

// start runs mDNS discovery, and dials what it finds, if mdns is set.
func (k *keeper) start(mdns bool) {
	if !mdns {
		return
	}
	k.mdnsStarted = true
	k.run.Go(k.runMDNS)
	k.run.Go(k.dialLoop)
}

// Keep keeps a peer; see Node.Keep.
func (k *keeper) Keep(id peer.ID, addrs []multiaddr.Multiaddr) (dropped peer.ID) {
	if id == k.host.ID() {
		return ""
	}
	ps := k.host.Peerstore()
	ps.AddAddrs(id, addrs, peerstore.PermanentAddrTTL)
	k.mu.Lock()
	if _, ok := k.kept[id]; !ok && len(k.kept) >= MaxKept {
		dropped = k.leastRecentlyKept()
		delete(k.kept, dropped)
	}
	k.kept[id] = struct{}{}
	// The peerstore holds what the node knows of each peer, its addresses
	// above among them; when it was last kept is one more such thing.
	_ = ps.Put(id, keptAtKey, time.Now())
	k.mu.Unlock()
	k.lostPeer(id)
	return dropped
}

// keptAtKey is the peerstore key of when a peer was last kept (time.Time).
const keptAtKey = "parley/kept-at"

// leastRecentlyKept picks the kept peer to drop: the least recently kept of
// those neither connected nor helpers, or of all if every one is. Called
// with redialMu held; MaxKept bounds the scan.
func (k *keeper) leastRecentlyKept() peer.ID {
	var (
		pick     peer.ID
		pickAt   time.Time
		pickIdle bool
	)
	for id := range k.kept {
		at, _ := k.host.Peerstore().Get(id, keptAtKey)
		t, _ := at.(time.Time)
		idle := k.host.Network().Connectedness(id) != network.Connected && !k.isHelper(id)
		if pick == "" || idle && !pickIdle || idle == pickIdle && t.Before(pickAt) {
			pick, pickAt, pickIdle = id, t, idle
		}
	}
	return pick
}

func (k *keeper) Forget(id peer.ID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.kept, id)
}

// lostPeer starts redialling a kept or LAN peer that is not connected. At
// most one redial runs per peer.
func (k *keeper) lostPeer(id peer.ID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, kept := k.kept[id]
	if !kept && !k.trust.foundOnLAN(id) || k.ctx.Err() != nil {
		return
	}
	if _, busy := k.redialing[id]; busy {
		return
	}
	k.redialing[id] = struct{}{}
	if !k.run.Go(func() { k.redial(id) }) {
		delete(k.redialing, id) // closing
	}
}

// redial tries to reconnect to a peer until it is connected again, it is
// no longer kept and its LAN attempts ran out, or the node closes.
func (k *keeper) redial(id peer.ID) {
	defer func() {
		k.mu.Lock()
		delete(k.redialing, id)
		k.mu.Unlock()
	}()
	wait := redialFirst
	for attempt := 1; ; attempt++ {
		k.mu.Lock()
		woken := k.wake
		k.mu.Unlock()
		timer := time.NewTimer(jitter(wait))
		select {
		case <-timer.C:
		case <-woken:
			timer.Stop()
			wait = redialFirst
		case <-k.ctx.Done():
			timer.Stop()
			return
		}
		if k.host.Network().Connectedness(id) == network.Connected {
			return
		}
		k.mu.Lock()
		_, kept := k.kept[id]
		k.mu.Unlock()
		if !kept && attempt > lanRedials {
			return
		}
		// No addresses given: Connect would add them to the peerstore
		// again, for minutes, after a Forget cleared them meanwhile. The
		// dial uses what the peerstore holds.
		ctx, cancel := context.WithTimeout(k.ctx, dialTimeout)
		err := k.host.Connect(ctx, peer.AddrInfo{ID: id})
		cancel()
		if err == nil {
			k.log.Info("peer back", "peer", identity.ShortID(id), "attempts", attempt)
			return
		}
		wait = min(2*wait, redialMax)
	}
}

// jitter stretches or shrinks d by up to a quarter, at random.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}

// wakeRedials cuts every redial's wait short and starts its backoff over:
// something changed (a relay came back, our addresses moved) that may let
// the next dial through.
func (k *keeper) wakeRedials() {
	k.mu.Lock()
	defer k.mu.Unlock()
	close(k.wake)
	k.wake = make(chan struct{})
}

// isKept reports whether a peer is kept.
func (k *keeper) isKept(p peer.ID) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.kept[p]
	return ok
}

// keptPeers lists the kept peers.
func (k *keeper) keptPeers() []peer.ID {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]peer.ID, 0, len(k.kept))
	for id := range k.kept {
		out = append(out, id)
	}
	return out
}
