package p2p

import (
	"crypto/rand"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

// privateRoomNode starts an off-mode node in a private room that admits
// whom the log lists, collecting the texts it is handed.
func privateRoomNode(t *testing.T, keys roomkey.Room, got chan<- string) *Node {
	t.Helper()
	n := newTestNode(t, ModeOff)
	if err := n.Join(keys, func(b Batch) {
		for _, m := range b.Messages {
			got <- m.Text
		}
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// In a private room, holding the secret is not membership: a link holder
// the log does not list is never meshed, never handed the room's
// messages, and what it publishes is dropped unread. A member the log
// stops listing is cut off the same way, and comes back when listed again.
func TestAPrivateRoomMeshesOnlyWhomTheLogLists(t *testing.T) {
	keys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	toA, toB, toC, toD := make(chan string, 64), make(chan string, 64), make(chan string, 64), make(chan string, 64)
	// What b is handed while a counts it removed: once listed again, b may
	// well be handed what a said meanwhile (gossip, like history sync,
	// serves a member what it missed), never before.
	var removed atomic.Bool
	var handedWhileRemoved []string
	var handedMu sync.Mutex
	a, c, d := privateRoomNode(t, keys, toA), privateRoomNode(t, keys, toC), privateRoomNode(t, keys, toD)
	b := newTestNode(t, ModeOff)
	if err := b.Join(keys, func(batch Batch) {
		for _, m := range batch.Messages {
			if removed.Load() {
				handedMu.Lock()
				handedWhileRemoved = append(handedWhileRemoved, m.Text)
				handedMu.Unlock()
			}
			toB <- m.Text
		}
	}); err != nil {
		t.Fatal(err)
	}
	members := []peer.ID{a.ID(), b.ID(), d.ID()}
	for _, n := range []*Node{a, b, d} {
		n.AdmitToRoom(keys.ID, members)
	}
	// c holds the secret and takes everyone for a member.
	c.AdmitToRoom(keys.ID, []peer.ID{a.ID(), b.ID(), c.ID(), d.ID()})
	for _, pair := range [][2]*Node{{a, b}, {a, c}, {b, c}, {a, d}} {
		if err := pair[0].host.Connect(t.Context(), info(pair[1])); err != nil {
			t.Fatal(err)
		}
	}
	waitRoomPeer(t, a, b.ID(), keys.ID)
	waitRoomPeer(t, b, a.ID(), keys.ID)
	waitRoomPeer(t, a, d.ID(), keys.ID)
	waitRoomPeer(t, d, a.ID(), keys.ID)
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	send := func(from *Node, text string) {
		t.Helper()
		m, err := wire.Sign(key, wire.Draft{Room: keys.ID, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if err := from.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	// expect waits for text and returns what came before it.
	expect := func(to chan string, text string) (before []string) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case got := <-to:
				if got == text {
					return before
				}
				before = append(before, got)
			case <-deadline:
				t.Fatalf("%q not delivered in 20 s", text)
			}
		}
	}
	for deadline := time.Now().Add(20 * time.Second); !slices.Contains(a.RoomHolders(keys.ID), c.ID()); {
		if time.Now().After(deadline) {
			t.Fatal("a never sees that c holds the secret")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a.trust.isMember(c.ID(), keys.ID) || slices.Contains(a.RoomPeers(keys.ID), c.ID()) {
		t.Error("a counts the unlisted link holder as a member")
	}

	send(c, "from the outsider")
	send(a, "for members")
	if before := expect(toB, "for members"); len(before) > 0 {
		t.Errorf("b was handed %q", before)
	}
	send(b, "back to a")
	if before := expect(toA, "back to a"); len(before) > 0 {
		t.Errorf("a was handed %q", before)
	}
	// What c published went to a and b before their own messages did:
	// had either taken it, it would be ahead of theirs.
	select {
	case got := <-toC:
		t.Errorf("the outsider was handed %q", got)
	default:
	}
	if before := expect(toD, "for members"); len(before) > 0 {
		t.Errorf("d was handed %q", before)
	}

	// b is removed: a stops meshing it at once. d, still a member, is
	// handed what a says next; b, had a flooded it too, would have been
	// handed it alongside.
	removed.Store(true)
	a.AdmitToRoom(keys.ID, []peer.ID{a.ID(), d.ID()})
	if a.trust.isMember(b.ID(), keys.ID) {
		t.Fatal("a still counts the removed member")
	}
	send(a, "after the removal")
	send(c, "to check the order")
	expect(toD, "after the removal")
	removed.Store(false)
	handedMu.Lock()
	if len(handedWhileRemoved) > 0 {
		t.Errorf("b was handed %q while removed", handedWhileRemoved)
	}
	handedMu.Unlock()
	// Admitted again, b is meshed again and hears what a says next.
	a.AdmitToRoom(keys.ID, members)
	waitRoomPeer(t, a, b.ID(), keys.ID)
	waitRoomPeer(t, b, a.ID(), keys.ID)
	// The removal reset b's gossip streams: what is published before new
	// ones are up is lost (a room's history sync makes up for it).
	for _, pair := range [][2]*Node{{a, b}, {b, a}} {
		if !pair[0].repair.waitGossipWhole(pair[1].ID(), 20*time.Second) || !pair[0].repair.gossipWhole(pair[1].ID()) {
			t.Fatal("gossip between a and b is not whole 20 s after b was admitted again")
		}
	}
	send(a, "welcome back")
	expect(toB, "welcome back")
}

// The gossip check repairs a private room like any other: after a
// member's GossipSub streams die, both sides announce the room again and
// messages flow.
func TestTheGossipCheckRepairsAPrivateRoom(t *testing.T) {
	keys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	toA, toB := make(chan string, 64), make(chan string, 64)
	a, b := privateRoomNode(t, keys, toA), privateRoomNode(t, keys, toB)
	for _, n := range []*Node{a, b} {
		n.AdmitToRoom(keys.ID, []peer.ID{a.ID(), b.ID()})
	}
	if err := a.host.Connect(t.Context(), info(b)); err != nil {
		t.Fatal(err)
	}
	waitRoomPeer(t, a, b.ID(), keys.ID)
	waitRoomPeer(t, b, a.ID(), keys.ID)
	a.repair.resetGossipStreams(b.ID())
	for _, pair := range [][2]*Node{{a, b}, {b, a}} {
		if !pair[0].repair.waitGossipWhole(pair[1].ID(), 20*time.Second) || !pair[0].repair.gossipWhole(pair[1].ID()) {
			t.Fatal("gossip is not whole 20 s after the streams died")
		}
	}
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	m, err := wire.Sign(key, wire.Draft{Room: keys.ID, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: "after the repair"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-toB:
		if got != "after the repair" {
			t.Fatalf("b got %q", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing reached b after the repair")
	}
}
