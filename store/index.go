package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"parley/search"
	"parley/wire"
)

// The search index is written in rounds, off the path that stores a
// message. Storing a text (or an edit) files one pending entry (q/); the
// writer later takes up to a round's worth of them and writes, for every
// term and room, one block listing all the round's postings of that term
// (w/). A message of 27 words used to cost 27 Badger entries as it was
// stored; in a round of a busy room most words repeat, so it now costs
// about one. Each indexed message remembers its round (x/), so a delete
// can take its postings out again. Search first indexes what is pending,
// so it always sees every stored message.

// When the writer indexes what is pending: at once when a round's worth
// is waiting, else this long after the first one arrived.
const (
	indexRoundMessages = 256
	indexDelay         = time.Second
	// indexRoundBytes bounds a round's writes, well under Badger's limit
	// for one transaction (15% of the memtable).
	indexRoundBytes = 512 << 10
)

// A posting in a block: the text's (or edit's) position and the message
// whose text holds the term.
const postingSize = 8 + wire.IDSize + wire.IDSize

// blockSuffixSize is what follows a term's \x00 in a block key:
// <^newest time 8><room 32><round 8>. A posting of layout 2 has 40 bytes
// there (<^time 8><id 32>), so the two are told apart by length.
const (
	blockSuffixSize   = 8 + wire.IDSize + 8
	postingSuffixSize = 8 + wire.IDSize
)

// markForIndex files a text or edit to be indexed in a coming round. The
// writer keeps the queue in memory; the pending key is for a restart.
func markForIndex(w *write, room wire.RoomID, pos Position, target wire.MessageID) {
	w.set(pendingKey(pos), append(room[:len(room):len(room)], target[:]...))
	w.queued = append(w.queued, pendingText{pos: pos, room: room, target: target})
}

// unindex takes a text's terms out of the index, wherever they are:
// pending, in a layout-2 posting, or in a round's blocks. With wholeBlocks
// the blocks are deleted outright (the whole room is going); else the
// posting is cut out of each block, so txn must see the write's earlier
// changes (the writer's transaction does).
func unindex(txn *badger.Txn, w *write, text string, pos Position, wholeBlocks bool) error {
	w.del(pendingKey(pos))
	terms := search.Terms(text)
	for _, term := range terms {
		w.del(termKey(term, pos))
	}
	suffix, found, err := indexedIn(txn, pos.ID)
	if err != nil || !found {
		return err
	}
	w.del(indexedKey(pos.ID))
	for _, term := range terms {
		k := blockKey(term, suffix)
		if wholeBlocks {
			w.del(k)
			continue
		}
		postings, err := w.block(txn, k)
		if err != nil {
			return err
		}
		w.setBlock(k, withoutPosting(postings, pos))
	}
	return nil
}

// block reads a block as this write leaves it.
func (w *write) block(txn *badger.Txn, k []byte) ([]byte, error) {
	if v, ok := w.blocks[string(k)]; ok {
		return v, nil
	}
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index block: %w", err)
	}
	return item.ValueCopy(nil)
}

// setBlock records a block's new postings; empty deletes it.
func (w *write) setBlock(k, postings []byte) {
	if w.blocks == nil {
		w.blocks = map[string][]byte{}
	}
	w.blocks[string(k)] = postings
}

func withoutPosting(postings []byte, pos Position) []byte {
	out := make([]byte, 0, len(postings))
	for p := postings; len(p) >= postingSize; p = p[postingSize:] {
		if binary.BigEndian.Uint64(p) == pos.Time && bytes.Equal(p[8:8+wire.IDSize], pos.ID[:]) {
			continue
		}
		out = append(out, p[:postingSize]...)
	}
	return out
}

func indexedIn(txn *badger.Txn, id wire.MessageID) ([]byte, bool, error) {
	item, err := txn.Get(indexedKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read index round of %s: %w", id, err)
	}
	v, err := item.ValueCopy(nil)
	if err == nil && len(v) != blockSuffixSize {
		err = fmt.Errorf("%w: index round of %d bytes", ErrBadKey, len(v))
	}
	return v, err == nil, err
}

// roomBlocks gathers one room's postings of a round, term by term.
type roomBlocks struct {
	newest uint64
	terms  map[string][]byte
}

