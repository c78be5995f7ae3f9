package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// migrate brings a store written by an earlier Parley to this layout.
// Version 1 kept text messages only, without views or search terms.
// Version 2 wrote one search posting a key, which version 3 still reads
// beside its blocks: only the version changes.
func (s *Store) migrate() error {
	version, err := s.schema()
	if err != nil {
		return err
	}
	switch {
	case version == schemaVersion:
		return nil
	case version > schemaVersion:
		return fmt.Errorf("the data was written by a newer Parley (layout %d, this one reads up to %d)", version, schemaVersion)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	n := 0
	if version >= 2 {
		return s.setSchema(wb)
	}
	err = s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixMessage, sep}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			room, pos, err := parseMessageKey(it.Item().Key())
			if err != nil {
				return err
			}
			// Layout 1 kept texts only; the writer indexes them after Open.
			var w write
			w.set(viewKey(room, pos), []byte{viewText})
			markForIndex(&w, room, pos, pos.ID)
			for _, e := range w.sets {
				if err := wb.Set(e.k, e.v); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate store to layout %d: %w", schemaVersion, err)
	}
	if err := s.setSchema(wb); err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("store migrated", "layout", schemaVersion, "messages", n)
	}
	return nil
}

// setSchema records this layout's version, with what wb holds.
func (s *Store) setSchema(wb *badger.WriteBatch) error {
	if err := wb.Set(schemaKey, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("migrate store to layout %d: %w", schemaVersion, err)
	}
	return nil
}

// schema reads the layout version: 1 for a store from before versions.
func (s *Store) schema() (uint32, error) {
	var v uint32 = 1
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(schemaKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if len(b) != 4 {
				return fmt.Errorf("%w: layout version of %d bytes", ErrBadKey, len(b))
			}
			v = binary.BigEndian.Uint32(b)
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("read store layout: %w", err)
	}
	return v, nil
}
