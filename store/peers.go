package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// KnownPeer is a peer that shared a room with the user, remembered with its
// addresses so it can be dialled again after either side restarts.
type KnownPeer struct {
	ID    string   `json:"-"` // peer ID bytes
	Addrs []string `json:"addrs"`
	// Seen is when the peer was last in a room with us, unix ms.
	Seen int64 `json:"seen"`
}

func peerKey(id string) []byte { return append([]byte{prefixPeer, sep}, id...) }

// PutKnownPeer saves a remembered peer, replacing its earlier record, and
// forgets the least recently seen peers past max.
func (s *Store) PutKnownPeer(p KnownPeer, max int) error {
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode known peer: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(peerKey(p.ID), v) }); err != nil {
		return fmt.Errorf("save known peer: %w", err)
	}
	peers, err := s.KnownPeers()
	if err != nil || len(peers) <= max {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		for _, old := range peers[max:] {
			if err := txn.Delete(peerKey(old.ID)); err != nil {
				return fmt.Errorf("forget known peer: %w", err)
			}
		}
		return nil
	})
}

// KnownPeers lists the remembered peers, most recently seen first.
func (s *Store) KnownPeers() ([]KnownPeer, error) {
	var out []KnownPeer
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixPeer, sep}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var p KnownPeer
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &p) }); err != nil {
				return fmt.Errorf("%w: known peer: %w", ErrBadKey, err)
			}
			p.ID = string(it.Item().Key()[2:])
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list known peers: %w", err)
	}
	slices.SortStableFunc(out, func(a, b KnownPeer) int { return cmp.Compare(b.Seen, a.Seen) })
	return out, nil
}
