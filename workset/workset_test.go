package workset

import (
	"context"
	"testing"
	"time"
)

func TestWorkSetCollapsesDuplicatesAndKeepsOrder(t *testing.T) {
	w := New[int]()
	for _, k := range []int{3, 1, 3, 2, 1, 3} {
		w.Add(k)
	}
	if w.Len() != 3 {
		t.Fatalf("%d pending, want 3", w.Len())
	}
	var got []int
	for {
		k, ok := w.Take(nil)
		if !ok {
			break
		}
		got = append(got, k)
	}
	if len(got) != 3 || got[0] != 3 || got[1] != 1 || got[2] != 2 {
		t.Errorf("took %v, want [3 1 2]", got)
	}
	w.Add(3) // taken keys can be queued again
	if k, ok := w.Take(nil); !ok || k != 3 {
		t.Errorf("took %d %v after re-adding 3", k, ok)
	}
}

func TestWorkSetTakeSkipsWhatTheFilterRefuses(t *testing.T) {
	w := New[int]()
	for k := range 1000 { // far past the old queue of 64: nothing is dropped
		w.Add(k)
	}
	k, ok := w.Take(func(k int) bool { return k%2 == 1 })
	if !ok || k != 1 {
		t.Fatalf("took %d %v, want 1", k, ok)
	}
	if w.Len() != 999 {
		t.Errorf("%d pending, want 999", w.Len())
	}
	if _, ok := w.Take(func(int) bool { return false }); ok {
		t.Error("took a key the filter refused")
	}
}

// Serve does every key added, including those added while it works, and
// returns when its context ends.
func TestServeDoesEverythingThenStops(t *testing.T) {
	w := New[int]()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 100)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.Serve(ctx, nil, func(k int) { done <- k })
	}()
	for k := range 50 {
		w.Add(k)
	}
	seen := map[int]bool{}
	deadline := time.After(10 * time.Second)
	for len(seen) < 50 {
		select {
		case k := <-done:
			seen[k] = true
		case <-deadline:
			t.Fatalf("served %d of 50", len(seen))
		}
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}
