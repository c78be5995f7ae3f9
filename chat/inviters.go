package chat

import (
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/store"
)

// inviterKeep is how long the inviter of a link is redialled at the link's
// addresses while it does not answer. Reached meanwhile, it is remembered
// like any peer met in a room; still not, it is forgotten with those
// addresses, so that a stale link does not make a node dial them for good.
const inviterKeep = 24 * time.Hour

// maxLinkInviters bounds the inviters waited for at once; past it, the one
// due soonest is given up.
const maxLinkInviters = 64

// inviterKeepFor is inviterKeep, or the shorter time a test set.
func (s *Service) inviterKeepFor() time.Duration {
	if s.opts.inviterKeep > 0 {
		return s.opts.inviterKeep
	}
	return inviterKeep
}

// keepInviter has the node keep dialling a link's inviter at the link's
// addresses, and records it with its deadline, so that a restart goes on
// trying until then.
func (s *Service) keepInviter(info peer.AddrInfo) {
	rec := store.LinkInviter{ID: string(info.ID), Until: s.opts.Now().Add(s.inviterKeepFor()).UnixMilli()}
	for _, a := range info.Addrs {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	s.readMu.Lock()
	dropped, err := s.store.PutLinkInviter(rec, maxLinkInviters)
	s.readMu.Unlock()
	if err != nil {
		s.log.Error("save link inviter failed", "peer", identity.ShortID(info.ID), "err", err)
	}
	for _, p := range dropped {
		s.node.ForgetInviter(peer.ID(p.ID), parseAddrs(p.Addrs))
	}
	s.keepLinkPeer(info.ID, info.Addrs)
}

// keepLinkPeer has the node keep a link's inviter. A peer the node stops
// keeping to make room is forgotten on disk too, as a known peer or as an
// inviter, so that the store keeps what the node keeps.
func (s *Service) keepLinkPeer(id peer.ID, addrs []multiaddr.Multiaddr) {
	dropped := s.node.Keep(id, addrs)
	if dropped == "" {
		return
	}
	s.forgetKnownPeers([]string{string(dropped)})
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if err := s.store.DeleteLinkInviter(string(dropped)); err != nil {
		s.log.Error("forget link inviter failed", "peer", identity.ShortID(dropped), "err", err)
	}
}

// restoreInviters has the node dial again, at start, the inviters of links
// whose day is not over, and starts the loop that gives up on them.
func (s *Service) restoreInviters() {
	inviters, err := s.store.LinkInviters()
	if err != nil {
		s.log.Error("read link inviters failed", "err", err)
	}
	now := s.opts.Now().UnixMilli()
	for _, p := range inviters {
		if now < p.Until {
			s.keepLinkPeer(peer.ID(p.ID), parseAddrs(p.Addrs))
		}
	}
	s.wg.Go(s.inviterLoop)
}

// inviterLoop gives up on inviters whose day is over. It checks the wall
// clock every minute rather than setting a timer for each deadline: a
// computer asleep through the night wakes up past them.
func (s *Service) inviterLoop() {
	t := time.NewTicker(max(min(time.Minute, s.inviterKeepFor()/16), time.Millisecond))
	defer t.Stop()
	for {
		s.expireInviters()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
	}
}

// expireInviters drops the records of inviters that were reached and
// remembered by now, and forgets those whose day is over: the node stops
// keeping them and, unless connected, drops the link's addresses.
func (s *Service) expireInviters() {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	inviters, err := s.store.LinkInviters()
	if err != nil {
		s.log.Error("read link inviters failed", "err", err)
		return
	}
	if len(inviters) == 0 {
		return
	}
	known := map[peer.ID]bool{}
	peers, err := s.store.KnownPeers()
	if err != nil {
		s.log.Error("read known peers failed", "err", err)
		return
	}
	for _, k := range peers {
		known[peer.ID(k.ID)] = true
	}
	now := s.opts.Now().UnixMilli()
	for _, p := range inviters {
		id := peer.ID(p.ID)
		switch {
		case known[id]:
			// Met in a room and remembered: kept as any such peer.
		case now < p.Until:
			continue
		case s.node.Connectedness(id) == network.Connected:
			// Answering, though not remembered (yet): no longer the link's.
		default:
			s.node.ForgetInviter(id, parseAddrs(p.Addrs))
			s.log.Info("inviter not reached; its link's addresses forgotten", "peer", identity.ShortID(id))
		}
		if err := s.store.DeleteLinkInviter(p.ID); err != nil {
			s.log.Error("forget link inviter failed", "peer", identity.ShortID(id), "err", err)
		}
	}
}

// parseAddrs reads stored multiaddrs, skipping any that no longer parse.
func parseAddrs(addrs []string) []multiaddr.Multiaddr {
	out := make([]multiaddr.Multiaddr, 0, len(addrs))
	for _, a := range addrs {
		if ma, err := multiaddr.NewMultiaddr(a); err == nil {
			out = append(out, ma)
		}
	}
	return out
}
