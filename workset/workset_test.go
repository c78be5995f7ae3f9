package chat

import "testing"

func TestWorkSetCollapsesDuplicatesAndKeepsOrder(t *testing.T) {
	w := newWorkSet[int]()
	for _, k := range []int{3, 1, 3, 2, 1, 3} {
		w.add(k)
	}
	if w.len() != 3 {
		t.Fatalf("%d pending, want 3", w.len())
	}
	var got []int
	for {
		k, ok := w.take(nil)
		if !ok {
			break
		}
		got = append(got, k)
	}
	if len(got) != 3 || got[0] != 3 || got[1] != 1 || got[2] != 2 {
		t.Errorf("took %v, want [3 1 2]", got)
	}
	w.add(3) // taken keys can be queued again
	if k, ok := w.take(nil); !ok || k != 3 {
		t.Errorf("took %d %v after re-adding 3", k, ok)
	}
}

func TestWorkSetTakeSkipsWhatTheFilterRefuses(t *testing.T) {
	w := newWorkSet[int]()
	for k := range 1000 { // far past the old queue of 64: nothing is dropped
		w.add(k)
	}
	k, ok := w.take(func(k int) bool { return k%2 == 1 })
	if !ok || k != 1 {
		t.Fatalf("took %d %v, want 1", k, ok)
	}
	if w.len() != 999 {
		t.Errorf("%d pending, want 999", w.len())
	}
	if _, ok := w.take(func(int) bool { return false }); ok {
		t.Error("took a key the filter refused")
	}
}
