package p2p

import (
	"fmt"
	"testing"

	"github.com/multiformats/go-multiaddr"
)

func TestNATTypeFromWhatObserversSee(t *testing.T) {
	ma := multiaddr.StringCast
	local := ma("/ip6/fd00:a::2/udp/4001/quic-v1")
	h1, h2 := ma("/ip6/3fff::10/udp/4001/quic-v1"), ma("/ip6/3fff::20/udp/4001/quic-v1")
	seenAt := func(port int) multiaddr.Multiaddr {
		return ma(fmt.Sprintf("/ip6/3fff:0:0:a00::1/udp/%d/quic-v1", port))
	}

	o := newNATObserver()
	o.observe(local, h1, seenAt(40000))
	if got := o.natType(); got != "" {
		t.Errorf("one observer: %q, want no guess", got)
	}
	o.observe(local, ma("/ip6/fd00:a::9/udp/4001/quic-v1"), seenAt(51000)) // a LAN peer
	o.observe(local, ma("/ip6/3fff::30/udp/4001/quic-v1/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq/p2p-circuit"), seenAt(52000))
	if got := o.natType(); got != "" {
		t.Errorf("observers off the internet counted: %q", got)
	}
	o.observe(local, h2, seenAt(40000))
	if got := o.natType(); got != "cone" {
		t.Errorf("two observers, one port: %q, want cone", got)
	}
	o.observe(local, ma("/ip6/3fff::30/udp/4001/quic-v1"), seenAt(40001))
	if got := o.natType(); got != "symmetric" {
		t.Errorf("a third observer at another port: %q, want symmetric", got)
	}

	none := newNATObserver()
	none.observe(ma("/ip6/3fff::99/udp/4001/quic-v1"), h1, ma("/ip6/3fff::99/udp/4001/quic-v1"))
	none.observe(ma("/ip6/3fff::99/udp/4001/quic-v1"), h2, ma("/ip6/3fff::99/udp/4001/quic-v1"))
	if got := none.natType(); got != "" {
		t.Errorf("no NAT (seen at our own address): %q", got)
	}

	tcp := newNATObserver()
	tcpLocal := ma("/ip6/fd00:a::2/tcp/4001")
	tcp.observe(tcpLocal, ma("/ip6/3fff::10/tcp/4001"), ma("/ip6/3fff:0:0:a00::1/tcp/1000"))
	tcp.observe(tcpLocal, ma("/ip6/3fff::20/tcp/4001"), ma("/ip6/3fff:0:0:a00::1/tcp/2000"))
	if got := tcp.natType(); got != "symmetric" {
		t.Errorf("TCP only, two ports: %q, want symmetric", got)
	}

	// A flood of observers or sockets cannot grow it.
	many := newNATObserver()
	for i := range 100 {
		many.observe(ma(fmt.Sprintf("/ip6/fd00:a::2/udp/%d/quic-v1", 1000+i)), ma(fmt.Sprintf("/ip6/3fff::%x/udp/1/quic-v1", i+1)), seenAt(40000))
		many.observe(local, ma(fmt.Sprintf("/ip6/3fff::%x/udp/1/quic-v1", i+1)), seenAt(40000))
	}
	if len(many.sockets) > natSockets {
		t.Errorf("%d sockets kept, at most %d", len(many.sockets), natSockets)
	}
	for s, seen := range many.sockets {
		if len(seen) > natObservers {
			t.Errorf("socket %v keeps %d observers, at most %d", s, len(seen), natObservers)
		}
	}
}
