package p2p

import (
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// BenchmarkRelayedRate is what a member on a network that lets only web
// traffic out gets through a helper's relay: bytes a second from one
// member to another over a circuit whose two legs are secure WebSocket,
// against the same over TCP: with the helper's per-circuit cap (what
// members get) and without it (what the transports cost).
func BenchmarkRelayedRate(b *testing.B) {
	type run struct {
		name, transport string
		rate, size      int
	}
	var runs []run
	for _, transport := range []string{"tcp", "wss"} {
		runs = append(runs,
			run{transport + "/capped", transport, relayCircuitRate, 2 << 20},
			run{transport + "/uncapped", transport, 1 << 30, 32 << 20})
	}
	for _, r := range runs {
		transport, size := r.transport, r.size
		b.Run(r.name, func(b *testing.B) {
			ca := newTestCA(b)
			dir := b.TempDir()
			certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
			ca.issue(b, testDomain, time.Now().Add(24*time.Hour), certFile, keyFile)
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				b.Fatal(err)
			}
			serve := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
			relay := newRelayHost(b, fixedPolicy(true), r.rate, relayCircuitBurst, transports(serve, nil),
				libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0/tls/sni/"+testDomain+"/ws"))
			info := peer.AddrInfo{ID: relay.ID(), Addrs: addrsOver(relay, transport)}
			if len(info.Addrs) == 0 {
				b.Fatalf("the relay has no %s address: %v", transport, relay.Addrs())
			}
			src, dest := newPlainHost(b, transports(nil, ca.pool)), newPlainHost(b, transports(nil, ca.pool))
			c := relayThrough(b, info, src, dest)
			if got := transportOf(c.RemoteMultiaddr()); got != transport {
				b.Fatalf("relayed over %s, want %s", got, transport)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				if n, _ := sendThrough(b, src, dest, size); n != int64(size) {
					b.Fatalf("%d of %d bytes arrived", n, size)
				}
			}
		})
	}
}

// addrsOver are the host's addresses of one transport.
func addrsOver(h host.Host, transport string) []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	for _, a := range h.Addrs() {
		if transportOf(a) == transport {
			out = append(out, a)
		}
	}
	return out
}
