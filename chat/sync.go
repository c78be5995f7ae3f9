package chat

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/p2p"
	"parley/reconcile"
	"parley/store"
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
	room wire.RoomID
	peer peer.ID
}

// syncSource lets p2p read the history for sync.
type syncSource struct{ s *store.Store }

func (src syncSource) Items(room wire.RoomID) ([]reconcile.Item, error) {
	positions, err := src.s.Positions(room)
	if err != nil {
		return nil, err
	}
	items := make([]reconcile.Item, len(positions))
	for i, p := range positions {
		items[i] = reconcile.Item{Time: p.Time, ID: p.ID}
	}
	return items, nil
}

func (src syncSource) Envelope(id wire.MessageID) ([]byte, error) {
	it, ok, err := src.s.Get(id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("message vanished from the store")
	}
	return it.Envelope, nil
}

// requestSync queues a sync of a room with a peer. It never blocks: with
// the queue full, anti-entropy catches up later.
func (s *Service) requestSync(room wire.RoomID, p peer.ID) {
	select {
	case s.syncs <- syncRequest{room: room, peer: p}:
	default:
	}
}

// syncLoop runs queued syncs one at a time (a bound on the work sync can
// take from chat) and, every few minutes, one with a random member.
func (s *Service) syncLoop() {
	tick := time.NewTicker(antiEntropyEvery)
	defer tick.Stop()
	for {
		select {
		case req := <-s.syncs:
			s.runSync(req)
		case <-tick.C:
			if req, ok := s.randomSync(); ok {
				s.runSync(req)
			}
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *Service) runSync(req syncRequest) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Minute)
	defer cancel()
	if err := s.node.Sync(ctx, req.peer, req.room); err != nil && s.ctx.Err() == nil {
		s.log.Debug("sync failed", "room", req.room.String()[:8], "peer", identity.ShortID(req.peer), "err", err)
	}
}

func (s *Service) randomSync() (syncRequest, bool) {
	s.mu.Lock()
	rooms := make([]wire.RoomID, 0, len(s.joined))
	for id := range s.joined {
		rooms = append(rooms, id)
	}
	s.mu.Unlock()
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
