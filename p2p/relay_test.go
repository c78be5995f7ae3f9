package p2p

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	"github.com/multiformats/go-multiaddr"

	"parley/roomkey"
	"parley/wire"
)

// fixedPolicy relays every circuit without limits, or none.
type fixedPolicy bool

func (f fixedPolicy) unlimited(context.Context, peer.ID, peer.ID) bool { return bool(f) }

// newPlainHost starts a libp2p host on 127.0.0.1 (TCP), a relay client
// like any default host.
func newPlainHost(t testing.TB, opts ...libp2p.Option) host.Host {
	t.Helper()
	h, err := libp2p.New(append([]libp2p.Option{libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// newRelayHost starts a host with a helper's relay that follows policy.
func newRelayHost(t testing.TB, policy relayPolicy, bytesPerSec, burst int, opts ...libp2p.Option) host.Host {
	t.Helper()
	rm, err := resourceManager(true)
	if err != nil {
		t.Fatal(err)
	}
	h := newPlainHost(t, append([]libp2p.Option{libp2p.ResourceManager(rm)}, opts...)...)
	r, err := newHelperRelay(t.Context(), h, policy, slog.New(slog.DiscardHandler), bytesPerSec, burst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return h
}

// relayThrough reserves a slot for dest on relay, then dials dest from src
// through it, by the relay's first TCP-based address (TCP or WSS), and
// returns the relayed connection.
func relayThrough(t testing.TB, relay peer.AddrInfo, src, dest host.Host) network.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := client.Reserve(ctx, dest, relay); err != nil {
		t.Fatalf("reserve a slot on the relay: %v", err)
	}
	var circuit multiaddr.Multiaddr
	for _, a := range relay.Addrs {
		if _, err := a.ValueForProtocol(multiaddr.P_TCP); err == nil {
			circuit = multiaddr.StringCast(fmt.Sprintf("%s/p2p/%s/p2p-circuit", a, relay.ID))
			break
		}
	}
	src.Peerstore().ClearAddrs(dest.ID())
	if err := src.Connect(ctx, peer.AddrInfo{ID: dest.ID(), Addrs: []multiaddr.Multiaddr{circuit}}); err != nil {
		t.Fatalf("dial through the relay: %v", err)
	}
	for _, c := range src.Network().ConnsToPeer(dest.ID()) {
		if isRelayed(c.RemoteMultiaddr()) {
			return c
		}
	}
	t.Fatal("no relayed connection")
	return nil
}

const sinkProtocol = "/parley/test/sink"

// sendThrough sends size bytes from src to dest on a new stream and returns
// how many dest read before the stream ended, and when it ended.
func sendThrough(t testing.TB, src, dest host.Host, size int) (int64, time.Time) {
	t.Helper()
	type result struct {
		n   int64
		end time.Time
	}
	got := make(chan result, 1)
	dest.SetStreamHandler(sinkProtocol, func(s network.Stream) {
		n, _ := io.Copy(io.Discard, s)
		got <- result{n, time.Now()}
		s.Close()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	s, err := src.NewStream(network.WithAllowLimitedConn(ctx, "test"), dest.ID(), sinkProtocol)
	if err != nil {
		t.Fatalf("open a stream: %v", err)
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		if _, err := s.Write(make([]byte, size)); err == nil {
			s.CloseWrite()
		}
	}()
	var r result
	select {
	case r = <-got:
	case <-ctx.Done():
		t.Fatal("the receiver did not finish in 60 s")
	}
	s.Reset()
	<-wrote
	return r.n, r.end
}

// A circuit the policy does not free is limited as go-libp2p's relay
// limits it: both ends know (GossipSub will not use it), and it is cut
// after 128 KiB. A freed one is not limited and carries all.
func TestHelperRelayLimits(t *testing.T) {
	const size = 200 << 10
	for _, tc := range []struct {
		name      string
		unlimited bool
	}{
		{"limited", false},
		{"without limits", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			relay := newRelayHost(t, fixedPolicy(tc.unlimited), relayCircuitRate, relayCircuitBurst)
			a, b := newPlainHost(t), newPlainHost(t)
			c := relayThrough(t, peer.AddrInfo{ID: relay.ID(), Addrs: relay.Addrs()}, a, b)
			if c.Stat().Limited == tc.unlimited {
				t.Fatalf("relayed connection limited: %v, want %v", c.Stat().Limited, !tc.unlimited)
			}
			n, _ := sendThrough(t, a, b, size)
			switch {
			case tc.unlimited && n != size:
				t.Fatalf("%d of %d bytes arrived through a circuit without limits", n, size)
			case !tc.unlimited && n >= 128<<10:
				t.Fatalf("%d bytes arrived through a limited circuit, want less than 128 KiB", n)
			}
		})
	}
}

// A circuit without limits is still capped in bytes per second.
func TestHelperRelayCapsTheRate(t *testing.T) {
	const (
		rate  = 64 << 10
		burst = 8 << 10
		size  = 96 << 10
	)
	relay := newRelayHost(t, fixedPolicy(true), rate, burst)
	a, b := newPlainHost(t), newPlainHost(t)
	relayThrough(t, peer.AddrInfo{ID: relay.ID(), Addrs: relay.Addrs()}, a, b)
	start := time.Now()
	n, end := sendThrough(t, a, b, size)
	if n != size {
		t.Fatalf("%d of %d bytes arrived", n, size)
	}
	// At least (size - burst) / rate; a busy machine only makes it slower.
	least := time.Duration(float64(size-burst) / rate * float64(time.Second))
	if took := end.Sub(start); took < least*9/10 {
		t.Fatalf("%d KiB went through in %v at a cap of %d KiB/s, want at least %v", size>>10, took, rate>>10, least)
	}
}

// newMemberNode starts an off-mode node on loopback, in the given rooms.
func newMemberNode(t *testing.T, rooms ...wire.RoomID) *Node {
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
	for _, room := range rooms {
		if err := n.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// A helper relays without limits only between two peers that each proved
// membership of a room the helper joined: two members chat through it;
// a stranger's circuit to a member, and a member's to a stranger, are
// limited (enough for a hole punch, not for GossipSub).
func TestHelperRelaysWithoutLimitsOnlyBetweenMembers(t *testing.T) {
	room, _ := wire.NewRoomID()
	helper := newInternetNode(t, true)
	if err := helper.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	a, b := newMemberNode(t, room), newMemberNode(t, room)
	stranger, strangerDest := newMemberNode(t), newMemberNode(t)
	relay := info(helper)

	c := relayThrough(t, relay, a.host, b.host)
	if c.Stat().Limited {
		t.Fatal("the circuit between two members is limited")
	}
	deadline := time.Now().Add(30 * time.Second)
	for !slices.Contains(a.RoomPeers(room), b.ID()) || !slices.Contains(b.RoomPeers(room), a.ID()) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: the members do not see each other in the room over the relay (a sees %v, b sees %v)", a.RoomPeers(room), b.RoomPeers(room))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if via := a.Via(b.ID()); via != ViaRelayed {
		t.Fatalf("a reaches b via %q, want relayed", via)
	}

	if c := relayThrough(t, relay, stranger.host, b.host); !c.Stat().Limited {
		t.Fatal("a stranger's circuit to a member is not limited")
	}
	if c := relayThrough(t, relay, a.host, strangerDest.host); !c.Stat().Limited {
		t.Fatal("a member's circuit to a stranger is not limited")
	}
}
