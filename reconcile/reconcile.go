// Package reconcile finds the differences between two sets of messages by
// range-based set reconciliation (the Negentropy method): each side
// fingerprints ranges of its sorted items, ranges whose fingerprints match
// are settled, ranges that differ are split until they are small enough to
// swap ID lists. The cost grows with the number of differences, not with
// the size of the sets.
//
// The package knows nothing of the network: a Session takes a peer's frame
// and gives the frame to answer with.
package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
)

// IDSize is the size of an item ID.
const IDSize = 32

// Item is one message: sorted by Time, then ID.
type Item struct {
	Time uint64
	ID   [IDSize]byte
}

// Compare orders items.
func Compare(a, b Item) int {
	if a.Time != b.Time {
		if a.Time < b.Time {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.ID[:], b.ID[:])
}

// Source is a set of items, sorted by Compare and free of duplicates, that
// a session reads a frame at a time. It may grow between two reads
// (messages keep arriving), never during one.
type Source interface {
	// Open returns a cursor over one unchanging view of the items. It
	// starts nowhere: Seek first.
	Open() (Cursor, error)
}

// Cursor walks a Source's items in order.
type Cursor interface {
	// Seek moves to the first item not before it.
	Seek(Item)
	// Valid reports whether the cursor is at an item: false past the last
	// one, or once reading failed.
	Valid() bool
	// Item is the item at the cursor.
	Item() Item
	// Next moves to the next item.
	Next()
	// Close releases the view and returns the first error met reading it.
	Close() error
	// Version names the view: two views of one Source with the same
	// version, other than 0, hold the same items. A session keeps an index
	// of the items for as long as the version stays the same.
	Version() uint64
}

// Slice is a Source over items in memory, sorted by Compare.
type Slice []Item

var _ Source = Slice(nil)

// Open returns a cursor over the slice.
func (s Slice) Open() (Cursor, error) {
	return &sliceCursor{items: s, i: len(s)}, nil
}

type sliceCursor struct {
	items []Item
	i     int
}

func (c *sliceCursor) Seek(from Item) {
	c.i = sort.Search(len(c.items), func(i int) bool { return Compare(c.items[i], from) >= 0 })
}
func (c *sliceCursor) Valid() bool     { return c.i < len(c.items) }
func (c *sliceCursor) Item() Item      { return c.items[c.i] }
func (c *sliceCursor) Next()           { c.i++ }
func (c *sliceCursor) Close() error    { return nil }
func (c *sliceCursor) Version() uint64 { return 1 } // a slice never changes

// Bound is an exclusive upper end of a range: a time and the shortest ID
// prefix that tells the items on either side apart (empty when their times
// differ, which is nearly always), so bounds cost a few bytes, not 40. Inf
// is the end of everything.
type Bound struct {
	Time   uint64
	Prefix []byte
	Inf    bool
}

// after reports whether it sorts before the bound.
func (b Bound) after(it Item) bool {
	if b.Inf || it.Time < b.Time {
		return true
	}
	return it.Time == b.Time && bytes.Compare(it.ID[:len(b.Prefix)], b.Prefix) < 0
}

// boundBetween is the shortest bound with prev before it and next not.
func boundBetween(prev, next Item) Bound {
	if prev.Time != next.Time {
		return Bound{Time: next.Time}
	}
	n := 0
	for n < IDSize && prev.ID[n] == next.ID[n] {
		n++
	}
	return Bound{Time: next.Time, Prefix: bytes.Clone(next.ID[:min(n+1, IDSize)])}
}

func compareBounds(a, b Bound) int {
	if a.Time != b.Time {
		if a.Time < b.Time {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.Prefix, b.Prefix)
}

// Mode says what a range in a frame carries.
type Mode uint8

const (
	// Skip: the range is settled.
	Skip Mode = iota
	// Fingerprint: the sender's fingerprint and count for the range.
	Fingerprint
	// IDList: every ID the sender holds in the range.
	IDList
	// Need: the range is settled; the sender needs these IDs from the receiver.
	Need
)

// Range is one range of a frame; its lower end is the previous range's Upper
// (the first starts at the beginning).
type Range struct {
	Upper       Bound
	Mode        Mode
	Fingerprint [16]byte // Fingerprint mode
	Count       uint32   // Fingerprint mode
	IDs         [][IDSize]byte
}

// Frame is one message of the exchange.
type Frame struct {
	Ranges []Range
}

// Tuning. Both sides may differ: a frame carries what each range needs.
const (
	// Branch is how many sub-ranges a differing range is split into.
	Branch = 16
	// ListThreshold: ranges this small are answered with an ID list.
	ListThreshold = 32
	// FrameBudget bounds the bytes a frame is expected to take on the wire.
	// Past it, differing ranges are answered with a fingerprint instead of
	// being split, and the peer splits them on its turn: a big difference
	// takes more rounds, never an oversized frame.
	FrameBudget = 256 << 10
	rangeCost   = 64 // bytes a range takes, roughly, without IDs
	idCost      = 34
)

// ErrProtocol means a peer's frame does not follow the protocol.
var ErrProtocol = errors.New("reconcile: protocol violation")

// maxBuffered is how many items of a range a session keeps while reading
// it, to answer with an ID list or a split without reading it again.
const maxBuffered = 4096

// Session is one side of a reconciliation. It reads its items from a
// Source a frame at a time and keeps only what the frame needs: memory
// follows the frames, not the size of the set.
type Session struct {
	src Source
	// listed are the ranges our last frame answered with an ID list: the
	// only ranges the peer may answer with "need".
	listed []span
	// buf holds the items of the range being read, up to maxBuffered.
	buf []Item
	// index, from the last full read, while the source has not changed.
	index *index
	// Have lists the IDs we hold that the peer lacks, as ranges settle:
	// what we send once reconciliation ends. (The peer learns what it lacks
	// the same way and sends it.)
	Have map[[IDSize]byte]struct{}
}

// span is a range by both its ends; the first range starts at Bound{}.
type span struct{ lower, upper Bound }

// New starts a session over src.
func New(src Source) *Session {
	return &Session{src: src, Have: map[[IDSize]byte]struct{}{}}
}

// Initiate is the first frame: one fingerprint of everything.
func (s *Session) Initiate() (_ Frame, err error) {
	c, err := s.src.Open()
	if err != nil {
		return Frame{}, fmt.Errorf("read items: %w", err)
	}
	x := newIndex(c.Version())
	for c.Seek(Item{}); c.Valid(); c.Next() {
		x.add(c.Item())
	}
	if err := c.Close(); err != nil {
		return Frame{}, fmt.Errorf("read items: %w", err)
	}
	s.index = x
	return Frame{Ranges: []Range{x.total.fingerprint(Bound{Inf: true})}}, nil
}

// Reply processes a peer's frame and returns the answer. When the answer
// is Settled, the peer need reply no more, though it still processes the
// answer to learn what to send.
func (s *Session) Reply(in Frame) (out Frame, err error) {
	if err := validate(in); err != nil {
		return Frame{}, err
	}
	c, err := s.src.Open()
	if err != nil {
		return Frame{}, fmt.Errorf("read items: %w", err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			out, err = Frame{}, fmt.Errorf("read items: %w", cerr)
		}
	}()
	listed := s.listed
	x := s.index
	if x != nil && (x.version == 0 || x.version != c.Version()) {
		x, s.index = nil, nil // the items changed since
	}
	var build *index
	if x == nil && len(in.Ranges) == 1 && in.Ranges[0].Mode == Fingerprint {
		// A fingerprint of everything: the one read of it also indexes it.
		build = newIndex(c.Version())
	}
	budget := FrameBudget
	var w *walk
	if x != nil {
		w = &walk{x: x, c: c}
	}
	var lower Bound   // the beginning
	var below sum     // with an index: the sum of the items before lower
	known := x != nil // whether below is known
	at := false       // whether c is at the first item of the range
	for _, r := range in.Ranges {
		added := len(out.Ranges)
		if w != nil && r.Mode == Fingerprint {
			if !known {
				below = w.prefix(lower)
			}
			var rs []Range
			rs, below = w.answer(lower, below, r, budget < 0)
			out.Ranges = append(out.Ranges, rs...)
			for _, o := range rs {
				budget -= rangeCost + idCost*len(o.IDs)
			}
			lower, known, at = r.Upper, true, false
			continue
		}
		if r.Mode != Skip && !at {
			seek(c, lower)
		}
		if w != nil && r.Mode != Skip {
			w.ok = false // c moves on its own
		}
		switch r.Mode {
		case Skip:
			out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Skip})
		case Need:
			if listed, err = s.need(c, listed, span{lower, r.Upper}, r.IDs); err != nil {
				return Frame{}, err
			}
			out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Skip})
		case IDList:
			out.Ranges = append(out.Ranges, s.compare(c, r))
		case Fingerprint:
			out.Ranges = append(out.Ranges, s.answer(c, lower, r, budget < 0, build)...)
		}
		for _, o := range out.Ranges[added:] {
			budget -= rangeCost + idCost*len(o.IDs)
		}
		lower, known, at = r.Upper, false, r.Mode != Skip
	}
	out.Ranges = merge(out.Ranges)
	if build != nil {
		s.index = build
	}
	s.listed = s.listed[:0]
	lower = Bound{}
	for _, r := range out.Ranges {
		if r.Mode == IDList {
			s.listed = append(s.listed, span{lower, r.Upper})
		}
		lower = r.Upper
	}
	return out, nil
}

