package store

import (
	"encoding/binary"
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
//
// Whether a change applies is decided here, once, when both it and its
// target are stored: an edit or delete applies only if its author wrote
// the target, a text of the same room; a reaction, to anything of the
// same room. A change that does not apply is kept all the same (every
// member then holds the same history, and sync stops offering it) but
// filed apart (f/) and never shown. A change that comes before its target
// is filed as if it applied and settled when the target comes; a delete's
// stub shows until then. A delete also takes back its own author's edits
// of the target, applied or not, so that every member ends with the same
// history whatever order the messages came in.
//
// A delete marked Redacts (a private room's owner or moderator, by its
// log) applies to a text of the same room whoever wrote it, and takes
// every edit of it along, whoever's, in whichever order they come: an
// edit of a removed message is not kept, and a removal that comes before
// its target takes the edits already waiting for it.

// write is what storing one item does: keys to set and keys to delete,
// and search blocks rewritten without a deleted text's postings.
type write struct {
	added  bool
	author authorRecord  // the author's in the room, before this message
	queued []pendingText // texts filed for indexing
	forged []Change      // changes it keeps but does not apply
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
	author, err := readAuthor(txn, it.Room, it.Author)
	if err != nil {
		return w, err
	}
	if author.forgotten || it.Refused {
		return w, planForgotten(txn, w, it, author)
	}
	switch it.Kind {
	case wire.Kind_KIND_EDIT:
		gone, err := deletedBy(txn, it.Target, it.Author)
		if err == nil && !gone {
			gone, err = targetRemoved(txn, it.Target, it.Room)
		}
		if err != nil || gone {
			return w, err // an edit of a deleted message is not kept
		}
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_UNSPECIFIED, wire.Kind_KIND_FILE:
		gone, err := deletedFrom(txn, it.ID, it.Author, it.Room)
		if err != nil {
			return w, err
		}
		stub, deleter := append([]byte{viewDeleted}, it.Author...), it.Author
		if !gone {
			if deleter, gone, err = removedIn(txn, it.ID, it.Room); err != nil {
				return w, err
			}
			stub = removedStub(deleter, it.Author)
		}
		if gone {
			// Deleted before it reached us: only the stub.
			w.set(viewKey(it.Room, it.Position), stub)
			w.set(indexKey(it.ID), indexValue(it.Room, it.Time, indexDeleted, deleter))
			return w, settle(txn, w, it, arrivedDeleted)
		}
	}
	w.added, w.author = true, author
	author.used += int64(len(it.Envelope))
	w.set(messageKey(it.Room, it.Position), it.Envelope)
	if !author.known { // one write fewer for every later message
		w.set(authorKey(it.Room, it.Author), nil)
	}
	w.set(authorUsageKey(it.Room, it.Author), author.value())
	switch it.Kind {
	case wire.Kind_KIND_TEXT, wire.Kind_KIND_UNSPECIFIED, wire.Kind_KIND_FILE:
		w.set(viewKey(it.Room, it.Position), []byte{viewText})
		markForIndex(w, it.Room, it.Position, it.ID)
	case wire.Kind_KIND_ROOM_META, wire.Kind_KIND_MEMBER:
		w.set(viewKey(it.Room, it.Position), []byte{viewEvent})
	case wire.Kind_KIND_REACTION, wire.Kind_KIND_EDIT:
		if err := planChange(txn, w, it); err != nil {
			return w, err
		}
	case wire.Kind_KIND_DELETE:
		if err := planDelete(txn, w, it); err != nil {
			return w, err
		}
	}
	if isLogEvent(it.Kind) {
		w.set(logKey(it.Room, it.Position), nil)
	}
	if it.Kind == wire.Kind_KIND_FILE {
		if err := planFile(txn, w, it); err != nil {
			return w, err
		}
	}
	if err := settle(txn, w, it, arrivedKept); err != nil {
		return w, err
	}
	// The index entry last: it is what makes the message count as stored.
	w.set(indexKey(it.ID), indexValue(it.Room, it.Time, indexKept, it.Author))
	return w, nil
}

// planChange files a reaction or an edit: under its target if it applies
// (or if the target is not here yet), apart if it does not.
func planChange(txn *badger.Txn, w *write, it Item) error {
	target, found, err := lookup(txn, it.Target)
	if err != nil {
		return err
	}
	if !found {
		w.set(changeKey(it.Target, it.Position), encodeChange(it))
		w.set(awaitedKey(it.Target), nil)
		return nil
	}
	_, ok, err := appliesTo(txn, it, target)
	if err != nil {
		return err
	}
	if !ok {
		w.set(forgedKey(it.Target, it.Position), encodeChange(it))
		w.forged = append(w.forged, Change{Position: it.Position, Kind: it.Kind, Room: it.Room, Author: it.Author})
		return nil
	}
	w.set(changeKey(it.Target, it.Position), encodeChange(it))
	if it.Kind == wire.Kind_KIND_EDIT {
		markForIndex(w, it.Room, it.Position, it.Target)
	}
	return nil
}

// appliesTo says whether a change applies to its target, stored as e: the
// one rule for every change. For an edit or delete that applies it returns
// the target.
func appliesTo(txn *badger.Txn, change Item, e indexEntry) (*wire.Message, bool, error) {
	if e.room != change.Room {
		return nil, false, nil
	}
	if change.Kind == wire.Kind_KIND_REACTION {
		return nil, true, nil
	}
	// An edit or a delete. Of a deleted message neither applies: its
	// author's were refused (deletedBy) or taken back with it.
	redacts := change.Kind == wire.Kind_KIND_DELETE && change.Redacts
	if e.deleted || (e.author != "" && e.author != change.Author && !redacts) {
		return nil, false, nil
	}
	target, ok, err := readStored(txn, e.room, Position{Time: e.time, ID: change.Target})
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, fmt.Errorf("message %s is indexed as kept but missing from the history", change.Target)
	}
	fits := editable(target.Kind) || change.Kind == wire.Kind_KIND_DELETE && isMessage(target.Kind)
	return target, fits && (redacts || string(target.Author) == change.Author), nil
}

