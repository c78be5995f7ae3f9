package p2p

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"

	"parley/identity"
	"parley/wire"
)

// Per-peer limits. The per-author limits (authorlimit.go) cut one signer;
// these cut the peer that passes messages on, whoever signed them: a peer
// relaying a flood of made-up authors, each within its own budget, or
// opening sync session after sync session.
//
// Live messages are counted against the peer GossipSub got them from, in
// all rooms together, before anything else is done with them (no signature
// is checked for a message over the limit). What is over is ignored, never
// rejected, and the peer is graylisted like an author that floods. GossipSub
// marks a message seen before it is validated, so a message ignored here is
// dropped when another peer passes it on too, until sync brings it: the
// limits sit above what any honest neighbour sends. Sync sessions a peer
// starts are counted per peer and room; one over the limit is refused with
// a stream error that the other side reads as ErrSyncRefused.
const (
	// DefaultPeerRate and DefaultPeerBurst bound the live messages one peer
	// passes on to us, in messages per second. A neighbour relays at most a
	// room's whole traffic (when it is our only path to the room's members):
	// 500 msg/s for a busy room of 100 members, 1,000 msg/s for a room at the
	// saturation Parley aims for. The limit is twice that, and the burst two
	// seconds of it; past it the node could not verify and store the
	// messages anyway.
	DefaultPeerRate  = 2000
	DefaultPeerBurst = 4000
	// DefaultPeerByteRate and DefaultPeerByteBurst bound the same messages'
	// bytes: 2,000 msg/s of 2 KiB (a 200-byte text is about 300 bytes signed),
	// so that a peer cannot pass on its share of messages at the 64 KiB
	// envelope limit (128 MiB/s at the message rate).
	DefaultPeerByteRate  = 4 << 20
	DefaultPeerByteBurst = 8 << 20

	// syncSessionBurst sessions of one room a peer may start with us at
	// once, then one every syncSessionEvery. Parley starts one when a
	// member appears on a room's topic (joining, reconnecting after a
	// partition or a redial), one a minute for anti-entropy (one room, one
	// member), and retries a session refused as busy twice: a few a minute
	// at most.
	syncSessionBurst = 8
	syncSessionEvery = 15 * time.Second

	// maxLimitedPeers and maxLimitedSessions bound the budgets kept. When
	// full, budgets idle long enough to be full again are swept, or else
	// the one seen longest ago goes.
	maxLimitedPeers    = maxTrackedPeers
	maxLimitedSessions = 4096
)

// ErrSyncRefused is returned when the peer turned a sync session down
// because it is busy: too many sessions with it at once, or too many asked
// of it lately. Nothing is wrong; the session can be tried again later.
var ErrSyncRefused = errors.New("peer busy: sync refused, try again later")

// Stream error codes a refused sync session is reset with.
const (
	syncBusyCode    = network.StreamResourceLimitExceeded // too many sessions at once
	syncLimitedCode = network.StreamRateLimited           // too many sessions lately
)

// syncRefused turns a reset with which the peer refused a session into
// ErrSyncRefused, and leaves any other error as it is.
func syncRefused(err error) error {
	var se *network.StreamError
	if err == nil || !errors.As(err, &se) || !se.Remote {
		return err
	}
	switch se.ErrorCode {
	case syncBusyCode:
		return fmt.Errorf("%w (too many sessions at once)", ErrSyncRefused)
	case syncLimitedCode:
		return fmt.Errorf("%w (too many sessions lately)", ErrSyncRefused)
	}
	return err
}

// refillTime is how long a bucket emptied takes to fill again.
func refillTime(rate, burst float64) time.Duration {
	return time.Duration(burst / rate * float64(time.Second))
}

// sweep makes room in a map of budgets: it drops every entry idle for at
// least idle, or, if none is, the one seen longest ago.
func sweep[K comparable, V any](m map[K]V, seen func(V) time.Time, idle time.Duration, now time.Time) {
	var oldest K
	var at time.Time
	first, swept := true, false
	for k, v := range m {
		t := seen(v)
		if now.Sub(t) >= idle {
			delete(m, k)
			swept = true
			continue
		}
		if first || t.Before(at) {
			oldest, at, first = k, t, false
		}
	}
	if !swept && !first {
		delete(m, oldest)
	}
}

