package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/invite"
	"parley/p2p"
)

// inviteDial bounds the first dial to an inviter; the node goes on
// redialling it for a day (inviterKeep).
const inviteDial = 30 * time.Second

// inviteWait bounds how long Invite waits for a way in from the internet
// (a relay, or a public address) when the node is still finding one;
// inviteLook is how often it looks meanwhile.
var (
	inviteWait = 20 * time.Second // a variable for tests
	inviteLook = 250 * time.Millisecond
)

// Invite makes a parley://join/ link for a joined room: its ID and name,
// where this node can be reached and the helpers it uses. A node still
// finding its way in from the internet (helpers known, no relay yet) waits
// up to inviteWait for one, so that the link works far away at once; after
// that, or with no helper known, the link carries what there is, and the
// helpers and the room's rendezvous do the rest.
func (s *Service) Invite(ctx context.Context, roomID string) (string, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return "", err
	}
	if s.privateRoom(id) != nil {
		return s.invitePrivate(ctx, roomID)
	}
	s.waitForWayIn(ctx)
	s.mu.Lock()
	name, keys := s.joined[id], s.keys[id]
	s.mu.Unlock()
	return invite.Encode(invite.Link{
		Room:    keys,
		Name:    name,
		Inviter: s.id.ID,
		Addrs:   s.node.InviteAddrs(),
		Helpers: s.node.HelperAddrs(),
	})
}

// waitForWayIn returns once the node has a way in from the internet, no
// longer looks for one, inviteWait has passed or ctx ends.
func (s *Service) waitForWayIn(ctx context.Context) {
	if _, why := s.node.WayIn(); why != p2p.WayInFinding {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, inviteWait)
	defer cancel()
	look := time.NewTicker(inviteLook)
	defer look.Stop()
	for {
		select {
		case <-look.C:
			if _, why := s.node.WayIn(); why != p2p.WayInFinding {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// InviteStatus says whether an invite made now lets someone far away in
// at once; the window says so beside "Copy invite link" when not.
type InviteStatus struct {
	Ready bool `json:"ready"`
	// Why is "" when ready, else "findingWayIn" (helpers known, no relay
	// or public address yet: a link made now waits for one, up to 20 s)
	// or "noHelpers" (on the internet with no helper known: the link
	// carries only this network's addresses).
	Why string `json:"why"`
}

// InviteStatus reports whether an invite for the room made now is ready.
func (s *Service) InviteStatus(roomID string) (InviteStatus, error) {
	if _, err := s.joinedRoom(roomID); err != nil {
		return InviteStatus{}, err
	}
	ready, why := s.node.WayIn()
	return InviteStatus{Ready: ready, Why: why}, nil
}

// InvitePreview is what the window shows of an invite link before joining:
// the room it leads to, and whether this node is in it already.
type InvitePreview struct {
	Link   string `json:"link"`
	RoomID string `json:"roomId"`
	// Name is the room's name here when joined, else the one in the link.
	Name   string `json:"name"`
	Joined bool   `json:"joined"`
}

// PreviewInvite reads an invite link without joining.
func (s *Service) PreviewInvite(link string) (InvitePreview, error) {
	l, err := parseLink(link)
	if err != nil {
		return InvitePreview{}, err
	}
	p := InvitePreview{Link: link, RoomID: l.Room.ID.String(), Name: l.Name}
	s.mu.Lock()
	name, joined := s.joined[l.Room.ID]
	s.mu.Unlock()
	if joined {
		p.Name, p.Joined = name, true
	} else if clean, err := cleanRoomName(l.Name); err == nil {
		p.Name = clean
	} else {
		p.Name = placeholderName(l.Room.ID)
	}
	return p, nil
}

// joinByInvite joins the room a link names (by the link's name when name is
// empty) and sets out to reach its inviter and helpers. The join does not
// wait for them: the room opens at once, and its history arrives when a
// member is reached. The helpers are the room's for as long as it is
// joined; the inviter's addresses are tried for a day.
func (s *Service) joinByInvite(link, name string) (Room, error) {
	l, err := parseLink(link)
	if err != nil {
		return Room{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = l.Name
	}
	if name, err = cleanRoomName(name); err != nil {
		return Room{}, err
	}
	var room Room
	if l.Invitation != nil {
		room, err = s.joinPrivateByLink(l, name)
	} else {
		room, err = s.join(l.Room, name, false)
	}
	if err != nil {
		return Room{}, err
	}
	s.setRoomHelpers(l.Room.ID, s.linkHelpers(l.Helpers))
	if l.Inviter != s.id.ID {
		s.keepInviter(peer.AddrInfo{ID: l.Inviter, Addrs: l.Addrs})
		s.wg.Go(func() { s.reachInviter(l.Inviter) })
	}
	return room, nil
}

// reachInviter dials the inviter at once, at the link's addresses (kept by
// keepInviter); if it is offline now, it is redialled for a day.
func (s *Service) reachInviter(id peer.ID) {
	ctx, cancel := context.WithTimeout(s.ctx, inviteDial)
	defer cancel()
	err := s.node.ConnectInfo(ctx, peer.AddrInfo{ID: id})
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Info("inviter not reached yet; will keep trying", "peer", identity.ShortID(id), "err", err)
	}
}

// parseLink reads an invite link this Parley can join by.
func parseLink(link string) (invite.Link, error) {
	l, err := invite.Parse(link)
	if err != nil {
		return invite.Link{}, fmt.Errorf("%w: %w", ErrBadInvite, err)
	}
	return l, nil
}
