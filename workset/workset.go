// Package workset is a queue of pending work without duplicates, for
// workers that must never drop a request and never do the same one twice.
package workset

import (
	"context"
	"sync"
)

// Set is a queue of pending work without duplicates: adding what is
// already pending does nothing, so a burst of requests for the same thing
// collapses into one, and nothing is dropped for want of room. Its size is
// bounded by the distinct keys there can be (rooms, peers, or pairs).
type Set[K comparable] struct {
	mu      sync.Mutex
	pending map[K]struct{}
	order   []K
	ready   chan struct{} // holds a token while work may be pending
}

// New returns an empty set.
func New[K comparable]() *Set[K] {
	return &Set[K]{pending: map[K]struct{}{}, ready: make(chan struct{}, 1)}
}

// Ready receives a token when work may be pending: a worker that found
// nothing to Take waits on it.
func (w *Set[K]) Ready() <-chan struct{} { return w.ready }

// Add queues k unless it is pending already.
func (w *Set[K]) Add(k K) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.pending[k]; ok {
		return
	}
	w.pending[k] = struct{}{}
	w.order = append(w.order, k)
	w.signal()
}

// Take removes and returns the oldest pending key that ok accepts (nil
// accepts any); false when there is none.
func (w *Set[K]) Take(ok func(K) bool) (K, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, k := range w.order {
		if ok != nil && !ok(k) {
			continue
		}
		w.order = append(w.order[:i], w.order[i+1:]...)
		delete(w.pending, k)
		if len(w.order) > 0 {
			w.signal() // more for another worker
		}
		return k, true
	}
	var zero K
	return zero, false
}

// Serve is a worker: it runs do on each key it can Take (accept as for
// Take), one after the other, and waits for more when there is none, until
// ctx ends.
func (w *Set[K]) Serve(ctx context.Context, accept func(K) bool, do func(K)) {
	for ctx.Err() == nil {
		if k, ok := w.Take(accept); ok {
			do(k)
			continue
		}
		select {
		case <-w.ready:
		case <-ctx.Done():
		}
	}
}

// Len is how many keys are pending.
func (w *Set[K]) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.order)
}

// Wake leaves a token for a waiting worker, as when a worker frees what
// another's Take filter was waiting for.
func (w *Set[K]) Wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.signal()
}

// signal leaves a token for a waiting worker; called with mu held.
func (w *Set[K]) signal() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}
