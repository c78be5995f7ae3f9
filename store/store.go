// Package store keeps Parley's history, rooms and profiles in Badger.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"parley/wire"
)

// Options configures a Store.
type Options struct {
	// Logger receives the store's and Badger's logs; nil discards them.
	Logger *slog.Logger
	// GCInterval is how often value-log garbage collection runs; default 10 min.
	GCInterval time.Duration
	// RoomQuota caps the bytes of one room's history; default
	// DefaultRoomQuota.
	RoomQuota int64
	// AuthorShare caps the bytes of a room's history that one author's
	// messages from peers may take; default DefaultAuthorShare(RoomQuota),
	// negative for no cap but the room's.
	AuthorShare int64
}

// Item is one stored message: its envelope and where it sorts, and what
// the store needs of its content to keep the views and the search index.
type Item struct {
	Room     wire.RoomID
	Position        // (Time, ID)
	Author   string // peer ID bytes of the author
	Envelope []byte // the signed envelope, as received; nil when Deleted
	Kind     wire.Kind
	Text     string // text, or an edit's new text: what search indexes
	// Target, TargetTime, Emoji and On are those of a reaction, edit or
	// delete (see wire.Message).
	Target     wire.MessageID
	TargetTime uint64
	Emoji      string
	On         bool
	// File is a KIND_FILE message's file hash.
	File []byte

	// Refused marks a message from a peer that does not hold (a private
	// room's that does not open): only its place is kept, as for a
	// forgotten author (forgetauthor.go), so that sync stops offering it
	// and gossip ignores copies; it counts against its author's share.
	Refused bool

	// Redacts marks a delete whose author may delete anyone's message: a
	// private room's owner or moderator, as the room's log says (the
	// caller's call). It takes away the target whoever wrote it, with
	// every edit of it.
	Redacts bool

	// Read back by Page and Get only:
	// Deleted marks the stub of a deleted message; Author is the deleter,
	// unless RemovedBy is set: then someone else removed it (a Redacts
	// delete) and Author is its author ("" while it is not here).
	Deleted   bool
	RemovedBy string
	// Changes are the reactions and edits naming this message, in order.
	Changes []Change
}

// ItemOf is the Item for a verified message.
func ItemOf(m *wire.Message) Item {
	it := Item{
		Room: m.Room, Position: Position{Time: m.Time, ID: m.ID}, Author: string(m.Author), Envelope: m.Raw,
		Kind: m.Kind, Text: m.Text, TargetTime: m.TargetTime, Emoji: m.Emoji, On: m.On,
	}
	if m.Target != nil {
		it.Target = *m.Target
	}
	if m.File != nil {
		it.File = m.File.Hash
	}
	return it
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

	// writerDone closes when the writer has stopped: the syncer then
	// answers what is left and stops too.
	writerDone chan struct{}
	syncs      *syncQueue
	// durableSyncs counts fsyncs for PutDurable, for tests.
	durableSyncs atomic.Int64

	// index holds the texts waiting for the search index (deleted ones are
	// skipped when their turn comes). indexMu is held by every index round
	// and by every write that takes texts out of the index (indexer.go);
	// round, the last round's name, is under it.
	index   *indexQueue
	indexMu sync.Mutex
	round   uint64
	// quota caps each room's history; usage tallies it per room (the
	// writer's, loaded as rooms are written to; dropped after a failed
	// commit, so it is read again).
	quota int64
	usage map[wire.RoomID]int64
	// share caps each author's messages from peers in a room; notes tells
	// of those skipped past it and of changes kept but not applied.
	share int64
	notes *notes
}

type writeReq struct {
	items []Item
	added []bool
	// durable writes are the user's own: they go in whatever the caps say,
	// and synced answers once they are on the disk, not only in the OS's
	// cache.
	durable bool
	run     func() error // instead of items: work for the writer
	done    chan error   // committed, or why not
	synced  chan error   // durable only, after done said nil
	// full lists the rooms of items refused for the room's cap.
	full []wire.RoomID
}

