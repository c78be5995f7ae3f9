package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/seal"
	"parley/wire"
)

// A private room's keys and log (docs/SECURITY.md). Its messages are kept
// sealed in the history (m/), as they travel and as sync serves them; the
// view and the search index hold what they say, as for any room. The
// store opens a sealed message with the key of its epoch whenever it
// needs what it says.
//
//	e/<room 32>/<epoch 4>         -> the epoch's key (32 bytes)
//	g/<room 32>/<time 8>/<id 32>  -> nothing (a membership or keys event: the room's log)
//
// e/ is shared with the awaited marks (e/<id 32>, see apply.go), which
// are shorter than anything under a room's e/<room 32>/: a scan of one
// never reads the other.
const (
	prefixEpochKey = prefixAwaited
	prefixLog      = 'g'
)

// ErrNoEpochKey means a sealed message is kept without the key of its
// epoch: the store was changed by something other than this package.
var ErrNoEpochKey = errors.New("no key for the epoch of a sealed message")

func epochKeyKey(room wire.RoomID, epoch uint32) []byte {
	return binary.BigEndian.AppendUint32(roomPrefix(prefixEpochKey, room), epoch)
}

func logKey(room wire.RoomID, pos Position) []byte {
	k := binary.BigEndian.AppendUint64(roomPrefix(prefixLog, room), pos.Time)
	return append(append(k, sep), pos.ID[:]...)
}

// isLogEvent reports whether a kind belongs to a private room's log.
func isLogEvent(k wire.Kind) bool {
	return k == wire.Kind_KIND_MEMBER || k == wire.Kind_KIND_KEYS
}

// PutEpochKey keeps the key of one of a private room's epochs. Keys are
// kept before anything sealed under them is stored.
func (s *Store) PutEpochKey(room wire.RoomID, epoch uint32, k seal.Key) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(epochKeyKey(room, epoch), k[:]) }); err != nil {
		return fmt.Errorf("save key of epoch %d of room %s: %w", epoch, room, err)
	}
	return nil
}

// EpochKeys returns the keys kept for a private room, by epoch.
func (s *Store) EpochKeys(room wire.RoomID) (map[uint32]seal.Key, error) {
	out := map[uint32]seal.Key{}
	prefix := roomPrefix(prefixEpochKey, room)
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, prefix, func(k, v []byte) error {
			if len(k) != len(prefix)+4 || len(v) != seal.KeySize {
				return fmt.Errorf("%w: epoch key", ErrBadKey)
			}
			out[binary.BigEndian.Uint32(k[len(prefix):])] = seal.Key(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read epoch keys of room %s: %w", room, err)
	}
	return out, nil
}

// LogEvents returns the envelopes of a private room's membership and keys
// events, in (time, ID) order.
func (s *Store) LogEvents(room wire.RoomID) ([]Item, error) {
	var out []Item
	prefix := roomPrefix(prefixLog, room)
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, prefix, func(k, _ []byte) error {
			pos, err := parseLogKey(k, len(prefix))
			if err != nil {
				return err
			}
			it, ok, err := readKept(txn, room, pos)
			if err != nil || !ok {
				return err
			}
			out = append(out, it)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the log of room %s: %w", room, err)
	}
	return out, nil
}

func parseLogKey(k []byte, prefixLen int) (Position, error) {
	var pos Position
	if len(k) != prefixLen+8+1+wire.IDSize {
		return pos, fmt.Errorf("%w: log key of %d bytes", ErrBadKey, len(k))
	}
	pos.Time = binary.BigEndian.Uint64(k[prefixLen:])
	copy(pos.ID[:], k[prefixLen+9:])
	return pos, nil
}

// parseStored parses a kept envelope (verified when it arrived, so not
// again) and, if it is sealed, opens it with the key of its epoch.
func parseStored(txn *badger.Txn, room wire.RoomID, raw []byte) (*wire.Message, error) {
	m, err := wire.Parse(raw)
	if err != nil || m.Kind != wire.Kind_KIND_SEALED {
		return m, err
	}
	item, err := txn.Get(epochKeyKey(room, m.Sealed.GetEpoch()))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: epoch %d", ErrNoEpochKey, m.Sealed.GetEpoch())
	}
	if err != nil {
		return nil, err
	}
	k, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	if len(k) != seal.KeySize {
		return nil, fmt.Errorf("%w: epoch key of %d bytes", ErrBadKey, len(k))
	}
	return seal.OpenMessage(seal.Key(k), m)
}
