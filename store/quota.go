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
// too). A message that would pass the cap is not stored: a peer's copy is
// skipped, and the user's own send fails with ErrRoomFull.

// DefaultRoomQuota is a room's cap when Options leaves it zero: about three
// million chat messages.
const DefaultRoomQuota = 1 << 30

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

// takeQuota counts a new message against its room, or reports that it
// would pass the cap. Rooms counted go into touched, to be saved with the
// transaction.
func (s *Store) takeQuota(txn *badger.Txn, it Item, touched map[wire.RoomID]bool) (bool, error) {
	n, err := s.usageOf(txn, it.Room)
	if err != nil {
		return false, err
	}
	size := int64(len(it.Envelope))
	if n+size > s.quota {
		return false, nil
	}
	s.usage[it.Room] = n + size
	touched[it.Room] = true
	return true, nil
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