// Open opens (creating if needed) the database in dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.GCInterval == 0 {
		opts.GCInterval = 10 * time.Minute
	}
	if opts.RoomQuota == 0 {
		opts.RoomQuota = DefaultRoomQuota
	}
	switch {
	case opts.AuthorShare == 0:
		opts.AuthorShare = DefaultAuthorShare(opts.RoomQuota)
	case opts.AuthorShare < 0:
		opts.AuthorShare = math.MaxInt64
	}
	log := opts.Logger.With("component", "store")
	db, err := badger.Open(desktopOptions(dir, log))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, log: log, writes: make(chan *writeReq), stop: make(chan struct{}),
		writerDone: make(chan struct{}), syncs: newSyncQueue(),
		quota: opts.RoomQuota, usage: map[wire.RoomID]int64{}, share: opts.AuthorShare, notes: newNotes(log, time.Now)}
	if err := s.migrate(); err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", dir, err), db.Close())
	}
	if err := s.loadQueue(); err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", dir, err), db.Close())
	}
	s.wg.Add(4)
	go s.writeLoop()
	go s.syncLoop()
	go s.indexLoop()
	go s.gcLoop(opts.GCInterval)
	return s, nil
}

// desktopOptions sizes Badger for a desktop app: Badger's defaults reserve
// hundreds of MB for memtables and caches, sized for servers. No block
// compression: under load Snappy took about 7% of a member's CPU and its
// buffers a quarter of the heap left after a burst, for text that is small
// anyway; without it Badger needs no block cache either (the OS page cache
// serves the tables), which is one cache and one ticker fewer. 4 MB
// memtables: after a burst a node holds its memtable twice (the skiplist
// in the heap, its log mapped in) until it fills, and storing a message
// took less CPU than with 8 MB (46-54 against 63-71 µs). Values up to
// 256 KB stay in the tree: messages and index blocks are smaller; Badger
// needs the threshold under 15% of a memtable.
func desktopOptions(dir string, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithMemTableSize(4 << 20).
		WithValueThreshold(256 << 10).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithCompression(options.None).
		WithBlockCacheSize(0).
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
	req := &writeReq{items: items}
	if err := s.put(ctx, req); err != nil {
		return nil, err
	}
	return req.added, req.fullErr(s.quota)
}

// PutDurable is Put for the user's own messages, which exist nowhere else
// yet: they go in whatever the room's cap says, and it returns only once
// they are on the disk itself (fsync of Badger's logs).
func (s *Store) PutDurable(ctx context.Context, items ...Item) (added []bool, err error) {
	added, onDisk, err := s.PutOwn(ctx, items...)
	if err != nil {
		return nil, err
	}
	if err := onDisk(); err != nil {
		return nil, err
	}
	return added, nil
}

// PutOwn is PutDurable that returns once the messages are committed, with
// onDisk to wait for the disk: the caller can hand them to peers while the
// fsync runs. Writes waiting together share one fsync.
func (s *Store) PutOwn(ctx context.Context, items ...Item) (added []bool, onDisk func() error, err error) {
	req := &writeReq{items: items, durable: true, synced: make(chan error, 1)}
	if err := s.put(ctx, req); err != nil {
		return nil, nil, err
	}
	return req.added, func() error { return <-req.synced }, nil
}

// DurableSyncs counts the fsyncs PutDurable has made.
func (s *Store) DurableSyncs() int64 { return s.durableSyncs.Load() }

