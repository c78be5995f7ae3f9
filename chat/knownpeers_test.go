package chat

import (
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/p2p"
	"parley/store"
)

// Peers that wrote to each other in a room find each other again by
// themselves after one of them restarts, though they first met by an
// explicit Connect: each remembered the other, and the one that stayed
// redials with backoff.
func TestPeersReconnectByThemselvesAfterARestart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		newPort bool // a comes back elsewhere: only a's own memory of b helps
	}{{"same address", false}, {"new address", true}} {
		t.Run(tc.name, func(t *testing.T) {
			aDir := t.TempDir()
			aOpts := Options{DataDir: aDir, Network: "off", ListenAddrs: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freeTCPPort(t))}}
			a, err := Open(t.Context(), aOpts)
			if err != nil {
				t.Fatal(err)
			}
			b := newNode(t, t.TempDir())
			room, err := a.CreateRoom("kept")
			if err != nil {
				t.Fatal(err)
			}
			joinFrom(t, a, b, room.ID, "")
			if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
				t.Fatal(err)
			}
			// Each is remembered once the other kept something it sent.
			for _, s := range []*Service{a, b} {
				if _, err := s.Send(t.Context(), room.ID, "hello"); err != nil {
					t.Fatal(err)
				}
			}
			eventually(t, 20*time.Second, "each remembers the other", func() bool {
				ka, _ := a.store.KnownPeers()
				kb, _ := b.store.KnownPeers()
				return len(ka) == 1 && len(kb) == 1
			})
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Send(t.Context(), room.ID, "while a was away"); err != nil {
				t.Fatal(err)
			}
			if tc.newPort {
				aOpts.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
			}
			a, err = Open(t.Context(), aOpts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			id := mustRoom(t, room.ID)
			eventually(t, 30*time.Second, "a has b's message with no Connect call", func() bool { return count(t, a, id) == 3 })
		})
	}
}

// knownIDs lists the peers s remembers.
func knownIDs(t *testing.T, s *Service) []peer.ID {
	t.Helper()
	known, err := s.store.KnownPeers()
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]peer.ID, 0, len(known))
	for _, k := range known {
		ids = append(ids, peer.ID(k.ID))
	}
	return ids
}

// A member is remembered, and so redialled and told where we are after we
// move, only once it sent something we kept: being on the room's topic
// takes no more than a proof.
func TestOnlyMembersThatSentSomethingAreRemembered(t *testing.T) {
	a, quiet, writer := newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room, err := a.CreateRoom("remembered")
	if err != nil {
		t.Fatal(err)
	}
	id := mustRoom(t, room.ID)
	// Each reaches a only, so what a has of writer's comes from writer.
	// quiet is in the room first: a remembering members as they come
	// would have saved it before writer.
	for _, s := range []*Service{quiet, writer} {
		joinFrom(t, a, s, room.ID, "")
		if err := s.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "a sees the new member in the room", func() bool {
			return slices.Contains(a.node.RoomPeers(id), s.id.ID)
		})
	}
	if _, err := writer.Send(t.Context(), room.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a remembers the member that wrote", func() bool {
		return slices.Contains(knownIDs(t, a), writer.id.ID)
	})
	if got := knownIDs(t, a); len(got) != 1 {
		t.Errorf("a remembers %d peers, want only the one that wrote (the quiet member too: %v)",
			len(got), slices.Contains(got, quiet.id.ID))
	}
}

// The node keeps at most p2p.MaxKept peers to redial, and the store
// remembers as many: the least recently seen go first in both, so the
// peers redialled are the peers on disk, after a restart too.
func TestKeptPeersAreTheKnownPeers(t *testing.T) {
	dir := t.TempDir()
	a := openNode(t, dir)
	// One more than the node keeps, as a store written by an earlier
	// build may hold. They have no address: their redials fail at once,
	// without traffic.
	old := make([]peer.ID, p2p.MaxKept+1)
	for i := range old {
		key, _, err := crypto.GenerateEd25519Key(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if old[i], err = peer.IDFromPrivateKey(key); err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.PutKnownPeer(store.KnownPeer{ID: string(old[i]), Seen: int64(1000 + i)}, len(old)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = newNode(t, dir)
	// agree says how the old peers kept in memory differ from those on
	// disk, and whether the first forgot ones are gone from both.
	agree := func(forgot int) string {
		onDisk := map[peer.ID]bool{}
		for _, id := range knownIDs(t, a) {
			onDisk[id] = true
		}
		for i, id := range old {
			kept := a.node.Why(id) == p2p.WhyKept
			switch {
			case kept != onDisk[id]:
				return fmt.Sprintf("old peer %d: kept %v, on disk %v", i, kept, onDisk[id])
			case i < forgot && kept:
				return fmt.Sprintf("old peer %d is still kept, want the %d least recently seen gone", i, forgot)
			case i >= forgot && !kept:
				return fmt.Sprintf("old peer %d is gone, want only the %d least recently seen gone", i, forgot)
			}
		}
		return ""
	}
	if diff := agree(1); diff != "" {
		t.Fatalf("after the restart: %s", diff)
	}
	b := newNode(t, t.TempDir())
	room, err := a.CreateRoom("kept")
	if err != nil {
		t.Fatal(err)
	}
	joinFrom(t, a, b, room.ID, "")
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(t.Context(), room.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a remembers b in place of the least recently seen", func() bool {
		return slices.Contains(knownIDs(t, a), b.id.ID) && agree(2) == ""
	})
	if n := len(knownIDs(t, a)); n != p2p.MaxKept {
		t.Errorf("%d peers on disk, want %d", n, p2p.MaxKept)
	}
}
