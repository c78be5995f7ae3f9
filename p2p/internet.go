package p2p

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	"github.com/libp2p/go-libp2p/x/rate"

	"parley/wire"
)

// Relays are picked among helpers soon after start: a chat cannot wait the
// three minutes go-libp2p waits by default for candidates from a big
// network, and a group has one or two helpers, not dozens.
const (
	relayBootDelay   = 5 * time.Second
	relayBackoff     = 30 * time.Second
	relayMinInterval = 5 * time.Second
	relaysWanted     = 2
)

// maxHelpers bounds the helper nodes a node remembers from flags, invites
// and peers; they seed the DHT and are its relay candidates.
const maxHelpers = 32

// relayHop is the protocol a relay serves; a peer that speaks it can carry
// our circuits.
const relayHop protocol.ID = "/libp2p/circuit/relay/0.2.0/hop"

// resourceManager bounds what peers can make the node spend. go-libp2p's
// defaults, scaled to the machine, with two changes: many peers behind one
// NAT address can all connect (the default is 8 connections per IPv4
// address, which refused most of an office), and a helper's relay may carry
// many more circuits than a client's would.
func resourceManager(helper bool) (network.ResourceManager, error) {
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	if helper {
		limits.AddServiceLimit(relayv2.ServiceName,
			rcmgr.BaseLimit{StreamsInbound: 4096, StreamsOutbound: 4096, Streams: 4096, Memory: 256 << 20},
			rcmgr.BaseLimitIncrease{StreamsInbound: 1024, StreamsOutbound: 1024, Streams: 1024, Memory: 64 << 20})
		limits.AddServicePeerLimit(relayv2.ServiceName,
			rcmgr.BaseLimit{StreamsInbound: 256, StreamsOutbound: 256, Streams: 256, Memory: 16 << 20},
			rcmgr.BaseLimitIncrease{})
	}
	limiter := rcmgr.NewFixedLimiter(limits.AutoScale())
	const perAddress = 256 // connections from one IPv4 address or IPv6 /56
	rm, err := rcmgr.NewResourceManager(limiter,
		rcmgr.WithLimitPerSubnet(
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: perAddress}},
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: perAddress}, {PrefixLength: 48, ConnCount: 4 * perAddress}},
		),
		rcmgr.WithNetworkPrefixLimit(
			[]rcmgr.NetworkPrefixLimit{{Network: netip.MustParsePrefix("127.0.0.0/8"), ConnCount: math.MaxInt}},
			[]rcmgr.NetworkPrefixLimit{{Network: netip.MustParsePrefix("::1/128"), ConnCount: math.MaxInt}},
		),
		// New connections per address: a burst as big as an office
		// reconnecting at once, then a few a second.
		rcmgr.WithConnRateLimiters(&rate.Limiter{
			NetworkPrefixLimits: []rate.PrefixLimit{
				{Prefix: netip.MustParsePrefix("127.0.0.0/8"), Limit: rate.Limit{}},
				{Prefix: netip.MustParsePrefix("::1/128"), Limit: rate.Limit{}},
			},
			GlobalLimit: rate.Limit{},
			SubnetRateLimiter: rate.SubnetLimiter{
				IPv4SubnetLimits: []rate.SubnetLimit{{PrefixLength: 32, Limit: rate.Limit{RPS: 5, Burst: perAddress}}},
				IPv6SubnetLimits: []rate.SubnetLimit{{PrefixLength: 56, Limit: rate.Limit{RPS: 5, Burst: perAddress}}},
				GracePeriod:      time.Minute,
			},
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("resource manager: %w", err)
	}
	return rm, nil
}

