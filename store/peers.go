package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// KnownPeer is a room member that sent the user messages, remembered with
// its addresses so it can be dialled again after either side restarts.
type KnownPeer struct {
	ID    string   `json:"-"` // peer ID bytes
	Addrs []string `json:"addrs"`
	// Seen is when the peer was last connected to us, unix ms: set when it
	// is remembered, and moved on while it stays connected and when it
	// disconnects (SeenKnownPeers).
	Seen int64 `json:"seen"`
}

func peerKey(id string) []byte { return append([]byte{prefixPeer, sep}, id...) }

// PutKnownPeer saves a remembered peer, replacing its earlier record, and
// forgets the least recently seen peers past max, whose IDs it returns: the
// caller stops keeping them too (p2p.Node.Forget), so that the peers kept
// in memory and on disk stay the same.
func (s *Store) PutKnownPeer(p KnownPeer, max int) (forgot []string, err error) {
	v, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode known peer: %w", err)
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(peerKey(p.ID), v); err != nil {
			return err
		}
		peers, err := knownPeers(txn) // the one just set included
		if err != nil || len(peers) <= max {
			return err
		}
		for _, old := range peers[max:] {
			if err := txn.Delete(peerKey(old.ID)); err != nil {
				return err
			}
			forgot = append(forgot, old.ID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save known peer: %w", err)
	}
	return forgot, nil
}

// SeenKnownPeers moves remembered peers' Seen times (unix ms) on, in one
// transaction; a time older than the one saved is left out, and so is a
// peer not remembered: only a peer that sent us something is kept here.
func (s *Store) SeenKnownPeers(seen map[string]int64) error {
	if len(seen) == 0 {
		return nil
	}
	err := s.updateRetrying(func(txn *badger.Txn) error {
		for id, at := range seen {
			if err := seeKnownPeer(txn, id, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save when known peers were seen: %w", err)
	}
	return nil
}

func seeKnownPeer(txn *badger.Txn, id string, at int64) error {
	item, err := txn.Get(peerKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var p KnownPeer
	if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &p) }); err != nil {
		return fmt.Errorf("%w: known peer: %w", ErrBadKey, err)
	}
	if p.Seen >= at {
		return nil
	}
	p.Seen = at
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode known peer: %w", err)
	}
	return txn.Set(peerKey(id), v)
}

// ForgetKnownPeers deletes remembered peers; an ID not remembered is skipped.
func (s *Store) ForgetKnownPeers(ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, id := range ids {
			if err := txn.Delete(peerKey(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget known peers: %w", err)
	}
	return nil
}

// KnownPeers lists the remembered peers, most recently seen first.
func (s *Store) KnownPeers() ([]KnownPeer, error) {
	var out []KnownPeer
	err := s.db.View(func(txn *badger.Txn) (err error) {
		out, err = knownPeers(txn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list known peers: %w", err)
	}
	return out, nil
}

// knownPeers lists the remembered peers txn sees, most recently seen first
// (of two seen in the same millisecond, the lower ID first).
func knownPeers(txn *badger.Txn) ([]KnownPeer, error) {
	var out []KnownPeer
	opts := badger.DefaultIteratorOptions
	opts.Prefix = []byte{prefixPeer, sep}
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var p KnownPeer
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &p) }); err != nil {
			return nil, fmt.Errorf("%w: known peer: %w", ErrBadKey, err)
		}
		p.ID = string(it.Item().Key()[2:])
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b KnownPeer) int { return cmp.Compare(b.Seen, a.Seen) })
	return out, nil
}
