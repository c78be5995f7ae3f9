package reconcile

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
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
	return runOver(t, Slice(sorted(a)), Slice(sorted(b)))
}

func runOver(t testing.TB, a, b Source) (*Session, *Session, int, int) {
	t.Helper()
	sa, sb := New(a), New(b)
	frame, err := sa.Initiate()
	if err != nil {
		t.Fatal(err)
	}
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
		{"catch up on more than a session keeps", 0, 0, 3 * maxBuffered},
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
	s := New(Slice(makeItems(10, "x")))
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

// A peer may ask only for what we listed to it: IDs we hold in a range our
// last frame answered with an ID list. Anything else would let it read
// messages of other ranges or rooms by ID, and make us look them up.
func TestNeedOnlyForWhatWasListed(t *testing.T) {
	mine := sorted(makeItems(40, "a"))
	theirs := sorted(makeItems(40, "b"))
	// a opens, b splits (40 items is too many to list), a lists each part.
	a, b := New(Slice(mine)), New(Slice(theirs))
	first, err := a.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	parts, err := b.Reply(first)
	if err != nil {
		t.Fatal(err)
	}
	lists, err := a.Reply(parts)
	if err != nil {
		t.Fatal(err)
	}
	// Two listed ranges, each with at least one of a's items.
	var listed []int
	for i, r := range lists.Ranges {
		if r.Mode == IDList && len(r.IDs) > 0 {
			listed = append(listed, i)
		}
	}
	if len(listed) < 2 {
		t.Fatalf("a listed %d ranges with items, want 2 or more", len(listed))
	}
	honest, err := b.Reply(lists)
	if err != nil {
		t.Fatal(err)
	}
	// needs answers a's lists with one ID per listed range, as edit says.
	needs := func(edit func(f Frame)) Frame {
		f := Frame{Ranges: slices.Clone(honest.Ranges)}
		for i := range f.Ranges {
			f.Ranges[i].IDs = slices.Clone(f.Ranges[i].IDs)
		}
		edit(f)
		return f
	}
	i, j := listed[0], listed[1]
	unknown := sha256.Sum256([]byte("not a's"))
	tests := []struct {
		name  string
		frame Frame
		ok    bool
	}{
		{"the honest answer", honest, true},
		{"an ID a holds in the range", needs(func(f Frame) { f.Ranges[i].IDs = [][IDSize]byte{lists.Ranges[i].IDs[0]} }), true},
		{"an ID of another range", needs(func(f Frame) { f.Ranges[i].IDs = [][IDSize]byte{lists.Ranges[j].IDs[0]} }), false},
		{"an ID a does not hold", needs(func(f Frame) { f.Ranges[i].IDs = [][IDSize]byte{unknown} }), false},
		{"a range a did not list", Frame{Ranges: []Range{{Upper: Bound{Inf: true}, Mode: Need, IDs: [][IDSize]byte{mine[0].ID}}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A copy of a at this point of the exchange.
			s := New(Slice(mine))
			if _, err := s.Reply(parts); err != nil {
				t.Fatal(err)
			}
			_, err := s.Reply(tc.frame)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("err = %v, want ErrProtocol", err)
				}
				if len(s.Have) > 0 {
					t.Errorf("will send %d messages to a peer that broke the protocol", len(s.Have))
				}
			}
		})
	}

	// A need is good once: a frame that asks again is refused.
	if _, err := a.Reply(honest); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Reply(honest); !errors.Is(err, ErrProtocol) {
		t.Errorf("second need for the same ranges: err = %v, want ErrProtocol", err)
	}
	// A session that sent nothing yet takes no need at all: the opening of
	// a peer that only asks for messages it knows the IDs of.
	s := New(Slice(mine))
	if _, err := s.Reply(Frame{Ranges: []Range{{Upper: Bound{Inf: true}, Mode: Need, IDs: [][IDSize]byte{mine[3].ID}}}}); !errors.Is(err, ErrProtocol) {
		t.Errorf("need before any list: err = %v, want ErrProtocol", err)
	}
}