// indexRound indexes the texts at the head of the queue, up to a round's
// worth, in one transaction. indexMu held, so no write takes texts out of
// the index meanwhile (see indexer.go).
func (s *Store) indexRound() error {
	queue := s.index.head(indexRoundMessages)
	if len(queue) == 0 {
		return nil
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	rooms := map[wire.RoomID]*roomBlocks{}
	type indexed struct {
		room wire.RoomID
		id   wire.MessageID
	}
	var done []indexed
	taken, used, unreadable := 0, 0, 0
	for _, p := range queue {
		if used >= indexRoundBytes {
			break
		}
		taken++
		if err := txn.Delete(pendingKey(p.pos)); err != nil {
			return fmt.Errorf("index messages: %w", err)
		}
		m, ok, err := indexable(txn, p)
		if errors.Is(err, errUnreadable) {
			unreadable++
			continue
		}
		if err != nil {
			return err
		}
		if !ok {
			continue // deleted since
		}
		rb := rooms[p.room]
		if rb == nil {
			rb = &roomBlocks{terms: map[string][]byte{}}
			rooms[p.room] = rb
		}
		rb.newest = max(rb.newest, p.pos.Time)
		for _, term := range search.Terms(m.Text) {
			b := binary.BigEndian.AppendUint64(rb.terms[term], p.pos.Time)
			b = append(append(b, p.pos.ID[:]...), p.target[:]...)
			if len(b) == postingSize {
				used += len(term) + blockSuffixSize + 32 // a new key
			}
			rb.terms[term] = b
			used += postingSize
		}
		done = append(done, indexed{p.room, p.pos.ID})
	}
	round := s.nextRound()
	for room, rb := range rooms {
		suffix := blockSuffix(rb.newest, room, round)
		for term, postings := range rb.terms {
			if err := txn.Set(blockKey(term, suffix), postings); err != nil {
				return fmt.Errorf("index messages: %w", err)
			}
		}
	}
	for _, d := range done {
		if err := txn.Set(indexedKey(d.id), blockSuffix(rooms[d.room].newest, d.room, round)); err != nil {
			return fmt.Errorf("index messages: %w", err)
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("index messages: %w", err)
	}
	s.index.drop(taken)
	if unreadable > 0 {
		s.log.Warn("stored messages cannot be read; they are left out of search", "messages", unreadable)
	}
	return nil
}

// errUnreadable marks a pending text whose message does not parse: it is
// left out of the index, and the round goes on (failing the round would
// leave it at the head of the queue for good, and every text after it
// unindexed).
var errUnreadable = errors.New("stored message cannot be read")

// indexable reads a pending text's message; ok is false when it is gone.
func indexable(txn *badger.Txn, p pendingText) (*wire.Message, bool, error) {
	item, err := txn.Get(messageKey(p.room, p.pos))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("index messages: read message %s: %w", p.pos.ID, err)
	}
	var m *wire.Message
	err = item.Value(func(raw []byte) error {
		if len(raw) == 0 {
			return nil // a forgotten author's: only its place is kept
		}
		var err error
		m, err = parseStored(txn, p.room, raw)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("%w: %s: %w", errUnreadable, p.pos.ID.String()[:8], err)
	}
	return m, m != nil, nil
}

// pendingText is a text waiting to be indexed.
type pendingText struct {
	pos    Position
	room   wire.RoomID
	target wire.MessageID
}

// readPending reads the texts a previous run left to index, in the order
// of their positions.
func readPending(txn *badger.Txn) ([]pendingText, error) {
	var out []pendingText
	opts := badger.DefaultIteratorOptions
	opts.Prefix = []byte{prefixPending, sep}
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		pos, err := parsePendingKey(it.Item().Key())
		if err != nil {
			return nil, err
		}
		p := pendingText{pos: pos}
		err = it.Item().Value(func(v []byte) error {
			if len(v) != 2*wire.IDSize {
				return fmt.Errorf("%w: pending entry of %d bytes", ErrBadKey, len(v))
			}
			copy(p.room[:], v)
			copy(p.target[:], v[wire.IDSize:])
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// nextRound names a round: rising, and rising across restarts too, as
// long as the clock does not go back.
func (s *Store) nextRound() uint64 {
	s.round = max(s.round+1, uint64(time.Now().UnixNano()))
	return s.round
}

// loadQueue reads what a previous run left to index.
func (s *Store) loadQueue() error {
	var pending []pendingText
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		pending, err = readPending(txn)
		return err
	})
	if err != nil {
		return fmt.Errorf("read texts to index: %w", err)
	}
	s.index = newIndexQueue(pending)
	return nil
}

// eachPosting calls fn for every posting under a term key: one for a
// layout-2 posting, all of a block's.
func eachPosting(prefixLen int, item *badger.Item, fn func(Hit) bool) error {
	k := item.Key()
	zero := bytes.IndexByte(k[prefixLen:], 0)
	if zero < 0 {
		return fmt.Errorf("%w: %q", ErrBadKey, k)
	}
	suffix := k[prefixLen+zero+1:]
	switch len(suffix) {
	case postingSuffixSize:
		h := Hit{Time: ^binary.BigEndian.Uint64(suffix)}
		return item.Value(func(v []byte) error {
			if len(v) != 2*wire.IDSize {
				return fmt.Errorf("%w: posting of %d bytes", ErrBadKey, len(v))
			}
			copy(h.Room[:], v)
			copy(h.Target[:], v[wire.IDSize:])
			fn(h)
			return nil
		})
	case blockSuffixSize:
		var room wire.RoomID
		copy(room[:], suffix[8:])
		return item.Value(func(v []byte) error {
			if len(v)%postingSize != 0 {
				return fmt.Errorf("%w: index block of %d bytes", ErrBadKey, len(v))
			}
			for p := v; len(p) > 0; p = p[postingSize:] {
				h := Hit{Room: room, Time: binary.BigEndian.Uint64(p)}
				copy(h.Target[:], p[8+wire.IDSize:])
				if !fn(h) {
					return nil
				}
			}
			return nil
		})
	default:
		return fmt.Errorf("%w: %q", ErrBadKey, k)
	}
}
