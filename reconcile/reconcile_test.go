package reconcile

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"testing"
)

// makeItems returns n items with times 1..n and IDs derived from seed.
func makeItems(n int, seed string) []Item {
	items := make([]Item, n)
	for i := range items {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		items[i] = Item{Time: uint64(i + 1), ID: sha256.Sum256(append([]byte(seed), b[:]...))}
	}
	return items
}

func sorted(items []Item) []Item {
	out := slices.Clone(items)
	slices.SortFunc(out, Compare)
	return out
}

// run reconciles a and b the way the sync protocol does and returns both
// sessions, the rounds (frames sent) and the IDs carried.
func run(t testing.TB, a, b []Item) (*Session, *Session, int, int) {
	t.Helper()
	sa, sb := New(sorted(a)), New(sorted(b))
	frame := sa.Initiate()
	rounds, ids := 1, 0
	sides := [2]*Session{sb, sa}
	for turn := 0; ; turn++ {
		if turn > 64 {
			t.Fatal("no agreement after 64 rounds")
		}
		for _, r := range frame.Ranges {
			ids += len(r.IDs)
		}
		s := sides[turn%2]
		if Settled(frame) {
			if _, err := s.Reply(frame); err != nil {
				t.Fatal(err)
			}
			return sa, sb, rounds, ids
		}
		out, err := s.Reply(frame)
		if err != nil {
			t.Fatal(err)
		}
		frame = out
		rounds++
	}
}

func keys(m map[[IDSize]byte]struct{}) map[[IDSize]byte]bool {
	out := map[[IDSize]byte]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func TestFindsExactlyTheDifferences(t *testing.T) {
	tests := []struct {
		name          string
		shared, aOnly int
		bOnly         int
	}{
		{"both empty", 0, 0, 0},
		{"identical", 5000, 0, 0},
		{"one side empty", 0, 300, 0},
		{"small sets", 10, 3, 4},
		{"one missing in many", 20000, 0, 1},
		{"many each way", 20000, 1000, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shared := makeItems(tc.shared, "shared")
			aOnly := makeItems(tc.aOnly, "a")
			bOnly := makeItems(tc.bOnly, "b")
			a := append(slices.Clone(shared), aOnly...)
			b := append(slices.Clone(shared), bOnly...)
			sa, sb, rounds, _ := run(t, a, b)

			wantAHave := map[[IDSize]byte]bool{}
			for _, it := range aOnly {
				wantAHave[it.ID] = true
			}
			wantBHave := map[[IDSize]byte]bool{}
			for _, it := range bOnly {
				wantBHave[it.ID] = true
			}
			if got := keys(sa.Have); !mapsEqual(got, wantAHave) {
				t.Errorf("a will send %d items, want %d", len(got), len(wantAHave))
			}
			if got := keys(sb.Have); !mapsEqual(got, wantBHave) {
				t.Errorf("b will send %d items, want %d", len(got), len(wantBHave))
			}
			t.Logf("%d rounds", rounds)
		})
	}
}

func mapsEqual(a, b map[[IDSize]byte]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// One difference in a large set costs a few rounds and a few dozen IDs.
func TestCostFollowsDifferencesNotSize(t *testing.T) {
	shared := makeItems(100_000, "shared")
	extra := makeItems(1, "extra")
	_, _, rounds, ids := run(t, append(slices.Clone(shared), extra...), shared)
	if rounds > 8 || ids > 2*ListThreshold+2 {
		t.Errorf("1 difference in 100,000: %d rounds, %d IDs on the wire", rounds, ids)
	}
}

func TestRejectsMalformedFrames(t *testing.T) {
	s := New(makeItems(10, "x"))
	bad := []Frame{
		{},
		{Ranges: []Range{{Upper: Bound{Time: 5}}}},                                                     // does not end at infinity
		{Ranges: []Range{{Upper: Bound{Inf: true}}, {Upper: Bound{Inf: true}}}},                        // infinity twice
		{Ranges: []Range{{Upper: Bound{Time: 5}}, {Upper: Bound{Time: 3}}, {Upper: Bound{Inf: true}}}}, // descending
		{Ranges: []Range{{Upper: Bound{Inf: true}, Mode: 9}}},
	}
	for i, f := range bad {
		if _, err := s.Reply(f); err == nil {
			t.Errorf("frame %d accepted", i)
		}
	}
}