// genSource is n items made up on the fly (times 2, 4, ..., 2n) plus a few
// of its own at odd times: a large set that costs no memory to hold.
type genSource struct {
	n     int
	extra []Item // sorted, odd times
}

func genItem(i int) Item {
	it := Item{Time: uint64(2*i + 2)}
	x := uint64(i)
	for limb := range 4 {
		// splitmix64: well-spread IDs without hashing.
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		binary.BigEndian.PutUint64(it.ID[8*limb:], z^(z>>31))
	}
	return it
}

func (g genSource) Open() (Cursor, error) { return &genCursor{g: g, i: g.n, j: len(g.extra)}, nil }

type genCursor struct {
	g    genSource
	i, j int // next generated item, next extra item
}

func (c *genCursor) Seek(from Item) {
	c.i = sort.Search(c.g.n, func(i int) bool { return Compare(genItem(i), from) >= 0 })
	c.j = sort.Search(len(c.g.extra), func(j int) bool { return Compare(c.g.extra[j], from) >= 0 })
}

func (c *genCursor) Valid() bool { return c.i < c.g.n || c.j < len(c.g.extra) }

func (c *genCursor) Item() Item {
	if c.j < len(c.g.extra) && (c.i == c.g.n || Compare(c.g.extra[c.j], genItem(c.i)) < 0) {
		return c.g.extra[c.j]
	}
	return genItem(c.i)
}

func (c *genCursor) Next() {
	if c.j < len(c.g.extra) && (c.i == c.g.n || Compare(c.g.extra[c.j], genItem(c.i)) < 0) {
		c.j++
	} else {
		c.i++
	}
}

func (c *genCursor) Close() error    { return nil }
func (c *genCursor) Version() uint64 { return 1 }

// A session holds what a frame needs and a bounded index, not the set:
// reconciling 10^6 items with a few differences allocates a few MB for
// both sides, where a list of the items would be 40 MB a side.
func TestMemoryFollowsFramesNotTheSet(t *testing.T) {
	const n = 1_000_000
	extra := func(seed string, at ...int) []Item {
		var out []Item
		for _, i := range at {
			out = append(out, Item{Time: uint64(2*i + 1), ID: sha256.Sum256([]byte(seed + strconv.Itoa(i)))})
		}
		return out
	}
	a := genSource{n: n, extra: extra("a", 10, 400_000, 999_000)}
	b := genSource{n: n, extra: extra("b", 500_000, 700_000)}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sa, sb, rounds, _ := runOver(t, a, b)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	if len(sa.Have) != 3 || len(sb.Have) != 2 {
		t.Fatalf("a will send %d, b %d; want 3 and 2", len(sa.Have), len(sb.Have))
	}
	if maxRounds := 2*int(math.Ceil(math.Log(n/ListThreshold)/math.Log(Branch))) + 4; rounds > maxRounds {
		t.Errorf("%d rounds, bound %d", rounds, maxRounds)
	}
	if allocated > 10<<20 {
		t.Errorf("reconciling 10^6 items allocated %d KB", allocated>>10)
	}
	t.Logf("%d rounds, %d KB allocated", rounds, allocated>>10)
}

// unindexed hides a source's version, so that sessions over it never keep
// an index and read every range they answer.
type unindexed struct{ Source }

func (u unindexed) Open() (Cursor, error) {
	c, err := u.Source.Open()
	return unversioned{c}, err
}

type unversioned struct{ Cursor }

func (unversioned) Version() uint64 { return 0 }

