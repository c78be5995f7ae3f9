package chat

import (
	"errors"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/identity"
	"parley/invite"
	"parley/memberlog"
	"parley/p2p"
	"parley/private"
	"parley/seal"
	"parley/store"
	"parley/wire"
)

// JoinRefused says a member turned away the user's request to join a
// private room: Reason is "expired", "revoked", "usedUp", "removed" (the
// user was removed after the link was made) or "unknown" (the link's
// invitation is not the room's).
type JoinRefused struct {
	Room   string `json:"room"`
	Reason string `json:"reason"`
}

// How a pending join asks: rounds over the members in reach, the first
// soon after each other (the link's inviter is being dialled), then every
// joinRound, for at most joinFor (or until the link expires).
const (
	joinFirstRound = 100 * time.Millisecond
	joinRound      = 3 * time.Second
	joinFor        = 24 * time.Hour
)

// refusals names a join answer's refusal as the API does.
var refusals = map[wire.JoinAnswer_Refusal]string{
	wire.JoinAnswer_REFUSAL_EXPIRED: "expired",
	wire.JoinAnswer_REFUSAL_REVOKED: "revoked",
	wire.JoinAnswer_REFUSAL_USED_UP: "usedUp",
	wire.JoinAnswer_REFUSAL_UNKNOWN: "unknown",
	wire.JoinAnswer_REFUSAL_REMOVED: "removed",
}

// joinPrivateByLink joins a private room by its link: the room is there at
// once, pending, while the node asks the members it reaches to let this
// device in with the link's invitation.
func (s *Service) joinPrivateByLink(l invite.Link, name string) (Room, error) {
	id := l.Room.ID
	if pr := s.privateRoom(id); pr != nil {
		if pr.State().Role(s.id.ID) == memberlog.None {
			// Still waiting, or turned away: this link is asked with
			// from now on.
			s.askAgain(id, l)
		}
		return s.roomView(id, s.roomName(id)), nil
	}
	founder := l.Room.Founders[0]
	g := memberlog.Genesis{Room: id, Founders: []peer.ID{founder}}
	pr := &privateRoom{Room: private.New(g, s.me(), s.clock.Now)}
	if rec, ok, err := s.store.Room(id); err != nil {
		return Room{}, err
	} else if ok && rec.Private != nil {
		// Back in a room this device was in: its log and keys are here.
		if pr, err = s.loadPrivate(rec); err != nil {
			return Room{}, err
		}
	}
	rec := store.Room{ID: id, Name: name, Joined: true, Secret: l.Room.Secret[:],
		Private: &store.PrivateRoom{Founders: []string{founder.String()}}}
	if pr.State().Role(s.id.ID) == memberlog.None {
		rec.Private.Pending, rec.Private.Seed = true, l.Invitation.Seed[:]
	}
	room, err := s.joinPrivate(l.Room, rec, pr)
	if err != nil {
		return Room{}, err
	}
	if rec.Private.Pending {
		s.startAsking(id, l)
	}
	return room, nil
}

// startAsking sets out to ask the room's members to let this device in
// with the link's invitation.
func (s *Service) startAsking(id wire.RoomID, l invite.Link) {
	until := s.opts.Now().Add(joinFor)
	if exp := l.Invitation.Expires; !exp.IsZero() && exp.Before(until) {
		until = exp
	}
	s.wg.Go(func() { s.askToJoin(id, l.Inviter, seal.InvitationFromSeed(l.Invitation.Seed), until) })
}

// askAgain asks with a new link for a room this device waits to be let
// into, or was turned away from or removed from.
func (s *Service) askAgain(id wire.RoomID, l invite.Link) {
	if err := s.updateRecord(id, func(rec *store.Room) {
		rec.Private.Pending, rec.Private.Seed, rec.Private.Refused = true, l.Invitation.Seed[:], ""
	}); err != nil {
		s.log.Error("save the new link failed", "room", id.String()[:8], "err", err)
		return
	}
	s.keepInviter(peer.AddrInfo{ID: l.Inviter, Addrs: l.Addrs})
	s.startAsking(id, l)
	s.bus.publish(Event{Name: EventRooms})
}

// askToJoin asks the members in reach, round after round, to let this
// device in, until one does, one refuses, until passes or the service
// closes.
func (s *Service) askToJoin(id wire.RoomID, inviter peer.ID, inv seal.Invitation, until time.Time) {
	req, err := s.joinRequest(id, inv)
	if err != nil {
		s.log.Error("make join request failed", "room", id.String()[:8], "err", err)
		return
	}
	wait := joinFirstRound
	for s.opts.Now().Before(until) {
		asked := map[peer.ID]bool{s.id.ID: true}
		for _, p := range append([]peer.ID{inviter}, s.node.RoomHolders(id)...) {
			if p == "" || asked[p] || s.node.Connectedness(p) != network.Connected {
				continue
			}
			asked[p] = true
			if done := s.ask(id, p, req); done {
				return
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-s.ctx.Done():
			timer.Stop()
			return
		}
		wait = min(2*wait, joinRound)
		if pr := s.privateRoom(id); pr == nil || pr.State().Role(s.id.ID) != memberlog.None {
			return // left, or let in some other way
		}
	}
}

// resumeJoins goes on asking to be let into the rooms joined by link
// before a restart (the link's inviter is kept apart, with its addresses).
func (s *Service) resumeJoins() {
	rooms, err := s.store.Rooms()
	if err != nil {
		s.log.Error("read rooms failed", "err", err)
		return
	}
	for _, rec := range rooms {
		p := rec.Private
		if !rec.Joined || p == nil || !p.Pending || p.Refused != "" || len(p.Seed) != seal.SeedSize {
			continue
		}
		inv := seal.InvitationFromSeed([seal.SeedSize]byte(p.Seed))
		s.wg.Go(func() { s.askToJoin(rec.ID, "", inv, s.opts.Now().Add(joinFor)) })
	}
}

// joinRequest is this device's request to join with an invitation.
func (s *Service) joinRequest(id wire.RoomID, inv seal.Invitation) ([]byte, error) {
	device, err := seal.SignDevice(s.id.Key, s.device.Public())
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&wire.JoinRequest{
		Room: id[:], InviteKey: inv.Public(), Device: device,
		Proof: inv.Prove(id, s.id.ID, s.device.Public()),
	})
}

