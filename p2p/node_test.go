package p2p

import (
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func newTestNode(t *testing.T, mode Mode) *Node {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(t.Context(), Options{Key: key, Mode: mode, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// Network rule: a node in off mode never starts mDNS. (lan mode is tested
// only inside network namespaces, test/netns.)
func TestOffModeNeverStartsMDNS(t *testing.T) {
	n := newTestNode(t, ModeOff)
	if n.MDNSStarted() || n.MDNSRunning() {
		t.Fatal("mDNS started in off mode")
	}
}
