package p2p

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p-kad-dht/records"
	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
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

// rendezvousService is this node's part in Parley's DHT (internet mode
// only): it runs the DHT, keeps the provider records it serves bounded,
// and has each joined room's members meet under the room's daily key.
type rendezvousService struct {
	host   host.Host
	gate   *gater
	helper bool // a DHT server from the start
	// bootstrap lists the peers the DHT starts from; roomPeers counts a
	// room's connected members.
	bootstrap func() []peer.AddrInfo
	roomPeers func(wire.RoomID) int
	now       func() time.Time
	log       *slog.Logger

	dht       *dht.IpfsDHT
	providers *providerStore             // the DHT's provider records
	disc      *drouting.RoutingDiscovery // rendezvous on dht
	slots     chan struct{}              // bounds rendezvous rounds at once
}

// start joins Parley's DHT. Helpers are servers; other
// nodes become servers when AutoNAT finds them publicly reachable.
func (rv *rendezvousService) start() error {
	mode := dht.ModeAuto
	if rv.helper {
		mode = dht.ModeServer
	}
	rv.providers = newProviderStore(maxProvidersPerPeer, maxProviders)
	kad, err := dht.New(rv.host,
		dht.ProtocolPrefix(DHTPrefix),
		dht.Mode(mode),
		dht.DisableValues(), // rendezvous needs provider records only
		dht.BootstrapPeersFunc(rv.bootstrap),
		// The address policy (addrpolicy.go) for what the DHT stores,
		// hands out and adds to the peer store, and for whom it queries
		// and keeps in its routing table.
		dht.AddressFilter(rv.gate.shareable),
		dht.QueryFilter(func(_ any, ai peer.AddrInfo) bool { return rv.gate.dialable(ai.ID, ai.Addrs) }),
		dht.RoutingTableFilter(func(_ any, p peer.ID) bool { return rv.gate.dialable(p, rv.knownAddrs(p)) }),
		// Provider records: bounded (providers.go), and kept as long as
		// rendezvous says they hold; members advertise every 10 minutes.
		dht.ProviderDatastore(rv.providers),
		dht.ProviderManagerOpts(
			records.ProvideValidity(providerValidity),
			records.ProviderAddrTTL(providerValidity),
			records.CleanupInterval(providerCleanup),
		),
	)
	if err != nil {
		return fmt.Errorf("start DHT: %w", err)
	}
	rv.dht = kad
	rv.disc = drouting.NewRoutingDiscovery(kad)
	rv.slots = make(chan struct{}, rendezvousRounds)
	return nil
}

// knownAddrs are a peer's addresses in the peer store and those of its
// connections.
func (rv *rendezvousService) knownAddrs(p peer.ID) []multiaddr.Multiaddr {
	addrs := rv.host.Peerstore().Addrs(p)
	for _, c := range rv.host.Network().ConnsToPeer(p) {
		addrs = append(addrs, c.RemoteMultiaddr())
	}
	return addrs
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

// run is a joined room's presence on the DHT until ctx ends: it
// advertises the room and looks for its members on join, periodically, and
// when woken.
func (rv *rendezvousService) run(ctx context.Context, room roomkey.Room, wake <-chan struct{}) {
	wait := rendezvousRetry
	for {
		ok := rv.round(ctx, room)
		next := rendezvousEvery
		// A failed round, or one that left us alone in the room (members
		// who joined at the same moment miss each other's advertisement),
		// is tried again soon, then less and less often.
		if !ok || rv.roomPeers(room.ID) == 0 {
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

// round advertises the room and dials members found. It reports
// whether the advertisement reached the DHT.
func (rv *rendezvousService) round(ctx context.Context, room roomkey.Room) bool {
	select {
	case rv.slots <- struct{}{}:
		defer func() { <-rv.slots }()
	case <-ctx.Done():
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, rendezvousTimeout)
	defer cancel()
	keys := rendezvousKeys(room, rv.now())
	var wg sync.WaitGroup
	advertised := make(chan bool, len(keys))
	for _, key := range keys {
		wg.Go(func() {
			_, err := rv.disc.Advertise(ctx, key, discovery.TTL(providerValidity))
			if err != nil && ctx.Err() == nil {
				rv.log.Debug("advertise room failed", "room", room.ID.String()[:8], "err", err)
			}
			advertised <- err == nil
		})
		wg.Go(func() { rv.findMembers(ctx, room.ID, key) })
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
func (rv *rendezvousService) findMembers(ctx context.Context, room wire.RoomID, key string) {
	found, err := rv.disc.FindPeers(ctx, key, discovery.Limit(rendezvousDials))
	if err != nil {
		rv.log.Debug("find room members failed", "room", room.String()[:8], "err", err)
		return
	}
	var dials sync.WaitGroup
	defer dials.Wait()
	dialled := 0
	for info := range found {
		if info.ID == rv.host.ID() || len(info.Addrs) == 0 || rv.host.Network().Connectedness(info.ID) == network.Connected {
			continue
		}
		if dialled++; dialled > rendezvousDials {
			continue // drain: the lookup ends with ctx
		}
		dials.Go(func() {
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			if err := rv.host.Connect(dctx, info); err != nil {
				rv.log.Debug("dial room member failed", "peer", identity.ShortID(info.ID), "err", err)
				return
			}
			rv.log.Info("met a room member on the DHT", "room", room.String()[:8], "peer", identity.ShortID(info.ID))
		})
	}
}

// close leaves the DHT.
func (rv *rendezvousService) close() error {
	if err := rv.dht.Close(); err != nil {
		return fmt.Errorf("close DHT: %w", err)
	}
	return nil
}
