package store

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Direction says which way a page runs from its position.
type Direction int

const (
	// Before pages toward older messages; the zero Position means "from the newest".
	Before Direction = iota
	// After pages toward newer messages; the zero Position means "from the oldest".
	After
)

// Page returns up to limit entries of a room's view (messages with their
// changes, room events, stubs of deleted messages) strictly before or
// after from, in display order (oldest first) either way.
func (s *Store) Page(room wire.RoomID, from Position, dir Direction, limit int) ([]Item, error) {
	if limit <= 0 {
		return nil, nil
	}
	prefix := roomPrefix(prefixView, room)
	var items []Item
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.Reverse = dir == Before
		opts.PrefetchSize = min(limit, 100)
		it := txn.NewIterator(opts)
		defer it.Close()

		start := viewKey(room, from)
		if from == (Position{}) && dir == Before {
			start = append(bytes.Clone(prefix), bytes.Repeat([]byte{0xff}, messageKeySize-len(prefix))...)
		}
		for it.Seek(start); it.Valid() && len(items) < limit; it.Next() {
			k := it.Item().Key()
			if bytes.Equal(k, start) {
				continue // strictly before/after
			}
			_, pos, err := parsePositionKey(k, prefixView)
			if err != nil {
				return err
			}
			view, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			item, ok, err := itemAt(txn, room, pos, view)
			if err != nil {
				return err
			}
			if ok {
				items = append(items, item)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("page room %s: %w", room, err)
	}
	if dir == Before {
		slices.Reverse(items)
	}
	return items, nil
}

// Positions lists where every message of a room sorts, in display order.
// It scans keys only: sync fingerprints ranges of this list.
func (s *Store) Positions(room wire.RoomID) ([]Position, error) {
	var out []Position
	err := s.scanKeys(roomPrefix(prefixMessage, room), func(k []byte) error {
		_, pos, err := parseMessageKey(k)
		out = append(out, pos)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list positions of room %s: %w", room, err)
	}
	return out, nil
}

// Count returns how many entries a room's view holds (messages, room
// events, stubs). It scans keys only.
func (s *Store) Count(room wire.RoomID) (int, error) {
	n := 0
	err := s.scanKeys(roomPrefix(prefixView, room), func([]byte) error {
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count room %s: %w", room, err)
	}
	return n, nil
}

// CountAfter counts a room's messages strictly after a position, up to
// limit (counting stops there: callers show "99+"). It scans keys only.
func (s *Store) CountAfter(room wire.RoomID, from Position, limit int) (int, error) {
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = roomPrefix(prefixView, room)
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		start := viewKey(room, from)
		for it.Seek(start); it.Valid() && n < limit; it.Next() {
			if !bytes.Equal(it.Item().Key(), start) {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count unread in room %s: %w", room, err)
	}
	return n, nil
}

// Authors returns the peer IDs (as bytes) of everyone who wrote in a room.
func (s *Store) Authors(room wire.RoomID) ([]string, error) {
	prefix := roomPrefix(prefixAuthor, room)
	var authors []string
	err := s.scanKeys(prefix, func(k []byte) error {
		authors = append(authors, string(k[len(prefix):]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list authors of room %s: %w", room, err)
	}
	return authors, nil
}

// scanKeys calls fn with every key under prefix, in order, reading no
// values. The key is only valid during the call.
func (s *Store) scanKeys(prefix []byte, fn func(key []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := fn(it.Item().Key()); err != nil {
				return err
			}
		}
		return nil
	})
}
