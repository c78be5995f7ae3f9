package p2p

import (
	"context"
	"fmt"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p-kad-dht/records"
	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/roomkey"
	"parley/wire"
)

// DHTPrefix keeps Parley's DHT apart from the public IPFS one: its servers
// are helpers and publicly reachable Parley nodes, and no Parley record ever
// lands on the IPFS network.
const DHTPrefix = "/parley"

// Rendezvous timing: every lookup and advertisement is time-boxed, and a
// round repeats while the room is joined, sooner when it failed or the
// room lost a member.
const (
	rendezvousTimeout = 30 * time.Second
	rendezvousEvery   = 10 * time.Minute
	rendezvousRetry   = 3 * time.Second // first wait after a failed round; doubles
	rendezvousDials   = 16              // peers dialled per lookup, at most
	rendezvousRounds  = 4               // rounds running at once, all rooms together
	// rendezvousSkew is how far apart two members' clocks may be and still
	// meet: near midnight, the neighbouring day's key is used too.
	rendezvousSkew = time.Hour
	// providerValidity is how long a DHT server keeps a provider record
	// (kad-dht's default is 48 hours; a room's key changes daily and its
	// members advertise every rendezvousEvery); providerCleanup how often
	// it drops the expired ones.
	providerValidity = 3 * time.Hour
	providerCleanup  = 10 * time.Minute
)

// startDHT joins Parley's DHT in internet mode. Helpers are servers; other
// nodes become servers when AutoNAT finds them publicly reachable.
func (n *Node) startDHT() error {
	mode := dht.ModeAuto
	if n.opts.Helper {
		mode = dht.ModeServer
	}
	n.providers = newProviderStore(maxProvidersPerPeer, maxProviders)
	kad, err := dht.New(n.host,
		dht.ProtocolPrefix(DHTPrefix),
		dht.Mode(mode),
		dht.DisableValues(), // rendezvous needs provider records only
		dht.BootstrapPeersFunc(n.dhtBootstrapPeers),
		// The address policy (addrpolicy.go) for what the DHT stores,
		// hands out and adds to the peer store, and for whom it queries
		// and keeps in its routing table.
		dht.AddressFilter(n.gate.shareable),
		dht.QueryFilter(func(_ any, ai peer.AddrInfo) bool { return n.gate.dialable(ai.ID, ai.Addrs) }),
		dht.RoutingTableFilter(func(_ any, p peer.ID) bool { return n.gate.dialable(p, n.knownAddrs(p)) }),
		// Provider records: bounded (providers.go), and kept as long as
		// rendezvous says they hold; members advertise every 10 minutes.
		dht.ProviderDatastore(n.providers),
		dht.ProviderManagerOpts(
			records.ProvideValidity(providerValidity),
			records.ProviderAddrTTL(providerValidity),
			records.CleanupInterval(providerCleanup),
		),
	)
	if err != nil {
		return fmt.Errorf("start DHT: %w", err)
	}
	n.dht = kad
	n.disc = drouting.NewRoutingDiscovery(kad)
	n.roundSlots = make(chan struct{}, rendezvousRounds)
	return nil
}

// knownAddrs are a peer's addresses in the peer store and those of its
// connections.
func (n *Node) knownAddrs(p peer.ID) []multiaddr.Multiaddr {
	addrs := n.host.Peerstore().Addrs(p)
	for _, c := range n.host.Network().ConnsToPeer(p) {
		addrs = append(addrs, c.RemoteMultiaddr())
	}
	return addrs
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

// rendezvousKeys are the DHT keys under which a room's members meet at a
// time: derived from the room's secret and the UTC day, so a key does not
// follow from the room's ID and changes every day, and within
// rendezvousSkew of midnight the other day's key as well.
func rendezvousKeys(room roomkey.Room, now time.Time) []string {
	var keys []string
	seen := map[string]bool{}
	for _, t := range []time.Time{now.Add(-rendezvousSkew), now, now.Add(rendezvousSkew)} {
		day := t.UTC().Format(time.DateOnly)
		if seen[day] {
			continue
		}
		seen[day] = true
		keys = append(keys, room.RendezvousKey(day))
	}
	return keys
}

// runRendezvous is a joined room's presence on the DHT until ctx ends: it
// advertises the room and looks for its members on join, periodically, and
// when woken.
func (n *Node) runRendezvous(ctx context.Context, room roomkey.Room, wake <-chan struct{}) {
	wait := rendezvousRetry
	for {
		ok := n.rendezvousRound(ctx, room)
		next := rendezvousEvery
		// A failed round, or one that left us alone in the room (members
		// who joined at the same moment miss each other's advertisement),
		// is tried again soon, then less and less often.
		if !ok || len(n.RoomPeers(room.ID)) == 0 {
			next, wait = wait, min(2*wait, rendezvousEvery)
		} else {
			wait = rendezvousRetry
		}
		timer := time.NewTimer(jitter(next))
		select {
		case <-timer.C:
		case <-wake:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return
		}
	}
}

// rendezvousRound advertises the room and dials members found. It reports
// whether the advertisement reached the DHT.
func (n *Node) rendezvousRound(ctx context.Context, room roomkey.Room) bool {
	select {
	case n.roundSlots <- struct{}{}:
		defer func() { <-n.roundSlots }()
	case <-ctx.Done():
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, rendezvousTimeout)
	defer cancel()
	keys := rendezvousKeys(room, n.opts.Now())
	var wg sync.WaitGroup
	advertised := make(chan bool, len(keys))
	for _, key := range keys {
		wg.Go(func() {
			_, err := n.disc.Advertise(ctx, key, discovery.TTL(providerValidity))
			if err != nil && ctx.Err() == nil {
				n.log.Debug("advertise room failed", "room", room.ID.String()[:8], "err", err)
			}
			advertised <- err == nil
		})
		wg.Go(func() { n.findMembers(ctx, room.ID, key) })
	}
	wg.Wait()
	close(advertised)
	ok := false
	for a := range advertised {
		ok = ok || a
	}
	return ok
}

// findMembers dials up to rendezvousDials members found under key.
func (n *Node) findMembers(ctx context.Context, room wire.RoomID, key string) {
	found, err := n.disc.FindPeers(ctx, key, discovery.Limit(rendezvousDials))
	if err != nil {
		n.log.Debug("find room members failed", "room", room.String()[:8], "err", err)
		return
	}
	var dials sync.WaitGroup
	defer dials.Wait()
	dialled := 0
	for info := range found {
		if info.ID == n.host.ID() || len(info.Addrs) == 0 || n.isConnected(info.ID) {
			continue
		}
		if dialled++; dialled > rendezvousDials {
			continue // drain: the lookup ends with ctx
		}
		dials.Go(func() {
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			if err := n.host.Connect(dctx, info); err != nil {
				n.log.Debug("dial room member failed", "peer", identity.ShortID(info.ID), "err", err)
				return
			}
			n.log.Info("met a room member on the DHT", "room", room.String()[:8], "peer", identity.ShortID(info.ID))
		})
	}
}
