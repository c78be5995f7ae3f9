package chat

import "sync"

// workSet is a queue of pending work without duplicates: adding what is
// already pending does nothing, so a burst of requests for the same thing
// collapses into one, and nothing is dropped for want of room. Its size is
// bounded by the distinct keys there can be (rooms, or room and peer pairs).
type workSet[K comparable] struct {
	mu      sync.Mutex
	pending map[K]struct{}
	order   []K
	ready   chan struct{} // holds a token while work may be pending
}

func newWorkSet[K comparable]() *workSet[K] {
	return &workSet[K]{pending: map[K]struct{}{}, ready: make(chan struct{}, 1)}
}

// add queues k unless it is pending already.
func (w *workSet[K]) add(k K) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.pending[k]; ok {
		return
	}
	w.pending[k] = struct{}{}
	w.order = append(w.order, k)
	w.signal()
}

// take removes and returns the oldest pending key that ok accepts (nil
// accepts any); false when there is none.
func (w *workSet[K]) take(ok func(K) bool) (K, bool) {
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

// len is how many keys are pending.
func (w *workSet[K]) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.order)
}

// signal leaves a token for a waiting worker; called with mu held.
func (w *workSet[K]) signal() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}
