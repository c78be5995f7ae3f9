package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// The people the user blocked, on this device only:
//
//	b/<peer ID>  -> nothing
const prefixBlocked = 'b'

func blockedKey(peerID string) []byte {
	return append([]byte{prefixBlocked, sep}, peerID...)
}

// SetBlocked blocks a person (peer ID bytes), or unblocks them.
func (s *Store) SetBlocked(peerID string, blocked bool) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		if blocked {
			return txn.Set(blockedKey(peerID), nil)
		}
		return txn.Delete(blockedKey(peerID))
	})
	if err != nil {
		return fmt.Errorf("save blocked person: %w", err)
	}
	return nil
}

// Blocked lists the people blocked (peer ID bytes).
func (s *Store) Blocked() ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, []byte{prefixBlocked, sep}, func(k, _ []byte) error {
			out = append(out, string(k[2:]))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read blocked people: %w", err)
	}
	return out, nil
}