// peerBudget is what one peer may still pass on.
type peerBudget struct {
	msgs, bytes *rate.Limiter
	lastSeen    time.Time
	lastCut     time.Time
	loggedAt    time.Time
	// dropped and droppedBytes count what was cut since the last log line.
	dropped, droppedBytes int64
}

// peerLimits holds the per-peer budgets of live messages. A zero rate
// means no limit.
type peerLimits struct {
	rate, burst, byteRate, byteBurst float64

	mu    sync.Mutex
	peers map[peer.ID]*peerBudget
	// total and totalBytes count what was cut since start.
	total, totalBytes int64
	// anyCutAt is when any peer was last cut (unix ns): while no peer was
	// cut lately, the score function reads no map.
	anyCutAt atomic.Int64
}

func newPeerLimits(rate float64, burst int, byteRate float64, byteBurst int) *peerLimits {
	return &peerLimits{rate: rate, burst: float64(burst), byteRate: byteRate, byteBurst: float64(byteBurst), peers: map[peer.ID]*peerBudget{}}
}

// allow takes one message of size bytes that p passed on from its budget.
// When either budget is spent it reports false, and log is true when the
// cut should be logged (at most once per peer per minute), with what was
// cut since the last line.
func (l *peerLimits) allow(p peer.ID, size int, now time.Time) (ok, log bool, dropped, droppedBytes int64) {
	if l.rate <= 0 {
		return true, false, 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.peers[p]
	if b == nil {
		if len(l.peers) >= maxLimitedPeers {
			idle := max(refillTime(l.rate, l.burst), refillTime(l.byteRate, l.byteBurst), floodMemory)
			sweep(l.peers, func(b *peerBudget) time.Time { return b.lastSeen }, idle, now)
		}
		b = &peerBudget{
			msgs:  rate.NewLimiter(rate.Limit(l.rate), int(l.burst)),
			bytes: rate.NewLimiter(rate.Limit(l.byteRate), int(l.byteBurst)),
		}
		l.peers[p] = b
	}
	b.lastSeen = now
	// Both budgets or neither: check before taking from either.
	if b.msgs.TokensAt(now) >= 1 && b.bytes.TokensAt(now) >= float64(size) {
		b.msgs.AllowN(now, 1)
		b.bytes.AllowN(now, size)
		return true, false, 0, 0
	}
	l.total++
	l.totalBytes += int64(size)
	b.dropped++
	b.droppedBytes += int64(size)
	b.lastCut = now
	l.anyCutAt.Store(now.UnixNano())
	if now.Sub(b.loggedAt) >= throttledFor {
		b.loggedAt = now
		dropped, droppedBytes = b.dropped, b.droppedBytes
		b.dropped, b.droppedBytes = 0, 0
		return false, true, dropped, droppedBytes
	}
	return false, false, 0, 0
}

// flooding reports whether p had messages cut within floodMemory.
func (l *peerLimits) flooding(p peer.ID, now time.Time) bool {
	at := l.anyCutAt.Load()
	if at == 0 || now.Sub(time.Unix(0, at)) >= floodMemory {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.peers[p]
	return ok && !b.lastCut.IsZero() && now.Sub(b.lastCut) < floodMemory
}

// ThrottledPeer is a peer whose relayed messages were cut in the last minute.
type ThrottledPeer struct {
	Peer peer.ID
	// Dropped and DroppedBytes count what was cut since the last log line
	// about it.
	Dropped      int64
	DroppedBytes int64
}

func (l *peerLimits) throttled(now time.Time, max int) []ThrottledPeer {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ThrottledPeer
	for p, b := range l.peers {
		if !b.lastCut.IsZero() && now.Sub(b.lastCut) < throttledFor {
			out = append(out, ThrottledPeer{Peer: p, Dropped: b.dropped, DroppedBytes: b.droppedBytes})
			if len(out) == max {
				break
			}
		}
	}
	return out
}

type sessionKey struct {
	peer peer.ID
	room wire.RoomID
}

// sessionBudget is how many sync sessions of one room a peer may still start.
type sessionBudget struct {
	limiter  *rate.Limiter
	lastSeen time.Time
	loggedAt time.Time
	refused  int64 // since the last log line
}

// sessionLimits holds the per-peer, per-room budgets of sync sessions
// peers start with us.
type sessionLimits struct {
	rate, burst float64

	mu       sync.Mutex
	sessions map[sessionKey]*sessionBudget
	refused  int64 // sessions refused since start: too many lately
	busy     int64 // sessions refused since start: too many at once
}

func newSessionLimits(every time.Duration, burst int) *sessionLimits {
	return &sessionLimits{rate: 1 / every.Seconds(), burst: float64(burst), sessions: map[sessionKey]*sessionBudget{}}
}

// allow takes one session of room that p starts from its budget; when the
// budget is spent it reports false, and log as peerLimits.allow does.
func (l *sessionLimits) allow(p peer.ID, room wire.RoomID, now time.Time) (ok, log bool, refused int64) {
	key := sessionKey{p, room}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sessions[key]
	if s == nil {
		if len(l.sessions) >= maxLimitedSessions {
			sweep(l.sessions, func(s *sessionBudget) time.Time { return s.lastSeen }, refillTime(l.rate, l.burst), now)
		}
		s = &sessionBudget{limiter: rate.NewLimiter(rate.Limit(l.rate), int(l.burst))}
		l.sessions[key] = s
	}
	s.lastSeen = now
	if s.limiter.AllowN(now, 1) {
		return true, false, 0
	}
	l.refused++
	s.refused++
	if now.Sub(s.loggedAt) >= throttledFor {
		s.loggedAt = now
		refused, s.refused = s.refused, 0
		return false, true, refused
	}
	return false, false, 0
}

func (l *sessionLimits) countBusy() {
	l.mu.Lock()
	l.busy++
	l.mu.Unlock()
}

// LimitCounts counts what the flood limits turned away since the node started.
type LimitCounts struct {
	// AuthorMessages: live messages over their author's rate in a room.
	AuthorMessages int64
	// PeerMessages and PeerBytes: live messages over the rate of the peer
	// that passed them on, and their size.
	PeerMessages int64
	PeerBytes    int64
	// SyncsLimited: sync sessions refused because the peer had started too
	// many of that room lately; SyncsBusy: because too many ran at once.
	SyncsLimited int64
	SyncsBusy    int64
}

// LimitCounts says what the node's flood limits have cut since it started.
func (n *Node) LimitCounts() LimitCounts {
	c := LimitCounts{AuthorMessages: n.limits.authors.droppedTotal()}
	peers := n.limits.peers
	peers.mu.Lock()
	c.PeerMessages, c.PeerBytes = peers.total, peers.totalBytes
	peers.mu.Unlock()
	n.sync.limits.mu.Lock()
	c.SyncsLimited, c.SyncsBusy = n.sync.limits.refused, n.sync.limits.busy
	n.sync.limits.mu.Unlock()
	return c
}

// ThrottledPeers lists the peers whose relayed live messages were cut in
// the last minute (at most 32).
func (n *Node) ThrottledPeers() []ThrottledPeer { return n.limits.peers.throttled(time.Now(), 32) }

// score is the node's own part of a peer's GossipSub score: a peer whose
// own messages, or the messages it passes on, are being cut is graylisted
// until it has kept to the limits for floodMemory.
func (ls *limitService) score(p peer.ID) float64 {
	if ls.peers.flooding(p, time.Now()) {
		return floodPenalty
	}
	return ls.appScore(p)
}

func (ls *limitService) logPeerThrottled(p peer.ID, dropped, droppedBytes int64) {
	ls.log.Warn("peer over the relay rate: the messages it passes on are dropped", "peer", identity.ShortID(p),
		"dropped", dropped, "droppedBytes", droppedBytes,
		"limitPerSecond", ls.peers.rate, "limitBytesPerSecond", ls.peers.byteRate)
}
