package chat

import (
	"sync/atomic"
	"testing"
	"time"

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