// need takes the peer's "need" for a range: it must be one our last frame
// listed, and every ID one we hold there. Anything else would let a peer
// read messages it has no claim to (of another range, or another room
// sharing the store) and make us look up whatever it likes. listed is what
// is left of s.listed past this range.
func (s *Session) need(c Cursor, listed []span, r span, ids [][IDSize]byte) ([]span, error) {
	for len(listed) > 0 && compareUpper(listed[0].upper, r.upper) < 0 {
		listed = listed[1:]
	}
	if len(listed) == 0 || !sameSpan(listed[0], r) {
		return nil, fmt.Errorf("%w: need for a range that was not listed", ErrProtocol)
	}
	local := map[[IDSize]byte]struct{}{}
	for ; c.Valid() && r.upper.after(c.Item()); c.Next() {
		local[c.Item().ID] = struct{}{}
	}
	for _, id := range ids {
		if _, ok := local[id]; !ok {
			return nil, fmt.Errorf("%w: need for a message not in the range", ErrProtocol)
		}
		s.Have[id] = struct{}{}
	}
	return listed[1:], nil
}

// compare takes the peer's ID list for a range: what we hold that it does
// not, we will send; what it holds that we do not, we answer "need" with.
func (s *Session) compare(c Cursor, r Range) Range {
	theirs := make(map[[IDSize]byte]struct{}, len(r.IDs))
	for _, id := range r.IDs {
		theirs[id] = struct{}{}
	}
	for ; c.Valid() && r.Upper.after(c.Item()); c.Next() {
		id := c.Item().ID
		if _, ok := theirs[id]; ok {
			delete(theirs, id)
		} else {
			s.Have[id] = struct{}{}
		}
	}
	need := make([][IDSize]byte, 0, len(theirs))
	for id := range theirs {
		need = append(need, id)
	}
	slices.SortFunc(need, func(a, b [IDSize]byte) int { return bytes.Compare(a[:], b[:]) })
	return Range{Upper: r.Upper, Mode: Need, IDs: need}
}

