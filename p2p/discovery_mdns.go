package p2p

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
)

// MDNSService is the one mDNS service name all Parley nodes share.
const MDNSService = "_parley-chat._udp"

// dialTimeout bounds one dial to a peer found on the LAN or redialled.
const dialTimeout = 10 * time.Second

// mdnsNotifee passes peers found by mDNS to the dial loop without blocking
// the mDNS resolver.
type mdnsNotifee struct{ n *Node }

func (m mdnsNotifee) HandlePeerFound(info peer.AddrInfo) {
	if info.ID == m.n.host.ID() {
		return
	}
	m.n.markLAN(info.ID)
	select {
	case m.n.found <- info:
	default: // a burst of announcements: the next round finds it again
	}
}

// runMDNS announces this node on the LAN and listens for others, and starts
// over when our addresses change, so peers learn the new ones. It runs in
// lan and internet modes only; off never touches mDNS.
func (n *Node) runMDNS() {
	defer n.wg.Done()
	sub, err := n.host.EventBus().Subscribe(new(event.EvtLocalAddressesUpdated))
	if err != nil {
		n.log.Error("mdns: watch addresses failed", "err", err)
		return
	}
	defer sub.Close()
	for {
		svc := mdns.NewMdnsService(n.host, MDNSService, mdnsNotifee{n})
		announced := addrKey(n.host.Addrs())
		if err := svc.Start(); err != nil {
			n.log.Error("mdns start failed", "err", err)
		} else {
			n.mdnsRunning.Store(true)
		}
		// The bus also reports the addresses we started with; only a real
		// change is worth a restart (which would miss queries meanwhile).
		for changed := false; !changed && n.ctx.Err() == nil; {
			select {
			case <-sub.Out():
				changed = addrKey(n.host.Addrs()) != announced
			case <-n.ctx.Done():
			}
		}
		if n.ctx.Err() == nil {
			n.log.Info("addresses changed, announcing again", "addrs", n.host.Addrs())
		}
		svc.Close()
		n.mdnsRunning.Store(false)
		if n.ctx.Err() != nil {
			return
		}
	}
}

// dialLoop connects to peers found on the LAN, one at a time.
func (n *Node) dialLoop() {
	defer n.wg.Done()
	for {
		select {
		case info := <-n.found:
			if len(n.host.Network().ConnsToPeer(info.ID)) > 0 {
				continue
			}
			ctx, cancel := context.WithTimeout(n.ctx, dialTimeout)
			if err := n.host.Connect(ctx, info); err != nil && n.ctx.Err() == nil {
				n.log.Debug("lan dial failed", "peer", identity.ShortID(info.ID), "err", err)
			}
			cancel()
		case <-n.ctx.Done():
			return
		}
	}
}

// markLAN records a peer found by mDNS. If it is connected already, it
// hears our nearby rooms now, and we look again at what it said of its own.
func (n *Node) markLAN(id peer.ID) {
	if !n.trust.markLAN(id, n.isConnected) || !n.isConnected(id) {
		return
	}
	n.Hello(id)
	if h := n.trust.lastHello(id); h != nil {
		n.hello.tell(id, h)
	}
}

// FoundOnLAN reports whether a peer was discovered by mDNS.
func (n *Node) FoundOnLAN(id peer.ID) bool { return n.trust.foundOnLAN(id) }

// MDNSRunning reports whether mDNS is announcing and listening now.
func (n *Node) MDNSRunning() bool { return n.mdnsRunning.Load() }

// MDNSStarted reports whether the node runs mDNS discovery at all.
func (n *Node) MDNSStarted() bool { return n.mdnsStarted }

// addrKey is a comparable form of a set of addresses.
func addrKey(addrs []multiaddr.Multiaddr) string {
	keys := make([]string, len(addrs))
	for i, a := range addrs {
		keys[i] = a.String()
	}
	slices.Sort(keys)
	return strings.Join(keys, " ")
}
