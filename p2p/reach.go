package p2p

import (
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"parley/identity"
)

// How a peer is connected, as Members and Peers report it.
const (
	ViaLAN         = "lan"         // a private or loopback address
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

// Reachability reports how others can reach this node.
func (n *Node) Reachability() Reachability {
	n.reachMu.Lock()
	r := Reachability{State: n.reachability, NATType: n.natType}
	n.reachMu.Unlock()
	if r.State == "" {
		r.State = "unknown"
	}
	if r.State != "private" {
		r.NATType = ""
	}
	seen := map[peer.ID]bool{}
	for _, a := range n.host.Addrs() {
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

// watchReachability follows what AutoNAT and the NAT type detector find.
func (n *Node) watchReachability() {
	defer n.wg.Done()
	sub, err := n.host.EventBus().Subscribe([]any{
		new(event.EvtLocalReachabilityChanged),
		new(event.EvtNATDeviceTypeChanged),
		new(event.EvtLocalAddressesUpdated),
	})
	if err != nil {
		n.log.Error("watch reachability failed", "err", err)
		return
	}
	defer sub.Close()
	relays := ""
	for {
		select {
		case e := <-sub.Out():
			if _, ok := e.(event.EvtLocalAddressesUpdated); ok {
				// Only a new set of relays makes us reachable anew: peers
				// waiting to be redialled need not wait out their backoff.
				now := fmt.Sprint(n.Reachability().Relays)
				if now != relays {
					relays = now
					n.wakeRedials()
					n.notifyReach()
				}
				continue
			}
			n.reachMu.Lock()
			switch e := e.(type) {
			case event.EvtLocalReachabilityChanged:
				n.reachability = strings.ToLower(e.Reachability.String())
				n.log.Info("reachability", "state", n.reachability)
			case event.EvtNATDeviceTypeChanged:
				switch e.NatDeviceType {
				case network.NATDeviceTypeCone:
					n.natType = "cone"
				case network.NATDeviceTypeSymmetric:
					n.natType = "symmetric"
				}
			}
			n.reachMu.Unlock()
			n.notifyReach()
		case <-n.ctx.Done():
			return
		}
	}
}

func (n *Node) notifyReach() {
	if n.opts.OnReach != nil {
		n.opts.OnReach()
	}
}

// Via says how we are connected to a peer: ViaLAN, ViaDirect,
// ViaHolePunched or ViaRelayed, the best of its connections; "" when not
// connected.
func (n *Node) Via(id peer.ID) string {
	best := ""
	rank := map[string]int{"": 0, ViaRelayed: 1, ViaDirect: 2, ViaHolePunched: 2, ViaLAN: 3}
	for _, c := range n.host.Network().ConnsToPeer(id) {
		via := n.connVia(c)
		if rank[via] > rank[best] {
			best = via
		}
	}
	return best
}

func (n *Node) connVia(c network.Conn) string {
	addr := c.RemoteMultiaddr()
	switch {
	case isRelayed(addr):
		return ViaRelayed
	case manet.IsPrivateAddr(addr) || manet.IsIPLoopback(addr):
		return ViaLAN
	}
	n.reachMu.Lock()
	_, punched := n.punched[c.RemotePeer()]
	n.reachMu.Unlock()
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
	n := t.n
	n.reachMu.Lock()
	if len(n.punched) < maxTrackedPeers {
		n.punched[e.Remote] = struct{}{}
	}
	n.reachMu.Unlock()
	n.log.Info("hole punched", "peer", identity.ShortID(e.Remote), "took", end.EllapsedTime)
	n.preferDirect(e.Remote)
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
func (n *Node) preferDirect(id peer.ID) {
	n.reachMu.Lock()
	if _, busy := n.moving[id]; busy || n.ctx.Err() != nil {
		n.reachMu.Unlock()
		return
	}
	n.moving[id] = struct{}{}
	n.reachMu.Unlock()
	n.wg.Go(func() {
		defer func() {
			n.reachMu.Lock()
			delete(n.moving, id)
			n.reachMu.Unlock()
		}()
		n.moveToDirect(id)
	})
}

func (n *Node) moveToDirect(id peer.ID) {
	if !n.sleep(directSettle) {
		return
	}
	var relayed []network.Conn
	direct := false
	for _, c := range n.host.Network().ConnsToPeer(id) {
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
	n.log.Info("moved to the direct connection", "peer", identity.ShortID(id), "closed", len(relayed))
	n.gossipChecks.Add(id)
}

// sleep waits d, or less if the node closes; it reports whether it is
// still running.
func (n *Node) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-n.ctx.Done():
		return false
	}
}

// forgetPunched drops what is known of a peer's connections once it is gone.
func (n *Node) forgetPunched(id peer.ID) {
	n.reachMu.Lock()
	delete(n.punched, id)
	n.reachMu.Unlock()
}

// directAlongsideRelay reports whether a new connection is a direct one to a
// peer we also reach through a relay (a punch, or a dial that got through).
func (n *Node) directAlongsideRelay(c network.Conn) bool {
	if isRelayed(c.RemoteMultiaddr()) {
		return false
	}
	for _, other := range n.host.Network().ConnsToPeer(c.RemotePeer()) {
		if isRelayed(other.RemoteMultiaddr()) {
			return true
		}
	}
	return false
}