// answer takes the peer's fingerprint of the range from lower to r.Upper:
// equal → skip; over budget → our fingerprint (the peer splits it);
// small → our ID list; else Branch fingerprinted parts. The range is read
// once, and a second time only when it is too big to keep and the peer's
// count did not foretell where the parts end.
func (s *Session) answer(c Cursor, lower Bound, r Range, overBudget bool, x *index) []Range {
	// The parts are cut while reading, by the peer's count: with few
	// differences it splits where ours would.
	per := (int(r.Count) + Branch - 1) / Branch
	var all, part sum
	parts := make([]Range, 0, Branch)
	var prev Item
	s.buf = s.buf[:0]
	for ; c.Valid() && r.Upper.after(c.Item()); c.Next() {
		it := c.Item()
		if per > 0 && all.n > 0 && int(all.n)%per == 0 && len(parts) < Branch-1 {
			parts = append(parts, part.fingerprint(boundBetween(prev, it)))
			part = sum{}
		}
		if x != nil {
			x.add(it)
		}
		all.add(it.ID)
		part.add(it.ID)
		if len(s.buf) < maxBuffered {
			s.buf = append(s.buf, it)
		}
		prev = it
	}
	parts = append(parts, part.fingerprint(r.Upper))
	mine := all.fingerprint(r.Upper)
	n := int(all.n)
	switch {
	case mine.Fingerprint == r.Fingerprint && mine.Count == r.Count:
		return []Range{{Upper: r.Upper, Mode: Skip}}
	case overBudget:
		return []Range{mine}
	case n <= ListThreshold:
		ids := make([][IDSize]byte, n)
		for i, it := range s.buf {
			ids[i] = it.ID
		}
		return []Range{{Upper: r.Upper, Mode: IDList, IDs: ids}}
	case n <= len(s.buf):
		bc, _ := Slice(s.buf).Open()
		bc.Seek(Item{})
		return split(bc, n, r.Upper)
	case per == (n+Branch-1)/Branch:
		return parts
	case x != nil: // the range is everything, just indexed
		return (&walk{x: x, c: c}).split(sum{}, x.total, r.Upper)
	default:
		seek(c, lower)
		return split(c, n, r.Upper)
	}
}

