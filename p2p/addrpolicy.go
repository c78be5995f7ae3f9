package p2p

import (
	"net"
	"net/netip"
	"slices"

	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// The address policy: which addresses this node dials, and which the DHT
// keeps and hands out. Anyone can put an address in an invite link, a DHT
// provider record or its identify reply; without a policy a stranger could
// have us dial 127.0.0.1:22 or the router's admin page. So:
//
//   - a public address is always dialled;
//   - a loopback address (127.0.0.0/8, ::1, and the unspecified 0.0.0.0 and
//     ::, which Linux dials as loopback) only for a peer found by mDNS or
//     named by the user, or when this node itself listens on loopback
//     only (tests and scripts that run several nodes on one machine; a
//     node with a network interface reaches another on its own machine at
//     that node's LAN address, which passes the next rule);
//   - any other address (RFC 1918, CGNAT, link-local, ULA, the benchmark
//     and documentation ranges) only for a peer found by mDNS or named by
//     the user, or when it is on a network this node is attached to: inside
//     the network (address and netmask, as the system reports them) of one
//     of the interfaces the node listens on, so a colleague's invite on the
//     same office network still works, and a home address from another
//     home is not even tried;
//   - multicast and broadcast addresses never.
//
// A relay circuit address is judged by the relay's part (the address the
// connection really goes to).

// ownNets is what the policy knows of this node's own networks.
type ownNets struct {
	// onLink are the networks of the interfaces the node listens on.
	onLink []netip.Prefix
	// loopbackOnly: every address the node listens on is a loopback one.
	loopbackOnly bool
}

// addrScope is how far an address reaches.
type addrScope int

const (
	scopeNone     addrScope = iota // not an address we dial: multicast, no IP
	scopePublic                    // the internet
	scopeLoopback                  // this machine
	scopeLocal                     // some local network, maybe ours
)

// mayDial reports whether the policy lets this node dial a; trusted is
// true for a peer found by mDNS or named by the user.
func mayDial(a multiaddr.Multiaddr, trusted bool, own ownNets) bool {
	scope, ip := addrScopeOf(a)
	switch scope {
	case scopePublic:
		return true
	case scopeLoopback:
		return trusted || own.loopbackOnly
	case scopeLocal:
		if trusted {
			return true
		}
		return ip.IsValid() && slices.ContainsFunc(own.onLink, func(p netip.Prefix) bool { return p.Contains(ip) })
	}
	return false
}

// addrScopeOf classifies an address by its first IP (or DNS) component,
// and returns that IP, unmapped from IPv6 if it is an IPv4 address.
func addrScopeOf(a multiaddr.Multiaddr) (addrScope, netip.Addr) {
	if len(a) == 0 {
		return scopeNone, netip.Addr{}
	}
	switch c := a[0]; c.Code() {
	case multiaddr.P_IP4, multiaddr.P_IP6:
		ip, ok := netip.AddrFromSlice(c.RawValue())
		if !ok {
			return scopeNone, netip.Addr{}
		}
		ip = ip.Unmap()
		return ipScope(ip), ip
	case multiaddr.P_IP6ZONE:
		// A zone only goes with a link-local address: local at best.
		if len(a) > 1 && a[1].Code() == multiaddr.P_IP6 {
			ip, ok := netip.AddrFromSlice(a[1].RawValue())
			if ok {
				return scopeLocal, ip
			}
		}
		return scopeNone, netip.Addr{}
	case multiaddr.P_DNS, multiaddr.P_DNS4, multiaddr.P_DNS6, multiaddr.P_DNSADDR:
		// Dials resolve names first and the resolved address is judged;
		// here (what the DHT keeps) a name is as public as it says.
		switch {
		case manet.IsPublicAddr(a):
			return scopePublic, netip.Addr{}
		case manet.IsPrivateAddr(a): // *.localhost
			return scopeLoopback, netip.Addr{}
		}
		return scopeLocal, netip.Addr{} // *.local and the like: never on-link by IP
	}
	return scopeNone, netip.Addr{}
}

// nat64 is the well-known NAT64 prefix: the IPv4 address it carries is
// what such an address reaches.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

func ipScope(ip netip.Addr) addrScope {
	if nat64.Contains(ip) {
		b := ip.As16()
		return ipScope(netip.AddrFrom4([4]byte(b[12:])))
	}
	switch {
	case ip.IsLoopback(), ip.IsUnspecified():
		return scopeLoopback
	case ip.IsMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return scopeNone
	case manet.IsPublicAddr(ipAddr(ip)):
		return scopePublic
	}
	return scopeLocal
}

// ipAddr is the /ip4 or /ip6 multiaddr of ip.
func ipAddr(ip netip.Addr) multiaddr.Multiaddr {
	a, err := manet.FromIP(net.IP(ip.AsSlice()))
	if err != nil {
		return nil
	}
	return a
}

// ownNetsFrom works out the node's own networks from the addresses it
// listens on and the addresses of the machine's interfaces (each with its
// netmask, IPv4 ones unmapped): an unspecified listen address (0.0.0.0,
// ::) stands for every interface address of its IP version.
func ownNetsFrom(listen []multiaddr.Multiaddr, ifaces []netip.Prefix) ownNets {
	var ips []netip.Addr
	for _, l := range listen {
		scope, ip := addrScopeOf(l)
		if scope == scopeNone || !ip.IsValid() {
			continue
		}
		if !ip.IsUnspecified() {
			ips = append(ips, ip)
			continue
		}
		for _, p := range ifaces {
			if p.Addr().Unmap().Is4() == ip.Is4() {
				ips = append(ips, p.Addr().Unmap())
			}
		}
	}
	own := ownNets{loopbackOnly: len(ips) > 0}
	for _, ip := range ips {
		if ip.IsLoopback() {
			continue
		}
		own.loopbackOnly = false
		nw := netip.PrefixFrom(ip, ip.BitLen()) // an address on no interface: itself
		for _, p := range ifaces {
			if p.Addr().Unmap() == ip {
				nw = netip.PrefixFrom(ip, p.Bits())
				break
			}
		}
		nw = nw.Masked()
		if !slices.Contains(own.onLink, nw) {
			own.onLink = append(own.onLink, nw)
		}
	}
	return own
}

// interfacePrefixes lists the machine's interface addresses, each with its
// interface's netmask.
func interfacePrefixes() ([]netip.Prefix, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Prefix
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipnet.IP)
		if !ok {
			continue
		}
		ones, _ := ipnet.Mask.Size()
		if ip.Is4In6() && ones > 32 {
			ones -= 96
		}
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	return out, nil
}
