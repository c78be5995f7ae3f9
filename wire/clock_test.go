package wire

import (
	"testing"
	"time"
)

func TestClockNeverGoesBackwards(t *testing.T) {
	wall := time.UnixMilli(1_700_000_000_000)
	c := NewClock(func() time.Time { return wall })

	first := c.Now()
	if first != WallTime(wall) {
		t.Fatalf("first reading %d, want the wall time %d", first, WallTime(wall))
	}
	second := c.Now()
	if second <= first {
		t.Fatalf("same millisecond: %d then %d, want increasing", first, second)
	}

	wall = wall.Add(-time.Hour) // the system clock is set back
	if third := c.Now(); third <= second {
		t.Fatalf("after the wall clock went back: %d then %d", second, third)
	}
}

func TestClockMovesPastObservedTimes(t *testing.T) {
	wall := time.UnixMilli(1_700_000_000_000)
	c := NewClock(func() time.Time { return wall })
	seen := WallTime(wall.Add(3 * time.Minute)) // a peer whose clock runs ahead
	c.Observe(seen)
	if got := c.Now(); got <= seen {
		t.Fatalf("reading %d after observing %d, want later", got, seen)
	}
	c.Observe(1) // an old time changes nothing
	a, b := c.Now(), c.Now()
	if b <= a || a <= seen {
		t.Fatalf("readings %d, %d after an old observation", a, b)
	}
	if got := TimeOf(WallTime(wall)); !got.Equal(wall) {
		t.Errorf("TimeOf(WallTime(%v)) = %v", wall, got)
	}
}
