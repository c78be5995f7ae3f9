package p2p

import (
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// newPeerIDs makes n peer IDs of nodes that do not run.
func newPeerIDs(t *testing.T, n int) []peer.ID {
	t.Helper()
	ids := make([]peer.ID, n)
	for i := range ids {
		_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if ids[i], err = peer.IDFromPublicKey(pub); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func (n *Node) isKept(id peer.ID) bool {
	n.keep.mu.Lock()
	defer n.keep.mu.Unlock()
	_, ok := n.keep.kept[id]
	return ok
}

// Past MaxKept, a new peer takes the place of the least recently kept one
// that is not connected, as the store forgets the least recently seen: a
// peer met again is kept again, and one still connected is not dropped.
func TestKeepDropsTheLeastRecentlyKept(t *testing.T) {
	n, online := newTestNode(t, ModeOff), newTestNode(t, ModeOff)
	if err := n.host.Connect(t.Context(), peer.AddrInfo{ID: online.ID(), Addrs: online.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	// Offline peers are kept with no address: their redials fail at once,
	// without traffic.
	offline := newPeerIDs(t, MaxKept+1)
	if d := n.Keep(online.ID(), online.host.Addrs()); d != "" {
		t.Fatalf("Keep dropped %s with one peer kept", d)
	}
	for _, id := range offline[:MaxKept-1] {
		if d := n.Keep(id, nil); d != "" {
			t.Fatalf("Keep dropped %s before MaxKept peers were kept", d)
		}
	}
	if d := n.Keep(offline[0], nil); d != "" {
		t.Fatalf("keeping a kept peer again dropped %s", d)
	}
	// Kept, least recent first: online, offline[1], [2], …, [MaxKept-2], [0].
	for _, tc := range []struct {
		name string
		keep peer.ID
		want peer.ID
	}{
		{"the connected peer stays, the one met again too", offline[MaxKept-1], offline[1]},
		{"then the next least recent", offline[MaxKept], offline[2]},
		{"a dropped peer kept again takes a place of its own", offline[1], offline[3]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := n.Keep(tc.keep, nil); got != tc.want {
				t.Fatalf("Keep dropped %q, want %q", got, tc.want)
			}
			if n.isKept(tc.want) || !n.isKept(tc.keep) {
				t.Fatal("the dropped peer is still kept, or the new one is not")
			}
			if !n.isKept(online.ID()) || !n.isKept(offline[0]) {
				t.Fatal("the connected peer or the one met again was dropped")
			}
			n.keep.mu.Lock()
			kept := len(n.keep.kept)
			n.keep.mu.Unlock()
			if kept != MaxKept {
				t.Fatalf("%d peers kept, want %d", kept, MaxKept)
			}
		})
	}
}
