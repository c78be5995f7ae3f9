// Package store keeps Parley's history, rooms and profiles in Badger.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"parley/wire"
)

// Options configures a Store.
type Options struct {
	// Logger receives the store's and Badger's logs; nil discards them.
	Logger *slog.Logger
	// GCInterval is how often value-log garbage collection runs; default 10 min.
	GCInterval time.Duration
}

// Item is one stored message: its envelope and where it sorts.
type Item struct {
	Room     wire.RoomID
	Position        // (Time, ID)
	Author   string // peer ID bytes of the author
	Envelope []byte // the signed envelope, as received
}

// ItemOf is the Item for a verified message.
func ItemOf(m *wire.Message) Item {
	return Item{Room: m.Room, Position: Position{Time: m.Time, ID: m.ID}, Author: string(m.Author), Envelope: m.Raw}
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("store is closed")

// maxBatch caps how many waiting writes share one transaction.
const maxBatch = 512

// Store is an open database. Writes from all goroutines are funnelled into
// one writer that commits them in batches.
type Store struct {
	db     *badger.DB
	log    *slog.Logger
	writes chan *writeReq
	stop   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	durableSyncs atomic.Int64 // fsyncs for PutDurable, for tests
}

type writeReq struct {
	items   []Item
	added   []bool
	durable bool // on disk, not only in the OS's cache, before done
	done    chan error
}

// Open opens (creating if needed) the database in dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.GCInterval == 0 {
		opts.GCInterval = 10 * time.Minute
	}
	log := opts.Logger.With("component", "store")
	db, err := badger.Open(desktopOptions(dir, log))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, log: log, writes: make(chan *writeReq), stop: make(chan struct{})}
	s.wg.Add(2)
	go s.writeLoop()
	go s.gcLoop(opts.GCInterval)
	return s, nil
}

// desktopOptions sizes Badger for a desktop app: Badger's defaults reserve
// hundreds of MB for memtables and caches, sized for servers.
func desktopOptions(dir string, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithValueLogFileSize(16 << 20).
		WithNumCompactors(2)
}

// Close waits for pending writes and closes the database.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Put stores messages, skipping any whose ID is already stored, and returns
// once they are committed. added[i] says whether items[i] was new. A
// committed write survives the process being killed; PutDurable's also
// survives a power cut.
func (s *Store) Put(ctx context.Context, items ...Item) (added []bool, err error) {
	return s.put(ctx, &writeReq{items: items})
}

// PutDurable is Put that returns only once the write is on the disk itself
// (fsync of Badger's logs): for the user's own messages, which exist
// nowhere else yet. Waiting writes share the one fsync.
func (s *Store) PutDurable(ctx context.Context, items ...Item) (added []bool, err error) {
	return s.put(ctx, &writeReq{items: items, durable: true})
}

// DurableSyncs counts the fsyncs PutDurable has made.
func (s *Store) DurableSyncs() int64 { return s.durableSyncs.Load() }

func (s *Store) put(ctx context.Context, req *writeReq) ([]bool, error) {
	req.added, req.done = make([]bool, len(req.items)), make(chan error, 1)
	select {
	case s.writes <- req:
	case <-s.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once handed over, the write is committed or failed whatever ctx does.
	if err := <-req.done; err != nil {
		return nil, err
	}
	return req.added, nil
}

func (s *Store) writeLoop() {
	defer s.wg.Done()
	for {
		select {
		case req := <-s.writes:
			batch := []*writeReq{req}
		drain:
			for len(batch) < maxBatch {
				select {
				case more := <-s.writes:
					batch = append(batch, more)
				default:
					break drain
				}
			}
			err := s.commit(batch)
			if err == nil && slices.ContainsFunc(batch, func(r *writeReq) bool { return r.durable }) {
				if err = s.db.Sync(); err != nil {
					err = fmt.Errorf("sync messages to disk: %w", err)
				} else {
					s.durableSyncs.Add(1)
				}
			}
			if err != nil {
				s.log.Error("write failed", "messages", len(batch), "err", err)
			}
			for _, r := range batch {
				r.done <- err
			}
		case <-s.stop:
			return
		}
	}
}

// commit writes a batch in as few transactions as Badger allows.
func (s *Store) commit(batch []*writeReq) error {
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	for _, req := range batch {
		for i, it := range req.items {
			added, err := putItem(txn, it)
			if errors.Is(err, badger.ErrTxnTooBig) {
				if err := txn.Commit(); err != nil {
					return fmt.Errorf("commit messages: %w", err)
				}
				txn = s.db.NewTransaction(true)
				added, err = putItem(txn, it)
			}
			if err != nil {
				return fmt.Errorf("store message %s: %w", it.ID, err)
			}
			req.added[i] = added
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit messages: %w", err)
	}
	return nil
}

func putItem(txn *badger.Txn, it Item) (bool, error) {
	_, err := txn.Get(indexKey(it.ID))
	if err == nil {
		return false, nil // already stored: Put is idempotent
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return false, err
	}
	entries := []*badger.Entry{
		badger.NewEntry(messageKey(it.Room, it.Position), it.Envelope),
		badger.NewEntry(indexKey(it.ID), indexValue(it.Room, it.Time)),
		badger.NewEntry(authorKey(it.Room, it.Author), nil),
	}
	for _, e := range entries {
		if err := txn.SetEntry(e); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Store) gcLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// Each successful run frees one value-log file; stop at the first
			// "nothing to collect".
			for range 16 {
				if s.db.RunValueLogGC(0.5) != nil {
					break
				}
			}
		case <-s.stop:
			return
		}
	}
}

// Has reports whether a message is stored.
func (s *Store) Has(id wire.MessageID) (bool, error) {
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(indexKey(id))
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up message %s: %w", id, err)
	}
	return true, nil
}

// ErrNotFound is returned by Envelope for an ID the store does not hold.
var ErrNotFound = errors.New("message not in the store")

// Envelope returns a stored message's envelope: with Scan, what sync reads.
func (s *Store) Envelope(id wire.MessageID) ([]byte, error) {
	it, ok, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("read message %s: %w", id, ErrNotFound)
	}
	return it.Envelope, nil
}

// Get returns a stored message by ID; ok is false if there is none.
func (s *Store) Get(id wire.MessageID) (it Item, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		idx, err := txn.Get(indexKey(id))
		if err != nil {
			return err
		}
		v, err := idx.ValueCopy(nil)
		if err != nil {
			return err
		}
		room, t, err := parseIndexValue(v)
		if err != nil {
			return err
		}
		msg, err := txn.Get(messageKey(room, Position{Time: t, ID: id}))
		if err != nil {
			return fmt.Errorf("index names a missing message: %w", err)
		}
		it = Item{Room: room, Position: Position{Time: t, ID: id}}
		it.Envelope, err = msg.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Item{}, false, nil
	}
	if err != nil {
		return Item{}, false, fmt.Errorf("get message %s: %w", id, err)
	}
	return it, true, nil
}
