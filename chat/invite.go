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
)

// inviteDial bounds the first dial to an inviter; after it, the inviter is
// kept and redialled like any peer met in a room.
const inviteDial = 30 * time.Second

// Invite makes a parley://join/ link for a joined room: its ID and name,
// where this node can be reached and the helpers it uses.
func (s *Service) Invite(roomID string) (string, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return "", err
	}
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
	l, err := invite.Parse(link)
	if err != nil {
		return InvitePreview{}, fmt.Errorf("%w: %w", ErrBadInvite, err)
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
// member is reached.
func (s *Service) joinByInvite(link, name string) (Room, error) {
	l, err := invite.Parse(link)
	if err != nil {
		return Room{}, fmt.Errorf("%w: %w", ErrBadInvite, err)
	}
	if strings.TrimSpace(name) == "" {
		name = l.Name
	}
	if name, err = cleanRoomName(name); err != nil {
		return Room{}, err
	}
	room, err := s.join(l.Room, name, false)
	if err != nil {
		return Room{}, err
	}
	var helpers []peer.AddrInfo
	for _, a := range l.Helpers {
		if info, err := peer.AddrInfoFromP2pAddr(a); err == nil {
			helpers = append(helpers, *info)
		}
	}
	s.node.AddHelpers(helpers...)
	for _, h := range helpers {
		s.remember.Add(h.ID)
	}
	if l.Inviter != s.id.ID {
		s.wg.Go(func() { s.reachInviter(peer.AddrInfo{ID: l.Inviter, Addrs: l.Addrs}) })
	}
	return room, nil
}

// reachInviter dials the inviter at the link's addresses, and keeps it: if
// it is offline now, it is redialled until it answers.
func (s *Service) reachInviter(info peer.AddrInfo) {
	ctx, cancel := context.WithTimeout(s.ctx, inviteDial)
	defer cancel()
	err := s.node.ConnectInfo(ctx, info)
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Info("inviter not reached yet; will keep trying", "peer", identity.ShortID(info.ID), "err", err)
	}
	s.node.Keep(info.ID, info.Addrs)
}
