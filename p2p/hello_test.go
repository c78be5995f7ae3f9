package p2p

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// rawHost is a bare libp2p host on loopback, closed at the end of the test.
func rawHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func helloNode(t *testing.T) *Node {
	t.Helper()
	n := newTestNode(t, ModeOff)
	n.hello.content = func() HelloContent { return HelloContent{Profile: []byte("hello")} }
	return n
}

func connect(t *testing.T, n *Node, h host.Host) {
	t.Helper()
	if err := n.host.Connect(t.Context(), peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

// Peers that take a hello and never finish reading it hold up no one else:
// hellos go out side by side.
func TestSlowPeersDoNotDelayOtherHellos(t *testing.T) {
	n := helloNode(t)
	for range 3 {
		slow := rawHost(t)
		slow.SetStreamHandler(helloProtocol, func(s network.Stream) {
			<-t.Context().Done() // never reads, never closes
			s.Reset()
		})
		connect(t, n, slow)
	}
	quick := rawHost(t)
	var got atomic.Bool
	quick.SetStreamHandler(helloProtocol, func(s network.Stream) {
		got.Store(true)
		s.Close()
	})
	start := time.Now()
	connect(t, n, quick)
	for !got.Load() {
		if time.Since(start) > helloTimeout/2 {
			t.Fatalf("no hello after %v: it waited behind the slow peers", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A hello the peer did not take (it hung up before reading) is tried again
// while the peer stays connected: it is not lost.
func TestAFailedHelloIsTriedAgain(t *testing.T) {
	n := helloNode(t)
	late := rawHost(t)
	var tries atomic.Int32
	var got atomic.Bool
	late.SetStreamHandler(helloProtocol, func(s network.Stream) {
		if tries.Add(1) == 1 {
			s.Reset() // not ready for it yet
			return
		}
		raw, err := msgio.NewVarintReaderSize(s, wire.MaxHelloSize).ReadMsg()
		var h wire.Hello
		got.Store(err == nil && proto.Unmarshal(raw, &h) == nil && len(h.Proofs) == 8*wire.ProofSize)
		s.Close()
	})
	connect(t, n, late)
	deadline := time.Now().Add(10 * time.Second)
	for !got.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("after %d tries, no hello taken", tries.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
