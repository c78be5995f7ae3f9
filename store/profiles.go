package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Profile returns the newest stored profile envelope of a peer, nil if none
// is stored.
func (s *Store) Profile(peerID string) ([]byte, error) {
	var env []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(profileKey(peerID))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		_, env, err = splitProfile(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read profile of %s: %w", peerID, err)
	}
	return env, nil
}

// IsAuthor reports whether a peer wrote in a room.
func (s *Store) IsAuthor(room wire.RoomID, peerID string) (bool, error) {
	found := false
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(authorKey(room, peerID))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("look up author of room %s: %w", room, err)
	}
	return found, nil
}

// AuthorsWithoutProfile lists up to max authors of a room whose profile is
// not stored, in key order: those whose names a sync may ask a peer for.
func (s *Store) AuthorsWithoutProfile(room wire.RoomID, max int) ([]string, error) {
	prefix := roomPrefix(prefixAuthor, room)
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < max; it.Next() {
			author := string(it.Item().Key()[len(prefix):])
			_, err := txn.Get(profileKey(author))
			switch {
			case errors.Is(err, badger.ErrKeyNotFound):
				out = append(out, author)
			case err != nil:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list authors of room %s without a profile: %w", room, err)
	}
	return out, nil
}

// conflictRetries bounds the tries of a read-modify-write that other
// transactions keep overtaking: each conflict means one of them committed,
// so it takes as many writers at once on the same keys to use them up.
const conflictRetries = 16

// updateRetrying runs a read-modify-write transaction, again if another
// one committed a key it read in the meantime: without the retry, of two
// profiles of one peer stored at once, the newer could be the one lost.
func (s *Store) updateRetrying(fn func(txn *badger.Txn) error) error {
	var err error
	for range conflictRetries {
		if err = s.db.Update(fn); !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
	return err
}
