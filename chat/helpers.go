package chat

import (
	"maps"
	"slices"
	"strings"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/store"
	"parley/wire"
)

// Helper is a helper node this node uses: one given at start (--bootstrap),
// or one the invite link of a joined room named. It stays while a joined
// room names it.
type Helper struct {
	Profile
	// Rooms are the joined rooms whose invite link named the helper, by
	// name, and RoomNames their names in the same order; both empty for a
	// helper given at start.
	Rooms     []string `json:"rooms"`
	RoomNames []string `json:"roomNames"`
	// Connected is true while there is a connection to the helper.
	Connected bool `json:"connected"`
}

// Helpers lists the helper nodes in use, oldest first, each with the
// joined rooms whose links named it.
func (s *Service) Helpers() []Helper {
	rooms := s.helperRooms()
	s.mu.Lock()
	names := maps.Clone(s.joined)
	s.mu.Unlock()
	infos := s.node.Helpers()
	out := make([]Helper, 0, len(infos))
	for _, info := range infos {
		h := Helper{
			Profile:   s.profile(info.ID),
			Rooms:     []string{},
			RoomNames: []string{},
			Connected: s.node.Connectedness(info.ID) == network.Connected,
		}
		named := slices.DeleteFunc(rooms[info.ID], func(r wire.RoomID) bool { _, ok := names[r]; return !ok })
		slices.SortFunc(named, func(a, b wire.RoomID) int {
			return cmpFirst(strings.Compare(strings.ToLower(names[a]), strings.ToLower(names[b])), strings.Compare(a.String(), b.String()))
		})
		for _, r := range named {
			h.Rooms = append(h.Rooms, r.String())
			h.RoomNames = append(h.RoomNames, names[r])
		}
		out = append(out, h)
	}
	return out
}

// helperRooms maps each helper a room's link named to those rooms. A store
// error is logged: the helpers still show, without their rooms.
func (s *Service) helperRooms() map[peer.ID][]wire.RoomID {
	recs, err := s.store.LinkHelpers()
	if err != nil {
		s.log.Error("read link helpers failed", "err", err)
	}
	out := map[peer.ID][]wire.RoomID{}
	for _, h := range recs {
		out[peer.ID(h.ID)] = append(out[peer.ID(h.ID)], h.Room)
	}
	return out
}

// linkHelpers reads the helpers of a link, one entry per peer with all its
// addresses; this node and addresses that name no peer are left out.
func (s *Service) linkHelpers(addrs []multiaddr.Multiaddr) []peer.AddrInfo {
	var out []peer.AddrInfo
	for _, a := range addrs {
		info, err := peer.AddrInfoFromP2pAddr(a)
		if err != nil || info.ID == s.id.ID {
			continue
		}
		if i := slices.IndexFunc(out, func(o peer.AddrInfo) bool { return o.ID == info.ID }); i >= 0 {
			out[i].Addrs = append(out[i].Addrs, info.Addrs...)
			continue
		}
		out = append(out, *info)
	}
	return out
}

// setRoomHelpers records the helpers a joined room's invite link named
// (replacing those of an earlier link) and has the node use them; no
// helpers, as when the room is left, forgets the room's. A helper that no
// joined room names any more, and that was not given at start, leaves the
// node.
func (s *Service) setRoomHelpers(room wire.RoomID, helpers []peer.AddrInfo) {
	recs := make([]store.LinkHelper, 0, len(helpers))
	for _, h := range helpers {
		rec := store.LinkHelper{ID: string(h.ID)}
		for _, a := range h.Addrs {
			rec.Addrs = append(rec.Addrs, a.String())
		}
		recs = append(recs, rec)
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if err := s.store.SetRoomHelpers(room, recs); err != nil {
		s.log.Error("save link helpers failed", "room", room.String()[:8], "err", err)
	}
	s.node.AddHelpers(helpers...)
	s.dropUnnamedHelpers()
}

// dropUnnamedHelpers removes from the node the helpers that came from
// links no joined room names any more. The caller holds readMu.
func (s *Service) dropUnnamedHelpers() {
	rooms := s.helperRooms()
	s.mu.Lock()
	for id, rs := range rooms {
		if !slices.ContainsFunc(rs, func(r wire.RoomID) bool { _, ok := s.joined[r]; return ok }) {
			delete(rooms, id)
		}
	}
	s.mu.Unlock()
	given := s.givenHelpers()
	var unnamed []peer.ID
	for _, h := range s.node.Helpers() {
		if _, named := rooms[h.ID]; !named && !given[h.ID] {
			unnamed = append(unnamed, h.ID)
		}
	}
	if len(unnamed) == 0 {
		return
	}
	kept := s.keptOtherwise()
	for _, id := range unnamed {
		s.node.RemoveHelper(id)
		if !kept[id] {
			s.node.Forget(id)
		}
	}
}

// givenHelpers are the helpers given at start (--bootstrap): they stay.
func (s *Service) givenHelpers() map[peer.ID]bool {
	out := map[peer.ID]bool{}
	for _, a := range s.opts.Bootstrap {
		if info, err := peer.AddrInfoFromString(a); err == nil {
			out[info.ID] = true
		}
	}
	return out
}

// keptOtherwise are the peers the node keeps for a reason of their own:
// remembered from a room, or the inviter of a link still being tried.
func (s *Service) keptOtherwise() map[peer.ID]bool {
	out := map[peer.ID]bool{}
	known, err := s.store.KnownPeers()
	if err != nil {
		s.log.Error("read known peers failed", "err", err)
	}
	for _, k := range known {
		out[peer.ID(k.ID)] = true
	}
	inviters, err := s.store.LinkInviters()
	if err != nil {
		s.log.Error("read link inviters failed", "err", err)
	}
	for _, p := range inviters {
		out[peer.ID(p.ID)] = true
	}
	return out
}

// restoreHelpers has the node use again, at start, the helpers the links
// of joined rooms named; those of rooms left meanwhile are forgotten.
func (s *Service) restoreHelpers() {
	recs, err := s.store.LinkHelpers()
	if err != nil {
		s.log.Error("read link helpers failed", "err", err)
		return
	}
	var use []peer.AddrInfo
	left := map[wire.RoomID]bool{}
	s.mu.Lock()
	for _, h := range recs {
		if _, joined := s.joined[h.Room]; !joined {
			left[h.Room] = true
			continue
		}
		use = append(use, peer.AddrInfo{ID: peer.ID(h.ID), Addrs: parseAddrs(h.Addrs)})
	}
	s.mu.Unlock()
	s.node.AddHelpers(use...)
	for room := range left {
		if err := s.store.SetRoomHelpers(room, nil); err != nil {
			s.log.Error("forget link helpers failed", "room", room.String()[:8], "err", err)
		}
	}
}
