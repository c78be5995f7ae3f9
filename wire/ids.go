// Package wire is Parley's signed message format: the protobuf envelope,
// room and message IDs, signing, the one decode-and-verify function, and the
// hybrid logical clock that orders messages.
package wire

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// IDSize is the size of room and message IDs.
const IDSize = 32

// RoomID names a room in the store and the API. It is a hash of the room's
// secret (package roomkey), which it does not give away.
type RoomID [IDSize]byte

// NewRoomID returns a random room ID with no secret behind it: for the
// store's tests and tools. Rooms are made with roomkey.New.
func NewRoomID() (RoomID, error) {
	var id RoomID
	if _, err := rand.Read(id[:]); err != nil {
		return id, fmt.Errorf("generate room ID: %w", err)
	}
	return id, nil
}

// ParseRoomID reads the hex form String gives.
func ParseRoomID(s string) (RoomID, error) {
	var id RoomID
	if err := parseHexID(id[:], s); err != nil {
		return id, fmt.Errorf("parse room ID: %w", err)
	}
	return id, nil
}

func (id RoomID) String() string { return hex.EncodeToString(id[:]) }

// MessageID is SHA-256 of a message's payload bytes. It is the GossipSub
// message ID, the store's dedupe key and the item key in sync.
type MessageID [IDSize]byte

// IDOf returns the message ID of an encoded payload.
func IDOf(payload []byte) MessageID { return sha256.Sum256(payload) }

// ParseMessageID reads the hex form String gives.
func ParseMessageID(s string) (MessageID, error) {
	var id MessageID
	if err := parseHexID(id[:], s); err != nil {
		return id, fmt.Errorf("parse message ID: %w", err)
	}
	return id, nil
}

func (id MessageID) String() string { return hex.EncodeToString(id[:]) }

func parseHexID(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d", 2*len(dst), len(s))
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}