// split reads the n items of a range from c into Branch parts of about
// equal size, fingerprinted.
func split(c Cursor, n int, upper Bound) []Range {
	out := make([]Range, 0, Branch)
	per := (n + Branch - 1) / Branch
	for read := 0; read < n && c.Valid(); {
		var part sum
		var last Item
		for end := min(read+per, n); read < end && c.Valid(); read++ {
			last = c.Item()
			part.add(last.ID)
			c.Next()
		}
		b := upper
		if read < n && c.Valid() {
			b = boundBetween(last, c.Item())
		}
		out = append(out, part.fingerprint(b))
	}
	return out
}

// maxMarks bounds an index, however big the set.
const maxMarks = 1 << 14

// index holds the running sum at every few items of one view of a source,
// so that a range's fingerprint costs a seek and a few reads, not a read
// of the range: at most 1.3 MB (maxMarks marks), in place of reading the
// differing part of the set again every round.
type index struct {
	version uint64
	every   int // items between two marks
	marks   []mark
	total   sum
}

// mark is the item at position i·every and the sum of the items before it.
type mark struct {
	at     Item
	before sum
}

func newIndex(version uint64) *index { return &index{version: version, every: 8} }

// add takes the next item of a read from the first one.
func (x *index) add(it Item) {
	if int(x.total.n)%x.every == 0 {
		if len(x.marks) == cap(x.marks) { // room for small sets, then for the most
			x.marks = slices.Grow(x.marks, min(max(8*cap(x.marks), 512), maxMarks+1)-len(x.marks))
		}
		x.marks = append(x.marks, mark{at: it, before: x.total})
		if len(x.marks) > maxMarks {
			// Keep every other mark: marks twice as far apart.
			for i := range (len(x.marks) + 1) / 2 {
				x.marks[i] = x.marks[2*i]
			}
			x.marks = x.marks[:(len(x.marks)+1)/2]
			x.every *= 2
		}
	}
	x.total.add(it.ID)
}

