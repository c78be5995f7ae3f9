package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/identity"
	"parley/memberlog"
	"parley/p2p"
	"parley/private"
	"parley/roomkey"
	"parley/seal"
	"parley/store"
	"parley/wire"
)

// maxDevices bounds the device keys kept from peers' hellos.
const maxDevices = 1024

// maxRequests bounds the unanswered direct conversation requests a node
// keeps: past it, offers from people the user shares no room with are
// turned away until some are answered or left. A variable for tests.
var maxRequests = 100

// openRequests counts the joined direct conversations still requests.
func (s *Service) openRequests() int {
	rooms, err := s.store.Rooms()
	if err != nil {
		return maxRequests // cannot tell: take none
	}
	n := 0
	for _, r := range rooms {
		if r.Joined && r.Private != nil && r.Private.Request {
			n++
		}
	}
	return n
}

// offerRound is how often a direct conversation not yet offered looks
// for its other person.
const offerRound = 3 * time.Second

// DirectMessage opens the direct conversation with a person: a private
// room of the two of them, both its owners, no invitations. Started here,
// it is offered to them when they are next in reach; already there, it is
// returned as it is.
func (s *Service) DirectMessage(peerID string) (Room, error) {
	other, err := peer.Decode(strings.TrimSpace(peerID))
	if err != nil {
		return Room{}, fmt.Errorf("%w: %w", ErrBadPeerID, err)
	}
	if other == s.id.ID {
		return Room{}, ErrOwnPeerID
	}
	id := roomkey.DirectID(s.id.ID, other)
	s.mu.Lock()
	name, joined := s.joined[id]
	s.mu.Unlock()
	if joined {
		return s.roomView(id, name), nil
	}
	secret, err := roomkey.New()
	if err != nil {
		return Room{}, fmt.Errorf("start direct conversation: %w", err)
	}
	keys := roomkey.Direct(s.id.ID, other, secret.Secret)
	g := memberlog.Genesis{Room: id, Founders: keys.FounderList()}
	room, log, err := private.Create(g, s.me(), s.clock.Now)
	if err != nil {
		return Room{}, fmt.Errorf("start direct conversation: %w", err)
	}
	pr := &privateRoom{Room: room}
	if err := s.keepKeys(id, pr); err != nil {
		return Room{}, err
	}
	if err := s.putOwn(log...); err != nil {
		return Room{}, err
	}
	rec := store.Room{ID: id, Name: s.displayName(other), Joined: true, Secret: keys.Secret[:],
		Private: &store.PrivateRoom{Founders: founderStrings(g.Founders), Unoffered: true}}
	out, err := s.joinPrivate(keys, rec, pr)
	if err != nil {
		return Room{}, err
	}
	s.wg.Go(func() { s.offerDirect(id, other) })
	return out, nil
}

func founderStrings(ps []peer.ID) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// otherOf is the other person of a direct conversation.
func (s *Service) otherOf(g memberlog.Genesis) peer.ID {
	for _, f := range g.Founders {
		if f != s.id.ID {
			return f
		}
	}
	return ""
}

// offerDirect offers a direct conversation started here to the other
// person once they are in reach, with the first key wrapped for the
// device their hello named; it tries each round until they take it or
// the conversation is left.
func (s *Service) offerDirect(id wire.RoomID, other peer.ID) {
	tick := time.NewTicker(offerRound)
	defer tick.Stop()
	for {
		pr := s.privateRoom(id)
		if pr == nil {
			return
		}
		if s.node.Connectedness(other) == network.Connected {
			s.mu.Lock()
			device, known := s.devices.Peek(other)
			s.mu.Unlock()
			if known {
				err := s.offer(id, pr, other, device)
				if err == nil {
					return
				}
				s.log.Debug("direct conversation not offered yet", "peer", identity.ShortID(other), "err", err)
			}
		}
		select {
		case <-tick.C:
		case <-s.ctx.Done():
			return
		}
	}
}

