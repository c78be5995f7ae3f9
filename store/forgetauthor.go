package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// An author can be forgotten in a room: their messages leave this node's
// history of the room, with what they filed beside them (changes, stubs,
// search terms), and what they send later is not stored. Their place in
// the history stays, empty (a tombstone: the history key with no
// envelope, the index entry marked deleted), because sync compares the
// keys: without it every session with a member who kept them would offer
// them again. Has says they are here, so gossip ignores copies too, and
// Envelope has nothing to give a peer. The mark is the author's record in
// the room (u/, see authorRecord), which counts the bytes the tombstones
// take; past maxTombstoneBytes the author's messages are skipped like any
// past a cap.

// maxTombstoneBytes bounds the tombstones of one forgotten author in a
// room: about 250,000 messages.
const maxTombstoneBytes = MaxAuthorShare

// forgetScanKeys is how many history keys one step of ForgetAuthor reads
// while it holds the writer; the writes of a step stay under txnBudget.
const forgetScanKeys = 4096

// tombstoneSize is what a tombstone takes: its history key and index entry.
func tombstoneSize(author string) int64 {
	return int64(messageKeySize + 2 + wire.IDSize + wire.IDSize + 8 + 1 + len(author))
}

// planForgotten stores only the place of a message whose author is
// forgotten in its room.
func planForgotten(txn *badger.Txn, w *write, it Item, author authorRecord) error {
	author.tombs += tombstoneSize(it.Author)
	if author.tombs > maxTombstoneBytes {
		return nil
	}
	w.set(messageKey(it.Room, it.Position), nil)
	w.set(indexKey(it.ID), indexValue(it.Room, it.Time, indexDeleted, it.Author))
	w.set(authorUsageKey(it.Room, it.Author), author.value())
	return settle(txn, w, it, arrivedGone)
}

// Forgotten reports whether an author (peer ID bytes) is forgotten in a
// room.
func (s *Store) Forgotten(room wire.RoomID, author string) (bool, error) {
	r, err := s.readAuthor(room, author)
	if err != nil {
		return false, fmt.Errorf("look up a forgotten author of room %s: %w", room, err)
	}
	return r.forgotten, nil
}

// ForgetAuthor forgets an author (peer ID bytes) in a room on this node:
// it marks them, so that nothing more of theirs is stored there, then
// drops what they wrote in the room, gives back what it took of the
// room's tally and removes theirs. It returns how many messages it
// dropped. The history is read a step at a time, each step on the writer
// in one transaction, so that other writes go on between steps; if ctx
// ends or the store closes midway, the mark holds and forgetting again
// finishes the job.
func (s *Store) ForgetAuthor(ctx context.Context, room wire.RoomID, author string) (int, error) {
	if author == "" {
		return 0, fmt.Errorf("forget an author of room %s: no author given", room)
	}
	dropped := 0
	from := roomPrefix(prefixMessage, room)
	for first := true; from != nil; first = false {
		if err := ctx.Err(); err != nil {
			return dropped, fmt.Errorf("forget an author of room %s: %w", room, err)
		}
		err := s.onWriter(func() error {
			s.indexMu.Lock() // a step takes texts out of the index
			defer s.indexMu.Unlock()
			n, next, err := s.forgetStep(room, author, from, first)
			dropped, from = dropped+n, next
			return err
		})
		if err != nil {
			return dropped, fmt.Errorf("forget an author of room %s: %w", room, err)
		}
	}
	return dropped, nil
}

