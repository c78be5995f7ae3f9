package p2p

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"

	"parley/identity"
	"parley/lru"
	"parley/wire"
)

// Per-author limits on live messages. A member who publishes faster than
// anyone types (a broken bot, a flooder) is cut down to AuthorRate in each
// room before its messages are stored or forwarded; what is cut is not lost
// to the room for good: sync still carries the author's history, at its
// own pace. The check sits after the signature check (a forger cannot spend
// an honest author's budget) and is where a block list would go.
const (
	// DefaultAuthorRate and DefaultAuthorBurst: far above a person typing,
	// and above one of ten members' share of a 1,000 msg/s room.
	DefaultAuthorRate  = 150
	DefaultAuthorBurst = 200
	// maxLimitedAuthors bounds the buckets kept: authors seen in the last
	// while, per room; the one seen longest ago goes first.
	maxLimitedAuthors = 4096
	// throttledFor is how long an author that had messages dropped is
	// reported as throttled, and how often its drops are logged.
	throttledFor = time.Minute
	// floodMemory is how long a peer whose own messages were cut stays
	// graylisted after the last cut.
	floodMemory = 30 * time.Second
)

type authorKey struct {
	room   wire.RoomID
	author peer.ID
}

// authorBucket is one author's budget in one room.
type authorBucket struct {
	limiter *rate.Limiter
	// dropped counts messages cut since lastDrop's window began; loggedAt
	// is when the last log line about them went out.
	dropped  int64
	lastDrop time.Time
	loggedAt time.Time
}

// authorLimits holds the buckets. The zero rate means no limit.
type authorLimits struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets *lru.Map[authorKey, *authorBucket]
	// lastCut is when each author last had a message cut, in any room;
	// as bounded as buckets, the author cut longest ago going first.
	lastCut *lru.Map[peer.ID, time.Time]
	// anyCutAt is when any author was last cut (unix ns): while it is
	// recent, the validator looks at a message's claimed author before
	// paying for its signature.
	anyCutAt atomic.Int64
	total    int64 // messages dropped since start
}

func newAuthorLimits(perSecond float64, burst int) *authorLimits {
	return &authorLimits{
		rate: rate.Limit(perSecond), burst: burst,
		buckets: lru.New[authorKey, *authorBucket](maxLimitedAuthors, nil),
		lastCut: lru.New[peer.ID, time.Time](maxLimitedAuthors, nil),
	}
}

// allow takes one message of author in room from its budget. When the
// budget is spent it reports false, and log is true when this drop should
// be logged (at most once per author per minute), with the drops since.
func (l *authorLimits) allow(room wire.RoomID, author peer.ID, now time.Time) (ok, log bool, dropped int64) {
	if l.rate <= 0 {
		return true, false, 0
	}
	key := authorKey{room, author}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, seen := l.buckets.Get(key)
	if !seen {
		b = &authorBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.buckets.Add(key, b, nil)
	}
	if b.limiter.AllowN(now, 1) {
		return true, false, 0
	}
	l.total++
	b.dropped++
	b.lastDrop = now
	l.lastCut.Add(author, now, nil)
	l.anyCutAt.Store(now.UnixNano())
	if now.Sub(b.loggedAt) >= throttledFor {
		b.loggedAt = now
		dropped, b.dropped = b.dropped, 0
		return false, true, dropped
	}
	return false, false, 0
}

// Throttled is an author whose messages were cut in the last minute.
type Throttled struct {
	Author peer.ID
	Room   wire.RoomID
	// Dropped counts the messages cut since the last log line about it.
	Dropped int64
}

// throttled lists the authors cut in the last minute, at most max.
func (l *authorLimits) throttled(now time.Time, max int) []Throttled {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Throttled
	for k, b := range l.buckets.All() {
		if !b.lastDrop.IsZero() && now.Sub(b.lastDrop) < throttledFor {
			out = append(out, Throttled{Author: k.author, Room: k.room, Dropped: b.dropped})
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// droppedTotal counts every message cut since start.
func (l *authorLimits) droppedTotal() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// recentlyCut reports whether any author was cut within floodMemory: one
// atomic load, so the validator's early look costs nothing without a flood.
func (l *authorLimits) recentlyCut(now time.Time) bool {
	at := l.anyCutAt.Load()
	return at != 0 && now.Sub(time.Unix(0, at)) < floodMemory
}

// flooding reports whether author had messages cut in any room within the
// last floodMemory.
// It is asked for every RPC a peer sends: a map lookup.
func (l *authorLimits) flooding(author peer.ID, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.lastCut.Peek(author)
	return ok && now.Sub(at) < floodMemory
}

// appScore is the node's own part of a peer's GossipSub score: a peer whose
// own messages are being cut is graylisted until it has kept to the limit
// for floodMemory.
func (ls *limitService) appScore(p peer.ID) float64 {
	if ls.authors.flooding(p, time.Now()) {
		return floodPenalty
	}
	return 0
}

// Throttled lists the authors whose live messages were cut in the last
// minute (at most 32).
func (n *Node) Throttled() []Throttled { return n.limits.authors.throttled(time.Now(), 32) }

// ThrottledTotal counts the live messages cut by the per-author limits since start.
func (n *Node) ThrottledTotal() int64 { return n.limits.authors.droppedTotal() }

func (ls *limitService) logThrottled(room wire.RoomID, author peer.ID, dropped int64) {
	ls.log.Warn("author over the message rate: its messages are dropped", "author", identity.ShortID(author),
		"room", room.String()[:8], "dropped", dropped, "limitPerSecond", float64(ls.authors.rate))
}