// walk reads one view through its index. It remembers where its cursor
// is, so that a query a little further on reads on instead of seeking:
// the ranges of a frame come in order.
type walk struct {
	x       *index
	c       Cursor
	ok      bool // whether before and prev describe where c is
	before  sum  // the items before c's item; before.n is its position
	prev    Item // the item before c's item,
	hasPrev bool // when known
}

// seekMark moves to mark j.
func (w *walk) seekMark(j int) {
	m := w.x.marks[j]
	w.c.Seek(m.at)
	w.ok, w.before, w.hasPrev = true, m.before, false
}

func (w *walk) next() {
	w.prev, w.hasPrev = w.c.Item(), true
	w.before.add(w.prev.ID)
	w.c.Next()
}

// prefix is the sum of the items before b.
func (w *walk) prefix(b Bound) sum {
	if b.Inf {
		return w.x.total
	}
	j := sort.Search(len(w.x.marks), func(i int) bool { return !b.after(w.x.marks[i].at) }) - 1
	if j < 0 {
		return sum{}
	}
	// Read on if every item before the cursor is before b, and the cursor
	// is past mark j.
	behind := w.before.n == 0 || (w.hasPrev && b.after(w.prev)) || (w.c.Valid() && b.after(w.c.Item()))
	if !w.ok || !behind || int(w.before.n) < j*w.x.every {
		w.seekMark(j)
	}
	for w.c.Valid() && b.after(w.c.Item()) {
		w.next()
	}
	return w.before
}

// around returns the sum of the first p items (0 < p < total) and the
// items at positions p-1 and p.
func (w *walk) around(p int) (before sum, prev, next Item) {
	j := (p - 1) / w.x.every
	pos := int(w.before.n)
	if !w.ok || pos < j*w.x.every || pos > p || (pos == p && !w.hasPrev) {
		w.seekMark(j)
	}
	for int(w.before.n) < p && w.c.Valid() {
		w.next()
	}
	if w.c.Valid() {
		next = w.c.Item()
	}
	return w.before, w.prev, next
}

// answer is Session.answer from the index, for the range from lower to
// r.Upper whose items before sums; it returns the answer and the sum of
// the items before r.Upper.
func (w *walk) answer(lower Bound, below sum, r Range, overBudget bool) ([]Range, sum) {
	upTo := w.prefix(r.Upper)
	local := upTo.minus(below)
	mine := local.fingerprint(r.Upper)
	n := int(local.n)
	switch {
	case mine.Fingerprint == r.Fingerprint && mine.Count == r.Count:
		return []Range{{Upper: r.Upper, Mode: Skip}}, upTo
	case overBudget:
		return []Range{mine}, upTo
	case n <= ListThreshold:
		ids := make([][IDSize]byte, 0, n)
		for seek(w.c, lower); w.c.Valid() && r.Upper.after(w.c.Item()); w.c.Next() {
			ids = append(ids, w.c.Item().ID)
		}
		w.ok = false
		return []Range{{Upper: r.Upper, Mode: IDList, IDs: ids}}, upTo
	}
	return w.split(below, upTo, r.Upper), upTo
}

// split cuts the range whose items before sums and whose items up to
// upper sum upTo into Branch parts of about equal size, fingerprinted.
func (w *walk) split(below, upTo sum, upper Bound) []Range {
	per := (int(upTo.n-below.n) + Branch - 1) / Branch
	out := make([]Range, 0, Branch)
	start := below
	for p := int(below.n) + per; p < int(upTo.n); p += per {
		before, prev, next := w.around(p)
		out = append(out, before.minus(start).fingerprint(boundBetween(prev, next)))
		start = before
	}
	return append(out, upTo.minus(start).fingerprint(upper))
}

