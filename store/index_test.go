package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// keysUnder counts the keys under a prefix.
func keysUnder(t testing.TB, s *Store, prefix ...byte) int {
	t.Helper()
	n := 0
	if err := s.scanKeys(prefix, func([]byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestARoundIndexesSharedWordsOnce(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	var items []Item
	for i := range 100 {
		items = append(items, f.item(t, uint64(10+i), "the daily standup notes"))
	}
	put(t, s, items...)
	if got := hits(t, s, "standup"); len(got) != 100 {
		t.Fatalf("search finds %d messages, want 100", len(got))
	}
	// Four words, one round: four keys for 400 postings.
	if n := keysUnder(t, s, prefixTerm, sep); n != 4 {
		t.Errorf("%d index keys for 100 messages of the same four words; want 4", n)
	}
	if n := keysUnder(t, s, prefixPending, sep); n != 0 {
		t.Errorf("%d texts still pending after a search", n)
	}
	if n, err := s.CountTerm("stand", true, 1000); err != nil || n != 100 {
		t.Errorf("CountTerm(stand, prefix) = %d, %v; want 100", n, err)
	}
	if n, err := s.CountTerm("notes", false, 30); err != nil || n != 30 {
		t.Errorf("CountTerm stopping at 30 = %d, %v", n, err)
	}
}

func TestTheWriterIndexesWithoutBeingAsked(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	put(t, s, f.item(t, 10, "quiet room"))
	deadline := time.Now().Add(10 * indexDelay)
	for keysUnder(t, s, prefixPending, sep) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the text is still pending after %v", 10*indexDelay)
		}
		time.Sleep(indexDelay / 10)
	}
	if n := keysUnder(t, s, prefixTerm, sep); n != 2 {
		t.Errorf("%d index keys, want 2", n)
	}
}

func TestDeleteCutsThePostingOutOfItsBlock(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	keep := f.item(t, 10, "launch plan")
	gone := f.item(t, 11, "launch secret")
	put(t, s, keep, gone)
	if got := hits(t, s, "launch"); len(got) != 2 {
		t.Fatalf("before the delete: %d hits", len(got))
	}
	put(t, s, f.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &gone.ID, TargetTime: gone.Time}))
	if got := hits(t, s, "launch"); !slices.Equal(got, []wire.MessageID{keep.ID}) {
		t.Errorf("search for the shared word finds %v, want only the kept message", got)
	}
	if got := hits(t, s, "secret"); len(got) != 0 {
		t.Errorf("the deleted word is still found: %v", got)
	}
	// launch and plan are left; secret's block went with its last posting.
	if n := keysUnder(t, s, prefixTerm, sep); n != 2 {
		t.Errorf("%d index keys after the delete, want 2", n)
	}
	if n := keysUnder(t, s, prefixIndexed, sep); n != 1 {
		t.Errorf("%d messages remember a round, want 1", n)
	}
}

// Rounds run beside the writer: texts stored, deleted and searched for
// from several goroutines at once end up indexed exactly as kept, with
// nothing of the deleted ones left behind.
func TestRoundsBesideTheWriterKeepTheIndexExact(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	const writers, each = 4, 300
	var wg sync.WaitGroup
	kept := make([][]wire.MessageID, writers)
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				x := f.item(t, uint64(1000*w+i+10), fmt.Sprintf("busy room word%d", i%7))
				if _, err := s.Put(t.Context(), x); err != nil {
					errs <- err
					return
				}
				if i%3 != 0 {
					kept[w] = append(kept[w], x.ID)
					continue
				}
				del := f.change(t, x.Time+1, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
				if _, err := s.Put(t.Context(), del); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	searching := make(chan struct{})
	go func() {
		defer close(searching)
		for range 20 {
			if _, err := s.Search(Searching{Term: "busy", Max: 10}); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	<-searching
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := slices.Concat(kept...)
	got, err := s.Search(Searching{Term: "busy", Max: 10 * writers * each})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]wire.MessageID, len(got))
	for i, h := range got {
		ids[i] = h.Target
	}
	slices.SortFunc(want, func(a, b wire.MessageID) int { return bytes.Compare(a[:], b[:]) })
	slices.SortFunc(ids, func(a, b wire.MessageID) int { return bytes.Compare(a[:], b[:]) })
	if !slices.Equal(ids, want) {
		t.Errorf("search finds %d messages, want the %d kept", len(ids), len(want))
	}
	if n := keysUnder(t, s, prefixIndexed, sep); n != len(want) {
		t.Errorf("%d messages remember a round, want %d", n, len(want))
	}
	if n := keysUnder(t, s, prefixPending, sep); n != 0 {
		t.Errorf("%d texts still pending after a search", n)
	}
}

// A text deleted before its round comes is never indexed.
func TestDeleteBeforeTheRoundLeavesNoTrace(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	x := f.item(t, 10, "regret")
	put(t, s, x, f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time}))
	if got := hits(t, s, "regret"); len(got) != 0 {
		t.Errorf("search finds %v", got)
	}
	if n := keysUnder(t, s, prefixTerm, sep) + keysUnder(t, s, prefixPending, sep) + keysUnder(t, s, prefixIndexed, sep); n != 0 {
		t.Errorf("%d index keys left of a deleted text", n)
	}
}

