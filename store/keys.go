package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"parley/wire"
)

// Key layout. Big-endian times make a range scan come out in display order.
//
//	m/<room 32>/<time 8>/<id 32>  -> envelope bytes
//	i/<id 32>                     -> <room 32><time 8>
//	a/<room 32>/<author peer ID>  -> nothing (members who wrote in the room)
//	r/<room 32>                   -> room record (JSON)
//	p/<peer ID>                   -> latest profile envelope
//	o/<room 32>/<id 32>           -> nothing (own messages no peer has had yet)
//	k/<peer ID>                   -> remembered peer (JSON: addresses, last seen)
const (
	prefixMessage = 'm'
	prefixIndex   = 'i'
	prefixAuthor  = 'a'
	prefixRoom    = 'r'
	prefixProfile = 'p'
	prefixOutbox  = 'o'
	prefixPeer    = 'k'
	sep           = '/'
)

const messageKeySize = 2 + wire.IDSize + 1 + 8 + 1 + wire.IDSize

// ErrBadKey means a key in the database does not have the expected layout.
var ErrBadKey = errors.New("malformed store key")

// Position is a place in a room's history: messages sort by (Time, ID).
type Position struct {
	Time uint64
	ID   wire.MessageID
}

func roomPrefix(kind byte, room wire.RoomID) []byte {
	k := make([]byte, 0, 3+wire.IDSize)
	k = append(k, kind, sep)
	k = append(k, room[:]...)
	return append(k, sep)
}

func messageKey(room wire.RoomID, pos Position) []byte {
	k := roomPrefix(prefixMessage, room)
	k = binary.BigEndian.AppendUint64(k, pos.Time)
	k = append(k, sep)
	return append(k, pos.ID[:]...)
}

// parseMessageKey is the inverse of messageKey.
func parseMessageKey(k []byte) (wire.RoomID, Position, error) {
	var room wire.RoomID
	var pos Position
	if len(k) != messageKeySize || k[0] != prefixMessage || k[1] != sep ||
		k[2+wire.IDSize] != sep || k[2+wire.IDSize+1+8] != sep {
		return room, pos, fmt.Errorf("%w: %q", ErrBadKey, k)
	}
	copy(room[:], k[2:])
	pos.Time = binary.BigEndian.Uint64(k[2+wire.IDSize+1:])
	copy(pos.ID[:], k[messageKeySize-wire.IDSize:])
	return room, pos, nil
}

func indexKey(id wire.MessageID) []byte {
	return append([]byte{prefixIndex, sep}, id[:]...)
}

func indexValue(room wire.RoomID, t uint64) []byte {
	return binary.BigEndian.AppendUint64(room[:], t)
}

func parseIndexValue(v []byte) (wire.RoomID, uint64, error) {
	var room wire.RoomID
	if len(v) != wire.IDSize+8 {
		return room, 0, fmt.Errorf("%w: index value of %d bytes", ErrBadKey, len(v))
	}
	copy(room[:], v)
	return room, binary.BigEndian.Uint64(v[wire.IDSize:]), nil
}

func authorKey(room wire.RoomID, author string) []byte {
	return append(roomPrefix(prefixAuthor, room), author...)
}

func outboxKey(room wire.RoomID, id wire.MessageID) []byte {
	return append(roomPrefix(prefixOutbox, room), id[:]...)
}

func roomKey(room wire.RoomID) []byte {
	return append([]byte{prefixRoom, sep}, room[:]...)
}

func profileKey(peerID string) []byte {
	return append([]byte{prefixProfile, sep}, peerID...)
}
