package p2p

import "sync"

// group owns goroutines and stream handlers: each starts only while the
// group is open, and stop waits for all of them. A plain WaitGroup lets an
// Add that comes after Close began race its Wait; here, once stop has
// closed the group, nothing new starts.
type group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f on a new goroutine unless the group is closed; it reports
// whether f runs.
func (g *group) Go(f func()) bool {
	if !g.enter() {
		return false
	}
	go func() {
		defer g.leave()
		f()
	}()
	return true
}

// enter counts one more piece of work run by the caller's own goroutine
// (a stream handler on libp2p's), unless the group is closed. Each enter
// that reports true needs one leave.
func (g *group) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *group) leave() { g.wg.Done() }

// stop closes the group and waits for everything it started. What is
// running must be told to end by other means (a context, a reset stream).
func (g *group) stop() {
	g.close()
	g.wg.Wait()
}

// close lets nothing new start; wait (or stop) waits for what runs.
func (g *group) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func (g *group) wait() { g.wg.Wait() }
