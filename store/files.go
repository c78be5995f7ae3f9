package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Which rooms name which shared files (KIND_FILE messages), so that a
// file's chunks go only to members of a room that names it, and a room's
// files can be listed:
//
//	F/<room 32>/<hash 32> -> <time 8><id 32> (the newest message of the room naming it)
const prefixFileRoom = 'F'

func fileRoomKey(room wire.RoomID, hash [32]byte) []byte {
	return append(roomPrefix(prefixFileRoom, room), hash[:]...)
}

// FileRef is a file a room names, and the newest message that does.
type FileRef struct {
	Hash [32]byte
	Position
}

// planFile files a KIND_FILE message under its room and hash.
func planFile(txn *badger.Txn, w *write, it Item) error {
	if len(it.File) != 32 {
		return fmt.Errorf("file message %s names a hash of %d bytes", it.ID, len(it.File))
	}
	key := fileRoomKey(it.Room, [32]byte(it.File))
	if item, err := txn.Get(key); err == nil {
		newer := true
		if err := item.Value(func(v []byte) error {
			if len(v) == 8+wire.IDSize {
				kept := Position{Time: binary.BigEndian.Uint64(v), ID: wire.MessageID(v[8:])}
				newer = kept.Compare(Position{Time: it.Time, ID: it.ID}) < 0
			}
			return nil
		}); err != nil || !newer {
			return err
		}
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	w.set(key, append(binary.BigEndian.AppendUint64(nil, it.Time), it.ID[:]...))
	return nil
}

// unfileFile takes back what a file message filed (F/) when the message
// goes: the room no longer names the file, unless a newer message of it
// does.
func unfileFile(txn *badger.Txn, w *write, m *wire.Message, pos Position) error {
	if m.Kind != wire.Kind_KIND_FILE || m.File == nil || len(m.File.Hash) != 32 {
		return nil
	}
	key := fileRoomKey(m.Room, [32]byte(m.File.Hash))
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return item.Value(func(v []byte) error {
		if len(v) == 8+wire.IDSize && binary.BigEndian.Uint64(v) == pos.Time && wire.MessageID(v[8:]) == pos.ID {
			w.del(key)
		}
		return nil
	})
}

// NamesFile says whether a room names a file: whether its chunks may go to
// the room's members.
func (s *Store) NamesFile(room wire.RoomID, hash [32]byte) (bool, error) {
	_, ok, err := s.FileIn(room, hash)
	return ok, err
}

// FileIn finds the newest message of a room naming a file.
func (s *Store) FileIn(room wire.RoomID, hash [32]byte) (FileRef, bool, error) {
	ref := FileRef{Hash: hash}
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(fileRoomKey(room, hash))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 8+wire.IDSize {
				return fmt.Errorf("%w: file value of %d bytes", ErrBadKey, len(v))
			}
			ref.Position = Position{Time: binary.BigEndian.Uint64(v), ID: wire.MessageID(v[8:])}
			return nil
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ref, false, nil
	}
	return ref, err == nil, err
}

// FilesOf lists the files a room names.
func (s *Store) FilesOf(room wire.RoomID) ([]FileRef, error) {
	var out []FileRef
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := roomPrefix(prefixFileRoom, room)
		return eachKey(txn, prefix, func(k, v []byte) error {
			if len(k) != len(prefix)+32 || len(v) != 8+wire.IDSize {
				return fmt.Errorf("%w: file key of %d bytes", ErrBadKey, len(k))
			}
			out = append(out, FileRef{Hash: [32]byte(k[len(prefix):]), Position: Position{Time: binary.BigEndian.Uint64(v), ID: wire.MessageID(v[8:])}})
			return nil
		})
	})
	return out, err
}
