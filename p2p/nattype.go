package p2p

import (
	"net/netip"
	"strconv"
	"sync"

	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// What the NAT type guess keeps: a few of our sockets, and a few observers
// of each, so that no peer can grow it.
const (
	natSockets   = 8
	natObservers = 8
)

// natObserver works out the type of the NAT in front of us from what peers
// on the internet see of our connections (identify reports the address and
// port each saw us at). Two peers at different IPs that see one socket of
// ours at the same public port mean a cone NAT: its mapping does not depend
// on the destination, and a hole punch can work. Different ports mean a
// symmetric NAT. go-libp2p makes the same guess only after nine
// observations, more helpers than a group runs, so natType stayed empty.
type natObserver struct {
	mu      sync.Mutex
	sockets map[natSocket]map[netip.Addr]uint16 // our socket -> observer -> public port seen
}

// natSocket is one of our sockets: its transport ("udp" or "tcp") and port.
type natSocket struct {
	transport string
	port      uint16
}

func newNATObserver() *natObserver {
	return &natObserver{sockets: map[natSocket]map[netip.Addr]uint16{}}
}

// observe records what a peer at remote saw of our connection from local:
// observed. Observers that are not on the internet (LAN, loopback, a
// relay's circuit) and observations of no NAT (the address is our own)
// tell nothing and are dropped.
func (o *natObserver) observe(local, remote, observed multiaddr.Multiaddr) {
	if remote == nil || observed == nil || isRelayed(remote) || !manet.IsPublicAddr(remote) {
		return
	}
	from, _, ok := ipPort(remote)
	if !ok {
		return
	}
	mine, sock, ok := socketOf(local)
	if !ok {
		return
	}
	seenIP, seenPort, ok := ipPort(observed)
	if !ok || seenIP == mine {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	seen, ok := o.sockets[sock]
	if !ok {
		if len(o.sockets) >= natSockets {
			return
		}
		seen = map[netip.Addr]uint16{}
		o.sockets[sock] = seen
	}
	if _, known := seen[from]; !known && len(seen) >= natObservers {
		return
	}
	seen[from] = seenPort
}

// natType is "cone" or "symmetric" once two observers saw one socket,
// else "". UDP decides when both transports tell (hole punches go over
// QUIC); a socket seen at two ports makes the NAT symmetric.
func (o *natObserver) natType() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	verdict := map[string]string{}
	for sock, seen := range o.sockets {
		if len(seen) < 2 {
			continue
		}
		ports := map[uint16]bool{}
		for _, port := range seen {
			ports[port] = true
		}
		switch {
		case len(ports) > 1:
			verdict[sock.transport] = "symmetric"
		case verdict[sock.transport] == "":
			verdict[sock.transport] = "cone"
		}
	}
	if v := verdict["udp"]; v != "" {
		return v
	}
	return verdict["tcp"]
}

// ipPort reads the IP and the TCP or UDP port of an address.
func ipPort(a multiaddr.Multiaddr) (netip.Addr, uint16, bool) {
	ip, err := manet.ToIP(a)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := a.ValueForProtocol(multiaddr.P_UDP)
	if err != nil {
		if port, err = a.ValueForProtocol(multiaddr.P_TCP); err != nil {
			return netip.Addr{}, 0, false
		}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	return addr.Unmap(), uint16(n), true
}

// socketOf reads our IP and socket from a connection's local address.
func socketOf(local multiaddr.Multiaddr) (netip.Addr, natSocket, bool) {
	ip, port, ok := ipPort(local)
	if !ok {
		return netip.Addr{}, natSocket{}, false
	}
	transport := "tcp"
	if _, err := local.ValueForProtocol(multiaddr.P_UDP); err == nil {
		transport = "udp"
	}
	return ip, natSocket{transport: transport, port: port}, true
}
