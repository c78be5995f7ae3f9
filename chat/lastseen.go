package chat

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/lru"
)

// "Last seen" is when a peer was last connected to us. The peers connected
// in this run are timed in memory as they connect and leave; the
// remembered peers' times are also saved in their known-peer records
// (store.KnownPeer.Seen), so that they last across restarts: about once a
// minute for those still connected and those that left since, and at
// close. A peer never connected, known only as an author of what sync
// brought, has no time.

// Bounds on last-seen times.
const (
	maxPeerTimes  = 1024        // peers timed in memory (connected ones are spared)
	seenSaveEvery = time.Minute // between two saves: one write for all peers
)

// peerTime is when a peer connected, or when it left.
type peerTime struct {
	at        time.Time
	connected bool
	unsaved   bool // left since the last save
}

// peerTimes times the peers connected in this run.
type peerTimes struct {
	mu sync.Mutex
	at *lru.Map[peer.ID, peerTime]
}

// mark notes that p connected or left at now.
func (pt *peerTimes) mark(p peer.ID, connected bool, now time.Time) {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.at == nil {
		pt.at = lru.New[peer.ID, peerTime](maxPeerTimes, nil)
	}
	pt.at.Add(p, peerTime{at: now, connected: connected, unsaved: !connected}, pt.connectedLocked)
}

// connectedLocked spares a connected peer's time. Called with pt.mu held.
func (pt *peerTimes) connectedLocked(p peer.ID) bool {
	t, _ := pt.at.Peek(p)
	return t.connected
}

// lastSeen returns when p was last connected in this run, unix ms: now
// while it is; 0 if it was not.
func (pt *peerTimes) lastSeen(p peer.ID, now time.Time) int64 {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.at == nil {
		return 0
	}
	t, ok := pt.at.Peek(p)
	switch {
	case !ok:
		return 0
	case t.connected:
		return now.UnixMilli()
	default:
		return t.at.UnixMilli()
	}
}

// toSave gives the times to save, by peer ID bytes: now for the connected
// peers, and when they left for those that left since the last save,
// which count as saved from here on.
func (pt *peerTimes) toSave(now time.Time) map[string]int64 {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	out := map[string]int64{}
	if pt.at == nil {
		return out
	}
	for p, t := range pt.at.All() {
		switch {
		case t.connected:
			out[string(p)] = now.UnixMilli()
		case t.unsaved:
			out[string(p)] = t.at.UnixMilli()
			t.unsaved = false
			pt.at.Add(p, t, nil) // present already: replaces, evicts nothing
		}
	}
	return out
}

// lastSeenLoop saves the remembered peers' last-seen times every
// seenSaveEvery, however often they come and go.
func (s *Service) lastSeenLoop() {
	tick := time.NewTicker(seenSaveEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			s.saveLastSeen()
		case <-s.ctx.Done():
			return
		}
	}
}

// saveLastSeen writes the last-seen times of the remembered peers, in one
// transaction; peers not remembered are left out by the store.
func (s *Service) saveLastSeen() {
	if err := s.store.SeenKnownPeers(s.peerTimes.toSave(s.opts.Now())); err != nil {
		s.log.Warn("save when peers were last seen failed", "err", err)
	}
}

// lastSeenOf returns when p was last connected to us, unix ms, from this
// run or, failing that, from the record of a remembered peer in stored;
// 0 if never.
func (s *Service) lastSeenOf(p peer.ID, stored map[peer.ID]int64) int64 {
	return max(s.peerTimes.lastSeen(p, s.opts.Now()), stored[p])
}
