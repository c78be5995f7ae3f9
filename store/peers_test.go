package store

import (
	"fmt"
	"slices"
	"testing"
)

// The store forgets the least recently seen peers past its bound and says
// which, so that the node can stop keeping the same ones.
func TestPutKnownPeerReturnsWhatItForgot(t *testing.T) {
	s := openStore(t, t.TempDir())
	put := func(id string, seen int64) []string {
		t.Helper()
		forgot, err := s.PutKnownPeer(KnownPeer{ID: id, Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Seen: seen}, 3)
		if err != nil {
			t.Fatal(err)
		}
		return forgot
	}
	for i := range 3 {
		if forgot := put(fmt.Sprintf("peer-%d", i), int64(100+i)); len(forgot) != 0 {
			t.Fatalf("forgot %v within the bound", forgot)
		}
	}
	for _, tc := range []struct {
		name string
		id   string
		seen int64
		want []string
	}{
		{"a new peer pushes out the least recently seen", "peer-3", 103, []string{"peer-0"}},
		{"a peer seen again moves to the front", "peer-1", 104, nil},
		{"so the next to go is the one after it", "peer-4", 105, []string{"peer-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := put(tc.id, tc.seen); !slices.Equal(got, tc.want) {
				t.Fatalf("forgot %v, want %v", got, tc.want)
			}
		})
	}
	if err := s.ForgetKnownPeers("peer-3", "never-known"); err != nil {
		t.Fatal(err)
	}
	got, err := s.KnownPeers()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if want := []string{"peer-4", "peer-1"}; !slices.Equal(ids, want) {
		t.Fatalf("known peers %v, want %v", ids, want)
	}
}

// "Last seen" moves on while a peer is connected and when it leaves, never
// back, and only for a peer the store remembers.
func TestSeenKnownPeers(t *testing.T) {
	s := openStore(t, t.TempDir())
	addrs := []string{"/ip4/127.0.0.1/tcp/1"}
	for _, id := range []string{"a", "b"} {
		if _, err := s.PutKnownPeer(KnownPeer{ID: id, Addrs: addrs, Seen: 100}, 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SeenKnownPeers(map[string]int64{"a": 200, "b": 50, "stranger": 300}); err != nil {
		t.Fatal(err)
	}
	got, err := s.KnownPeers()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	for _, p := range got {
		seen[p.ID] = p.Seen
		if !slices.Equal(p.Addrs, addrs) {
			t.Errorf("peer %s lost its addresses: %v", p.ID, p.Addrs)
		}
	}
	if want := map[string]int64{"a": 200, "b": 100}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("seen = %v, want %v (an older time is left out, a peer not remembered is not added)", seen, want)
	}
}
