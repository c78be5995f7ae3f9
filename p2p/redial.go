package p2p

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
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

// Keep makes the node stay connected to a peer: it is dialled now if not
// connected, and redialled with backoff after every drop, until Forget or
// Close, whatever the network mode. addrs are where it was last seen.
// Keeping a peer again makes it the most recently kept. A new peer past
// MaxKept takes the place of the least recently kept one, preferring one
// that is neither connected nor a helper; Keep returns the peer it stopped
// keeping, or "" if none.
func (n *Node) Keep(id peer.ID, addrs []multiaddr.Multiaddr) (dropped peer.ID) {
	if id == n.host.ID() {
		return ""
	}
	ps := n.host.Peerstore()
	ps.AddAddrs(id, addrs, peerstore.PermanentAddrTTL)
	n.redialMu.Lock()
	if _, ok := n.kept[id]; !ok && len(n.kept) >= MaxKept {
		dropped = n.leastRecentlyKept()
		delete(n.kept, dropped)
	}
	n.kept[id] = struct{}{}
	// The peerstore holds what the node knows of each peer, its addresses
	// above among them; when it was last kept is one more such thing.
	_ = ps.Put(id, keptAtKey, time.Now())
	n.redialMu.Unlock()
	n.lostPeer(id)
	return dropped
}

// keptAtKey is the peerstore key of when a peer was last kept (time.Time).
const keptAtKey = "parley/kept-at"

// leastRecentlyKept picks the kept peer to drop: the least recently kept of
// those neither connected nor helpers, or of all if every one is. Called
// with redialMu held; MaxKept bounds the scan.
func (n *Node) leastRecentlyKept() peer.ID {
	var (
		pick     peer.ID
		pickAt   time.Time
		pickIdle bool
	)
	for id := range n.kept {
		at, _ := n.host.Peerstore().Get(id, keptAtKey)
		t, _ := at.(time.Time)
		idle := n.host.Network().Connectedness(id) != network.Connected && !n.isHelper(id)
		if pick == "" || idle && !pickIdle || idle == pickIdle && t.Before(pickAt) {
			pick, pickAt, pickIdle = id, t, idle
		}
	}
	return pick
}

func (n *Node) isHelper(id peer.ID) bool {
	n.helperMu.Lock()
	defer n.helperMu.Unlock()
	_, ok := n.helpers[id]
	return ok
}

// Forget stops keeping a peer.
func (n *Node) Forget(id peer.ID) {
	n.redialMu.Lock()
	defer n.redialMu.Unlock()
	delete(n.kept, id)
}

// PeerAddrs lists where a peer can be dialled, as far as the node knows.
// For a connected peer it first waits (within ctx) until the peer has said
// where it listens: an inbound connection alone shows only its source port.
func (n *Node) PeerAddrs(ctx context.Context, id peer.ID) []multiaddr.Multiaddr {
	if ids, ok := n.host.(interface{ IDService() identify.IDService }); ok {
		for _, c := range n.host.Network().ConnsToPeer(id) {
			select {
			case <-ids.IDService().IdentifyWait(c):
			case <-ctx.Done():
			}
		}
	}
	return n.host.Peerstore().Addrs(id)
}

// lostPeer starts redialling a kept or LAN peer that is not connected. At
// most one redial runs per peer.
func (n *Node) lostPeer(id peer.ID) {
	n.redialMu.Lock()
	defer n.redialMu.Unlock()
	_, kept := n.kept[id]
	if !kept && !n.trust.foundOnLAN(id) || n.ctx.Err() != nil {
		return
	}
	if _, busy := n.redialing[id]; busy {
		return
	}
	n.redialing[id] = struct{}{}
	n.wg.Add(1)
	go n.redial(id)
}

// redial tries to reconnect to a peer until it is connected again, it is
// no longer kept and its LAN attempts ran out, or the node closes.
func (n *Node) redial(id peer.ID) {
	defer n.wg.Done()
	defer func() {
		n.redialMu.Lock()
		delete(n.redialing, id)
		n.redialMu.Unlock()
	}()
	wait := redialFirst
	for attempt := 1; ; attempt++ {
		n.redialMu.Lock()
		woken := n.redialWake
		n.redialMu.Unlock()
		timer := time.NewTimer(jitter(wait))
		select {
		case <-timer.C:
		case <-woken:
			timer.Stop()
			wait = redialFirst
		case <-n.ctx.Done():
			timer.Stop()
			return
		}
		if n.host.Network().Connectedness(id) == network.Connected {
			return
		}
		n.redialMu.Lock()
		_, kept := n.kept[id]
		n.redialMu.Unlock()
		if !kept && attempt > lanRedials {
			return
		}
		ctx, cancel := context.WithTimeout(n.ctx, dialTimeout)
		err := n.host.Connect(ctx, peer.AddrInfo{ID: id, Addrs: n.host.Peerstore().Addrs(id)})
		cancel()
		if err == nil {
			n.log.Info("peer back", "peer", identity.ShortID(id), "attempts", attempt)
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
func (n *Node) wakeRedials() {
	n.redialMu.Lock()
	defer n.redialMu.Unlock()
	close(n.redialWake)
	n.redialWake = make(chan struct{})
}
