package chat

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/p2p"
	"parley/reconcile"
	"parley/wire"
)

// antiEntropyEvery is how often the service syncs one room with one random
// member, to mend whatever gossip dropped while no member came or went (a
// link that went down and up under a live connection, say). When histories
// agree a session costs a few KB.
const antiEntropyEvery = time.Minute

// SyncProgress is the data of EventSync: "syncing 3,200 of 10,000 from Bob".
type SyncProgress struct {
	Room     string `json:"room"`
	PeerID   string `json:"peerId"`
	PeerName string `json:"peerName"`
	Received int    `json:"received"`
	Total    int    `json:"total"`
	Sent     int    `json:"sent"`
	Done     bool   `json:"done"`
	Error    string `json:"error,omitempty"`
}

type syncRequest struct {
	room  wire.RoomID
	peer  peer.ID
	tries int // failed earlier tries; part of the key, so a retry is its own entry
}

// Sync scheduling: a few sessions run at once, so one slow peer or room
// cannot hold up the others, and at most p2p.MaxSyncsPerPeer of them with
// one peer (the peer would refuse more).
const (
	syncWorkers    = 4
	syncRetries    = 3               // tries for a session the peer was too busy for
	syncRetryAfter = 2 * time.Second // before the first retry; doubles each time
)

// requestSync queues a sync of a room with a peer. It never blocks and
// never drops a request: a pair already queued is queued once.
func (s *Service) requestSync(room wire.RoomID, p peer.ID) {
	s.syncs.Add(syncRequest{room: room, peer: p})
}

// syncLoop starts the sync workers and, every antiEntropyEvery, queues a
// sync of one random room with one random member.
func (s *Service) syncLoop() {
	for range syncWorkers {
		s.wg.Go(s.syncWorker)
	}
	tick := time.NewTicker(antiEntropyEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if req, ok := s.randomSync(); ok {
				s.syncs.Add(req)
			}
		case <-s.ctx.Done():
			return
		}
	}
}

// syncWorker runs queued sessions one after the other, each with a peer
// that has a session slot free.
func (s *Service) syncWorker() {
	s.syncs.Serve(s.ctx, s.claimSyncPeer, func(req syncRequest) {
		s.runSync(req)
		s.releaseSyncPeer(req.peer)
		// A slot for this peer is free again: wake a worker for what waits.
		if s.syncs.Len() > 0 {
			s.syncs.Wake()
		}
	})
}

// claimSyncPeer takes a session slot of the request's peer if one is free.
func (s *Service) claimSyncPeer(req syncRequest) bool {
	s.syncPeerMu.Lock()
	defer s.syncPeerMu.Unlock()
	if s.syncPeers[req.peer] >= p2p.MaxSyncsPerPeer {
		return false
	}
	s.syncPeers[req.peer]++
	return true
}

func (s *Service) releaseSyncPeer(p peer.ID) {
	s.syncPeerMu.Lock()
	defer s.syncPeerMu.Unlock()
	if s.syncPeers[p]--; s.syncPeers[p] <= 0 {
		delete(s.syncPeers, p)
	}
}

func (s *Service) runSync(req syncRequest) {
	err := s.node.Sync(s.ctx, req.peer, req.room) // p2p bounds the session's time
	if err == nil || s.ctx.Err() != nil {
		return
	}
	s.log.Debug("sync failed", "room", req.room.String()[:8], "peer", identity.ShortID(req.peer), "tries", req.tries+1, "err", err)
	if req.tries+1 >= syncRetries || errors.Is(err, p2p.ErrNotJoined) || errors.Is(err, reconcile.ErrProtocol) {
		return // anti-entropy tries again later
	}
	// Most likely the peer was busy with other rooms: try again shortly.
	req.tries++
	retry := time.NewTimer(syncRetryAfter << (req.tries - 1))
	s.wg.Go(func() {
		defer retry.Stop()
		select {
		case <-retry.C:
			s.syncs.Add(req)
		case <-s.ctx.Done():
		}
	})
}

// randomSync picks a room with members online and one of those members.
func (s *Service) randomSync() (syncRequest, bool) {
	rooms := s.joinedIDs()
	rand.Shuffle(len(rooms), func(i, j int) { rooms[i], rooms[j] = rooms[j], rooms[i] })
	for _, room := range rooms {
		if peers := s.node.RoomPeers(room); len(peers) > 0 {
			return syncRequest{room: room, peer: peers[rand.IntN(len(peers))]}, true
		}
	}
	return syncRequest{}, false
}

// onSync turns p2p's progress into events; it runs on the session's goroutine.
func (s *Service) onSync(p p2p.SyncProgress) {
	if p.Total == 0 && p.Sent == 0 && p.Err == nil {
		return // nothing to tell: the histories already agreed
	}
	ev := SyncProgress{
		Room: p.Room.String(), PeerID: p.Peer.String(), PeerName: s.nameOf(p.Peer),
		Received: p.Received, Total: p.Total, Sent: p.Sent, Done: p.Done,
	}
	if p.Err != nil {
		ev.Error = p.Err.Error()
	}
	s.bus.publish(Event{Name: EventSync, Data: ev})
}
