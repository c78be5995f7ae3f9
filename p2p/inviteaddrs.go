package p2p

import (
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// How many addresses of each kind an invite carries, at most: enough to
// survive one stale address of each kind, few enough to fit the link.
const (
	invitePublic = 3
	inviteRelay  = relaysWanted
	inviteLAN    = 3
)

// InviteAddrs are the addresses an invite link gives for this node, best
// first: public ones and relay circuits (someone far away can use them),
// then LAN ones (a colleague on the same network joins directly). Loopback
// addresses go in only when the node has nothing else, so that two nodes
// on one machine, as scripts and tests run them, can meet by invite.
func (n *Node) InviteAddrs() []multiaddr.Multiaddr { return inviteAddrs(n.host.Addrs()) }

func inviteAddrs(addrs []multiaddr.Multiaddr) []multiaddr.Multiaddr {
	var wss, public, relayed, lan, loopback []multiaddr.Multiaddr
	for _, a := range addrs {
		switch {
		case isRelayed(a):
			relayed = appendMax(relayed, a, inviteRelay)
		case transportOf(a) == "wss" && manet.IsPublicAddr(a):
			// First, and one only: what a network that lets only web
			// traffic out can use, without crowding out QUIC and TCP.
			wss = appendMax(wss, a, 1)
		case manet.IsIPLoopback(a):
			loopback = appendMax(loopback, a, inviteLAN)
		case manet.IsPublicAddr(a):
			public = appendMax(public, a, invitePublic)
		case manet.IsPrivateAddr(a):
			lan = appendMax(lan, a, inviteLAN)
		}
	}
	out := append(append(append(append([]multiaddr.Multiaddr{}, wss...), public...), relayed...), lan...)
	if len(out) == 0 {
		out = loopback
	}
	return out
}

// ForgetInviter gives up on a peer known only from an invite link: it is no
// longer kept, and unless it is connected now, the link's addresses for it
// leave the peer store, so that nothing dials them again.
func (n *Node) ForgetInviter(id peer.ID, addrs []multiaddr.Multiaddr) {
	n.Forget(id)
	if n.host.Network().Connectedness(id) == network.Connected {
		return
	}
	n.host.Peerstore().SetAddrs(id, addrs, 0)
}

// HelperAddrs are the helpers an invite link names, each address ending
// in /p2p/<id>: a helper's secure WebSocket address first if it has one
// (for a joiner on a network that lets only web traffic out), then its
// best direct one, public if it has one.
func (n *Node) HelperAddrs() []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	for _, h := range n.Helpers() {
		addrs := n.host.Peerstore().Addrs(h.ID)
		if len(addrs) == 0 {
			addrs = h.Addrs
		}
		var pick []multiaddr.Multiaddr
		if wss := wssAddr(addrs); wss != nil {
			pick = append(pick, wss)
		}
		if best := bestAddr(addrs); best != nil {
			pick = append(pick, best)
		}
		if len(pick) == 0 {
			continue
		}
		full, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: h.ID, Addrs: pick})
		if err == nil {
			out = append(out, full...)
		}
	}
	return out
}

// wssAddr picks a public secure WebSocket address, if there is one.
func wssAddr(addrs []multiaddr.Multiaddr) multiaddr.Multiaddr {
	for _, a := range addrs {
		if transportOf(a) == "wss" && !isRelayed(a) && manet.IsPublicAddr(a) {
			return a
		}
	}
	return nil
}

// bestAddr picks a public direct address other than WSS (wssAddr picks
// that), else any direct one.
func bestAddr(addrs []multiaddr.Multiaddr) multiaddr.Multiaddr {
	var fallback multiaddr.Multiaddr
	for _, a := range addrs {
		if isRelayed(a) || transportOf(a) == "wss" {
			continue
		}
		if manet.IsPublicAddr(a) {
			return a
		}
		if fallback == nil {
			fallback = a
		}
	}
	return fallback
}

func appendMax(list []multiaddr.Multiaddr, a multiaddr.Multiaddr, max int) []multiaddr.Multiaddr {
	if len(list) >= max {
		return list
	}
	return append(list, a)
}

// Why an invite made now may not let someone far away in yet.
const (
	// WayInFinding: helpers are known but neither a relay nor a public
	// address is ready: the node is still finding its way in.
	WayInFinding = "findingWayIn"
	// WayInNoHelpers: on the internet with no helper known, the link
	// carries only this network's addresses.
	WayInNoHelpers = "noHelpers"
)

// WayIn reports whether an invite made now carries an address someone on
// the internet can use, and when not, why (WayInFinding, WayInNoHelpers).
// Off the internet, and on a helper, a link is as good as it will get.
func (n *Node) WayIn() (ready bool, why string) {
	if n.opts.Mode != ModeInternet || n.opts.Helper {
		return true, ""
	}
	public := n.reach.Reachability().State == "public"
	for _, a := range n.host.Addrs() {
		if isRelayed(a) || public && manet.IsPublicAddr(a) {
			return true, ""
		}
	}
	if len(n.Helpers()) == 0 {
		return false, WayInNoHelpers
	}
	return false, WayInFinding
}
