package chat

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/lru"
	"parley/memberlog"
	"parley/p2p"
	"parley/private"
	"parley/wire"
)

// Someone removed from a private room hears of it from a member: the
// room no longer carries anything to them, and their window must say so.
// A member that meets them proving the room's secret (online at the
// removal, or back later) tells them, at most once per tellEvery for a
// room and person.
const (
	tellEvery   = 10 * time.Minute
	maxTellings = 1024
)

type telling struct {
	room wire.RoomID
	p    peer.ID
}

// tellings are when each removed person was last told, per room.
type tellings = lru.Map[telling, time.Time]

func newTellings() *tellings { return lru.New[telling, time.Time](maxTellings, nil) }

// onOutsider runs when a peer proves it holds a private room's secret
// that the log does not list; if the log removed it, it is told.
func (s *Service) onOutsider(p peer.ID, room wire.RoomID) {
	pr := s.privateRoom(room)
	if pr == nil || !pr.State().Removed(p) || pr.State().Role(s.id.ID) == memberlog.None {
		return
	}
	now := s.opts.Now()
	key := telling{room, p}
	s.mu.Lock()
	last, told := s.told.Get(key)
	if told && now.Sub(last) < tellEvery {
		s.mu.Unlock()
		return
	}
	s.told.Add(key, now, nil)
	s.mu.Unlock()
	s.wg.Go(func() { s.tellRemoval(room, pr, p) })
}

// tellRemoval sends a removed person the event that removed them.
func (s *Service) tellRemoval(room wire.RoomID, pr *privateRoom, p peer.ID) {
	events, err := s.store.LogEvents(room)
	if err != nil {
		return
	}
	var removal []byte
	for _, it := range events {
		m, err := wire.Parse(it.Envelope)
		if err == nil {
			m, err = pr.Open(m)
		}
		if err == nil && m.Kind == wire.Kind_KIND_MEMBER && m.Member.GetAction() == wire.Member_ACTION_REMOVE && peer.ID(m.Member.GetSubject()) == p {
			removal = it.Envelope // the newest wins: the log is in order
		}
	}
	if removal == nil {
		return
	}
	if err := s.node.TellRemoval(s.ctx, p, removal); err != nil {
		s.log.Debug("removal not told", "peer", identity.ShortID(p), "err", err)
	}
}

// answerRemoval takes the removal a member tells of: a membership event
// of a private room this device is in, taken in like any other.
func (s *Service) answerRemoval(from peer.ID, envelope []byte) []byte {
	m, err := wire.Decode(envelope, wire.Check{Now: s.opts.Now()})
	if err != nil {
		s.refusePrivate(from, wire.RoomID{}, err)
		return nil
	}
	pr := s.privateRoom(m.Room)
	if pr == nil {
		return nil
	}
	opened, err := pr.Open(m)
	if err != nil || !private.IsLogEvent(opened) || opened.Member.GetAction() != wire.Member_ACTION_REMOVE || peer.ID(opened.Member.GetSubject()) != s.id.ID {
		return nil
	}
	s.receive(p2p.Batch{Room: m.Room, From: from, Messages: []*wire.Message{m}})
	return []byte{1}
}
