package p2p

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	"github.com/multiformats/go-multiaddr"
)

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func addrs(ss ...string) []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	for _, s := range ss {
		out = append(out, multiaddr.StringCast(s))
	}
	return out
}

// A desktop at home (192.168.1.20/24 and a ULA /64, listening on every
// interface, loopback included), a test node on loopback only, and a
// helper with a public address only.
var (
	homeNets = ownNetsFrom(
		addrs("/ip4/0.0.0.0/tcp/4001", "/ip6/::/udp/4001/quic-v1"),
		prefixes("127.0.0.1/8", "192.168.1.20/24", "::1/128", "fd00:a:b:c::20/64", "fe80::1/64"),
	)
	loopbackNets = ownNetsFrom(addrs("/ip4/127.0.0.1/tcp/4001"), prefixes("127.0.0.1/8", "192.168.1.20/24"))
	helperNets   = ownNetsFrom(addrs("/ip4/203.0.113.9/tcp/4001"), prefixes("127.0.0.1/8", "203.0.113.9/24"))
)

func TestAddressPolicy(t *testing.T) {
	relay := randomPeer(t)
	for _, tc := range []struct {
		name    string
		addr    string
		trusted bool
		own     ownNets
		want    bool
	}{
		{"public IPv4", "/ip4/8.8.8.8/tcp/4001", false, homeNets, true},
		{"public IPv6", "/ip6/2a00:1450::1/udp/4001/quic-v1", false, homeNets, true},
		{"public, no networks known", "/ip4/8.8.8.8/tcp/4001", false, ownNets{}, true},
		{"loopback from a stranger", "/ip4/127.0.0.1/tcp/22", false, homeNets, false},
		{"loopback elsewhere in 127/8", "/ip4/127.3.2.1/tcp/22", false, homeNets, false},
		{"IPv6 loopback", "/ip6/::1/tcp/22", false, homeNets, false},
		{"IPv4-mapped loopback", "/ip6/::ffff:127.0.0.1/tcp/22", false, homeNets, false},
		{"unspecified is dialled as loopback", "/ip4/0.0.0.0/tcp/22", false, homeNets, false},
		{"NAT64 of a private address", "/ip6/64:ff9b::c0a8:101/tcp/80", false, helperNets, false},
		{"NAT64 of a public address", "/ip6/64:ff9b::808:808/tcp/80", false, helperNets, true},
		{"loopback from a peer found by mDNS or named", "/ip4/127.0.0.1/tcp/4001", true, homeNets, true},
		{"loopback when we live on loopback", "/ip4/127.0.0.1/tcp/4001", false, loopbackNets, true},
		{"our own LAN", "/ip4/192.168.1.1/tcp/80", false, homeNets, true},
		{"another home's LAN", "/ip4/192.168.2.7/tcp/4001", false, homeNets, false},
		{"another RFC 1918 block", "/ip4/10.0.0.7/tcp/4001", false, homeNets, false},
		{"CGNAT", "/ip4/100.64.0.7/tcp/4001", false, homeNets, false},
		{"our ULA /64", "/ip6/fd00:a:b:c::99/tcp/4001", false, homeNets, true},
		{"another ULA /64 of our /48", "/ip6/fd00:a:b:d::99/tcp/4001", false, homeNets, false},
		{"link-local, IPv4", "/ip4/169.254.1.1/tcp/4001", false, homeNets, false},
		{"benchmark range", "/ip4/198.18.0.7/tcp/4001", false, homeNets, false},
		{"a LAN peer's private address", "/ip4/10.0.0.7/tcp/4001", true, homeNets, true},
		{"a loopback-only node and a LAN address", "/ip4/192.168.1.1/tcp/80", false, loopbackNets, false},
		{"a helper and a stranger's private address", "/ip4/192.168.1.1/tcp/80", false, helperNets, false},
		{"multicast", "/ip4/224.0.0.251/udp/5353", true, homeNets, false},
		{"public name", "/dns4/example.com/tcp/4001", false, homeNets, true},
		{"localhost name", "/dns4/localhost/tcp/22", false, homeNets, false},
		{"mDNS name", "/dns4/printer.local/tcp/80", false, homeNets, false},
		{"circuit through a public relay", fmt.Sprintf("/ip4/8.8.8.8/tcp/4001/p2p/%s/p2p-circuit", relay), false, homeNets, true},
		{"circuit through a loopback relay", fmt.Sprintf("/ip4/127.0.0.1/tcp/4001/p2p/%s/p2p-circuit", relay), false, homeNets, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mayDial(multiaddr.StringCast(tc.addr), tc.trusted, tc.own); got != tc.want {
				t.Errorf("mayDial(%s, trusted %v) = %v, want %v (own networks %+v)", tc.addr, tc.trusted, got, tc.want, tc.own)
			}
		})
	}
}

