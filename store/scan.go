package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"parley/reconcile"
	"parley/wire"
)

// Scan gives a room's messages to sync as a reconcile.Source: read from
// the keys alone, in (time, ID) order, as a session needs them. Each cursor
// is one read transaction: it sees the room as it was when opened.
func (s *Store) Scan(room wire.RoomID) reconcile.Source {
	return roomItems{db: s.db, room: room}
}

type roomItems struct {
	db   *badger.DB
	room wire.RoomID
}

func (r roomItems) Open() (reconcile.Cursor, error) {
	if r.db.IsClosed() {
		return nil, ErrClosed
	}
	txn := r.db.NewTransaction(false)
	opts := badger.DefaultIteratorOptions
	opts.Prefix = roomPrefix(prefixMessage, r.room)
	opts.PrefetchValues = false
	return &cursor{room: r.room, txn: txn, it: txn.NewIterator(opts)}, nil
}

// cursor walks a room's message keys.
type cursor struct {
	room wire.RoomID
	txn  *badger.Txn
	it   *badger.Iterator
	cur  reconcile.Item
	err  error
}

func (c *cursor) Seek(from reconcile.Item) {
	c.it.Seek(messageKey(c.room, Position{Time: from.Time, ID: from.ID}))
	c.load()
}

func (c *cursor) Valid() bool { return c.err == nil && c.it.Valid() }

func (c *cursor) Item() reconcile.Item { return c.cur }

func (c *cursor) Next() {
	c.it.Next()
	c.load()
}

func (c *cursor) load() {
	if c.err != nil || !c.it.Valid() {
		return
	}
	_, pos, err := parseMessageKey(c.it.Item().Key())
	if err != nil {
		c.err = err
		return
	}
	c.cur = reconcile.Item{Time: pos.Time, ID: pos.ID}
}

// Version is the read transaction's timestamp: a view opened after any
// write to the store has a newer one.
func (c *cursor) Version() uint64 { return c.txn.ReadTs() }

func (c *cursor) Close() error {
	c.it.Close()
	c.txn.Discard()
	if c.err != nil {
		return fmt.Errorf("scan room %s: %w", c.room, c.err)
	}
	return nil
}
