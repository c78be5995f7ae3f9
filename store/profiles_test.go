package store

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Profiles of one peer stored at once, from gossip, hellos and sync, leave
// the newest stored, whatever order they commit in.
func TestConcurrentProfilesKeepTheNewest(t *testing.T) {
	s := openStore(t, t.TempDir())
	const writers = 16
	for round := range 20 {
		peerID := fmt.Sprint("peer-", round)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				if _, err := s.PutProfile(peerID, uint64(i+1), fmt.Appendf(nil, "v%d", i+1)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		env, err := s.Profile(peerID)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("v", writers); string(env) != want {
			t.Fatalf("round %d: stored %q, want the newest, %q", round, env, want)
		}
	}
	if env, err := s.Profile("never-named"); env != nil || err != nil {
		t.Errorf("profile of a peer never named = %q, %v; want none", env, err)
	}
}

// A sync asks a peer for the names of the room's authors it lacks, and
// answers such a question only about authors of that room.
func TestAuthorsWithoutProfile(t *testing.T) {
	s := openStore(t, t.TempDir())
	named, unnamed, elsewhere := newFixture(t), newFixture(t), newFixture(t)
	unnamed.room = named.room
	for i, f := range []fixture{named, unnamed, elsewhere} {
		if _, err := s.Put(t.Context(), f.item(t, uint64(i+1), "hello")); err != nil {
			t.Fatal(err)
		}
	}
	idOf := func(f fixture) string {
		id, err := peer.IDFromPrivateKey(f.key)
		if err != nil {
			t.Fatal(err)
		}
		return string(id)
	}
	if _, err := s.PutProfile(idOf(named), 1, []byte("named")); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuthorsWithoutProfile(named.room, 10)
	if err != nil || !slices.Equal(got, []string{idOf(unnamed)}) {
		t.Errorf("authors without a profile = %q, %v; want only the unnamed author", got, err)
	}
	if got, _ := s.AuthorsWithoutProfile(named.room, 0); len(got) != 0 {
		t.Errorf("asked for none, got %d", len(got))
	}
	for _, tc := range []struct {
		name   string
		author fixture
		want   bool
	}{
		{"an author of the room", unnamed, true},
		{"an author of another room", elsewhere, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := s.IsAuthor(named.room, idOf(tc.author)); got != tc.want || err != nil {
				t.Errorf("IsAuthor = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
