package p2p

import (
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
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

// Close waits for stream handlers still running: a sync handler reads the
// store, which its owner closes right after the node (a handler that
// outlived Close read a closed store's unmapped tables and crashed).
func TestCloseWaitsForStreamHandlers(t *testing.T) {
	const proto = "/parley/test-handler/1"
	server, client := newTestNode(t, ModeOff), newTestNode(t, ModeOff)
	entered, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	server.host.SetStreamHandler(proto, server.counted(func(s network.Stream) {
		defer s.Close()
		close(entered)
		<-release
		close(finished)
	}))
	if err := client.host.Connect(t.Context(), peer.AddrInfo{ID: server.ID(), Addrs: server.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	s, err := client.host.NewStream(t.Context(), server.ID(), proto)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	<-entered
	closed := make(chan struct{})
	go func() {
		server.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a stream handler was still running")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	<-finished
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return after the handler finished")
	}
}

// waitMember waits until n counts p as a proven member of room.
func waitMember(t *testing.T, n *Node, p peer.ID, room wire.RoomID) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !n.trust.isMember(p, room) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never proved membership of room %s", p, room)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRoomPeer waits until n has p in a room: proven and subscribed, so
// that what n publishes there reaches p.
func waitRoomPeer(t testing.TB, n *Node, p peer.ID, room wire.RoomID) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !slices.Contains(n.RoomPeers(room), p) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never joined room %s here (proven: %v)", p, room, n.trust.isMember(p, room))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A join racing Close either finishes before Close leaves every room or is
// refused: no room loop starts after Close waited for them.
func TestJoinDuringCloseIsRefusedOrLeft(t *testing.T) {
	for range 20 {
		n := newTestNode(t, ModeOff)
		joined := make(chan error, 1)
		go func() {
			room, _ := wire.NewRoomID()
			joined <- n.Join(roomkey.FromLegacyID(room), func(Batch) {})
		}()
		if err := n.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := <-joined; err != nil && !errors.Is(err, ErrClosed) {
			t.Fatalf("a join during Close: %v, want nil or ErrClosed", err)
		}
		room, _ := wire.NewRoomID()
		if err := n.Join(roomkey.FromLegacyID(room), func(Batch) {}); !errors.Is(err, ErrClosed) {
			t.Fatalf("a join after Close: %v, want ErrClosed", err)
		}
	}
}
