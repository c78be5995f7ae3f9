package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// The outbox lists our own messages that were stored while no peer was in
// the room, so they can be published when one appears. The messages
// themselves stay in the history; the outbox only points at them.

// AddToOutbox marks a message as not yet handed to any peer.
func (s *Store) AddToOutbox(room wire.RoomID, id wire.MessageID) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(outboxKey(room, id), nil) }); err != nil {
		return fmt.Errorf("add %s to outbox: %w", id, err)
	}
	return nil
}

// RemoveFromOutbox drops a message from the outbox once it went out.
func (s *Store) RemoveFromOutbox(room wire.RoomID, id wire.MessageID) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(outboxKey(room, id)) }); err != nil {
		return fmt.Errorf("remove %s from outbox: %w", id, err)
	}
	return nil
}

// Outbox lists a room's messages waiting for a peer.
func (s *Store) Outbox(room wire.RoomID) ([]wire.MessageID, error) {
	prefix := roomPrefix(prefixOutbox, room)
	var ids []wire.MessageID
	err := s.scanKeys(prefix, func(k []byte) error {
		if len(k) != len(prefix)+wire.IDSize {
			return fmt.Errorf("%w: %q", ErrBadKey, k)
		}
		ids = append(ids, wire.MessageID(k[len(prefix):]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list outbox of room %s: %w", room, err)
	}
	return ids, nil
}
