package store

import (
	"fmt"
	"sync"
)

// syncQueue holds the committed own writes waiting for an fsync. The
// syncer takes all of them at once: one fsync answers every write
// committed before it began (a group commit), and the writer goes on
// committing meanwhile.
type syncQueue struct {
	mu      sync.Mutex
	waiting []*writeReq
	added   chan struct{} // wakes the syncer
}

func newSyncQueue() *syncQueue { return &syncQueue{added: make(chan struct{}, 1)} }

func (q *syncQueue) add(reqs []*writeReq) {
	if len(reqs) == 0 {
		return
	}
	q.mu.Lock()
	q.waiting = append(q.waiting, reqs...)
	q.mu.Unlock()
	select {
	case q.added <- struct{}{}:
	default:
	}
}

func (q *syncQueue) take() []*writeReq {
	q.mu.Lock()
	defer q.mu.Unlock()
	reqs := q.waiting
	q.waiting = nil
	return reqs
}

// syncLoop puts committed own writes on the disk. It outlives the writer:
// once the writer has stopped, it answers what the writer handed it last,
// then stops.
func (s *Store) syncLoop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.syncs.added:
			s.syncWaiting()
		case <-s.writerDone:
			s.syncWaiting()
			return
		}
	}
}

func (s *Store) syncWaiting() {
	reqs := s.syncs.take()
	if len(reqs) == 0 {
		return
	}
	err := s.db.Sync()
	if err != nil {
		err = fmt.Errorf("sync messages to disk: %w", err)
		s.log.Error("sync failed", "writes", len(reqs), "err", err)
	} else {
		s.durableSyncs.Add(1)
	}
	for _, r := range reqs {
		r.synced <- err
	}
}
