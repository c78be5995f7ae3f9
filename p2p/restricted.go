package p2p

import "github.com/multiformats/go-multiaddr"

// Restricted reports whether this network seems to let only web traffic
// out: the node is connected to helpers, only over secure WebSocket,
// though they also offer QUIC or TCP, which did not get through.
func (n *Node) Restricted() bool {
	if n.opts.Helper {
		return false
	}
	reached := false
	for _, h := range n.Helpers() {
		conns := n.host.Network().ConnsToPeer(h.ID)
		if len(conns) == 0 {
			continue
		}
		for _, c := range conns {
			if transportOf(c.RemoteMultiaddr()) != "wss" || isRelayed(c.RemoteMultiaddr()) {
				return false
			}
		}
		if !offersMoreThanWSS(n.host.Peerstore().Addrs(h.ID)) {
			return false
		}
		reached = true
	}
	return reached
}

// offersMoreThanWSS reports whether a peer has a direct QUIC or TCP address.
func offersMoreThanWSS(addrs []multiaddr.Multiaddr) bool {
	for _, a := range addrs {
		if t := transportOf(a); (t == "quic" || t == "tcp") && !isRelayed(a) {
			return true
		}
	}
	return false
}

// WSSStatus is a helper's secure WebSocket listener: the addresses it is
// reached at and its certificate. ok is false when it has none.
func (n *Node) WSSStatus() (addrs []string, cert CertStatus, ok bool) {
	if n.wss == nil {
		return nil, CertStatus{}, false
	}
	for _, a := range n.host.Addrs() {
		if transportOf(a) == "wss" {
			addrs = append(addrs, a.String())
		}
	}
	return addrs, n.wss.status(), true
}
