package chat

import (
	"fmt"
	"testing"
	"time"
)

// Peers that shared a room find each other again by themselves after one of
// them restarts, though they first met by an explicit Connect: each
// remembered the other, and the one that stayed redials with backoff.
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
			eventually(t, 30*time.Second, "a has b's message with no Connect call", func() bool { return count(t, a, id) == 1 })
		})
	}
}