// ask sends the join request to one peer and takes its answer in; it
// reports whether the join is settled (let in, or refused).
func (s *Service) ask(id wire.RoomID, p peer.ID, req []byte) bool {
	raw, err := s.node.AskToJoin(s.ctx, p, req)
	if err != nil {
		s.log.Debug("join request not answered", "peer", identity.ShortID(p), "err", err)
		return false
	}
	refusal, msgs, err := private.DecodeJoinAnswer(raw, id, s.opts.Now())
	if err != nil {
		s.refusePrivate(p, id, err)
		return false
	}
	if reason, refused := refusals[refusal]; refused {
		s.joinRefused(id, reason)
		return true
	}
	s.receive(p2p.Batch{Room: id, From: p, Messages: msgs})
	pr := s.privateRoom(id)
	if pr == nil || pr.State().Role(s.id.ID) == memberlog.None {
		return false // the answer did not let us in: ask someone else
	}
	if err := s.updateRecord(id, func(rec *store.Room) {
		rec.Private.Pending, rec.Private.Seed, rec.Private.Refused = false, nil, ""
	}); err != nil {
		s.log.Error("save admission failed", "room", id.String()[:8], "err", err)
	}
	s.requestSync(id, p)
	s.bus.publish(Event{Name: EventRooms})
	return true
}

// joinRefused records and announces a refusal.
func (s *Service) joinRefused(id wire.RoomID, reason string) {
	if err := s.updateRecord(id, func(rec *store.Room) { rec.Private.Refused = reason }); err != nil {
		s.log.Error("save join refusal failed", "room", id.String()[:8], "err", err)
	}
	s.bus.publish(Event{Name: EventJoinRefused, Data: JoinRefused{Room: id.String(), Reason: reason}})
	s.bus.publish(Event{Name: EventRooms})
}

// answerJoin is the member's side of /parley/join/1: a joiner with an open
// invitation of a room this device is a member of is let in and given the
// room's log. A request that does not hold, or names a room this device
// is not a member of, gets no answer at all: a stranger learns nothing.
func (s *Service) answerJoin(from peer.ID, raw []byte) []byte {
	j, err := seal.DecodeJoin(raw, from)
	if err != nil {
		s.refusePrivate(from, wire.RoomID{}, err)
		return nil
	}
	s.mu.Lock()
	_, joined := s.joined[j.Room]
	s.mu.Unlock()
	pr := s.privateRoom(j.Room)
	if !joined || pr == nil || pr.State().Role(s.id.ID) == memberlog.None {
		return nil
	}
	answer := &wire.JoinAnswer{}
	evs, err := pr.Admit(j)
	if err == nil {
		err = s.putOwn(evs...)
	}
	switch {
	case errors.Is(err, private.ErrInviteExpired):
		answer.Refused = wire.JoinAnswer_REFUSAL_EXPIRED
	case errors.Is(err, private.ErrInviteRevoked):
		answer.Refused = wire.JoinAnswer_REFUSAL_REVOKED
	case errors.Is(err, private.ErrInviteUsedUp):
		answer.Refused = wire.JoinAnswer_REFUSAL_USED_UP
	case errors.Is(err, private.ErrInviteUnknown):
		answer.Refused = wire.JoinAnswer_REFUSAL_UNKNOWN
	case errors.Is(err, memberlog.ErrInvite):
		answer.Refused = wire.JoinAnswer_REFUSAL_REMOVED
	case err != nil:
		s.log.Warn("admit failed", "peer", identity.ShortID(from), "room", j.Room.String()[:8], "err", err)
		return nil
	}
	if answer.Refused == wire.JoinAnswer_REFUSAL_NONE {
		s.admit(j.Room, pr)
		log, err := s.store.LogEvents(j.Room)
		if err != nil {
			s.log.Error("read log for a joiner failed", "room", j.Room.String()[:8], "err", err)
			return nil
		}
		for _, it := range log {
			answer.Envelopes = append(answer.Envelopes, it.Envelope)
		}
		s.bus.publish(Event{Name: EventMembers})
	}
	out, err := proto.Marshal(answer)
	if err != nil || len(out) > p2p.MaxJoinAnswer {
		s.log.Error("join answer too big to send", "room", j.Room.String()[:8], "bytes", len(out))
		return nil
	}
	return out
}
