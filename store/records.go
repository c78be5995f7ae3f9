package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Room is what the store keeps about a room the user has joined.
type Room struct {
	ID     wire.RoomID `json:"-"`
	Name   string      `json:"name"`
	Joined bool        `json:"joined"`
	// Secret is the room's secret (package roomkey); empty for a room made
	// before rooms had secrets, whose secret follows from its ID.
	Secret []byte `json:"secret,omitempty"`
	// Nearby is true while the room is visible on its members' local
	// networks; NearbySetAt is the room message that said so last.
	Nearby      bool     `json:"nearby,omitempty"`
	NearbySetAt Position `json:"nearbySetAt"`
	// Placeholder is true while Name is a stand-in made from the ID (the
	// room was joined by ID alone): a member's hello may name it.
	Placeholder bool `json:"placeholder,omitempty"`
	// LastRead is the newest message the user has seen; zero for none.
	LastRead Position `json:"lastRead"`
	// Topic says what the room is for. NameSetAt and TopicSetAt are the
	// room messages that set the name and the topic last: a newer one wins.
	Topic      string   `json:"topic,omitempty"`
	NameSetAt  Position `json:"nameSetAt"`
	TopicSetAt Position `json:"topicSetAt"`
	// Notify is when the room notifies: "" (all), "mentions" or "none".
	Notify string `json:"notify,omitempty"`
	// Private is set for a private room (docs/SECURITY.md); its log and
	// keys are kept apart (private.go).
	Private *PrivateRoom `json:"private,omitempty"`
}

// PrivateRoom is what a private room's record keeps beside its log and
// epoch keys.
type PrivateRoom struct {
	// Founders are the peer IDs (text form) the room's ID commits to: its
	// founder, or the two people of a direct conversation.
	Founders []string `json:"founders"`
	// Pending is true from a join by link until a member admits this
	// device; Seed is the link's invitation seed meanwhile, and Refused
	// why a member turned it away, if one did.
	Pending bool   `json:"pending,omitempty"`
	Seed    []byte `json:"seed,omitempty"`
	Refused string `json:"refused,omitempty"`
	// Links are the invite links made on this device, by invitation ID
	// (hex): only their maker holds their seeds.
	Links map[string]string `json:"links,omitempty"`
	// Unoffered: a direct conversation started here that the other
	// person has not taken yet. Request: one the other person started,
	// sharing no room with the user, not answered yet.
	Unoffered bool `json:"unoffered,omitempty"`
	Request   bool `json:"request,omitempty"`
}

// PutRoom saves a room record, replacing any earlier one.
func (s *Store) PutRoom(r Room) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode room %s: %w", r.ID, err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(roomKey(r.ID), v) }); err != nil {
		return fmt.Errorf("save room %s: %w", r.ID, err)
	}
	return nil
}

// Room returns a room record; ok is false if there is none.
func (s *Store) Room(id wire.RoomID) (r Room, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(roomKey(id))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &r) })
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Room{}, false, nil
	}
	if err != nil {
		return Room{}, false, fmt.Errorf("load room %s: %w", id, err)
	}
	r.ID = id
	return r, true, nil
}

// Rooms returns every room record, in room ID order.
func (s *Store) Rooms() ([]Room, error) {
	var rooms []Room
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixRoom, sep}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 2+wire.IDSize {
				return fmt.Errorf("%w: %q", ErrBadKey, k)
			}
			var r Room
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
				return err
			}
			copy(r.ID[:], k[2:])
			rooms = append(rooms, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list rooms: %w", err)
	}
	return rooms, nil
}

// PutProfile keeps a profile envelope if it is newer than the one stored for
// the same peer, and reports whether it was: an older profile, or the same
// one again, never replaces the stored one, whichever arrives last.
func (s *Store) PutProfile(peerID string, time uint64, envelope []byte) (bool, error) {
	key := profileKey(peerID)
	var newer bool
	err := s.updateRetrying(func(txn *badger.Txn) error {
		newer = false
		item, err := txn.Get(key)
		if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err == nil {
			var old uint64
			if err := item.Value(func(v []byte) error {
				old, _, err = splitProfile(v)
				return err
			}); err != nil {
				return err
			}
			if old >= time {
				return nil
			}
		}
		newer = true
		return txn.Set(key, append(binary.BigEndian.AppendUint64(nil, time), envelope...))
	})
	if err != nil {
		return false, fmt.Errorf("save profile of %s: %w", peerID, err)
	}
	return newer, nil
}

// splitProfile reads a profile value: <time 8><envelope>.
func splitProfile(v []byte) (uint64, []byte, error) {
	if len(v) < 8 {
		return 0, nil, fmt.Errorf("%w: profile value of %d bytes", ErrBadKey, len(v))
	}
	return binary.BigEndian.Uint64(v), v[8:], nil
}

// Profiles returns every stored profile envelope, keyed by peer ID bytes.
func (s *Store) Profiles() (map[string][]byte, error) {
	profiles := map[string][]byte{}
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{prefixProfile, sep}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			_, env, err := splitProfile(v)
			if err != nil {
				return err
			}
			profiles[string(it.Item().Key()[2:])] = env
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	return profiles, nil
}
