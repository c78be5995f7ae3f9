package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"parley/reconcile"
	"parley/wire"
)

// walk reads a cursor from from to the end.
func walk(t *testing.T, src reconcile.Source, from reconcile.Item) []reconcile.Item {
	t.Helper()
	c, err := src.Open()
	if err != nil {
		t.Fatal(err)
	}
	var out []reconcile.Item
	for c.Seek(from); c.Valid(); c.Next() {
		out = append(out, c.Item())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScanWalksOneRoomInOrder(t *testing.T) {
	s := openStore(t, t.TempDir())
	f, other := newFixture(t), newFixture(t)
	var items []Item
	for i, time := range []uint64{50, 10, 30, 30, 30, 20, 40} {
		items = append(items, f.item(t, time, string(rune('a'+i))), other.item(t, time, "other room"))
	}
	if _, err := s.Put(context.Background(), items...); err != nil {
		t.Fatal(err)
	}
	var want []reconcile.Item
	for _, it := range items {
		if it.Room == f.room {
			want = append(want, reconcile.Item{Time: it.Time, ID: it.ID})
		}
	}
	slices.SortFunc(want, reconcile.Compare)

	src := s.Scan(f.room)
	if got := walk(t, src, reconcile.Item{}); !slices.Equal(got, want) {
		t.Fatalf("scan from the start:\n got %v\nwant %v", got, want)
	}
	// Seeking lands on the first item not before the target, also between
	// two items of the same time.
	for i, it := range want {
		if got := walk(t, src, it); !slices.Equal(got, want[i:]) {
			t.Errorf("seek to item %d: got %d items, want %d", i, len(got), len(want)-i)
		}
		next := it // just after it: the ID plus one (IDs are hashes: no neighbour there)
		for k := wire.IDSize - 1; k >= 0; k-- {
			if next.ID[k]++; next.ID[k] != 0 {
				break
			}
		}
		if got := walk(t, src, next); !slices.Equal(got, want[i+1:]) {
			t.Errorf("seek past item %d: got %d items, want %d", i, len(got), len(want)-i-1)
		}
	}
	if got := walk(t, src, reconcile.Item{Time: 1000}); len(got) != 0 {
		t.Errorf("seek past the end: got %d items", len(got))
	}
}

// A cursor sees the room as it was when opened: a session reads each frame
// from one unchanging view, while messages keep arriving, and keeps its
// index of the items only while views keep the same version.
func TestScanCursorIsASnapshot(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	if _, err := s.Put(context.Background(), f.item(t, 1, "a"), f.item(t, 3, "c")); err != nil {
		t.Fatal(err)
	}
	c, err := s.Scan(f.room).Open()
	if err != nil {
		t.Fatal(err)
	}
	same, err := s.Scan(f.room).Open()
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() == 0 || same.Version() != c.Version() {
		t.Errorf("two views with no write between: versions %d and %d", c.Version(), same.Version())
	}
	if err := same.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), f.item(t, 2, "b")); err != nil {
		t.Fatal(err)
	}
	after, err := s.Scan(f.room).Open()
	if err != nil {
		t.Fatal(err)
	}
	if after.Version() == c.Version() {
		t.Errorf("a view after a write has the version of one before it: %d", c.Version())
	}
	if err := after.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for c.Seek(reconcile.Item{}); c.Valid(); c.Next() {
		n++
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("open cursor saw %d items, want the 2 stored when it opened", n)
	}
	if got := len(walk(t, s.Scan(f.room), reconcile.Item{})); got != 3 {
		t.Errorf("new cursor saw %d items, want 3", got)
	}
}

func TestScanAfterCloseFails(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := s.Scan(newFixture(t).room)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Open(); !errors.Is(err, ErrClosed) {
		t.Errorf("open after close: err = %v, want ErrClosed", err)
	}
}

// Two stores reconciled straight from their keys find what each lacks.
func TestReconcileTwoStores(t *testing.T) {
	a, b := openStore(t, t.TempDir()), openStore(t, t.TempDir())
	f := newFixture(t)
	ctx := context.Background()
	var shared, onlyA, onlyB []Item
	for i := range 3000 {
		shared = append(shared, f.item(t, uint64(i), "shared"))
	}
	for i := range 5 {
		onlyA = append(onlyA, f.item(t, uint64(i*700), "a"))
		onlyB = append(onlyB, f.item(t, uint64(i*600+1), "b"))
	}
	for _, w := range []struct {
		s     *Store
		items []Item
	}{{a, shared}, {b, shared}, {a, onlyA}, {b, onlyB}} {
		if _, err := w.s.Put(ctx, w.items...); err != nil {
			t.Fatal(err)
		}
	}
	sa, sb := reconcile.New(a.Scan(f.room)), reconcile.New(b.Scan(f.room))
	frame, err := sa.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	sides := [2]*reconcile.Session{sb, sa}
	for turn := 0; ; turn++ {
		if turn == 64 {
			t.Fatal("no agreement after 64 rounds")
		}
		out, err := sides[turn%2].Reply(frame)
		if err != nil {
			t.Fatal(err)
		}
		if reconcile.Settled(frame) {
			break
		}
		frame = out
	}
	for _, c := range []struct {
		name string
		have map[[wire.IDSize]byte]struct{}
		want []Item
	}{{"a", sa.Have, onlyA}, {"b", sb.Have, onlyB}} {
		if len(c.have) != len(c.want) {
			t.Errorf("%s will send %d messages, want %d", c.name, len(c.have), len(c.want))
		}
		for _, it := range c.want {
			if _, ok := c.have[it.ID]; !ok {
				t.Errorf("%s will not send message at %d", c.name, it.Time)
			}
		}
	}
}