// planDelete removes what a delete takes away, if it applies, and leaves
// the stub. Whether or not it applies, the delete takes back its author's
// edits of the target (a removal: everyone's).
func planDelete(txn *badger.Txn, w *write, del Item) error {
	w.set(deletedKey(del.Target, del.Author), deletedValue(del.Room, del.TargetTime, del.Redacts))
	e, found, err := lookup(txn, del.Target)
	if err != nil {
		return err
	}
	if !found {
		// Not here (yet): show the stub where the delete says it was,
		// until the message comes (see settle).
		stub, editors := append([]byte{viewDeleted}, del.Author...), del.Author
		if del.Redacts {
			stub, editors = removedStub(del.Author, ""), anyAuthor
		}
		w.set(viewKey(del.Room, Position{Time: del.TargetTime, ID: del.Target}), stub)
		w.set(awaitedKey(del.Target), nil)
		return dropEdits(txn, w, del.Target, editors)
	}
	target, ok, err := appliesTo(txn, del, e)
	if err != nil {
		return err
	}
	switch {
	case !ok && !(e.deleted && e.author == del.Author): // not once more
		w.forged = append(w.forged, Change{Position: del.Position, Kind: del.Kind, Room: del.Room, Author: del.Author})
	case ok:
		pos := Position{Time: e.time, ID: del.Target}
		w.del(messageKey(e.room, pos))
		if err := unindex(txn, w, target.Text, pos, false); err != nil {
			return err
		}
		stub, editors := append([]byte{viewDeleted}, del.Author...), del.Author
		if author := string(target.Author); author != del.Author {
			stub, editors = removedStub(del.Author, author), anyAuthor
		}
		w.set(viewKey(e.room, pos), stub)
		w.set(indexKey(del.Target), indexValue(e.room, e.time, indexDeleted, del.Author))
		if err := unfileFile(txn, w, target, pos); err != nil {
			return err
		}
		return dropEdits(txn, w, del.Target, editors)
	}
	return dropEdits(txn, w, del.Target, del.Author)
}

// anyAuthor, to dropEdits: every author's.
const anyAuthor = ""

