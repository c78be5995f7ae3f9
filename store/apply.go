package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// How a message changes the tables. Every kept message goes into the
// history (m/, what sync compares) and the index (i/). Text and room
// events also get a place in the room's view (v/) and text its search
// terms (w/). Reactions and edits are filed under their target (c/), so a
// view can fold them in whatever order they arrived. A delete by the
// target's author removes the target's text, its edits and their terms,
// and leaves a stub in the view; it is remembered (d/), so the text is
// refused if it comes again, and so a delete that arrives before its
// target still applies.

// write is what storing one item does: keys to set and keys to delete,
// and search blocks rewritten without a deleted text's postings.
type write struct {
	added  bool
	queued []pendingText // texts filed for indexing
	sets   []kv
	dels   [][]byte
	blocks map[string][]byte // empty: delete the block
}

type kv struct{ k, v []byte }

func (w *write) set(k, v []byte) { w.sets = append(w.sets, kv{k, v}) }
func (w *write) del(k []byte)    { w.dels = append(w.dels, k) }

// size estimates the bytes the write adds to a transaction.
func (w *write) size() int {
	n := 0
	for _, e := range w.sets {
		n += len(e.k) + len(e.v) + 32
	}
	for _, k := range w.dels {
		n += len(k) + 32
	}
	for k, v := range w.blocks {
		n += len(k) + len(v) + 32
	}
	return n
}

func (w *write) apply(txn *badger.Txn) error {
	for _, e := range w.sets {
		if err := txn.Set(e.k, e.v); err != nil {
			return err
		}
	}
	for _, k := range w.dels {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	for k, v := range w.blocks {
		var err error
		if len(v) == 0 {
			err = txn.Delete([]byte(k))
		} else {
			err = txn.Set([]byte(k), v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// plan works out the writes for an item from what txn sees.
func plan(txn *badger.Txn, it Item) (*write, error) {
	w := &write{}
	if _, found, err := lookup(txn, it.ID); err != nil || found {
		return w, err // already stored or deleted: Put is idempotent
	}
	if it.Kind.Ephemeral() {
		return w, fmt.Errorf("%s is never stored", it.Kind)
	}
	switch it.Kind {
	case wire.Kind_KIND_EDIT:
		gone, err := deletedBy(txn, it.Target, it.Author)
		if err != nil || gone {
			return w, err // an edit of a deleted message is not kept
		}
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_UNSPECIFIED:
		gone, err := deletedBy(txn, it.ID, it.Author)
		if err != nil {
			return w, err
		}
		if gone {
			// Deleted by its author before it reached us: only the stub.
			w.set(indexKey(it.ID), indexValue(it.Room, it.Time, indexDeleted, it.Author))
			return w, nil
		}
	}
	w.added = true
	w.set(messageKey(it.Room, it.Position), it.Envelope)
	w.set(authorKey(it.Room, it.Author), nil)
	switch it.Kind {
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_UNSPECIFIED:
		w.set(viewKey(it.Room, it.Position), []byte{viewText})
		markForIndex(w, it.Room, it.Position, it.ID)
	case wire.Kind_KIND_ROOM_META:
		w.set(viewKey(it.Room, it.Position), []byte{viewEvent})
	case wire.Kind_KIND_REACTION, wire.Kind_KIND_EDIT:
		w.set(changeKey(it.Target, it.Position), encodeChange(it))
		if it.Kind == wire.Kind_KIND_EDIT {
			markForIndex(w, it.Room, it.Position, it.Target)
		}
	case wire.Kind_KIND_DELETE:
		w.set(deletedKey(it.Target, it.Author), nil)
		if err := planDelete(txn, w, it); err != nil {
			return w, err
		}
	}
	// The index entry last: it is what makes the message count as stored.
	w.set(indexKey(it.ID), indexValue(it.Room, it.Time, indexKept, it.Author))
	return w, nil
}

// planDelete removes what a delete takes away, if its author wrote the
// target, and leaves the stub.
func planDelete(txn *badger.Txn, w *write, del Item) error {
	target, found, err := lookup(txn, del.Target)
	if err != nil {
		return err
	}
	if !found {
		// Not here (yet): show the stub where the delete says it was. If
		// the message comes and its author is not the deleter, it shows.
		w.set(viewKey(del.Room, Position{Time: del.TargetTime, ID: del.Target}), append([]byte{viewDeleted}, del.Author...))
		return dropEdits(txn, w, del.Target, del.Author)
	}
	if target.deleted || target.room != del.Room {
		return nil
	}
	pos := Position{Time: target.time, ID: del.Target}
	m, ok, err := readStored(txn, target.room, pos)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("message %s is indexed as kept but missing from the history", pos.ID)
	}
	author, text := string(m.Author), m.Text
	if author != del.Author {
		return nil // only the author may delete; the view ignores it
	}
	w.del(messageKey(target.room, pos))
	if err := unindex(txn, w, text, pos, false); err != nil {
		return err
	}
	w.set(viewKey(target.room, pos), append([]byte{viewDeleted}, del.Author...))
	w.set(indexKey(del.Target), indexValue(target.room, target.time, indexDeleted, author))
	return dropEdits(txn, w, del.Target, author)
}

// dropEdits removes an author's edits of a message they deleted, text and
// terms; their index entries stay, so copies are not stored again.
func dropEdits(txn *badger.Txn, w *write, target wire.MessageID, author string) error {
	changes, err := readChanges(txn, target)
	if err != nil {
		return err
	}
	for _, c := range changes {
		if c.Kind != wire.Kind_KIND_EDIT || c.Author != author {
			continue
		}
		w.del(messageKey(c.Room, c.Position))
		w.del(changeKey(target, c.Position))
		w.set(indexKey(c.ID), indexValue(c.Room, c.Time, indexDeleted, author))
		if err := unindex(txn, w, c.Text, c.Position, false); err != nil {
			return err
		}
	}
	return nil
}

// lookup reads a message's index entry.
func lookup(txn *badger.Txn, id wire.MessageID) (indexEntry, bool, error) {
	item, err := txn.Get(indexKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return indexEntry{}, false, nil
	}
	if err != nil {
		return indexEntry{}, false, err
	}
	var e indexEntry
	err = item.Value(func(v []byte) error {
		e, err = parseIndexValue(v)
		return err
	})
	return e, err == nil, err
}

func deletedBy(txn *badger.Txn, target wire.MessageID, author string) (bool, error) {
	_, err := txn.Get(deletedKey(target, author))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// readStored parses a kept message's envelope (verified when it arrived,
// so not again); ok is false when it is not kept.
func readStored(txn *badger.Txn, room wire.RoomID, pos Position) (m *wire.Message, ok bool, err error) {
	item, err := txn.Get(messageKey(room, pos))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read message %s: %w", pos.ID, err)
	}
	err = item.Value(func(raw []byte) error {
		m, err = wire.Parse(raw)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("read message %s: %w", pos.ID, err)
	}
	return m, true, nil
}
