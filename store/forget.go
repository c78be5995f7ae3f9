package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// DeleteRoom removes a room from this node: its record, its whole history
// with everything filed under its messages, their search terms, its
// tallies and the authors forgotten in it. Others' copies are untouched;
// joining again brings the history back.
func (s *Store) DeleteRoom(room wire.RoomID) error {
	if err := s.deleteRoomKeys(room); err != nil {
		return fmt.Errorf("delete room %s: %w", room, err)
	}
	err := s.onWriter(func() error {
		delete(s.usage, room)
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete room %s: %w", room, err)
	}
	return nil
}

// deleteRoomKeys deletes a room's keys, holding indexMu: what is pending
// is indexed first, so that the room's blocks are all named where its
// messages say, and no round writes more of them meanwhile.
func (s *Store) deleteRoomKeys(room wire.RoomID) error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if err := s.indexAll(); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	del := func(k []byte) error { return wb.Delete(k) }
	err := s.db.View(func(txn *badger.Txn) error {
		if err := eachKey(txn, roomPrefix(prefixMessage, room), func(k, raw []byte) error {
			_, pos, err := parseMessageKey(k)
			if err != nil {
				return err
			}
			var w write
			w.del(k)
			w.del(indexKey(pos.ID))
			if m, err := parseStored(txn, room, raw); err == nil {
				if err := forgetMessage(txn, &w, m, pos); err != nil {
					return err
				}
			}
			for _, k := range w.dels {
				if err := del(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		// Stubs of deleted messages keep an index entry but no history.
		if err := eachKey(txn, roomPrefix(prefixView, room), func(k, _ []byte) error {
			_, pos, err := parsePositionKey(k, prefixView)
			if err != nil {
				return err
			}
			if err := del(indexKey(pos.ID)); err != nil {
				return err
			}
			return del(k)
		}); err != nil {
			return err
		}
		for _, prefix := range [][]byte{
			roomPrefix(prefixAuthor, room), roomPrefix(prefixOutbox, room),
			roomPrefix(prefixUsage, room), // authors' tallies and marks
			roomPrefix(prefixLog, room), roomPrefix(prefixEpochKey, room),
			roomPrefix(prefixFileRoom, room),
		} {
			if err := eachKey(txn, prefix, func(k, _ []byte) error { return del(k) }); err != nil {
				return err
			}
		}
		if err := del(usageKey(room)); err != nil {
			return err
		}
		return del(roomKey(room))
	})
	if err != nil {
		return err
	}
	return wb.Flush()
}

// forgetMessage adds the deletes of what a message filed beside itself.
// What others filed under it (reactions, edits, deletes) are messages of
// the same room and go with their own turn.
func forgetMessage(txn *badger.Txn, w *write, m *wire.Message, pos Position) error {
	switch m.Kind {
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_FILE:
		return unindex(txn, w, m.Text, pos, true)
	case wire.Kind_KIND_EDIT:
		w.del(changeKey(*m.Target, pos))
		w.del(forgedKey(*m.Target, pos))
		w.del(awaitedKey(*m.Target))
		return unindex(txn, w, m.Text, pos, true)
	case wire.Kind_KIND_REACTION:
		w.del(changeKey(*m.Target, pos))
		w.del(forgedKey(*m.Target, pos))
		w.del(awaitedKey(*m.Target))
	case wire.Kind_KIND_DELETE:
		w.del(deletedKey(*m.Target, string(m.Author)))
		w.del(awaitedKey(*m.Target))
	}
	return nil
}

// eachKey calls fn with every key under prefix and its value.
func eachKey(txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().KeyCopy(nil)
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}
