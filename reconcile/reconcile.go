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

// Session is one side of a reconciliation over a fixed, sorted item set.
type Session struct {
	items []Item
	// Have lists the IDs we hold that the peer lacks, as ranges settle:
	// what we send once reconciliation ends. (The peer learns what it lacks
	// the same way and sends it.)
	Have map[[IDSize]byte]struct{}
}

// New starts a session over items, which must be sorted by Compare and
// free of duplicates.
func New(items []Item) *Session {
	return &Session{items: items, Have: map[[IDSize]byte]struct{}{}}
}

// Initiate is the first frame: one fingerprint of everything.
func (s *Session) Initiate() Frame {
	return Frame{Ranges: []Range{s.fingerprint(s.items, Bound{Inf: true})}}
}

// Reply processes a peer's frame and returns the answer. When the answer
// is Settled, the peer need reply no more, though it still processes the
// answer to learn what to send.
func (s *Session) Reply(in Frame) (Frame, error) {
	if err := validate(in); err != nil {
		return Frame{}, err
	}
	var out Frame
	budget := FrameBudget
	spend := func(r Range) { budget -= rangeCost + idCost*len(r.IDs) }
	lower := 0 // index of the first item of the current range
	for _, r := range in.Ranges {
		added := len(out.Ranges)
		upper := lower + sort.Search(len(s.items)-lower, func(i int) bool { return !r.Upper.after(s.items[lower+i]) })
		local := s.items[lower:upper]
		switch r.Mode {
		case Skip:
			out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Skip})
		case Need:
			for _, id := range r.IDs {
				s.Have[id] = struct{}{}
			}
			out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Skip})
		case IDList:
			theirs := make(map[[IDSize]byte]struct{}, len(r.IDs))
			for _, id := range r.IDs {
				theirs[id] = struct{}{}
			}
			var need [][IDSize]byte
			for _, it := range local {
				if _, ok := theirs[it.ID]; ok {
					delete(theirs, it.ID)
				} else {
					s.Have[it.ID] = struct{}{}
				}
			}
			for id := range theirs {
				need = append(need, id)
			}
			slices.SortFunc(need, func(a, b [IDSize]byte) int { return bytes.Compare(a[:], b[:]) })
			out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Need, IDs: need})
		case Fingerprint:
			mine := s.fingerprint(local, r.Upper)
			switch {
			case mine.Fingerprint == r.Fingerprint && mine.Count == r.Count:
				out.Ranges = append(out.Ranges, Range{Upper: r.Upper, Mode: Skip})
			case budget < 0:
				out.Ranges = append(out.Ranges, mine) // over budget: the peer splits it
			case len(local) <= ListThreshold:
				out.Ranges = append(out.Ranges, idList(local, r.Upper))
			default:
				out.Ranges = append(out.Ranges, s.split(local, r.Upper)...)
			}
		}
		for _, o := range out.Ranges[added:] {
			spend(o)
		}
		lower = upper
	}
	out.Ranges = merge(out.Ranges)
	return out, nil
}

// split cuts a range into Branch parts of about equal size, fingerprinted.
func (s *Session) split(local []Item, upper Bound) []Range {
	out := make([]Range, 0, Branch)
	per := (len(local) + Branch - 1) / Branch
	for start := 0; start < len(local); start += per {
		end := min(start+per, len(local))
		b := upper
		if end < len(local) {
			b = boundBetween(local[end-1], local[end])
		}
		out = append(out, s.fingerprint(local[start:end], b))
	}
	return out
}

func idList(local []Item, upper Bound) Range {
	ids := make([][IDSize]byte, len(local))
	for i, it := range local {
		ids[i] = it.ID
	}
	return Range{Upper: upper, Mode: IDList, IDs: ids}
}

// fingerprint is SHA-256 over the sum of the IDs (as 256-bit numbers, mod
// 2^256) and the count, cut to 16 bytes. The sum makes it independent of
// how a range is split; the hash makes it hard to forge.
func (s *Session) fingerprint(local []Item, upper Bound) Range {
	var sum [4]uint64 // little-endian limbs of a 256-bit number
	for _, it := range local {
		var carry uint64
		for limb := range 4 {
			v := binary.BigEndian.Uint64(it.ID[IDSize-8*(limb+1):])
			sum[limb], carry = bits.Add64(sum[limb], v, carry)
		}
	}
	var buf [IDSize + 4]byte
	for limb := range 4 {
		binary.BigEndian.PutUint64(buf[IDSize-8*(limb+1):], sum[limb])
	}
	binary.BigEndian.PutUint32(buf[IDSize:], uint32(len(local)))
	h := sha256.Sum256(buf[:])
	r := Range{Upper: upper, Mode: Fingerprint, Count: uint32(len(local))}
	copy(r.Fingerprint[:], h[:16])
	return r
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
