package p2p

import (
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/lru"
)

// ownNetsTTL is how long the node's own networks are trusted before they
// are read from the system again: a laptop moves between networks, and a
// peer found by mDNS on the new one is dialled meanwhile anyway.
const ownNetsTTL = 30 * time.Second

// gater applies the address policy (addrpolicy.go) to every dial the host
// makes, whoever asked for it: rendezvous, redials, invites, AutoRelay,
// the DHT, hole punching. It also filters what the DHT keeps and hands
// out. Inbound connections are not its business.
type gater struct {
	log *slog.Logger

	mu       sync.Mutex
	explicit *lru.Map[peer.ID, struct{}] // peers the user named (Connect, --peer, --bootstrap)

	deps atomic.Pointer[gaterDeps] // nil until start: then public addresses only
}

// gaterDeps are what the gater asks once the host and the trust policy exist.
type gaterDeps struct {
	lan       func(peer.ID) bool // found by mDNS
	connected func(peer.ID) bool
	nets      *netsCache
}

var _ connmgr.ConnectionGater = (*gater)(nil)

// newGater makes the gater; the bootstrap helpers, named by the user, are
// explicit peers from the start.
func newGater(log *slog.Logger, bootstrap []peer.AddrInfo) *gater {
	g := &gater{log: log, explicit: lru.New[peer.ID, struct{}](maxTrackedPeers, nil)}
	for _, b := range bootstrap {
		g.explicit.Add(b.ID, struct{}{}, nil)
	}
	return g
}

// start gives the gater what it asks about peers and the host's own
// addresses; until then it lets only public addresses and explicit peers
// through.
func (g *gater) start(h host.Host, t *trust, connected func(peer.ID) bool) {
	g.deps.Store(&gaterDeps{
		lan:       t.foundOnLAN,
		connected: connected,
		nets:      &netsCache{listen: h.Network().ListenAddresses, ifaces: interfacePrefixes, ttl: ownNetsTTL},
	})
}

// markExplicit records that the user named a peer: any address of it may
// be dialled. At most maxTrackedPeers are kept: a new one evicts the one
// named longest ago that is not connected, and while every one kept is
// connected, it is not kept.
func (g *gater) markExplicit(p peer.ID) {
	var connected func(peer.ID) bool
	if d := g.deps.Load(); d != nil {
		connected = d.connected
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.explicit.Add(p, struct{}{}, connected)
}

// trusted reports whether a peer's every address may be dialled: the user
// named it, or mDNS found it on this network.
func (g *gater) trusted(p peer.ID) bool {
	g.mu.Lock()
	_, ok := g.explicit.Peek(p)
	g.mu.Unlock()
	if ok {
		return true
	}
	d := g.deps.Load()
	return d != nil && d.lan(p)
}

func (g *gater) own() ownNets {
	if d := g.deps.Load(); d != nil {
		return d.nets.get()
	}
	return ownNets{}
}

// InterceptAddrDial applies the address policy to one address of a dial.
// A relay circuit passes: the connection goes to the relay, whose own
// address was judged when the relay was dialled.
func (g *gater) InterceptAddrDial(p peer.ID, a multiaddr.Multiaddr) bool {
	if isRelayed(a) {
		return true
	}
	if mayDial(a, g.trusted(p), g.own()) {
		return true
	}
	g.log.Debug("address not dialled", "peer", identity.ShortID(p), "addr", a)
	return false
}

func (g *gater) InterceptPeerDial(peer.ID) bool { return true }

func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

func (g *gater) InterceptSecured(network.Direction, peer.ID, network.ConnMultiaddrs) bool {
	return true
}

func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

// shareable is the DHT's address filter: of the addresses a DHT record or
// reply carries, it keeps those any peer's dial would pass, whoever the
// peer (no explicit or mDNS trust): what the DHT stores, hands out and
// adds to the peer store.
func (g *gater) shareable(addrs []multiaddr.Multiaddr) []multiaddr.Multiaddr {
	own := g.own()
	out := make([]multiaddr.Multiaddr, 0, len(addrs))
	for _, a := range addrs {
		if mayDial(a, false, own) {
			out = append(out, a)
		}
	}
	return out
}

// dialable reports whether any of a peer's addresses passes the policy:
// the DHT queries, and keeps in its routing table, only peers it can reach.
func (g *gater) dialable(p peer.ID, addrs []multiaddr.Multiaddr) bool {
	trusted, own := g.trusted(p), g.own()
	for _, a := range addrs {
		if mayDial(a, trusted, own) {
			return true
		}
	}
	return false
}

// netsCache holds the node's own networks for a while.
type netsCache struct {
	listen func() []multiaddr.Multiaddr
	ifaces func() ([]netip.Prefix, error)
	ttl    time.Duration

	mu   sync.Mutex
	nets ownNets
	at   time.Time
}

func (c *netsCache) get() ownNets {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.ttl {
		return c.nets
	}
	ifaces, err := c.ifaces()
	if err != nil {
		ifaces = nil // the listen addresses alone, then
	}
	c.nets, c.at = ownNetsFrom(c.listen(), ifaces), time.Now()
	return c.nets
}
