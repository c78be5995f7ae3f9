package wire

import (
	"sync"
	"time"
)

// Clock is a hybrid logical clock. A reading is unix milliseconds << 16 |
// counter, so readings compare like wall time but never go backwards and
// always move past every valid time the node has seen, even when the wall
// clocks of two machines disagree.
type Clock struct {
	mu   sync.Mutex
	last uint64
	now  func() time.Time
}

// NewClock returns a clock reading now; nil means time.Now.
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Now returns a reading later than every earlier reading and observation.
func (c *Clock) Now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(c.last+1, WallTime(c.now()))
	return c.last
}

// Observe moves the clock past t, a time seen on a valid message.
func (c *Clock) Observe(t uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(c.last, t)
}

// WallTime is the clock reading for a wall time, with a zero counter.
func WallTime(t time.Time) uint64 { return uint64(t.UnixMilli()) << 16 }

// TimeOf converts a clock reading back to wall time (to the millisecond).
func TimeOf(hlc uint64) time.Time { return time.UnixMilli(int64(hlc >> 16)) }
