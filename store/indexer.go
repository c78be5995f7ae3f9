package store

import (
	"errors"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The search index is written beside the writer, not by it: the writer
// files texts (q/) and hands them to the indexer's queue, and the indexer
// runs rounds in transactions of its own. The two touch the same keys only
// where a write takes a text out of the index again (a delete, forgetting
// an author, removing a room); those hold indexMu, as every round does, so
// neither reads what the other is changing.

// indexLagMax is how many texts may wait for the index before the writer
// waits for the indexer: under a load the indexer cannot follow, memory
// and the work search does first stay bounded.
const indexLagMax = 8 * indexRoundMessages

// indexQueue holds the texts waiting for the index, oldest first.
type indexQueue struct {
	mu    sync.Mutex
	texts []pendingText
	// shrunk is closed (and replaced) whenever a round takes texts off,
	// or rounds start failing.
	shrunk chan struct{}
	// failing says the last round failed: the writer does not wait for
	// rounds that may not come (the texts stay pending, and on disk).
	failing bool
	// filed wakes the indexer when texts were added.
	filed chan struct{}
}

func newIndexQueue(texts []pendingText) *indexQueue {
	return &indexQueue{texts: texts, shrunk: make(chan struct{}), filed: make(chan struct{}, 1)}
}

func (q *indexQueue) add(texts []pendingText) {
	if len(texts) == 0 {
		return
	}
	q.mu.Lock()
	q.texts = append(q.texts, texts...)
	q.mu.Unlock()
	select {
	case q.filed <- struct{}{}:
	default:
	}
}

func (q *indexQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.texts)
}

// head copies up to n texts from the front. Only a round takes texts off
// the front, and rounds hold indexMu, so the copy stays the front until
// the round drops it.
func (q *indexQueue) head(n int) []pendingText {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]pendingText(nil), q.texts[:min(n, len(q.texts))]...)
}

func (q *indexQueue) drop(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.texts = q.texts[n:] // the array goes when appends outgrow it
	q.wake()
}

func (q *indexQueue) setFailing(failing bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if failing && !q.failing {
		q.wake()
	}
	q.failing = failing
}

// wake tells waitBelow to look again. q.mu held.
func (q *indexQueue) wake() {
	close(q.shrunk)
	q.shrunk = make(chan struct{})
}

// waitBelow returns once fewer than n texts wait, when rounds are
// failing, or when stop closes.
func (q *indexQueue) waitBelow(n int, stop <-chan struct{}) {
	for {
		q.mu.Lock()
		short, shrunk := len(q.texts) < n || q.failing, q.shrunk
		q.mu.Unlock()
		if short {
			return
		}
		select {
		case <-shrunk:
		case <-stop:
			return
		}
	}
}

// indexLoop runs index rounds: at once while a round's worth waits, else
// indexDelay after texts were filed. A failed round is tried again after
// indexDelay.
func (s *Store) indexLoop() {
	defer s.wg.Done()
	soon := time.NewTimer(indexDelay)
	defer soon.Stop()
	armed, healthy := true, true
	for {
		n := s.index.len()
		if n >= indexRoundMessages && healthy {
			healthy = s.indexOnce()
			select {
			case <-s.stop:
				return
			default:
			}
			continue
		}
		if n > 0 && !armed {
			soon.Reset(indexDelay)
			armed = true
		}
		select {
		case <-s.index.filed:
		case <-soon.C:
			armed = false
			if n > 0 {
				healthy = s.indexOnce()
			}
		case <-s.stop:
			return
		}
	}
}

// indexOnce runs one index round and says whether it went through; a
// failure is logged and left for the next round (the texts stay pending,
// and search indexes them first). A round that met a write to what it
// read is simply run again.
func (s *Store) indexOnce() bool {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	err := s.indexRound()
	s.index.setFailing(err != nil && !errors.Is(err, badger.ErrConflict))
	switch {
	case errors.Is(err, badger.ErrConflict):
		s.log.Debug("search index round met a write; trying again", "err", err)
		return true
	case err != nil:
		s.log.Error("search index round failed", "err", err)
		return false
	}
	return true
}

// flushIndex indexes everything pending, in the caller's goroutine.
func (s *Store) flushIndex() error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	return s.indexAll()
}

// indexAll runs index rounds until nothing is pending. indexMu held. A
// round that met a write (only an epoch key can change under it) is run
// again, a few times.
func (s *Store) indexAll() error {
	conflicts := 0
	for s.index.len() > 0 {
		err := s.indexRound()
		if errors.Is(err, badger.ErrConflict) && conflicts < 3 {
			conflicts++
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}
