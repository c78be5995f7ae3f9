package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Change is a reaction or an edit filed under the message it names.
type Change struct {
	Position // of the change itself
	Kind     wire.Kind
	Room     wire.RoomID
	Author   string // peer ID bytes
	Emoji    string // reactions
	On       bool   // reactions: added, not taken back
	Text     string // edits
}

// encodeChange packs a change record: <kind 1><on 1><room 32><author
// length 1><author><emoji or text>.
func encodeChange(it Item) []byte {
	v := make([]byte, 0, 2+wire.IDSize+1+len(it.Author)+len(it.Text)+len(it.Emoji))
	on := byte(0)
	if it.On {
		on = 1
	}
	v = append(v, byte(it.Kind), on)
	v = append(v, it.Room[:]...)
	v = append(v, byte(len(it.Author)))
	v = append(v, it.Author...)
	if it.Kind == wire.Kind_KIND_REACTION {
		return append(v, it.Emoji...)
	}
	return append(v, it.Text...)
}

func decodeChange(key, v []byte) (Change, error) {
	var c Change
	prefixLen := 2 + wire.IDSize + 1
	if len(key) != prefixLen+8+1+wire.IDSize || len(v) < prefixLen+1 {
		return c, fmt.Errorf("%w: change record", ErrBadKey)
	}
	c.Time = binary.BigEndian.Uint64(key[prefixLen:])
	copy(c.ID[:], key[prefixLen+9:])
	c.Kind, c.On = wire.Kind(v[0]), v[1] == 1
	copy(c.Room[:], v[2:])
	n := int(v[2+wire.IDSize])
	rest := v[2+wire.IDSize+1:]
	if len(rest) < n {
		return c, fmt.Errorf("%w: change record", ErrBadKey)
	}
	c.Author = string(rest[:n])
	if c.Kind == wire.Kind_KIND_REACTION {
		c.Emoji = string(rest[n:])
	} else {
		c.Text = string(rest[n:])
	}
	return c, nil
}

// Changes kept but not applied: a reaction naming a message of another
// room, an edit or delete by someone who did not write its target, or of
// a target that is not text. Every member keeps them, so that the rooms'
// histories stay the same and sync stops offering them; none is shown.
// They are filed apart (f/), not under the target's changes, so a view
// never reads them; a delete still finds its author's edits there.
//
//	f/<target 32>/<time 8>/<id 32> -> change record (as c/)
const prefixForged = 'f'

func forgedPrefix(target wire.MessageID) []byte {
	return append(append([]byte{prefixForged, sep}, target[:]...), sep)
}

func forgedKey(target wire.MessageID, pos Position) []byte {
	k := changeKey(target, pos)
	k[0] = prefixForged
	return k
}

// readChanges lists the changes filed under a message, oldest first.
func readChanges(txn *badger.Txn, target wire.MessageID) ([]Change, error) {
	return readRecords(txn, changePrefix(target))
}

// readForged lists the changes of a message kept but not applied.
func readForged(txn *badger.Txn, target wire.MessageID) ([]Change, error) {
	return readRecords(txn, forgedPrefix(target))
}

func readRecords(txn *badger.Txn, prefix []byte) ([]Change, error) {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	var out []Change
	for it.Rewind(); it.Valid(); it.Next() {
		var c Change
		err := it.Item().Value(func(v []byte) error {
			var err error
			c, err = decodeChange(it.Item().Key(), v)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// readItem reads what a room's view shows at a position: the message with
// its changes, a room event, or a deleted message's stub. ok is false if
// the view has nothing there.
func readItem(txn *badger.Txn, room wire.RoomID, pos Position) (Item, bool, error) {
	v, err := txn.Get(viewKey(room, pos))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Item{}, false, nil
	}
	if err != nil {
		return Item{}, false, err
	}
	view, err := v.ValueCopy(nil)
	if err != nil {
		return Item{}, false, err
	}
	return itemAt(txn, room, pos, view)
}

// readKept reads a kept message from the history alone.
func readKept(txn *badger.Txn, room wire.RoomID, pos Position) (Item, bool, error) {
	m, err := txn.Get(messageKey(room, pos))
	if err != nil {
		return Item{}, false, fmt.Errorf("index names a missing message: %w", err)
	}
	env, err := m.ValueCopy(nil)
	return Item{Room: room, Position: pos, Envelope: env}, err == nil, err
}

// itemAt builds the Item for a view entry.
func itemAt(txn *badger.Txn, room wire.RoomID, pos Position, view []byte) (Item, bool, error) {
	it := Item{Room: room, Position: pos}
	if len(view) == 0 {
		return it, false, fmt.Errorf("%w: empty view entry", ErrBadKey)
	}
	switch view[0] {
	case viewDeleted:
		it.Deleted, it.Author = true, string(view[1:])
	case viewRemoved:
		remover, author, err := parseRemovedStub(view)
		if err != nil {
			return it, false, err
		}
		it.Deleted, it.Author, it.RemovedBy = true, author, remover
	default:
		m, err := txn.Get(messageKey(room, pos))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return it, false, nil
		}
		if err != nil {
			return it, false, err
		}
		if it.Envelope, err = m.ValueCopy(nil); err != nil {
			return it, false, err
		}
	}
	var err error
	it.Changes, err = readChanges(txn, pos.ID)
	return it, true, err
}

// Searching is what the index is asked for: postings of one term, or of
// every term that begins with it.
type Searching struct {
	Term   string
	Prefix bool
	// Room, when set, keeps only that room's messages.
	Room *wire.RoomID
	// Max bounds how many postings are read.
	Max int
}

// Hit is a message the index names for a term, and where it sorts.
type Hit struct {
	Room   wire.RoomID
	Target wire.MessageID // the message whose text (or edit) holds the term
	Time   uint64         // of the text or edit that holds it
}

// CountTerm counts the postings of a term (or of every term it begins),
// stopping at max.
func (s *Store) CountTerm(term string, prefix bool, max int) (int, error) {
	n := 0
	err := s.readIndex(term, prefix, false, func(Hit) bool {
		n++
		return n < max
	})
	if err != nil {
		return 0, fmt.Errorf("count postings of %q: %w", term, err)
	}
	return n, nil
}

// Search lists the messages whose text holds a term, newest first within
// each term as far as the index's rounds allow; the caller sorts them and
// checks each against the whole query.
func (s *Store) Search(q Searching) ([]Hit, error) {
	var hits []Hit
	err := s.readIndex(q.Term, q.Prefix, true, func(h Hit) bool {
		if q.Room == nil || *q.Room == h.Room {
			hits = append(hits, h)
		}
		return len(hits) < q.Max
	})
	if err != nil {
		return nil, fmt.Errorf("search for %q: %w", q.Term, err)
	}
	return hits, nil
}

// readIndex calls fn with the postings of a term (or of every term it
// begins) until fn says stop, after indexing what is pending.
func (s *Store) readIndex(term string, prefix, values bool, fn func(Hit) bool) error {
	if err := s.flushIndex(); err != nil {
		return err
	}
	keyPrefix := termPrefix(term, !prefix)
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = keyPrefix
		opts.PrefetchValues = values
		it := txn.NewIterator(opts)
		defer it.Close()
		more := true
		for it.Rewind(); it.Valid() && more; it.Next() {
			err := eachPosting(len(keyPrefix)-1, it.Item(), func(h Hit) bool {
				more = fn(h)
				return more
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
