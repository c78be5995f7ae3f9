package chat

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/files"
	"parley/p2p"
	"parley/store"
	"parley/wire"
)

// Fetching files: one run per file, at most fetchesAtOnce fetching at a
// time, each asking up to fetchSources members of the room at once (the
// author first). A run that ends incomplete tries again after a pause
// that doubles up to fetchPauseMax, or as soon as a member of the room
// comes online; it lasts until the file is whole or the service closes.
const (
	fetchesAtOnce   = 4
	fetchSources    = 8
	fetchPauseFirst = 2 * time.Second
	fetchPauseMax   = 2 * time.Minute
	// fileEventEvery spaces a file's progress events (4 a second).
	fileEventEvery = 250 * time.Millisecond
)

// EventFile: a file's fetch progressed (Data: FileProgress).
const EventFile = "file"

// FileProgress is a fetch's progress, as EventFile tells it.
type FileProgress struct {
	Hash  string `json:"hash"`
	Room  string `json:"room"`
	State string `json:"state"`
	Have  int64  `json:"have"`
	Size  int64  `json:"size"`
	// Rate is bytes a second since the fetch began; Peers how many
	// members it asks.
	Rate  int64 `json:"rate"`
	Peers int   `json:"peers"`
	// Full: paused because files take all the space allowed for them;
	// Removed: removed from this computer.
	Full    bool `json:"full,omitempty"`
	Removed bool `json:"removed,omitempty"`
}

// fetchRun is one file's fetch.
type fetchRun struct {
	room   wire.RoomID
	author peer.ID
	file   *wire.File
	wake   chan struct{} // a member of the room came online, or room was made
	cancel context.CancelFunc
	done   chan struct{} // closed when the run has ended

	mu        sync.Mutex
	full      bool // paused: files take all the space allowed
	held      int
	peers     int
	started   time.Time
	startHeld int
	lastEvent time.Time
}

func (r *fetchRun) have() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return heldBytes(r.held, int64(r.file.Size))
}

func (r *fetchRun) isFull() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.full
}

func (s *Service) fetchOf(hash files.Hash) *fetchRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[hash]
}

