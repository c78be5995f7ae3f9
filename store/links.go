package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// What invite links told this node, beside the rooms they led to:
//
//	h/<room 32>/<peer ID>  -> helper the room's invite link named (JSON: addresses)
//	l/<peer ID>            -> inviter of a link, tried until a deadline (JSON: addresses, until)
const (
	prefixLinkHelper  = 'h'
	prefixLinkInviter = 'l'
)

// LinkHelper is a helper node the invite link of a joined room named.
type LinkHelper struct {
	Room  wire.RoomID `json:"-"`
	ID    string      `json:"-"` // peer ID bytes
	Addrs []string    `json:"addrs"`
}

// LinkInviter is the maker of an invite link, dialled at the link's
// addresses until Until (unix ms) unless it was reached meanwhile.
type LinkInviter struct {
	ID    string   `json:"-"` // peer ID bytes
	Addrs []string `json:"addrs"`
	Until int64    `json:"until"`
}

func linkHelperKey(room wire.RoomID, id string) []byte {
	return append(roomPrefix(prefixLinkHelper, room), id...)
}

func linkInviterKey(id string) []byte { return append([]byte{prefixLinkInviter, sep}, id...) }

// SetRoomHelpers replaces the helpers recorded for a room with hs (their
// Room is ignored); no hs forgets them all.
func (s *Store) SetRoomHelpers(room wire.RoomID, hs []LinkHelper) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		var old [][]byte
		if err := eachKey(txn, roomPrefix(prefixLinkHelper, room), func(k, _ []byte) error {
			old = append(old, k)
			return nil
		}); err != nil {
			return err
		}
		for _, k := range old {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		for _, h := range hs {
			v, err := json.Marshal(h)
			if err != nil {
				return err
			}
			if err := txn.Set(linkHelperKey(room, h.ID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save helpers of room %s: %w", room, err)
	}
	return nil
}

// LinkHelpers lists the helpers recorded for every room, by room, then by
// peer ID.
func (s *Store) LinkHelpers() ([]LinkHelper, error) {
	var out []LinkHelper
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, []byte{prefixLinkHelper, sep}, func(k, v []byte) error {
			if len(k) <= 3+wire.IDSize || k[2+wire.IDSize] != sep {
				return fmt.Errorf("%w: %q", ErrBadKey, k)
			}
			var h LinkHelper
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("%w: link helper: %w", ErrBadKey, err)
			}
			copy(h.Room[:], k[2:])
			h.ID = string(k[3+wire.IDSize:])
			out = append(out, h)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list link helpers: %w", err)
	}
	return out, nil
}

// PutLinkInviter records the inviter of a link, replacing its earlier
// record; past max, the inviters due soonest are forgotten and returned.
func (s *Store) PutLinkInviter(p LinkInviter, max int) (dropped []LinkInviter, err error) {
	v, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode link inviter: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(linkInviterKey(p.ID), v) }); err != nil {
		return nil, fmt.Errorf("save link inviter: %w", err)
	}
	all, err := s.LinkInviters()
	if err != nil || len(all) <= max {
		return nil, err
	}
	for _, old := range all[:len(all)-max] {
		if err := s.DeleteLinkInviter(old.ID); err != nil {
			return dropped, err
		}
		dropped = append(dropped, old)
	}
	return dropped, nil
}

// LinkInviters lists the recorded inviters, the one due soonest first.
func (s *Store) LinkInviters() ([]LinkInviter, error) {
	var out []LinkInviter
	err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, []byte{prefixLinkInviter, sep}, func(k, v []byte) error {
			var p LinkInviter
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("%w: link inviter: %w", ErrBadKey, err)
			}
			p.ID = string(k[2:])
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list link inviters: %w", err)
	}
	slices.SortStableFunc(out, func(a, b LinkInviter) int { return cmp.Compare(a.Until, b.Until) })
	return out, nil
}

// DeleteLinkInviter forgets an inviter's record; none is no error.
func (s *Store) DeleteLinkInviter(id string) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(linkInviterKey(id)) }); err != nil {
		return fmt.Errorf("forget link inviter: %w", err)
	}
	return nil
}
