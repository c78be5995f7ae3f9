package p2p

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"parley/identity"
)

// How a peer is connected, as Members and Peers report it.
const (
	ViaLocal       = "local"       // a loopback address: another program on this computer
	ViaLAN         = "lan"         // a private address: the local network
	ViaDirect      = "direct"      // a public address, dialled straight
	ViaHolePunched = "holepunched" // a direct connection made through both NATs
	ViaRelayed     = "relayed"     // through a relay
)

// Reachability is what the node knows of how others can reach it.
type Reachability struct {
	// State is "public", "private" or "unknown".
	State string
	// Relays are the peers whose relays carry our circuit addresses now.
	Relays []peer.ID
	// NATType is "cone" or "symmetric" once known behind a NAT, else "".
	NATType string
}

// reachService follows how others can reach this node (AutoNAT, the NAT
// type, our relays) and how each peer is connected, and moves a peer's
// traffic off a relay once a direct connection to it exists.
type reachService struct {
	ctx  context.Context // ends when the node closes
	host host.Host
	run  *group
	log  *slog.Logger
	// onReach hears that reachability may have changed; newRelays that we
	// hold new relay addresses; moved that a peer's traffic moved to a
	// direct connection. Any may be nil.
	onReach, newRelays func()
	moved              func(peer.ID)

	nat *natObserver // the NAT type, from what peers see of our connections

	mu      sync.Mutex
	state   string               // from AutoNAT: "public", "private", "unknown"
	natType string               // "cone" or "symmetric" once go-libp2p knows
	punched map[peer.ID]struct{} // peers reached by a hole punch
	moving  map[peer.ID]struct{} // peers whose traffic moves off a relay
}

func newReachService(ctx context.Context, run *group, log *slog.Logger) *reachService {
	return &reachService{
		ctx: ctx, run: run, log: log,
		nat:     newNATObserver(),
		punched: map[peer.ID]struct{}{},
		moving:  map[peer.ID]struct{}{},
	}
}

// start follows the host's events until the node closes.
func (rs *reachService) start(h host.Host) {
	rs.host = h
	rs.run.Go(rs.watch)
}

func (rs *reachService) Reachability() Reachability {
	rs.mu.Lock()
	r := Reachability{State: rs.state, NATType: rs.natType}
	rs.mu.Unlock()
	if r.State == "" {
		r.State = "unknown"
	}
	if r.State != "private" {
		r.NATType = ""
	}
	// Peers that saw us at an address not our own saw a NAT, whatever
	// AutoNAT has concluded yet.
	if seen := rs.nat.natType(); seen != "" {
		r.NATType = seen
	}
	seen := map[peer.ID]bool{}
	for _, a := range rs.host.Addrs() {
		relay, ok := circuitRelay(a)
		if ok && !seen[relay] {
			seen[relay] = true
			r.Relays = append(r.Relays, relay)
		}
	}
	return r
}

// circuitRelay returns the relay of a /…/p2p/<relay>/p2p-circuit address.
func circuitRelay(a multiaddr.Multiaddr) (peer.ID, bool) {
	relayPart, _ := multiaddr.SplitFunc(a, func(c multiaddr.Component) bool { return c.Code() == multiaddr.P_CIRCUIT })
	if len(relayPart) == len(a) {
		return "", false
	}
	info, err := peer.AddrInfoFromP2pAddr(relayPart)
	if err != nil {
		return "", false
	}
	return info.ID, true
}

func isRelayed(a multiaddr.Multiaddr) bool {
	_, err := a.ValueForProtocol(multiaddr.P_CIRCUIT)
	return err == nil
}

