package chat

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/p2p"
)

// A nearby peer that leaves is listed as gone, then dropped: the list does
// not keep everyone ever met.
func TestDepartedNearbyPeersAreShownGoneThenDropped(t *testing.T) {
	var skew atomic.Int64 // how far a's clock runs ahead
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	a, err := Open(t.Context(), Options{DataDir: t.TempDir(), Network: "off", ListenAddrs: loopback, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b := openNode(t, t.TempDir())
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	// What a's node hands on once mDNS found b (no mDNS in tests).
	a.receiveHello(b.id.ID, p2p.PeerHello{LAN: true})
	eventually(t, 10*time.Second, "a lists b nearby", func() bool {
		n := a.Nearby()
		return len(n) == 1 && n[0].Connected
	})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "b shows as gone", func() bool {
		n := a.Nearby()
		return len(n) == 1 && !n[0].Connected
	})
	if a.forgetDepartedNearby() {
		t.Fatal("b dropped at once")
	}
	skew.Store(int64(nearbyForget))
	if !a.forgetDepartedNearby() || len(a.Nearby()) != 0 {
		t.Errorf("b still listed %v after leaving", nearbyForget)
	}
}

// However many peers on this network say hello, the list holds at most
// maxNearby, and a newcomer takes the place of a peer that left, never of
// one still here.
func TestNearbyListStaysBounded(t *testing.T) {
	a := openNode(t, t.TempDir())
	b := openNode(t, t.TempDir())
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	a.receiveHello(b.id.ID, p2p.PeerHello{LAN: true})
	var left, last peer.ID
	for i := range maxNearby + 50 {
		p := nearbyTestPeer(t)
		a.receiveHello(p, p2p.PeerHello{LAN: true})
		if i == 0 {
			left = p
		}
		last = p
	}
	listed := func(p peer.ID) bool {
		for _, np := range a.Nearby() {
			if np.PeerID == p.String() {
				return true
			}
		}
		return false
	}
	if n := len(a.Nearby()); n != maxNearby {
		t.Fatalf("%d peers listed, want %d", n, maxNearby)
	}
	if !listed(b.id.ID) || listed(last) {
		t.Fatalf("a peer still here was pushed out by a newcomer (b listed: %v, newcomer listed: %v)", listed(b.id.ID), listed(last))
	}
	a.nearbyLeft(left, false)
	a.receiveHello(last, p2p.PeerHello{LAN: true})
	if listed(left) || !listed(last) || !listed(b.id.ID) || len(a.Nearby()) != maxNearby {
		t.Errorf("the newcomer did not take the place of the peer that left")
	}
}

func nearbyTestPeer(t *testing.T) peer.ID {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