// reachOptions are the host options that make a node reachable across the
// internet. Off and LAN modes get none of them: they never ask strangers
// for anything.
func (n *Node) reachOptions() []libp2p.Option {
	if n.opts.Mode != ModeInternet {
		return nil
	}
	if n.opts.Helper {
		return []libp2p.Option{
			// A helper runs where it can be reached: it serves AutoNAT
			// only once it believes it is public. Its relay is not
			// go-libp2p's relay service but startRelay's (relay.go).
			libp2p.ForceReachabilityPublic(),
			libp2p.EnableNATService(),
			libp2p.EnableAutoNATv2(),
		}
	}
	var portMap []libp2p.Option
	if !n.opts.Isolated {
		portMap = append(portMap, libp2p.NATPortMap())
	}
	return append(portMap,
		libp2p.EnableAutoNATv2(),
		libp2p.EnableHolePunching(holepunch.WithTracer(punchTracer{n}), n.punch.option()),
		libp2p.EnableAutoRelayWithPeerSource(n.relayCandidates,
			autorelay.WithMinCandidates(1),
			autorelay.WithNumRelays(relaysWanted),
			autorelay.WithBootDelay(relayBootDelay),
			autorelay.WithBackoff(relayBackoff),
			autorelay.WithMinInterval(relayMinInterval),
		),
	)
}

// startInternet starts what internet mode adds to the host once it exists:
// the DHT, and on a helper the relay.
func (n *Node) startInternet() error {
	rv := &rendezvousService{
		host: n.host, gate: n.gate, helper: n.opts.Helper,
		bootstrap: n.dhtBootstrapPeers,
		roomPeers: func(room wire.RoomID) int { return len(n.RoomPeers(room)) },
		now:       n.opts.Now,
		log:       n.log.With("service", "rendezvous"),
	}
	if err := rv.start(); err != nil {
		return err
	}
	n.rendezvous = rv
	if !n.opts.Helper {
		return nil
	}
	if err := n.startRelay(); err != nil {
		return errors.Join(err, rv.close())
	}
	return nil
}

// dhtBootstrapPeers seeds the DHT: helpers, then peers kept from earlier
// sessions (any of them may be a DHT server).
func (n *Node) dhtBootstrapPeers() []peer.AddrInfo {
	out := n.Helpers()
	for _, id := range n.keep.keptPeers() {
		if addrs := n.host.Peerstore().Addrs(id); len(addrs) > 0 {
			out = append(out, peer.AddrInfo{ID: id, Addrs: addrs})
		}
	}
	return out
}

// relayCandidates offers AutoRelay the helpers we know, then connected
// peers that serve relays.
func (n *Node) relayCandidates(ctx context.Context, num int) <-chan peer.AddrInfo {
	out := make(chan peer.AddrInfo, num)
	defer close(out)
	seen := map[peer.ID]bool{}
	offer := func(info peer.AddrInfo) bool {
		if seen[info.ID] || info.ID == n.host.ID() || len(seen) >= num {
			return len(seen) < num
		}
		seen[info.ID] = true
		out <- info
		return len(seen) < num
	}
	for _, h := range n.Helpers() {
		if !offer(h) {
			return out
		}
	}
	for _, p := range n.host.Network().Peers() {
		if ok, _ := n.host.Peerstore().SupportsProtocols(p, relayHop); len(ok) == 0 {
			continue
		}
		if !offer(peer.AddrInfo{ID: p, Addrs: n.host.Peerstore().Addrs(p)}) {
			return out
		}
	}
	return out
}

// AddHelpers records helper nodes (from flags, or from an invite link): the
// DHT bootstraps from them, AutoRelay picks relays among them, and the node
// keeps connected to them. Past maxHelpers, the oldest are dropped.
func (n *Node) AddHelpers(infos ...peer.AddrInfo) {
	for _, info := range infos {
		if info.ID == n.host.ID() || info.ID == "" {
			continue
		}
		n.helpers.add(info)
		if n.opts.Mode == ModeInternet {
			n.Keep(info.ID, info.Addrs)
		}
	}
}

// RemoveHelper stops using a helper node: it is no longer a relay
// candidate, nor a reason to stay connected (Why). The node still keeps
// redialling it until Forget: only the caller knows whether it keeps the
// peer for another reason.
func (n *Node) RemoveHelper(id peer.ID) { n.helpers.remove(id) }

// Helpers lists the helper nodes known, oldest first.
func (n *Node) Helpers() []peer.AddrInfo { return n.helpers.list() }