// frames reconciles a and b and returns every frame sent.
func frames(t *testing.T, a, b Source) []Frame {
	t.Helper()
	sa, sb := New(a), New(b)
	f, err := sa.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	out := []Frame{f}
	sides := [2]*Session{sb, sa}
	for turn := 0; !Settled(f); turn++ {
		if turn > 64 {
			t.Fatal("no agreement after 64 rounds")
		}
		if f, err = sides[turn%2].Reply(f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// withTimes gives items times in steps of every, so neighbours share
// times and bounds need ID prefixes.
func withTimes(items []Item, step int) []Item {
	for i := range items {
		items[i].Time = uint64(i / step)
	}
	return items
}

// The index changes how much a session reads, never what it says: frames
// are the same, byte for byte, with and without it.
func TestIndexChangesNoFrame(t *testing.T) {
	tests := []struct {
		name                 string
		shared, aOnly, bOnly int
		step                 int // items sharing a time
	}{
		{"one difference", 50_000, 1, 0, 1},
		{"a few each way", 50_000, 7, 5, 1},
		{"many, past the frame budget", 200_000, 3000, 30, 1},
		{"many with shared times", 100_000, 2000, 20, 7},
		{"shared times", 30_000, 40, 40, 50},
		{"catch up", 0, 20_000, 0, 1},
	}
	for _, tc := range tests {
		if testing.Short() {
			// A fifth of the shared items: the same differences, and still
			// several levels of splitting, in a fifth of the time.
			tc.shared /= 5
		}
		t.Run(tc.name, func(t *testing.T) {
			shared := withTimes(makeItems(tc.shared, "shared"), tc.step)
			// The differences spread over the whole set: the costly case.
			spread := func(items []Item) []Item {
				for i := range items {
					items[i].Time = uint64(i * max(tc.shared, len(items)) / len(items) / tc.step)
				}
				return items
			}
			a := sorted(append(slices.Clone(shared), spread(makeItems(tc.aOnly, "a"))...))
			b := sorted(append(slices.Clone(shared), spread(makeItems(tc.bOnly, "b"))...))
			want := frames(t, unindexed{Slice(a)}, unindexed{Slice(b)})
			got := frames(t, Slice(a), Slice(b))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("with an index: %d frames, without: %d; they differ", len(got), len(want))
			}
			t.Logf("%d frames", len(got))
		})
	}
}

// growing is a Source that takes new items, as a store does while a
// session runs: each insert makes a new version.
type growing struct {
	items   []Item
	version uint64
}

func (g *growing) insert(it Item) {
	g.items = sorted(append(g.items, it))
	g.version++
}

func (g *growing) Open() (Cursor, error) {
	c, _ := Slice(g.items).Open()
	return versioned{c, g.version}, nil
}

type versioned struct {
	Cursor
	v uint64
}

func (v versioned) Version() uint64 { return v.v }

// A message that arrives between two frames is seen: the index of the
// items as they were is dropped, not used for sums that would leave it out.
func TestIndexDroppedWhenItemsChange(t *testing.T) {
	shared := sorted(makeItems(20_000, "shared"))
	early := Item{Time: 100, ID: sha256.Sum256([]byte("early"))}
	late := Item{Time: 15_000, ID: sha256.Sum256([]byte("late"))}
	a := &growing{items: sorted(append(slices.Clone(shared), early)), version: 1}
	sa, sb := New(a), New(Slice(shared))
	f, err := sa.Initiate() // a indexes its items
	if err != nil {
		t.Fatal(err)
	}
	sides := [2]*Session{sb, sa}
	for turn := 0; ; turn++ {
		if turn > 64 {
			t.Fatal("no agreement after 64 rounds")
		}
		if turn == 1 {
			a.insert(late) // arrives while the part it falls in is still open
		}
		out, err := sides[turn%2].Reply(f)
		if err != nil {
			t.Fatal(err)
		}
		if Settled(f) {
			break
		}
		f = out
	}
	_, sentEarly := sa.Have[early.ID]
	_, sentLate := sa.Have[late.ID]
	if !sentEarly || !sentLate || len(sa.Have) != 2 {
		t.Errorf("a will send %d messages (early %v, late %v); want both", len(sa.Have), sentEarly, sentLate)
	}
}
