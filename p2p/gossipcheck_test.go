package p2p

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	"github.com/multiformats/go-multiaddr"

	"parley/roomkey"
	"parley/wire"
)

// newRoomNode starts an off-mode node on loopback, TCP and QUIC, in one
// room, which collects what it receives.
func newRoomNode(t *testing.T, room wire.RoomID, got chan<- string) *Node {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(t.Context(), Options{
		Key: key, Mode: ModeOff,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"},
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	if err := n.Join(roomkey.FromLegacyID(room), func(b Batch) {
		for _, m := range b.Messages {
			got <- m.Text
		}
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// The hole-punch case in one process: A reaches B through the relay of a
// helper in their room, GossipSub starts on that connection, then a direct connection
// appears and the relayed one is closed (preferDirect). Messages keep
// flowing both ways over the direct one, round after round: whatever
// GossipSub lost with the relayed connection, the gossip check repairs.
func TestGossipMovesFromTheRelayToADirectConnection(t *testing.T) {
	room, _ := wire.NewRoomID()
	helper := newInternetNode(t, true)
	// The helper was given the room: it relays its members without limits.
	if err := helper.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	toA, toB := make(chan string, 64), make(chan string, 64)
	a, b := newRoomNode(t, room, toA), newRoomNode(t, room, toB)
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	send := func(from *Node, text string) {
		t.Helper()
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if err := from.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	// One message, then it must arrive: p2p nodes here have no history
	// sync to make up for a lost one.
	expect := func(from *Node, to chan string, text string) {
		t.Helper()
		send(from, text)
		deadline := time.After(30 * time.Second)
		for {
			select {
			case got := <-to:
				if got == text {
					return
				}
			case <-deadline:
				t.Fatalf("%q not delivered in 30 s; a: writer %v, sees b %v; b: writer %v, sees a %v", text,
					a.repair.hasGossipWriter(b.ID()), slices.Contains(a.RoomPeers(room), b.ID()), b.repair.hasGossipWriter(a.ID()), slices.Contains(b.RoomPeers(room), a.ID()))
			}
		}
	}
	waitRoom := func(what string, cond func() bool, detail ...func() string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				for _, d := range detail {
					what += " (" + d() + ")"
				}
				t.Fatalf("after 30 s: %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, err := client.Reserve(t.Context(), b.host, info(helper)); err != nil {
		t.Fatalf("reserve a slot on the helper's relay: %v", err)
	}
	circuit := multiaddr.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%s/p2p/%s/p2p-circuit", tcpPort(t, helper), helper.ID()))
	rounds := 6
	if testing.Short() {
		rounds = 3 // make test-long runs all six
	}
	for round := range rounds {
		a.host.Peerstore().ClearAddrs(b.ID()) // only the relay, this time
		if err := a.host.Connect(t.Context(), peer.AddrInfo{ID: b.ID(), Addrs: []multiaddr.Multiaddr{circuit}}); err != nil {
			t.Fatalf("round %d: dial through the relay: %v", round, err)
		}
		waitRoom("a and b meet in the room over the relay", func() bool {
			return slices.Contains(a.RoomPeers(room), b.ID()) && slices.Contains(b.RoomPeers(room), a.ID())
		})
		if via := a.Via(b.ID()); via != ViaRelayed {
			t.Fatalf("round %d: via %q before the direct dial, want relayed", round, via)
		}
		expect(a, toB, fmt.Sprint("a to b over the relay ", round))
		if _, err := a.host.Network().DialPeer(network.WithForceDirectDial(t.Context(), "test"), b.ID()); err != nil {
			t.Fatalf("round %d: direct dial: %v", round, err)
		}
		// Each stays in the other's room throughout the move: GossipSub
		// drops the peer for a moment, but it never left.
		stillThere := func(stage string) {
			t.Helper()
			if !slices.Contains(a.RoomPeers(room), b.ID()) || !slices.Contains(b.RoomPeers(room), a.ID()) {
				t.Fatalf("round %d, %s: a sees b in the room %v, b sees a %v; want both", round, stage,
					slices.Contains(a.RoomPeers(room), b.ID()), slices.Contains(b.RoomPeers(room), a.ID()))
			}
		}
		waitRoom("the relayed connection is closed", func() bool {
			stillThere("while the relayed connection closes")
			for _, c := range a.host.Network().ConnsToPeer(b.ID()) {
				if isRelayed(c.RemoteMultiaddr()) {
					return false
				}
			}
			return true
		})
		// What is published while GossipSub re-learns the peer is lost
		// (history sync brings it); once it has, nothing may be.
		waitRoom("gossip between a and b is whole again", func() bool {
			stillThere("while gossip settles")
			return a.repair.gossipWhole(b.ID()) && b.repair.gossipWhole(a.ID())
		}, func() string {
			return fmt.Sprintf("a: writer %v, sees b %v; b: writer %v, sees a %v; shared %d/%d", a.repair.hasGossipWriter(b.ID()), slices.Contains(a.RoomPeers(room), b.ID()),
				b.repair.hasGossipWriter(a.ID()), slices.Contains(b.RoomPeers(room), a.ID()), len(a.repair.sharedRooms(b.ID())), len(b.repair.sharedRooms(a.ID())))
		})
		for i := range 3 {
			expect(a, toB, fmt.Sprintf("a to b direct %d.%d", round, i))
			expect(b, toA, fmt.Sprintf("b to a direct %d.%d", round, i))
		}
		if err := a.Disconnect(b.ID()); err != nil {
			t.Fatal(err)
		}
		waitRoom("a and b part", func() bool { return !a.isConnected(b.ID()) && !b.isConnected(a.ID()) })
	}
}

func tcpPort(t *testing.T, n *Node) string {
	t.Helper()
	for _, a := range n.host.Addrs() {
		if port, err := a.ValueForProtocol(multiaddr.P_TCP); err == nil {
			return port
		}
	}
	t.Fatal("no TCP address")
	return ""
}

// A repair asked for while one for the same peer runs is not dropped: it
// waits, and runs once the first is over (its proof may be newer than the
// first run's last look).
func TestARepairAskedForDuringOneRunsAfterIt(t *testing.T) {
	g := newGossipRepair(t.Context(), nil, nil, nil)
	p := randomPeer(t)
	started := make(chan int, 4)
	proceed := make(chan struct{})
	runs := 0
	do := g.releasing(g.reannounce, g.asking, func(peer.ID) {
		runs++
		started <- runs
		<-proceed
	})
	for range 2 { // two workers, as the node runs several
		go g.reannounce.Serve(t.Context(), g.claimer(g.asking), do)
	}
	g.reannounce.Add(p)
	if n := <-started; n != 1 {
		t.Fatalf("run %d started first", n)
	}
	g.reannounce.Add(p) // asked again while the first run works
	select {
	case n := <-started:
		t.Fatalf("run %d started beside the first", n)
	case <-time.After(200 * time.Millisecond):
	}
	proceed <- struct{}{}
	select {
	case n := <-started:
		if n != 2 {
			t.Fatalf("run %d started after the first", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the repair asked for during the first run never ran")
	}
	proceed <- struct{}{}
}