// offer wraps the conversation's keys for the other's device and sends
// it the secret and the log.
func (s *Service) offer(id wire.RoomID, pr *privateRoom, other peer.ID, device seal.DevicePublic) error {
	keys, err := pr.WrapFor(device)
	if err == nil {
		err = s.putOwn(keys...)
	}
	if err != nil {
		return err
	}
	log, err := s.store.LogEvents(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	secret := s.keys[id].Secret
	s.mu.Unlock()
	offer := &wire.DirectOffer{Secret: secret[:]}
	for _, it := range log {
		offer.Envelopes = append(offer.Envelopes, it.Envelope)
	}
	raw, err := proto.Marshal(offer)
	if err != nil {
		return err
	}
	if err := s.node.OfferDirect(s.ctx, other, raw); err != nil {
		return err
	}
	return s.updateRecord(id, func(rec *store.Room) { rec.Private.Unoffered = false })
}

// answerDirect takes a direct conversation another person offers: the
// room of the two of them, its log, and this device's own creation event.
// One from someone the user shares no room with is a request: it shows,
// and does not notify.
func (s *Service) answerDirect(from peer.ID, raw []byte) []byte {
	if s.isBlocked(from) {
		return nil
	}
	keys, msgs, err := private.DecodeDirectOffer(raw, s.id.ID, from, s.opts.Now())
	if err != nil {
		s.refusePrivate(from, wire.RoomID{}, err)
		return nil
	}
	id := keys.ID
	if pr := s.privateRoom(id); pr != nil {
		s.mu.Lock()
		same := s.keys[id].Secret == keys.Secret
		s.mu.Unlock()
		if !same && !s.theirsFirst(pr, from, msgs) {
			return nil // both started at once, and ours came first: they take ours
		}
		if !same {
			if err := s.dropRoom(id); err != nil {
				s.log.Error("drop the later of two direct conversations failed", "err", err)
				return nil
			}
		}
	}
	if s.privateRoom(id) == nil {
		g := memberlog.Genesis{Room: id, Founders: keys.FounderList()}
		pr := &privateRoom{Room: private.New(g, s.me(), s.clock.Now)}
		request := s.node.Why(from) != p2p.WhyMember
		if request && s.openRequests() >= maxRequests {
			// Strangers' new peer IDs cost them nothing: their offers
			// must not grow this node's rooms without bound.
			s.log.Warn("direct conversation request turned away: too many unanswered", "peer", identity.ShortID(from))
			return nil
		}
		rec := store.Room{ID: id, Name: s.displayName(from), Joined: true, Secret: keys.Secret[:],
			Private: &store.PrivateRoom{Founders: founderStrings(g.Founders), Request: request}}
		if request {
			rec.Notify = NotifyNone
		}
		if _, err := s.joinPrivate(keys, rec, pr); err != nil {
			s.log.Error("take direct conversation failed", "peer", identity.ShortID(from), "err", err)
			return nil
		}
	}
	s.receive(p2p.Batch{Room: id, From: from, Messages: msgs})
	pr := s.privateRoom(id)
	if pr == nil || pr.State().Epochs() == 0 {
		return nil
	}
	founded, err := pr.Found()
	if err == nil && founded != nil {
		err = s.putOwn(founded)
	}
	if err != nil {
		s.log.Error("write own creation of a direct conversation failed", "err", err)
		return nil
	}
	s.requestSync(id, from)
	s.bus.publish(Event{Name: EventRooms})
	return []byte{1}
}

// theirsFirst says whether the other person's start of a direct
// conversation came before ours: the lower (time, ID) of the two
// creation events wins.
func (s *Service) theirsFirst(pr *privateRoom, from peer.ID, offered []*wire.Message) bool {
	var mine, theirs *wire.Message
	for _, it := range s.logOf(pr) {
		if it.Kind == wire.Kind_KIND_KEYS && it.Keys.GetEpoch() == 0 && it.Author == s.id.ID && (mine == nil || it.Time < mine.Time) {
			mine = it
		}
	}
	for _, m := range offered {
		if m.Kind == wire.Kind_KIND_KEYS && m.Keys.GetEpoch() == 0 && m.Author == from && (theirs == nil || m.Time < theirs.Time) {
			theirs = m
		}
	}
	if mine == nil || theirs == nil {
		return theirs != nil
	}
	if theirs.Time != mine.Time {
		return theirs.Time < mine.Time
	}
	return string(theirs.ID[:]) < string(mine.ID[:])
}

// logOf reads a private room's stored keys events.
func (s *Service) logOf(pr *privateRoom) []*wire.Message {
	items, err := s.store.LogEvents(pr.Genesis().Room)
	if err != nil {
		return nil
	}
	out := make([]*wire.Message, 0, len(items))
	for _, it := range items {
		if m, err := wire.Parse(it.Envelope); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// dropRoom leaves a room and deletes what this device holds of it.
func (s *Service) dropRoom(id wire.RoomID) error {
	s.mu.Lock()
	delete(s.joined, id)
	delete(s.keys, id)
	delete(s.private, id)
	s.mu.Unlock()
	if err := s.node.Leave(id); err != nil && !errors.Is(err, p2p.ErrNotJoined) {
		return err
	}
	return s.store.DeleteRoom(id)
}

// resumeOffers goes on offering the direct conversations started before a
// restart that the other person has not taken yet.
func (s *Service) resumeOffers() {
	rooms, err := s.store.Rooms()
	if err != nil {
		return
	}
	for _, rec := range rooms {
		if !rec.Joined || rec.Private == nil || !rec.Private.Unoffered {
			continue
		}
		if pr := s.privateRoom(rec.ID); pr != nil {
			other := s.otherOf(pr.Genesis())
			s.wg.Go(func() { s.offerDirect(rec.ID, other) })
		}
	}
}

// answerRequest turns a direct conversation request the user wrote in
// into an ordinary conversation: it notifies from then on.
func (s *Service) answerRequest(roomID string) {
	id, err := parseRoom(roomID)
	if err != nil {
		return
	}
	rec, ok, err := s.store.Room(id)
	if err != nil || !ok || rec.Private == nil || !rec.Private.Request {
		return
	}
	if err := s.updateRecord(id, func(rec *store.Room) {
		rec.Private.Request, rec.Notify = false, ""
	}); err != nil {
		s.log.Error("answer direct conversation request failed", "err", err)
		return
	}
	s.bus.publish(Event{Name: EventRooms})
}
