package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"

	"parley/wire"
)

// Key layout. Big-endian times make a range scan come out in display order.
//
//	m/<room 32>/<time 8>/<id 32>  -> envelope bytes (every kept message: what sync compares)
//	i/<id 32>                     -> <room 32><time 8>[<state 1><author>]
//	v/<room 32>/<time 8>/<id 32>  -> what the room shows there (viewText, viewEvent, viewDeleted+author, viewRemoved+remover+author)
//	c/<target 32>/<time 8>/<id 32> -> a reaction or edit of target (change record)
//	d/<target 32>/<author>        -> nothing: author deleted target
//	w/<term>\x00<^time 8><room 32><round 8> -> postings <time 8><id 32><target 32>... (search: a
//	                              round's texts of one room that hold term; see index.go)
//	w/<term>\x00<^time 8><id 32>   -> <room 32><target 32> (layout 2: one posting a key, still read)
//	q/<time 8><id 32>             -> <room 32><target 32> (text or edit not yet indexed)
//	x/<id 32>                     -> <^time 8><room 32><round 8> (the round that indexed it)
//	u/<room 32>                   -> <bytes 8> (envelopes the room's history took in, for its cap)
//	s/schema                      -> layout version
//	a/<room 32>/<author peer ID>  -> nothing (members who wrote in the room)
//	r/<room 32>                   -> room record (JSON)
//	p/<peer ID>                   -> latest profile envelope
//	o/<room 32>/<id 32>           -> nothing (own messages no peer has had yet)
//	k/<peer ID>                   -> remembered peer (JSON: addresses, last seen)
//	e/<room 32>/..., g/           -> a private room's epoch keys and log (private.go)
//	b/<peer ID>                   -> nothing (a person the user blocked; blocked.go)
//	F/<room 32>/<hash 32>         -> <time 8><id 32> (a room names a shared file; files.go)
const (
	prefixMessage = 'm'
	prefixIndex   = 'i'
	prefixAuthor  = 'a'
	prefixRoom    = 'r'
	prefixProfile = 'p'
	prefixOutbox  = 'o'
	prefixPeer    = 'k'
	prefixView    = 'v'
	prefixChange  = 'c'
	prefixDeleted = 'd'
	prefixTerm    = 'w'
	prefixPending = 'q'
	prefixIndexed = 'x'
	prefixUsage   = 'u'
	sep           = '/'
)

// What a view entry's value starts with.
const (
	viewText    = 't'
	viewEvent   = 'n'
	viewDeleted = 'x' // followed by the deleter's peer ID bytes
	// viewRemoved: someone else removed the message; followed by the
	// remover's peer ID (one length byte, the bytes) and the author's.
	viewRemoved = 'r'
)

func removedStub(remover, author string) []byte {
	return append(append([]byte{viewRemoved, byte(len(remover))}, remover...), author...)
}

func parseRemovedStub(v []byte) (remover, author string, err error) {
	if len(v) < 2 || len(v) < 2+int(v[1]) {
		return "", "", fmt.Errorf("%w: removed stub of %d bytes", ErrBadKey, len(v))
	}
	n := 2 + int(v[1])
	return string(v[2:n]), string(v[n:]), nil
}

// The state byte of an index value.
const (
	indexKept    = 0
	indexDeleted = 1
)

// schemaKey holds the layout version; schemaVersion is this code's.
var schemaKey = []byte("s/schema")

const schemaVersion = 3

const messageKeySize = 2 + wire.IDSize + 1 + 8 + 1 + wire.IDSize

// ErrBadKey means a key in the database does not have the expected layout.
var ErrBadKey = errors.New("malformed store key")

// Position is a place in a room's history: messages sort by (Time, ID).
type Position struct {
	Time uint64
	ID   wire.MessageID
}

// Compare orders positions as a room's messages sort: by time, then ID.
func (p Position) Compare(q Position) int {
	if c := cmp.Compare(p.Time, q.Time); c != 0 {
		return c
	}
	return bytes.Compare(p.ID[:], q.ID[:])
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
	return parsePositionKey(k, prefixMessage)
}

// parsePositionKey reads a key laid out as messageKey's, under a prefix.
func parsePositionKey(k []byte, kind byte) (wire.RoomID, Position, error) {
	var room wire.RoomID
	var pos Position
	if len(k) != messageKeySize || k[0] != kind || k[1] != sep ||
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

func indexValue(room wire.RoomID, t uint64, state byte, author string) []byte {
	v := binary.BigEndian.AppendUint64(room[:], t)
	return append(append(v, state), author...)
}

// indexEntry is a parsed index value. Values written before the layout
// had a state carry neither state nor author.
type indexEntry struct {
	room    wire.RoomID
	time    uint64
	deleted bool
	author  string // empty if not recorded
}

func parseIndexValue(v []byte) (indexEntry, error) {
	var e indexEntry
	if len(v) < wire.IDSize+8 {
		return e, fmt.Errorf("%w: index value of %d bytes", ErrBadKey, len(v))
	}
	copy(e.room[:], v)
	e.time = binary.BigEndian.Uint64(v[wire.IDSize:])
	if rest := v[wire.IDSize+8:]; len(rest) > 0 {
		e.deleted = rest[0] == indexDeleted
		e.author = string(rest[1:])
	}
	return e, nil
}

func viewKey(room wire.RoomID, pos Position) []byte {
	k := messageKey(room, pos)
	k[0] = prefixView
	return k
}

func changePrefix(target wire.MessageID) []byte {
	return append(append([]byte{prefixChange, sep}, target[:]...), sep)
}

func changeKey(target wire.MessageID, pos Position) []byte {
	k := binary.BigEndian.AppendUint64(changePrefix(target), pos.Time)
	return append(append(k, sep), pos.ID[:]...)
}

func deletedKey(target wire.MessageID, author string) []byte {
	k := append(append([]byte{prefixDeleted, sep}, target[:]...), sep)
	return append(k, author...)
}

// termPrefix is where a term's postings start; with whole set, only that
// term's, else those of every term that begins with it.
func termPrefix(term string, whole bool) []byte {
	k := append([]byte{prefixTerm, sep}, term...)
	if whole {
		k = append(k, 0)
	}
	return k
}

// termKey sorts a term's postings newest first.
func termKey(term string, pos Position) []byte {
	k := binary.BigEndian.AppendUint64(termPrefix(term, true), ^pos.Time)
	return append(k, pos.ID[:]...)
}

// blockKey names a term's block of one round and room; suffix is
// blockSuffix's.
func blockKey(term string, suffix []byte) []byte {
	return append(termPrefix(term, true), suffix...)
}

// blockSuffix sorts a round's blocks by their newest posting, newest first.
func blockSuffix(newest uint64, room wire.RoomID, round uint64) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, blockSuffixSize), ^newest)
	k = append(k, room[:]...)
	return binary.BigEndian.AppendUint64(k, round)
}

func pendingKey(pos Position) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixPending, sep}, pos.Time)
	return append(k, pos.ID[:]...)
}

func parsePendingKey(k []byte) (Position, error) {
	var pos Position
	if len(k) != 2+8+wire.IDSize || k[0] != prefixPending || k[1] != sep {
		return pos, fmt.Errorf("%w: %q", ErrBadKey, k)
	}
	pos.Time = binary.BigEndian.Uint64(k[2:])
	copy(pos.ID[:], k[10:])
	return pos, nil
}

func indexedKey(id wire.MessageID) []byte {
	return append([]byte{prefixIndexed, sep}, id[:]...)
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