// dropEdits removes an author's edits of a message they deleted, applied
// or not, with their text and terms; their index entries stay, so copies
// are not stored again.
func dropEdits(txn *badger.Txn, w *write, target wire.MessageID, author string) error {
	for _, forged := range []bool{false, true} {
		read, key := readChanges, changeKey
		if forged {
			read, key = readForged, forgedKey
		}
		changes, err := read(txn, target)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Kind != wire.Kind_KIND_EDIT || (author != anyAuthor && c.Author != author) {
				continue
			}
			w.del(messageKey(c.Room, c.Position))
			w.del(key(target, c.Position))
			w.set(indexKey(c.ID), indexValue(c.Room, c.Time, indexDeleted, c.Author))
			if !forged { // one kept apart was never indexed
				if err := unindex(txn, w, c.Text, c.Position, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// How a message that others' changes may have named came in.
type arrival int

const (
	arrivedKept    arrival = iota // stored
	arrivedDeleted                // its author's delete came first: a stub
	arrivedGone                   // its author is forgotten here: nothing
)

// A change or delete that names a message not here yet marks it awaited
// (e/), so that storing a message looks for what named it first with one
// read, not two scans. Changes filed before the mark existed are settled
// by no one; the view still folds in only edits by the message's author.
//
//	e/<id 32>                     -> nothing (a change or delete names it)
const prefixAwaited = 'e'

func awaitedKey(id wire.MessageID) []byte {
	return append([]byte{prefixAwaited, sep}, id[:]...)
}

// settle decides the changes that named a message before it came, now
// that it is here: edits that turn out not to apply are filed apart
// (those that do are indexed now), and stubs that deletes left where the
// message is not shown are removed.
func settle(txn *badger.Txn, w *write, it Item, how arrival) error {
	if _, err := txn.Get(awaitedKey(it.ID)); errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	w.del(awaitedKey(it.ID))
	changes, err := readChanges(txn, it.ID)
	if err != nil {
		return err
	}
	isText := isMessage(it.Kind)
	for _, c := range changes {
		applies := c.Room == it.Room
		if c.Kind == wire.Kind_KIND_EDIT {
			applies = applies && how == arrivedKept && editable(it.Kind) && c.Author == it.Author
		}
		switch {
		case !applies:
			w.forged = append(w.forged, c)
			w.del(changeKey(it.ID, c.Position))
			w.set(forgedKey(it.ID, c.Position), encodeChange(Item{
				Room: c.Room, Author: c.Author, Kind: c.Kind, Text: c.Text, Emoji: c.Emoji, On: c.On,
			}))
		case c.Kind == wire.Kind_KIND_EDIT:
			markForIndex(w, c.Room, c.Position, it.ID)
		}
	}
	// A stub where this write shows the message is replaced; any other is
	// a delete's guess that did not apply.
	shown := how == arrivedDeleted || (how == arrivedKept && (isText || it.Kind == wire.Kind_KIND_ROOM_META))
	return eachDelete(txn, it.ID, func(author string, room wire.RoomID, t uint64, redacts bool) error {
		if !isText || room != it.Room || (author != it.Author && !redacts) {
			w.forged = append(w.forged, Change{Kind: wire.Kind_KIND_DELETE, Room: room, Author: author})
		}
		if shown && room == it.Room && t == it.Time {
			return nil
		}
		w.del(viewKey(room, Position{Time: t, ID: it.ID}))
		return nil
	})
}

// isMessage says whether a kind is a message people write (a text or a
// file): what the view shows as one, and a delete may take.
func isMessage(k wire.Kind) bool {
	return editable(k) || k == wire.Kind_KIND_FILE
}

// editable says whether an edit may change a kind: text only.
func editable(k wire.Kind) bool {
	return k == wire.Kind_KIND_TEXT || k == wire.Kind_KIND_UNSPECIFIED
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

// deletedValue is what a delete files under its target: where it left the
// target's stub, so that the stub can be taken away if it was wrong, and
// whether it is a removal (one more byte).
func deletedValue(room wire.RoomID, targetTime uint64, redacts bool) []byte {
	v := binary.BigEndian.AppendUint64(room[:len(room):len(room)], targetTime)
	if redacts {
		v = append(v, 1)
	}
	return v
}

// deleted is a delete's value read back; known is false for one stored
// before its value said where it left its stub.
type deleted struct {
	known, redacts bool
	room           wire.RoomID
	targetTime     uint64
}

func parseDeletedValue(v []byte) deleted {
	if len(v) < wire.IDSize+8 {
		return deleted{}
	}
	return deleted{
		known: true, redacts: len(v) > wire.IDSize+8 && v[wire.IDSize+8] == 1,
		room: wire.RoomID(v[:wire.IDSize]), targetTime: binary.BigEndian.Uint64(v[wire.IDSize:]),
	}
}

// readDeleted reads the delete an author filed under target, if any.
func readDeleted(txn *badger.Txn, target wire.MessageID, author string) (d deleted, found bool, err error) {
	item, err := txn.Get(deletedKey(target, author))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	err = item.Value(func(v []byte) error {
		d = parseDeletedValue(v)
		return nil
	})
	return d, err == nil, err
}

// eachDelete calls fn with the author of each delete filed under target,
// where it left its stub and whether it is a removal. Deletes stored
// before their value said where are skipped.
func eachDelete(txn *badger.Txn, target wire.MessageID, fn func(author string, room wire.RoomID, t uint64, redacts bool) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = deletedKey(target, "")
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var d deleted
		err := it.Item().Value(func(v []byte) error {
			d = parseDeletedValue(v)
			return nil
		})
		if err == nil && d.known {
			err = fn(string(it.Item().Key()[len(opts.Prefix):]), d.room, d.targetTime, d.redacts)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// deletedBy says whether an author deleted a message, in any room.
func deletedBy(txn *badger.Txn, target wire.MessageID, author string) (bool, error) {
	_, err := txn.Get(deletedKey(target, author))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// deletedFrom says whether an author deleted a message of a room: a
// delete sent in another room does not apply (deletes stored before their
// value named the room are taken to).
func deletedFrom(txn *badger.Txn, target wire.MessageID, author string, room wire.RoomID) (bool, error) {
	d, found, err := readDeleted(txn, target, author)
	return found && (!d.known || d.room == room), err
}

// targetRemoved says whether a message, here or not, was removed by
// someone other than its author (a Redacts delete).
func targetRemoved(txn *badger.Txn, target wire.MessageID, room wire.RoomID) (bool, error) {
	e, found, err := lookup(txn, target)
	if err != nil || !found {
		_, removed, err := removedIn(txn, target, room)
		return removed, err
	}
	if !e.deleted {
		return false, nil
	}
	// The deleter's mark says whether it was a removal (none: its author was forgotten).
	d, found, err := readDeleted(txn, target, e.author)
	return found && d.redacts, err
}

// removedIn says who removed a message of a room (a Redacts delete), if
// anyone did. Only a message some delete named before it came is looked
// up: its awaited mark is one read, a scan of the deletes another.
func removedIn(txn *badger.Txn, target wire.MessageID, room wire.RoomID) (remover string, removed bool, err error) {
	if _, err := txn.Get(awaitedKey(target)); errors.Is(err, badger.ErrKeyNotFound) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	err = eachDelete(txn, target, func(author string, r wire.RoomID, _ uint64, redacts bool) error {
		if redacts && r == room && !removed {
			remover, removed = author, true
		}
		return nil
	})
	return remover, removed, err
}

// readStored parses a kept message's envelope (verified when it arrived,
// so not again); ok is false when it is not kept, or only its place is
// (a forgotten author's: see planForgotten).
func readStored(txn *badger.Txn, room wire.RoomID, pos Position) (m *wire.Message, ok bool, err error) {
	item, err := txn.Get(messageKey(room, pos))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read message %s: %w", pos.ID, err)
	}
	err = item.Value(func(raw []byte) error {
		if len(raw) == 0 {
			return nil // a forgotten author's: only its place is kept
		}
		m, err = parseStored(txn, room, raw)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("read message %s: %w", pos.ID, err)
	}
	return m, m != nil, nil
}
