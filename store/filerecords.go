package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// What this node keeps of each file it holds, for the files cap:
//
//	H/<hash 32> -> <stored 8><last use 8><sent 8><flags 1>
//
// (f/ is taken by forged messages.)
const prefixFileRecord = 'H'

const fileRecordSize = 8 + 8 + 8 + 1

// fileRemoved: the file was here and was removed (by the person or to
// make room); its message offers to download it again.
const fileRemoved = 1

// FileRecord is what this node keeps of a file it holds or held.
type FileRecord struct {
	Hash [32]byte
	// Stored is the bytes the file takes here once whole (they are
	// counted from the moment a fetch starts, so a cap holds while
	// fetches run); 0 once removed.
	Stored int64
	// LastUse is when it was last sent, fetched or opened here.
	LastUse time.Time
	// Sent is when this node shared it; zero for a file it fetched.
	Sent    time.Time
	Removed bool
}

func fileRecordKey(hash [32]byte) []byte {
	return append([]byte{prefixFileRecord, sep}, hash[:]...)
}

func (r FileRecord) encode() []byte {
	b := make([]byte, 0, fileRecordSize)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Stored))
	b = binary.BigEndian.AppendUint64(b, uint64(unixMilli(r.LastUse)))
	b = binary.BigEndian.AppendUint64(b, uint64(unixMilli(r.Sent)))
	var flags byte
	if r.Removed {
		flags |= fileRemoved
	}
	return append(b, flags)
}

func decodeFileRecord(hash [32]byte, v []byte) (FileRecord, error) {
	if len(v) != fileRecordSize {
		return FileRecord{}, fmt.Errorf("%w: file record of %d bytes", ErrBadKey, len(v))
	}
	return FileRecord{
		Hash:    hash,
		Stored:  int64(binary.BigEndian.Uint64(v)),
		LastUse: fromUnixMilli(int64(binary.BigEndian.Uint64(v[8:]))),
		Sent:    fromUnixMilli(int64(binary.BigEndian.Uint64(v[16:]))),
		Removed: v[24]&fileRemoved != 0,
	}, nil
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// PutFileRecord saves what this node keeps of a file.
func (s *Store) PutFileRecord(r FileRecord) error {
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(fileRecordKey(r.Hash), r.encode())
	}); err != nil {
		return fmt.Errorf("save file record: %w", err)
	}
	return nil
}

// FileRecordOf reads what this node keeps of a file.
func (s *Store) FileRecordOf(hash [32]byte) (FileRecord, bool, error) {
	var r FileRecord
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(fileRecordKey(hash))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) (err error) {
			r, err = decodeFileRecord(hash, v)
			return err
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return FileRecord{}, false, nil
	}
	if err != nil {
		return FileRecord{}, false, fmt.Errorf("read file record: %w", err)
	}
	return r, true, nil
}

// FileRecords lists what this node keeps of every file it holds or held.
func (s *Store) FileRecords() ([]FileRecord, error) {
	var out []FileRecord
	prefix := []byte{prefixFileRecord, sep}
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, prefix, func(k, v []byte) error {
			if len(k) != len(prefix)+32 {
				return fmt.Errorf("%w: file record key of %d bytes", ErrBadKey, len(k))
			}
			r, err := decodeFileRecord([32]byte(k[len(prefix):]), v)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read file records: %w", err)
	}
	return out, nil
}