// sum is the running sum and count behind a fingerprint.
type sum struct {
	limbs [4]uint64 // little-endian limbs of a 256-bit number
	n     uint32
}

func (a *sum) add(id [IDSize]byte) {
	var carry uint64
	for limb := range 4 {
		v := binary.BigEndian.Uint64(id[IDSize-8*(limb+1):])
		a.limbs[limb], carry = bits.Add64(a.limbs[limb], v, carry)
	}
	a.n++
}

// minus is the sum of the items in a but not in b, for b a prefix of a.
func (a sum) minus(b sum) sum {
	var out sum
	var borrow uint64
	for limb := range 4 {
		out.limbs[limb], borrow = bits.Sub64(a.limbs[limb], b.limbs[limb], borrow)
	}
	out.n = a.n - b.n
	return out
}

// fingerprint is SHA-256 over the sum of the IDs (as 256-bit numbers, mod
// 2^256) and the count, cut to 16 bytes. The sum makes it independent of
// how a range is split; the hash makes it hard to forge.
func (a sum) fingerprint(upper Bound) Range {
	var buf [IDSize + 4]byte
	for limb := range 4 {
		binary.BigEndian.PutUint64(buf[IDSize-8*(limb+1):], a.limbs[limb])
	}
	binary.BigEndian.PutUint32(buf[IDSize:], a.n)
	h := sha256.Sum256(buf[:])
	r := Range{Upper: upper, Mode: Fingerprint, Count: a.n}
	copy(r.Fingerprint[:], h[:16])
	return r
}

// seek moves c to the first item not before b: an ID padded with zeros
// sorts first among those sharing its prefix.
func seek(c Cursor, b Bound) {
	it := Item{Time: b.Time}
	copy(it.ID[:], b.Prefix)
	c.Seek(it)
}

// compareUpper orders upper bounds, infinity last.
func compareUpper(a, b Bound) int {
	switch {
	case a.Inf && b.Inf:
		return 0
	case a.Inf:
		return 1
	case b.Inf:
		return -1
	}
	return compareBounds(a, b)
}

func sameSpan(a, b span) bool {
	return compareUpper(a.lower, b.lower) == 0 && compareUpper(a.upper, b.upper) == 0
}

// merge joins neighbouring Skip ranges: fewer bytes on the wire.
func merge(rs []Range) []Range {
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.Mode == Skip && out[n-1].Mode == Skip {
			out[n-1].Upper = r.Upper
			continue
		}
		out = append(out, r)
	}
	return out
}

// validate checks that a frame's ranges ascend and end at infinity.
func validate(f Frame) error {
	if len(f.Ranges) == 0 {
		return fmt.Errorf("%w: empty frame", ErrProtocol)
	}
	for i, r := range f.Ranges {
		if r.Mode > Need {
			return fmt.Errorf("%w: unknown mode %d", ErrProtocol, r.Mode)
		}
		last := i == len(f.Ranges)-1
		if r.Upper.Inf != last {
			return fmt.Errorf("%w: only the last range may end at infinity", ErrProtocol)
		}
		if len(r.Upper.Prefix) > IDSize {
			return fmt.Errorf("%w: bound prefix of %d bytes", ErrProtocol, len(r.Upper.Prefix))
		}
		if i > 0 && !last && compareBounds(f.Ranges[i-1].Upper, r.Upper) >= 0 {
			return fmt.Errorf("%w: ranges out of order", ErrProtocol)
		}
	}
	return nil
}

// Settled reports whether a frame carries nothing left to work out.
func Settled(f Frame) bool {
	for _, r := range f.Ranges {
		if r.Mode == Fingerprint || r.Mode == IDList {
			return false
		}
	}
	return true
}