// forgetStep drops an author's messages among the history keys of a room
// from key from on, up to forgetScanKeys of them or txnBudget of writes
// (one message's writes never straddle two steps),
// and returns where the next step starts (nil when the room is done).
// The first step marks the author, which frees their tally, and removes
// them from the room's writers. Writer only.
func (s *Store) forgetStep(room wire.RoomID, authorID string, from []byte, first bool) (dropped int, next []byte, err error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	author, err := readAuthor(txn, room, authorID)
	if err != nil {
		return 0, nil, err
	}
	if first {
		if err := txn.Delete(authorKey(room, authorID)); err != nil {
			return 0, nil, err
		}
		author = authorRecord{forgotten: true, tombs: author.tombs}
	}
	usage, err := s.usageOf(txn, room)
	if err != nil {
		return 0, nil, err
	}
	var freed, spent int64
	used := 0
	opts := badger.DefaultIteratorOptions
	opts.Prefix = roomPrefix(prefixMessage, room)
	it := txn.NewIterator(opts)
	defer it.Close()
	scanned := 0
	for it.Seek(from); it.Valid(); it.Next() {
		k := it.Item().KeyCopy(nil)
		if scanned == forgetScanKeys {
			next = k
			break
		}
		scanned++
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return 0, nil, err
		}
		if len(raw) == 0 {
			continue // a tombstone already
		}
		m, err := parseStored(txn, room, raw)
		if err != nil {
			return 0, nil, fmt.Errorf("read message under %x: %w", k, err)
		}
		if string(m.Author) != authorID {
			continue
		}
		_, pos, err := parseMessageKey(k)
		if err != nil {
			return 0, nil, err
		}
		w := &write{}
		if err := planForget(txn, w, m, pos); err != nil {
			return 0, nil, fmt.Errorf("forget message %s: %w", pos.ID, err)
		}
		if used > 0 && used+w.size() > txnBudget {
			next = k // the next step begins with it
			break
		}
		if err := w.apply(txn); err != nil {
			return 0, nil, fmt.Errorf("forget message %s: %w", pos.ID, err)
		}
		used += w.size()
		freed += int64(len(raw))
		spent += tombstoneSize(authorID)
		dropped++
	}
	it.Close()
	author.tombs += spent
	if err := txn.Set(authorUsageKey(room, authorID), author.value()); err != nil {
		return 0, nil, err
	}
	left := max(usage-freed, 0)
	if err := txn.Set(usageKey(room), binary.BigEndian.AppendUint64(nil, uint64(left))); err != nil {
		return 0, nil, err
	}
	if err := txn.Commit(); err != nil {
		delete(s.usage, room) // read again from what did commit
		return 0, nil, err
	}
	s.usage[room] = left
	return dropped, next, nil
}

// planForget turns a message into a tombstone and takes away what it
// filed beside itself: its place in the view, its search terms, the
// change or the delete it made.
func planForget(txn *badger.Txn, w *write, m *wire.Message, pos Position) error {
	author := string(m.Author)
	w.set(messageKey(m.Room, pos), nil)
	w.set(indexKey(pos.ID), indexValue(m.Room, pos.Time, indexDeleted, author))
	switch m.Kind {
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_UNSPECIFIED, wire.Kind_KIND_FILE:
		w.del(viewKey(m.Room, pos))
		if err := unfileFile(txn, w, m, pos); err != nil {
			return err
		}
		return unindex(txn, w, m.Text, pos, false)
	case wire.Kind_KIND_ROOM_META:
		w.del(viewKey(m.Room, pos))
	case wire.Kind_KIND_EDIT:
		w.del(changeKey(*m.Target, pos))
		w.del(forgedKey(*m.Target, pos))
		return unindex(txn, w, m.Text, pos, false)
	case wire.Kind_KIND_REACTION:
		w.del(changeKey(*m.Target, pos))
		w.del(forgedKey(*m.Target, pos))
	case wire.Kind_KIND_DELETE:
		w.del(deletedKey(*m.Target, author))
		// Its stub goes too, unless the message it names is shown there:
		// one of theirs it deleted, or the guess of one not here.
		target, found, err := lookup(txn, *m.Target)
		if err != nil {
			return err
		}
		switch {
		case !found:
			return dropGuess(txn, w, m)
		case target.deleted && target.author == author:
			w.del(viewKey(target.room, Position{Time: target.time, ID: *m.Target}))
		}
	}
	return nil
}

// dropGuess takes away the stub a delete left for a message not here,
// or, if another member's delete left one in the same place, names them.
func dropGuess(txn *badger.Txn, w *write, del *wire.Message) error {
	stub := viewKey(del.Room, Position{Time: del.TargetTime, ID: *del.Target})
	same := deletedValue(del.Room, del.TargetTime, false)
	opts := badger.DefaultIteratorOptions
	opts.Prefix = deletedKey(*del.Target, "")
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		other := string(it.Item().Key()[len(opts.Prefix):])
		if other == string(del.Author) {
			continue
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(v, same) {
			w.set(stub, append([]byte{viewDeleted}, other...))
			return nil
		}
	}
	w.del(stub)
	return nil
}
