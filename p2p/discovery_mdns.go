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
type mdnsNotifee struct{ k *keeper }

func (m mdnsNotifee) HandlePeerFound(info peer.AddrInfo) {
	if info.ID == m.k.host.ID() {
		return
	}
	m.k.foundOnLAN(info.ID)
	select {
	case m.k.found <- info:
	default: // a burst of announcements: the next round finds it again
	}
}

// runMDNS announces this node on the LAN and listens for others, and starts
// over when our addresses change, so peers learn the new ones. It runs in
// lan and internet modes only; off never touches mDNS.
func (k *keeper) runMDNS() {
	sub, err := k.host.EventBus().Subscribe(new(event.EvtLocalAddressesUpdated))
	if err != nil {
		k.log.Error("mdns: watch addresses failed", "err", err)
		return
	}
	defer sub.Close()
	for {
		svc := mdns.NewMdnsService(k.host, MDNSService, mdnsNotifee{k})
		announced := addrKey(k.host.Addrs())
		if err := svc.Start(); err != nil {
			k.log.Error("mdns start failed", "err", err)
		} else {
			k.mdnsRunning.Store(true)
		}
		// The bus also reports the addresses we started with; only a real
		// change is worth a restart (which would miss queries meanwhile).
		for changed := false; !changed && k.ctx.Err() == nil; {
			select {
			case <-sub.Out():
				changed = addrKey(k.host.Addrs()) != announced
			case <-k.ctx.Done():
			}
		}
		if k.ctx.Err() == nil {
			k.log.Info("addresses changed, announcing again", "addrs", k.host.Addrs())
		}
		svc.Close()
		k.mdnsRunning.Store(false)
		if k.ctx.Err() != nil {
			return
		}
	}
}

// dialLoop connects to peers found on the LAN, one at a time.
func (k *keeper) dialLoop() {
	for {
		select {
		case info := <-k.found:
			if len(k.host.Network().ConnsToPeer(info.ID)) > 0 {
				continue
			}
			ctx, cancel := context.WithTimeout(k.ctx, dialTimeout)
			if err := k.host.Connect(ctx, info); err != nil && k.ctx.Err() == nil {
				k.log.Debug("lan dial failed", "peer", identity.ShortID(info.ID), "err", err)
			}
			cancel()
		case <-k.ctx.Done():
			return
		}
	}
}

// addrKey is a comparable form of a set of addresses.
func addrKey(addrs []multiaddr.Multiaddr) string {
	keys := make([]string, len(addrs))
	for i, a := range addrs {
		keys[i] = a.String()
	}
	slices.Sort(keys)
	return strings.Join(keys, " ")
}