// fetchFile starts fetching a file a message of a room names, unless it
// is here whole, over the limit, or being fetched.
func (s *Service) fetchFile(room wire.RoomID, m *wire.Message) {
	hash := files.Hash(m.File.Hash)
	if int64(m.File.Size) > s.MaxFileSize() {
		return
	}
	if held, chunks, err := files.Peek(s.filesRoot(), hash); err == nil && held == chunks {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	run := &fetchRun{room: room, author: m.Author, file: m.File, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed || s.fetches[hash] != nil {
		s.mu.Unlock()
		cancel()
		return
	}
	s.fetches[hash] = run
	s.mu.Unlock()
	s.wg.Go(func() {
		defer close(run.done)
		defer cancel()
		s.runFetch(ctx, hash, run)
	})
}

// wakeFetches tells the runs fetching a room's files that a member came
// online.
func (s *Service) wakeFetches(room wire.RoomID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, run := range s.fetches {
		if run.room == room {
			run.poke()
		}
	}
}

// wakeAllFetches tells every run that room was made for files.
func (s *Service) wakeAllFetches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, run := range s.fetches {
		run.poke()
	}
}

func (r *fetchRun) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (s *Service) runFetch(ctx context.Context, hash files.Hash, run *fetchRun) {
	defer func() {
		s.mu.Lock()
		delete(s.fetches, hash)
		s.mu.Unlock()
		state, have := s.fileState(hash, int64(run.file.Size))
		s.bus.publish(Event{Name: EventFile, Data: FileProgress{
			Hash: hash.String(), Room: run.room.String(), State: state, Have: have, Size: int64(run.file.Size),
		}})
	}()
	pause := fetchPauseFirst
	for ctx.Err() == nil {
		select {
		case s.fetchSlots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		whole := s.fetchOnce(ctx, hash, run)
		<-s.fetchSlots
		if whole {
			return
		}
		select {
		case <-time.After(pause):
		case <-run.wake:
		case <-ctx.Done():
			return
		}
		pause = min(2*pause, fetchPauseMax)
	}
}

// fetchOnce asks the room's members online for the file, once; it reports
// whether the file is whole.
func (s *Service) fetchOnce(ctx context.Context, hash files.Hash, run *fetchRun) bool {
	peers := s.node.RoomPeers(run.room)
	slices.SortStableFunc(peers, func(a, b peer.ID) int {
		switch {
		case a == run.author:
			return -1
		case b == run.author:
			return 1
		}
		return 0
	})
	peers = peers[:min(len(peers), fetchSources)]
	if len(peers) == 0 {
		return false
	}
	sources := make([]files.Source, len(peers))
	asked := make([]*p2p.FileSource, len(peers))
	for i, p := range peers {
		asked[i] = s.node.FileSource(p, run.room, hash)
		defer asked[i].Close()
		sources[i] = asked[i]
	}
	var plan *files.Plan
	for _, src := range asked {
		encoded, err := src.Manifest(ctx)
		if err != nil {
			continue
		}
		if plan, err = files.DecodeManifest(encoded, hash, run.file.Size); err == nil {
			break
		}
		s.filesRejected.Add(1)
		s.log.Warn("a member sent a file manifest that does not match", "peer", src.Name(), "err", err)
	}
	if plan == nil {
		return false
	}
	if !s.roomForFetch(hash, run, plan) {
		return false
	}
	h, release, err := s.held.acquire(hash, plan)
	if err != nil {
		s.log.Error("open a file to fetch failed", "file", hash.String()[:8], "err", err)
		return false
	}
	defer release()
	run.mu.Lock()
	run.held, run.peers, run.started, run.startHeld = h.Held(), len(sources), time.Now(), h.Held()
	run.mu.Unlock()
	out, err := files.Fetch(ctx, h, sources, func(held int) { s.fileProgress(hash, run, held) })
	for _, bad := range out.Bad {
		s.filesRejected.Add(1)
		s.log.Warn("a member sent a file chunk that does not check; dropped from the fetch", "peer", bad, "file", hash.String()[:8])
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("fetch a file failed", "file", hash.String()[:8], "err", err)
	}
	if out.Complete {
		s.usedFile(hash)
	}
	return out.Complete
}

// roomForFetch counts a file's bytes against the cap before its fetch
// writes them; when there is no room, the run pauses, full, until room is
// made.
func (s *Service) roomForFetch(hash files.Hash, run *fetchRun, plan *files.Plan) bool {
	err := s.holdFile(hash, plan.StoredSize(), false)
	full := errors.Is(err, ErrFilesCapReached)
	if err != nil && !full {
		s.log.Error("count a file against the cap failed", "file", hash.String()[:8], "err", err)
	}
	run.mu.Lock()
	changed := run.full != full
	run.full = full
	run.mu.Unlock()
	if changed {
		state, have := s.fileState(hash, int64(run.file.Size))
		s.bus.publish(Event{Name: EventFile, Data: FileProgress{
			Hash: hash.String(), Room: run.room.String(), State: state, Have: have, Size: int64(run.file.Size), Full: full,
		}})
	}
	return err == nil
}

// fileProgress announces a fetch's progress, at most every fileEventEvery.
func (s *Service) fileProgress(hash files.Hash, run *fetchRun, held int) {
	run.mu.Lock()
	run.held = held
	now := time.Now()
	if now.Sub(run.lastEvent) < fileEventEvery {
		run.mu.Unlock()
		return
	}
	run.lastEvent = now
	size := int64(run.file.Size)
	have := heldBytes(held, size)
	var rate int64
	if took := now.Sub(run.started).Seconds(); took > 0 {
		rate = int64(float64(held-run.startHeld) * files.ChunkSize / took)
	}
	p := FileProgress{Hash: hash.String(), Room: run.room.String(), State: FileFetching, Have: have, Size: size, Rate: rate, Peers: run.peers}
	run.mu.Unlock()
	s.bus.publish(Event{Name: EventFile, Data: p})
}

// resumeFetches starts again, after a restart, the fetches of the files
// joined rooms name that are small enough to fetch by themselves or were
// being fetched.
func (s *Service) resumeFetches() {
	for _, room := range s.joinedIDs() {
		refs, err := s.store.FilesOf(room)
		if err != nil {
			s.log.Error("list a room's files failed", "room", room.String()[:8], "err", err)
			continue
		}
		for _, ref := range refs {
			m, ok := s.fileMessage(room, ref)
			if !ok {
				continue
			}
			held, _, err := files.Peek(s.filesRoot(), ref.Hash)
			if int64(m.File.Size) <= s.autoFetchSize() || (err == nil && held > 0) {
				s.fetchFile(room, m)
			}
		}
	}
}

// fileMessage reads the file message a room's file reference names.
func (s *Service) fileMessage(room wire.RoomID, ref store.FileRef) (*wire.Message, bool) {
	it, ok, err := s.store.Get(ref.ID)
	if err != nil || !ok || it.Deleted || it.Envelope == nil {
		return nil, false
	}
	m, err := s.openStored(room, it.Envelope)
	if err != nil || m.Kind != wire.Kind_KIND_FILE || m.File == nil {
		return nil, false
	}
	return m, true
}

// serveFile is the node's FileHolder: a file's holding, for a member of a
// joined room that names it.
func (s *Service) serveFile(room wire.RoomID, hash files.Hash) (*files.Holding, func()) {
	s.mu.Lock()
	_, joined := s.joined[room]
	s.mu.Unlock()
	if !joined {
		return nil, nil
	}
	if named, err := s.store.NamesFile(room, hash); err != nil || !named {
		return nil, nil
	}
	h, release, err := s.held.acquire(hash, nil)
	if err != nil {
		if !errors.Is(err, files.ErrNotHere) && !errors.Is(err, errHeldClosed) {
			s.log.Error("open a file to serve failed", "file", hash.String()[:8], "err", err)
		}
		return nil, nil
	}
	return h, release
}
