package store

import (
	"errors"
	"slices"
	"testing"
)

func TestARoomStopsAtItsQuota(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	other := newFixture(t)
	first := f.item(t, 10, "fits")
	quota := int64(3*len(first.Envelope) + len(first.Envelope)/2) // three messages of this size
	opts := Options{RoomQuota: quota, AuthorShare: -1}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	items := []Item{first, f.item(t, 11, "fits"), f.item(t, 12, "fits"), f.item(t, 13, "over"), other.item(t, 14, "other room")}
	added, err := s.Put(t.Context(), items...)
	var full *RoomFullError
	if !errors.As(err, &full) || !errors.Is(err, ErrRoomFull) || len(full.Rooms) != 1 || full.Rooms[0] != f.room {
		t.Fatalf("Put past the quota: %v; want a RoomFullError naming the room", err)
	}
	if want := []bool{true, true, true, false, true}; !slices.Equal(added, want) {
		t.Errorf("added = %v, want %v (the other room is not held back)", added, want)
	}
	if n, _ := s.Count(f.room); n != 3 {
		t.Errorf("the full room holds %d messages, want 3", n)
	}
	// A copy of a stored message is not news and takes nothing.
	if _, err := s.Put(t.Context(), first); err != nil {
		t.Errorf("a copy of a stored message: %v", err)
	}
	// The tally survives a restart.
	s.Close()
	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Put(t.Context(), f.item(t, 15, "still over")); !errors.Is(err, ErrRoomFull) {
		t.Errorf("a peer's message into the full room after a reopen: %v", err)
	}
	// The user's own message is stored all the same.
	if added, err := s.PutDurable(t.Context(), f.item(t, 15, "mine")); err != nil || !added[0] {
		t.Errorf("own message into the full room: %v, %v", added, err)
	}
	// Deleting the room from this node starts it afresh.
	if err := s.DeleteRoom(f.room); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), f.item(t, 16, "fresh")); err != nil {
		t.Errorf("after DeleteRoom: %v", err)
	}
}

// A store from before quotas counts a room's history the first time it
// writes to it.
func TestQuotaCountsAnOlderStoresHistory(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	s := openStore(t, dir)
	a, b := f.item(t, 10, "old one"), f.item(t, 11, "old two")
	put(t, s, a, b)
	if err := s.db.DropPrefix(usageKey(f.room)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(dir, Options{RoomQuota: int64(len(a.Envelope) + len(b.Envelope)), AuthorShare: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Put(t.Context(), f.item(t, 12, "new")); !errors.Is(err, ErrRoomFull) {
		t.Errorf("Put into a room whose history already fills the quota: %v", err)
	}
}

// No author's messages from peers take more than their share of a room;
// the user's own are stored whatever they have taken.
func TestAnAuthorStopsAtTheirShare(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	b := f.other(t)
	first := f.item(t, 10, "fits")
	share := int64(2*len(first.Envelope) + len(first.Envelope)/2) // two messages of this size
	opts := Options{RoomQuota: 100 * share, AuthorShare: share}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	items := []Item{first, b.item(t, 11, "b's"), f.item(t, 12, "fits"), f.item(t, 13, "over"), b.item(t, 14, "b's again")}
	added, err := s.Put(t.Context(), items...)
	if err != nil {
		t.Fatalf("Put past an author's share: %v; the rest of the batch is no error", err)
	}
	if want := []bool{true, true, true, false, true}; !slices.Equal(added, want) {
		t.Errorf("added = %v, want %v", added, want)
	}
	if n := s.SkippedOverShare(); n != 1 {
		t.Errorf("SkippedOverShare = %d, want 1", n)
	}
	s.Close()
	// The tally survives a restart.
	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cases := []struct {
		name    string
		durable bool
		want    bool
	}{
		{"a peer's copy", false, false},
		{"the user's own", true, true},
	}
	for i, c := range cases {
		it := f.item(t, uint64(20+i), "more")
		put := s.Put
		if c.durable {
			put = s.PutDurable
		}
		if added, err := put(t.Context(), it); err != nil || added[0] != c.want {
			t.Errorf("%s after a restart: added %v, %v; want %v", c.name, added, err, c.want)
		}
	}
}
