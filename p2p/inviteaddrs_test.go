package p2p

import (
	"testing"

	"github.com/multiformats/go-multiaddr"
)

// Whether an invite made now can reach someone far away: off the internet
// and on a helper it is as good as it gets; a member with helpers but no
// relay yet is still finding its way in; one with no helper never will.
func TestWayInSaysWhyALinkIsNotReady(t *testing.T) {
	helper := newInternetNode(t, true)
	cases := []struct {
		name  string
		node  *Node
		ready bool
		why   string
	}{
		{"off the internet", newTestNode(t, ModeOff), true, ""},
		{"a helper", helper, true, ""},
		{"a member with a helper, no relay yet", newInternetNode(t, false, info(helper)), false, WayInFinding},
		{"a member with no helper", newInternetNode(t, false), false, WayInNoHelpers},
	}
	for _, c := range cases {
		if ready, why := c.node.WayIn(); ready != c.ready || why != c.why {
			t.Errorf("%s: WayIn() = %v, %q; want %v, %q", c.name, ready, why, c.ready, c.why)
		}
	}
}

// A helper's secure WebSocket address leads its links, one of them, and
// QUIC and TCP still follow.
func TestInviteAddrsPutOneWSSAddressFirst(t *testing.T) {
	addrs := []multiaddr.Multiaddr{
		multiaddr.StringCast("/ip6/3fff::7/udp/4001/quic-v1"),
		multiaddr.StringCast("/ip6/3fff::7/tcp/4001"),
		multiaddr.StringCast("/ip6/3fff::7/tcp/443/tls/sni/helper.example.org/ws"),
		multiaddr.StringCast("/ip6/3fff::8/tcp/443/tls/sni/helper.example.org/ws"),
		multiaddr.StringCast("/ip4/127.0.0.1/tcp/443/tls/sni/helper.example.org/ws"),
	}
	got := inviteAddrs(addrs)
	want := []string{
		"/ip6/3fff::7/tcp/443/tls/sni/helper.example.org/ws",
		"/ip6/3fff::7/udp/4001/quic-v1",
		"/ip6/3fff::7/tcp/4001",
	}
	if len(got) != len(want) {
		t.Fatalf("inviteAddrs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("inviteAddrs = %v, want %v", got, want)
		}
	}
	if wss := wssAddr(addrs); wss == nil || wss.String() != want[0] {
		t.Fatalf("wssAddr = %v", wss)
	}
	if best := bestAddr(addrs); best == nil || transportOf(best) == "wss" {
		t.Fatalf("bestAddr = %v, want QUIC or TCP", best)
	}
}
