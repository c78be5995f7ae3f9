package p2p

import (
	"fmt"
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/multiformats/go-multiaddr"
)

// An invite gives public addresses and relay circuits first, then LAN ones,
// and loopback only when there is nothing else.
func TestInviteAddressPolicy(t *testing.T) {
	relay := randomPeer(t)
	parse := func(ss ...string) []multiaddr.Multiaddr {
		var out []multiaddr.Multiaddr
		for _, s := range ss {
			out = append(out, multiaddr.StringCast(s))
		}
		return out
	}
	circuit := fmt.Sprintf("/ip6/3fff:0:1::1/udp/4001/quic-v1/p2p/%s/p2p-circuit", relay)
	got := inviteAddrs(parse(
		"/ip4/127.0.0.1/tcp/4001",
		"/ip4/192.168.1.20/tcp/4001",
		circuit,
		"/ip6/3fff:0:2::7/udp/4001/quic-v1",
		"/ip4/10.0.0.3/udp/4001/quic-v1",
	))
	want := parse("/ip6/3fff:0:2::7/udp/4001/quic-v1", circuit, "/ip4/192.168.1.20/tcp/4001", "/ip4/10.0.0.3/udp/4001/quic-v1")
	if !slices.EqualFunc(got, want, multiaddr.Multiaddr.Equal) {
		t.Errorf("invite addresses\n got %v\nwant %v", got, want)
	}
	onlyLoopback := parse("/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1")
	if got := inviteAddrs(onlyLoopback); !slices.EqualFunc(got, onlyLoopback, multiaddr.Multiaddr.Equal) {
		t.Errorf("a loopback-only node's invite gives %v, want its loopback addresses", got)
	}
	var many []string
	for i := range 10 {
		many = append(many, fmt.Sprintf("/ip4/192.168.1.%d/tcp/4001", i+1))
	}
	if got := inviteAddrs(parse(many...)); len(got) != inviteLAN {
		t.Errorf("%d LAN addresses given, want at most %d", len(got), inviteLAN)
	}
}

// Twenty peers behind one NAT address can all connect: go-libp2p's default
// allows eight connections per IPv4 address.
func TestManyPeersBehindOneAddress(t *testing.T) {
	rm, err := resourceManager(false)
	if err != nil {
		t.Fatal(err)
	}
	defer rm.Close()
	office := multiaddr.StringCast("/ip4/198.18.0.9/tcp/4001")
	for i := range 20 {
		scope, err := rm.OpenConnection(network.DirInbound, true, office)
		if err != nil {
			t.Fatalf("connection %d from one address refused: %v", i+1, err)
		}
		defer scope.Done()
	}
}

func TestCircuitRelay(t *testing.T) {
	relay := randomPeer(t)
	a := multiaddr.StringCast(fmt.Sprintf("/ip4/198.18.0.1/tcp/4001/p2p/%s/p2p-circuit", relay))
	if got, ok := circuitRelay(a); !ok || got != relay {
		t.Errorf("circuitRelay(%s) = %s, %v", a, got, ok)
	}
	if _, ok := circuitRelay(multiaddr.StringCast("/ip4/198.18.0.1/tcp/4001")); ok {
		t.Error("a direct address was taken for a circuit")
	}
}
