package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// A room's history on this node is capped: whatever its members send, a
// room cannot fill the disk. What counts is the envelopes a room's history
// has taken in (deletes do not give room back: their own envelopes count
// too). Within the room, no author may take more than a share of the cap,
// so that one member cannot fill it for everyone. A peer's copy of a
// message that would pass either is skipped. The user's own messages are
// always stored, and counted: past the cap, only peers' copies are skipped.
//
// Each author's bytes are tallied beside the room's (see authorRecord),
// for authors who have messages in the room. A tally starts when this
// layout first stores the author's message in the room: what a store from
// before it held is not counted against anyone.

// DefaultRoomQuota is a room's cap when Options leaves it zero: about three
// million chat messages.
const DefaultRoomQuota = 1 << 30

// MaxAuthorShare caps DefaultAuthorShare: 50 MiB, about 150,000 messages.
const MaxAuthorShare = 50 << 20

// DefaultAuthorShare is how much of a room's history one author's messages
// from peers may take when Options leaves it zero: 5% of the room's cap,
// at most MaxAuthorShare.
func DefaultAuthorShare(roomQuota int64) int64 {
	return min(roomQuota/20, MaxAuthorShare)
}

// ErrRoomFull is returned, wrapped with the room, when messages were not
// stored because their room's history reached its cap.
var ErrRoomFull = errors.New("this room's history on this device has reached its size limit")

// RoomFullError names the rooms whose messages were refused.
type RoomFullError struct {
	Rooms []wire.RoomID
	Quota int64
}

func (e *RoomFullError) Error() string {
	return fmt.Sprintf("%v (%d MiB): %d room(s), first %s", ErrRoomFull, e.Quota>>20, len(e.Rooms), e.Rooms[0])
}

func (e *RoomFullError) Unwrap() error { return ErrRoomFull }

func usageKey(room wire.RoomID) []byte {
	return append([]byte{prefixUsage, sep}, room[:]...)
}

// usageOf returns a room's tally, read from u/ or, for a store from before
// quotas, counted from its history once. Writer only.
func (s *Store) usageOf(txn *badger.Txn, room wire.RoomID) (int64, error) {
	if n, ok := s.usage[room]; ok {
		return n, nil
	}
	var n int64
	item, err := txn.Get(usageKey(room))
	switch {
	case err == nil:
		err = item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("%w: room usage of %d bytes", ErrBadKey, len(v))
			}
			n = int64(binary.BigEndian.Uint64(v))
			return nil
		})
	case errors.Is(err, badger.ErrKeyNotFound):
		n, err = countUsage(txn, room)
	}
	if err != nil {
		return 0, fmt.Errorf("read the size of room %s: %w", room, err)
	}
	s.usage[room] = n
	return n, nil
}

func countUsage(txn *badger.Txn, room wire.RoomID) (int64, error) {
	var n int64
	opts := badger.DefaultIteratorOptions
	opts.Prefix = roomPrefix(prefixMessage, room)
	opts.PrefetchValues = false
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		n += it.Item().ValueSize()
	}
	return n, nil
}

// admit decides whether a write goes in, once plan has made it: a new
// message is counted against its room and its author, unless it would pass
// the room's cap or, from a peer, the author's share. The user's own
// messages (PutDurable's: they exist nowhere else yet) always go in. A
// refusal is reported: rooms in req.full, an author's share by a note. So
// are the changes the write keeps but does not apply. Rooms counted go into
// touched, to be saved with the transaction. (The author's tally is one of
// the write's own keys: see plan.)
func (s *Store) admit(txn *badger.Txn, req *writeReq, it Item, w *write, touched map[wire.RoomID]bool) (bool, error) {
	if w.added {
		n, err := s.usageOf(txn, it.Room)
		if err != nil {
			return false, err
		}
		size := int64(len(it.Envelope))
		switch {
		case req.durable:
		case n+size > s.quota:
			req.full = append(req.full, it.Room)
			return false, nil
		case w.author.used+size > s.share:
			s.notes.overShare(it.Room, it.Author, s.share)
			return false, nil
		}
		s.usage[it.Room] = n + size
		touched[it.Room] = true
	}
	for _, c := range w.forged {
		s.notes.forgery(c.Room, c.Author, c.Kind)
	}
	return true, nil
}

// authorRecord is what the store keeps of an author in a room: the bytes
// their messages took of its history and, once they are forgotten there
// (see ForgetAuthor), the bytes their tombstones take.
//
//	u/<room 32>/<author>          -> <bytes 8>[<tombstone bytes 8>: forgotten]
type authorRecord struct {
	used      int64
	forgotten bool
	tombs     int64
	// known says the record was stored: the author has written in the
	// room before (and is listed among its writers, a/).
	known bool
}

func authorUsageKey(room wire.RoomID, author string) []byte {
	return append(roomPrefix(prefixUsage, room), author...)
}

func (r authorRecord) value() []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(r.used))
	if r.forgotten {
		v = binary.BigEndian.AppendUint64(v, uint64(r.tombs))
	}
	return v
}

// readAuthor reads an author's record in a room: zero if none.
func readAuthor(txn *badger.Txn, room wire.RoomID, author string) (authorRecord, error) {
	var r authorRecord
	item, err := txn.Get(authorUsageKey(room, author))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, nil
	}
	if err == nil {
		r.known = true
		err = item.Value(func(v []byte) error {
			switch len(v) {
			case 16:
				r.forgotten, r.tombs = true, int64(binary.BigEndian.Uint64(v[8:]))
				fallthrough
			case 8:
				r.used = int64(binary.BigEndian.Uint64(v))
				return nil
			}
			return fmt.Errorf("%w: author record of %d bytes", ErrBadKey, len(v))
		})
	}
	if err != nil {
		return r, fmt.Errorf("read an author's record in room %s: %w", room, err)
	}
	return r, nil
}

func (s *Store) readAuthor(room wire.RoomID, author string) (authorRecord, error) {
	var r authorRecord
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		r, err = readAuthor(txn, room, author)
		return err
	})
	return r, err
}

// AuthorUsage returns the bytes an author's messages (peer ID bytes) take
// of a room's history on this node.
func (s *Store) AuthorUsage(room wire.RoomID, author string) (int64, error) {
	r, err := s.readAuthor(room, author)
	return r.used, err
}

// saveUsage writes the tallies of the rooms a transaction touched.
func (s *Store) saveUsage(txn *badger.Txn, touched map[wire.RoomID]bool) error {
	for room := range touched {
		if err := txn.Set(usageKey(room), binary.BigEndian.AppendUint64(nil, uint64(s.usage[room]))); err != nil {
			return err
		}
		delete(touched, room)
	}
	return nil
}
