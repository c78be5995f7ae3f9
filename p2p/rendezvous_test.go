package p2p

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

// newInternetNode starts an internet-mode node on loopback, kept off the
// machine's network (no mDNS, no router port mapping).
func newInternetNode(t *testing.T, helper bool, bootstrap ...peer.AddrInfo) *Node {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(t.Context(), Options{
		Key: key, Mode: ModeInternet, Helper: helper, Isolated: true,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"},
		Bootstrap:   bootstrap,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func info(n *Node) peer.AddrInfo { return peer.AddrInfo{ID: n.ID(), Addrs: n.host.Addrs()} }

// Two members of a room who never dialled each other, each knowing a
// different helper of a private ten-node DHT, find each other through the
// room's rendezvous and chat.
func TestMembersMeetThroughTheDHT(t *testing.T) {
	const helpers = 8
	var servers []*Node
	for i := range helpers {
		var boot []peer.AddrInfo
		if i > 0 {
			boot = append(boot, info(servers[i-1])) // a chain: each knows one other
		}
		servers = append(servers, newInternetNode(t, true, boot...))
	}
	// The helpers fill their routing tables from one another.
	deadline := time.Now().Add(60 * time.Second)
	for _, s := range servers {
		for s.rendezvous.dht.RoutingTable().Size() < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("helper's routing table holds %d peers after 60 s", s.rendezvous.dht.RoutingTable().Size())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	a := newInternetNode(t, false, info(servers[0]))
	b := newInternetNode(t, false, info(servers[helpers-1]))

	room, _ := wire.NewRoomID()
	got := make(chan *wire.Message, 1)
	if err := a.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	if err := b.Join(roomkey.FromLegacyID(room), func(batch Batch) {
		for _, m := range batch.Messages {
			select {
			case got <- m:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline = start.Add(90 * time.Second)
	for len(a.RoomPeers(room)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("a and b did not meet in 90 s (a connected to %d peers, b to %d)", len(a.ConnectedPeers()), len(b.ConnectedPeers()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("met after %v", time.Since(start).Round(time.Millisecond))
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	m, err := wire.Sign(key, wire.Draft{Room: room, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: "found you"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Text != "found you" {
			t.Fatalf("b got %q", m.Text)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("b did not get a's message in 30 s")
	}
}

// The rendezvous key names neither the room nor the day in the clear,
// changes with the day, and near midnight covers both days.
func TestRendezvousKeysRotateDaily(t *testing.T) {
	room, _ := roomkey.New()
	noon := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	today := rendezvousKeys(room, noon)
	tomorrow := rendezvousKeys(room, noon.Add(24*time.Hour))
	if len(today) != 1 || len(tomorrow) != 1 || today[0] == tomorrow[0] {
		t.Fatalf("keys at noon: %v, next noon: %v", today, tomorrow)
	}
	late := rendezvousKeys(room, time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC))
	if len(late) != 2 || late[0] != today[0] || late[1] != tomorrow[0] {
		t.Fatalf("near midnight want today's and tomorrow's key, got %v", late)
	}
	other, _ := roomkey.New()
	if rendezvousKeys(other, noon)[0] == today[0] {
		t.Fatal("two rooms share a key")
	}
}