// put hands a write to the writer and waits for its commit.
func (s *Store) put(ctx context.Context, req *writeReq) error {
	req.added, req.done = make([]bool, len(req.items)), make(chan error, 1)
	select {
	case s.writes <- req:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once handed over, the write is committed or failed whatever ctx does.
	return <-req.done
}

// fullErr reports the items refused for their room's cap; the others are
// stored, and added says which.
func (req *writeReq) fullErr(quota int64) error {
	if len(req.full) == 0 {
		return nil
	}
	return &RoomFullError{Rooms: slices.Compact(req.full), Quota: quota}
}

// onWriter runs fn on the writer goroutine, between two commits, and
// returns its error.
func (s *Store) onWriter(fn func() error) error {
	req := &writeReq{run: fn, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-s.stop:
		return ErrClosed
	}
	return <-req.done
}

// writeLoop commits the writes waiting, together, one batch at a time.
// It never waits on slow work: index rounds run beside it (indexer.go) and
// the fsync of own messages after it (syncLoop); it waits only when the
// index falls indexLagMax texts behind.
func (s *Store) writeLoop() {
	defer s.wg.Done()
	defer close(s.writerDone)
	for {
		select {
		case req := <-s.writes:
			if req.run != nil {
				req.done <- req.run()
				continue
			}
			batch := []*writeReq{req}
		drain:
			for len(batch) < maxBatch {
				select {
				case more := <-s.writes:
					if more.run != nil {
						more.done <- more.run()
						continue
					}
					batch = append(batch, more)
				default:
					break drain
				}
			}
			s.commitBatch(batch)
			s.index.waitBelow(indexLagMax, s.stop)
		case <-s.stop:
			return
		}
	}
}

// commitBatch commits a batch and answers its writes; durable ones go on
// to the syncer.
func (s *Store) commitBatch(batch []*writeReq) {
	if slices.ContainsFunc(batch, unindexes) {
		s.indexMu.Lock()
		defer s.indexMu.Unlock()
	}
	err := s.commit(batch)
	if err != nil {
		s.log.Error("write failed", "messages", len(batch), "err", err)
	}
	var durable []*writeReq
	for _, r := range batch {
		if r.durable && err == nil {
			durable = append(durable, r)
		}
		r.done <- err
	}
	s.syncs.add(durable)
}

// unindexes says whether a write may take texts out of the search index:
// a delete does (planDelete), and must not meet an index round.
func unindexes(req *writeReq) bool {
	return slices.ContainsFunc(req.items, func(it Item) bool { return it.Kind == wire.Kind_KIND_DELETE })
}

// txnBudget is how many bytes of writes one transaction takes before the
// batch moves on to a new one: well under Badger's limit (15% of the
// memtable), so a message's writes never straddle two transactions.
const txnBudget = 512 << 10

// commit writes a batch in as few transactions as the budget allows. Each
// message's writes are planned from what the transaction sees (earlier
// messages of the batch included), then applied together.
func (s *Store) commit(batch []*writeReq) (err error) {
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	defer func() {
		if err != nil {
			clear(s.usage) // it may count writes that did not commit
		}
	}()
	used := 0
	var queued []pendingText // by this transaction, for the index once it commits
	touched := map[wire.RoomID]bool{}
	for _, req := range batch {
		for i, it := range req.items {
			w, err := plan(txn, it)
			if err != nil {
				return fmt.Errorf("store message %s: %w", it.ID, err)
			}
			if used > 0 && used+w.size() > txnBudget {
				if err := s.saveUsage(txn, touched); err != nil {
					return fmt.Errorf("commit messages: %w", err)
				}
				if err := txn.Commit(); err != nil {
					return fmt.Errorf("commit messages: %w", err)
				}
				s.index.add(queued)
				queued = nil
				txn, used = s.db.NewTransaction(true), 0
				if w, err = plan(txn, it); err != nil {
					return fmt.Errorf("store message %s: %w", it.ID, err)
				}
			}
			ok, err := s.admit(txn, req, it, w, touched)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := w.apply(txn); err != nil {
				return fmt.Errorf("store message %s: %w", it.ID, err)
			}
			used += w.size()
			req.added[i] = w.added
			queued = append(queued, w.queued...)
		}
	}
	if err := s.saveUsage(txn, touched); err != nil {
		return fmt.Errorf("commit messages: %w", err)
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit messages: %w", err)
	}
	s.index.add(queued)
	return nil
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

// Has reports whether a message is stored, or was and has been deleted:
// either way a copy that comes again is not news.
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

// Envelope returns a kept message's envelope: with Scan, what sync reads.
// It is nil, with no error, for a message deleted since (or never held).
func (s *Store) Envelope(id wire.MessageID) ([]byte, error) {
	it, ok, err := s.Get(id)
	if err != nil || !ok {
		return nil, err
	}
	return it.Envelope, nil
}

// Locate says where a message (or a deleted message's stub) sorts, from
// the index alone: what paging and read marks need, without the envelope
// and the changes Get reads.
func (s *Store) Locate(id wire.MessageID) (room wire.RoomID, pos Position, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		e, found, err := lookup(txn, id)
		room, pos, ok = e.room, Position{Time: e.time, ID: id}, found
		return err
	})
	if err != nil {
		return room, pos, false, fmt.Errorf("locate message %s: %w", id, err)
	}
	return room, pos, ok, nil
}

// Get returns a message by ID with its changes; ok is false if there is
// none. A deleted message comes back as its stub: Deleted set, no
// envelope, Author the deleter.
func (s *Store) Get(id wire.MessageID) (it Item, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		e, found, err := lookup(txn, id)
		if err != nil || !found {
			return err
		}
		it, ok, err = readItem(txn, e.room, Position{Time: e.time, ID: id})
		if err == nil && !ok && !e.deleted {
			// Changes have no place in a view: read the history itself.
			it, ok, err = readKept(txn, e.room, Position{Time: e.time, ID: id})
		}
		return err
	})
	if err != nil {
		return Item{}, false, fmt.Errorf("get message %s: %w", id, err)
	}
	return it, ok, nil
}