func TestOwnNets(t *testing.T) {
	for _, tc := range []struct {
		name         string
		listen       []multiaddr.Multiaddr
		ifaces       []netip.Prefix
		onLink       []netip.Prefix
		loopbackOnly bool
	}{
		{"every interface", addrs("/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"),
			prefixes("127.0.0.1/8", "192.168.1.20/24", "10.1.2.3/16", "::1/128", "fd00::5/64"),
			prefixes("192.168.1.0/24", "10.1.0.0/16", "fd00::/64"), false},
		{"IPv4 only", addrs("/ip4/0.0.0.0/tcp/0"), prefixes("192.168.1.20/24", "fd00::5/64"), prefixes("192.168.1.0/24"), false},
		{"one interface", addrs("/ip4/10.1.2.3/tcp/0"), prefixes("192.168.1.20/24", "10.1.2.3/16"), prefixes("10.1.0.0/16"), false},
		{"an address on no interface", addrs("/ip4/10.9.9.9/tcp/0"), prefixes("192.168.1.20/24"), prefixes("10.9.9.9/32"), false},
		{"loopback only", addrs("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"), prefixes("127.0.0.1/8", "192.168.1.20/24"), nil, true},
		{"every interface of a machine with loopback only", addrs("/ip4/0.0.0.0/tcp/0"), prefixes("127.0.0.1/8"), nil, true},
		{"nothing known", nil, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ownNetsFrom(tc.listen, tc.ifaces)
			if !slices.Equal(got.onLink, tc.onLink) || got.loopbackOnly != tc.loopbackOnly {
				t.Errorf("ownNetsFrom = %+v, want on-link %v, loopback only %v", got, tc.onLink, tc.loopbackOnly)
			}
		})
	}
}

// An invite (or a DHT record, or a peer's identify reply) that gives
// 127.0.0.1:22 does not make a joiner dial it: the joiner is not on
// loopback only, and the inviter was neither found by mDNS nor named by
// the user.
func TestAnInviteAddressOnLoopbackIsNotDialled(t *testing.T) {
	invite := multiaddr.StringCast("/ip4/127.0.0.1/tcp/22")
	joiner := ownNetsFrom(addrs("/ip4/0.0.0.0/tcp/0"), prefixes("127.0.0.1/8", "192.168.1.20/24"))
	if mayDial(invite, false, joiner) {
		t.Fatal("a joiner with a LAN address dials 127.0.0.1:22 from an invite")
	}
	noLoopback := ownNetsFrom(addrs("/ip4/192.168.1.20/tcp/0"), prefixes("192.168.1.20/24"))
	if mayDial(invite, false, noLoopback) {
		t.Fatal("a joiner without a loopback address dials 127.0.0.1:22 from an invite")
	}

	// The same through a node's host, whose own networks are made to be
	// a LAN's: the dial is refused by the gater before any socket opens.
	n := newLoopbackNode(t)
	setOwnNets(n, addrs("/ip4/192.168.1.20/tcp/4001"), prefixes("192.168.1.20/24"))
	sshd := listenCounting(t)
	inviter := peer.AddrInfo{ID: randomPeer(t), Addrs: []multiaddr.Multiaddr{sshd.addr}}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := n.ConnectInfo(ctx, inviter)
	if !errors.Is(err, swarm.ErrGaterDisallowedConnection) {
		t.Fatalf("dial an invite's loopback address: %v, want the gater's refusal", err)
	}
	if got := sshd.accepted.Load(); got != 0 {
		t.Fatalf("the loopback port got %d connections", got)
	}

	// A peer the user names by address is dialled, loopback or not.
	other := newLoopbackNode(t)
	if err := n.ConnectInfo(ctx, info(other)); !errors.Is(err, swarm.ErrGaterDisallowedConnection) {
		t.Fatalf("dial a peer on loopback that nobody named: %v, want the gater's refusal", err)
	}
	if err := n.Connect(ctx, other.Addrs()[0]); err != nil {
		t.Fatalf("dial a peer the user named: %v", err)
	}
}

// newLoopbackNode starts an off-mode node on 127.0.0.1.
func newLoopbackNode(t *testing.T) *Node {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(t.Context(), Options{
		Key: key, Mode: ModeOff,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// setOwnNets makes the node's gater see the given listen and interface
// addresses as its own.
func setOwnNets(n *Node, listen []multiaddr.Multiaddr, ifaces []netip.Prefix) {
	d := *n.gate.deps.Load()
	d.nets = &netsCache{
		listen: func() []multiaddr.Multiaddr { return listen },
		ifaces: func() ([]netip.Prefix, error) { return ifaces, nil },
		ttl:    time.Hour,
	}
	n.gate.deps.Store(&d)
}

// countingListener is a TCP port on 127.0.0.1 that counts the connections
// it accepts.
type countingListener struct {
	addr     multiaddr.Multiaddr
	accepted atomic.Int64
}

func listenCounting(t *testing.T) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &countingListener{addr: multiaddr.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ln.Addr().(*net.TCPAddr).Port))}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.accepted.Add(1)
			conn.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return c
}
