package p2p

import (
	"testing"

	"github.com/multiformats/go-multiaddr"
)

func TestTransportOfAnAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"/ip6/3fff::10/udp/4001/quic-v1":                  "quic",
		"/ip4/127.0.0.1/tcp/4001":                         "tcp",
		"/ip6/3fff::10/tcp/443/tls/sni/helper.example/ws": "wss",
		"/dns4/helper.example/tcp/443/wss":                "wss",
		"/ip4/127.0.0.1/tcp/8080/ws":                      "ws",
		"/ip6/3fff::10/udp/4001/quic-v1/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq/p2p-circuit": "quic",
		"/ip4/127.0.0.1/udp/4001": "",
	} {
		if got := transportOf(multiaddr.StringCast(addr)); got != want {
			t.Errorf("transportOf(%s) = %q, want %q", addr, got, want)
		}
	}
}
