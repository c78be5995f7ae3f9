package chat

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/p2p"
	"parley/store"
)

// maxKnownAddrs caps the addresses remembered per peer.
const maxKnownAddrs = 8

// identifyWait bounds the wait for a new peer to say where it listens.
const identifyWait = 10 * time.Second

// rememberLoop saves each peer that shared a room with us, with where it can
// be reached, and has the node keep reconnecting to it: after either side
// restarts, or a link drops, the two find each other again by themselves.
func (s *Service) rememberLoop() { s.remember.Serve(s.ctx, nil, s.rememberPeer) }

func (s *Service) rememberPeer(p peer.ID) {
	ctx, cancel := context.WithTimeout(s.ctx, identifyWait)
	addrs := s.node.PeerAddrs(ctx, p)
	cancel()
	if len(addrs) == 0 {
		return
	}
	addrs = addrs[:min(len(addrs), maxKnownAddrs)]
	rec := store.KnownPeer{ID: string(p), Seen: s.opts.Now().UnixMilli()}
	for _, a := range addrs {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	if err := s.store.PutKnownPeer(rec, p2p.MaxKept); err != nil {
		s.log.Error("remember peer failed", "peer", identity.ShortID(p), "err", err)
	}
	s.node.Keep(p, addrs)
}

// keepKnownPeers has the node dial the peers remembered from earlier runs.
func (s *Service) keepKnownPeers() error {
	known, err := s.store.KnownPeers()
	if err != nil {
		return err
	}
	for _, k := range known {
		var addrs []multiaddr.Multiaddr
		for _, a := range k.Addrs {
			if ma, err := multiaddr.NewMultiaddr(a); err == nil {
				addrs = append(addrs, ma)
			}
		}
		s.node.Keep(peer.ID(k.ID), addrs)
	}
	return nil
}