// watch follows what AutoNAT and the NAT type detector find.
func (rs *reachService) watch() {
	sub, err := rs.host.EventBus().Subscribe([]any{
		new(event.EvtLocalReachabilityChanged),
		new(event.EvtNATDeviceTypeChanged),
		new(event.EvtLocalAddressesUpdated),
		new(event.EvtPeerIdentificationCompleted),
	})
	if err != nil {
		rs.log.Error("watch reachability failed", "err", err)
		return
	}
	defer sub.Close()
	relays := ""
	for {
		select {
		case e := <-sub.Out():
			if id, ok := e.(event.EvtPeerIdentificationCompleted); ok {
				before := rs.nat.natType()
				rs.nat.observe(id.Conn.LocalMultiaddr(), id.Conn.RemoteMultiaddr(), id.ObservedAddr)
				if now := rs.nat.natType(); now != before {
					rs.log.Info("NAT type", "type", now)
					call(rs.onReach)
				}
				continue
			}
			if _, ok := e.(event.EvtLocalAddressesUpdated); ok {
				// Only a new set of relays makes us reachable anew: peers
				// waiting to be redialled need not wait out their backoff.
				now := fmt.Sprint(rs.Reachability().Relays)
				if now != relays {
					relays = now
					call(rs.newRelays)
					call(rs.onReach)
				}
				continue
			}
			rs.mu.Lock()
			switch e := e.(type) {
			case event.EvtLocalReachabilityChanged:
				rs.state = strings.ToLower(e.Reachability.String())
				rs.log.Info("reachability", "state", rs.state)
			case event.EvtNATDeviceTypeChanged:
				switch e.NatDeviceType {
				case network.NATDeviceTypeCone:
					rs.natType = "cone"
				case network.NATDeviceTypeSymmetric:
					rs.natType = "symmetric"
				}
			}
			rs.mu.Unlock()
			call(rs.onReach)
		case <-rs.ctx.Done():
			return
		}
	}
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func (rs *reachService) Via(id peer.ID) string {
	via, _ := rs.Path(id)
	return via
}

// Path says how the peer is reached over its best connection: the Via
// value, and the transport ("quic", "tcp", "wss", "ws"; for a relayed
// connection, that of the path to the relay). Both are "" when it is not
// connected.
func (rs *reachService) Path(id peer.ID) (via, transport string) {
	rank := map[string]int{"": 0, ViaRelayed: 1, ViaDirect: 2, ViaHolePunched: 2, ViaLAN: 3, ViaLocal: 4}
	for _, c := range rs.host.Network().ConnsToPeer(id) {
		v := rs.connVia(c)
		if rank[v] > rank[via] {
			via, transport = v, transportOf(c.RemoteMultiaddr())
		}
	}
	return via, transport
}

// transportOf names the transport of an address: "wss", "ws", "quic",
// "tcp", or "" for none of these.
func transportOf(a multiaddr.Multiaddr) string {
	has := func(code int) bool {
		_, err := a.ValueForProtocol(code)
		return err == nil
	}
	switch {
	case has(multiaddr.P_WSS) || has(multiaddr.P_WS) && has(multiaddr.P_TLS):
		return "wss"
	case has(multiaddr.P_WS):
		return "ws"
	case has(multiaddr.P_QUIC_V1):
		return "quic"
	case has(multiaddr.P_TCP):
		return "tcp"
	}
	return ""
}

func (rs *reachService) connVia(c network.Conn) string {
	addr := c.RemoteMultiaddr()
	switch {
	case isRelayed(addr):
		return ViaRelayed
	case transportOf(addr) == "wss" && viaProxy(addr):
		// The address is the proxy's, on this network; the peer is
		// beyond it.
		return ViaDirect
	case manet.IsIPLoopback(addr):
		return ViaLocal
	case manet.IsPrivateAddr(addr):
		return ViaLAN
	}
	rs.mu.Lock()
	_, punched := rs.punched[c.RemotePeer()]
	rs.mu.Unlock()
	if punched {
		return ViaHolePunched
	}
	return ViaDirect
}

// punchTracer hears the hole-punch service: a successful punch marks the
// peer's direct connection as hole-punched, and has room traffic moved to it.
type punchTracer struct{ n *Node }

func (t punchTracer) Trace(e *holepunch.Event) {
	end, ok := e.Evt.(*holepunch.EndHolePunchEvt)
	if !ok || !end.Success {
		return
	}
	t.n.reach.holePunched(e.Remote, end.EllapsedTime)
}

func (rs *reachService) holePunched(p peer.ID, took time.Duration) {
	rs.mu.Lock()
	if len(rs.punched) < maxTrackedPeers {
		rs.punched[p] = struct{}{}
	}
	rs.mu.Unlock()
	rs.log.Info("hole punched", "peer", identity.ShortID(p), "took", took)
	rs.preferDirect(p)
}

// directSettle is how long a new direct connection is given before the
// relayed ones to the same peer are closed.
const directSettle = 2 * time.Second

// preferDirect moves traffic with a peer off its relayed connections once a
// direct one exists: GossipSub opened its streams on the relayed connection
// (it came first) and keeps using it while it lasts, so when the relay goes
// away the room would go quiet although a direct path exists. The gossip
// check then makes sure the move lost nothing. At most one move runs per
// peer.
func (rs *reachService) preferDirect(id peer.ID) {
	rs.mu.Lock()
	if _, busy := rs.moving[id]; busy || rs.ctx.Err() != nil {
		rs.mu.Unlock()
		return
	}
	rs.moving[id] = struct{}{}
	rs.mu.Unlock()
	rs.run.Go(func() {
		defer func() {
			rs.mu.Lock()
			delete(rs.moving, id)
			rs.mu.Unlock()
		}()
		rs.moveToDirect(id)
	})
}

func (rs *reachService) moveToDirect(id peer.ID) {
	if !sleep(rs.ctx, directSettle) {
		return
	}
	var relayed []network.Conn
	direct := false
	for _, c := range rs.host.Network().ConnsToPeer(id) {
		if isRelayed(c.RemoteMultiaddr()) {
			relayed = append(relayed, c)
		} else {
			direct = true
		}
	}
	if !direct {
		return
	}
	for _, c := range relayed {
		c.Close()
	}
	rs.log.Info("moved to the direct connection", "peer", identity.ShortID(id), "closed", len(relayed))
	if rs.moved != nil {
		rs.moved(id)
	}
}

// sleep waits d, or less if ctx ends; it reports whether ctx is still
// live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// forgetPunched drops what is known of a peer's connections once it is gone.
func (rs *reachService) forget(id peer.ID) {
	rs.mu.Lock()
	delete(rs.punched, id)
	rs.mu.Unlock()
}

// directAlongsideRelay reports whether a new connection is a direct one to a
// peer we also reach through a relay (a punch, or a dial that got through).
func (rs *reachService) directAlongsideRelay(c network.Conn) bool {
	if isRelayed(c.RemoteMultiaddr()) {
		return false
	}
	for _, other := range rs.host.Network().ConnsToPeer(c.RemotePeer()) {
		if isRelayed(other.RemoteMultiaddr()) {
			return true
		}
	}
	return false
}