// Texts filed but not indexed when the process stops are indexed after
// the next Open.
func TestPendingTextsSurviveAReopen(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	s := openStore(t, dir)
	x := f.item(t, 10, "before the restart")
	put(t, s, x)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	if n := s.index.len(); n != 1 {
		t.Errorf("queue after reopen holds %d texts, want 1", n)
	}
	if got := hits(t, s, "restart"); !slices.Equal(got, []wire.MessageID{x.ID}) {
		t.Errorf("search after reopen = %v", got)
	}
}

// Layout 2 wrote one posting a key; those stay found and deletable.
func TestLayoutTwoPostingsAreStillRead(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	s := openStore(t, dir)
	old := f.item(t, 10, "older words")
	err := s.db.Update(func(txn *badger.Txn) error {
		w := &write{}
		p, err := plan(txn, old)
		if err != nil {
			return err
		}
		// As layout 2 stored it: postings instead of a pending entry.
		for _, e := range p.sets {
			if e.k[0] != prefixPending {
				w.set(e.k, e.v)
			}
		}
		for _, term := range []string{"older", "words"} {
			w.set(termKey(term, old.Position), append(old.Room[:len(old.Room):len(old.Room)], old.ID[:]...))
		}
		w.set(schemaKey, []byte{0, 0, 0, 2})
		return w.apply(txn)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir)
	put(t, s, f.item(t, 20, "newer words"))
	if got := hits(t, s, "words"); len(got) != 2 {
		t.Fatalf("search finds %d of an old posting and a new block, want 2", len(got))
	}
	put(t, s, f.change(t, 30, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &old.ID, TargetTime: old.Time}))
	if got := hits(t, s, "older"); len(got) != 0 {
		t.Errorf("the deleted text's layout-2 posting is still found: %v", got)
	}
}

func TestDeleteRoomTakesItsBlocks(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	other := newFixture(t)
	put(t, s, f.item(t, 10, "alpha beta"), f.item(t, 11, "beta gamma"), other.item(t, 12, "beta"))
	if got := hits(t, s, "beta"); len(got) != 3 {
		t.Fatalf("before: %d hits", len(got))
	}
	put(t, s, f.item(t, 13, "delta beta")) // still pending when the room goes
	if err := s.DeleteRoom(f.room); err != nil {
		t.Fatal(err)
	}
	if n := keysUnder(t, s, prefixTerm, sep); n != 1 {
		t.Errorf("%d index keys left; want the other room's one", n)
	}
	if n := keysUnder(t, s, prefixIndexed, sep) + keysUnder(t, s, prefixPending, sep); n != 1 {
		t.Errorf("%d round and pending entries left; want the other room's one", n)
	}
}

// A message of many words costs a handful of entries as it is stored;
// its terms go in with the round.
func BenchmarkPutRoomMessages(b *testing.B) {
	s, f := openStore(b, b.TempDir()), newFixture(b)
	text := `{"s":3,"q":%d,"st":2,"ph":1,"b":"parley room benchmark filler text, parley room benchmark filler text"}`
	items := make([]Item, b.N)
	for i := range items {
		items[i] = f.item(b, uint64(i+1), fmt.Sprintf(text, i))
	}
	b.ResetTimer()
	cpu := processCPU(b)
	for i := 0; i < len(items); i += 5 {
		put(b, s, items[i:min(i+5, len(items))]...)
	}
	if err := s.flushIndex(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/msg")
}

// processCPU is the CPU time the process has used, all threads: Badger
// works on goroutines of its own.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A stored message that does not parse (a damaged store, or a tool that
// writes made-up envelopes) is left out of search; it neither stops the
// texts after it from being indexed nor holds up the writer.
func TestAnUnreadableMessageDoesNotStallTheIndex(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const junk = 3 * indexLagMax / 2
	for i := range junk / 500 {
		var items []Item
		for j := range 500 {
			n := i*500 + j
			id := wire.MessageID{byte(n >> 16), byte(n >> 8), byte(n), 0xee}
			items = append(items, Item{Room: f.room, Position: Position{Time: uint64(n + 1), ID: id}, Author: "made up", Envelope: []byte("not an envelope")})
		}
		if _, err := s.Put(ctx, items...); err != nil {
			t.Fatalf("storing past the index's lag with unreadable messages: %v", err)
		}
	}
	x := f.item(t, junk+10, "findable after the junk")
	put(t, s, x)
	if got := hits(t, s, "findable"); !slices.Equal(got, []wire.MessageID{x.ID}) {
		t.Errorf("search after unreadable messages finds %v", got)
	}
	if n := keysUnder(t, s, prefixPending, sep); n != 0 {
		t.Errorf("%d texts still pending", n)
	}
}
