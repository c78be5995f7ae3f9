package p2p

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

// While the handler is busy storing one batch (a disk commit), what gossip
// brings meanwhile gathers into the next: a burst costs a few commits, not
// one per message.
func TestGossipBurstArrivesInBatches(t *testing.T) {
	const burst = DefaultAuthorBurst // one author's burst allowance: none of it is cut
	room, _ := wire.NewRoomID()
	a, b := newTestNode(t, ModeOff), newTestNode(t, ModeOff)
	var mu sync.Mutex
	calls, got := 0, 0
	if err := b.Join(roomkey.FromLegacyID(room), func(batch Batch) {
		time.Sleep(20 * time.Millisecond) // a commit's worth of time
		mu.Lock()
		calls++
		got += len(batch.Messages)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	if err := a.host.Connect(t.Context(), peer.AddrInfo{ID: b.ID(), Addrs: b.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	// Both ways: until b counts a too, b may still ask a to announce its
	// rooms again, and a reset loses what is on its way (p2p has no sync
	// to bring it back).
	deadline := time.Now().Add(20 * time.Second)
	for len(a.RoomPeers(room)) == 0 || len(b.RoomPeers(room)) == 0 || !a.repair.gossipWhole(b.ID()) || !b.repair.gossipWhole(a.ID()) {
		if time.Now().After(deadline) {
			t.Fatal("b never appeared in the room")
		}
		time.Sleep(10 * time.Millisecond)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i := range burst {
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: wire.WallTime(time.Now()) + uint64(i), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprint("burst ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	for {
		mu.Lock()
		c, g := calls, got
		mu.Unlock()
		if g == burst {
			// One call per message would take burst × 20 ms; batches take a few.
			if c > burst/5 {
				t.Errorf("%d messages came in %d calls", g, c)
			}
			t.Logf("%d messages in %d batches", g, c)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages after 20 s, in %d calls", g, burst, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// One room with one peer is in one session at a time, whoever started it:
// a second would count the same differences again beside the first.
func TestOneSessionPerRoomAndPeer(t *testing.T) {
	n := newTestNode(t, ModeOff)
	p := randomPeer(t)
	roomA, roomB := wire.RoomID{1}, wire.RoomID{2}
	release, ok := n.sync.acquire(p, roomA, false)
	if !ok {
		t.Fatal("the first session was refused")
	}
	if _, ok := n.sync.acquire(p, roomA, true); ok {
		t.Error("the peer started a session of a room already in session with it")
	}
	if _, ok := n.sync.acquire(p, roomA, false); ok {
		t.Error("a second session of the same room with the same peer was started")
	}
	other, ok := n.sync.acquire(p, roomB, true)
	if !ok {
		t.Error("another room with the same peer was refused")
	} else {
		other()
	}
	if again, ok := n.sync.acquire(randomPeer(t), roomA, true); !ok {
		t.Error("the same room with another peer was refused")
	} else {
		again()
	}
	release()
	if again, ok := n.sync.acquire(p, roomA, true); !ok {
		t.Error("the room was refused after its session ended")
	} else {
		again()
	}
}

// Sessions that peers start are capped for all peers together, not only
// per peer: many peers cannot make a node run sessions without end.
func TestSyncSessionsServedAreCappedOverall(t *testing.T) {
	n := newTestNode(t, ModeOff)
	var releases []func()
	for range maxSyncsServed {
		release, ok := n.sync.acquire(randomPeer(t), wire.RoomID{}, true)
		if !ok {
			t.Fatal("refused a session under the cap")
		}
		releases = append(releases, release)
	}
	if _, ok := n.sync.acquire(randomPeer(t), wire.RoomID{}, true); ok {
		t.Fatalf("a new peer got session %d, over the cap of %d", maxSyncsServed+1, maxSyncsServed)
	}
	if release, ok := n.sync.acquire(randomPeer(t), wire.RoomID{}, false); !ok {
		t.Error("a session we start was refused by the cap on sessions served")
	} else {
		release()
	}
	releases[0]()
	if _, ok := n.sync.acquire(randomPeer(t), wire.RoomID{}, true); !ok {
		t.Error("a slot freed but a new session was refused")
	}
}
