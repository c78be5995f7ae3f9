package chat

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/lru"
	"parley/p2p"
	"parley/store"
)

// maxKnownAddrs caps the addresses remembered per peer.
const maxKnownAddrs = 8

// identifyWait bounds the wait for a new peer to say where it listens.
const identifyWait = 10 * time.Second

// rememberLoop saves each peer that proved useful in a room, with where it
// can be reached, and has the node keep reconnecting to it: after either
// side restarts, or a link drops, the two find each other again by
// themselves.
func (s *Service) rememberLoop() { s.remember.Serve(s.ctx, nil, s.rememberPeer) }

// rememberSender remembers the peer a batch came from if the batch added
// to a room's history: what it sent was verified and new to us. Joining a
// room's topic is not enough: it takes no more than a proof, and a peer
// that never sends anything need not learn where we are after we move.
// A sync session counts the same way, its frames coming through here: it
// was useful if the peer sent us what we lacked. A session in which only
// we sent, or the histories already agreed, shows nothing but the proof.
func (s *Service) rememberSender(b p2p.Batch, added []bool) {
	if b.From != "" && slices.Contains(added, true) && s.remembered.due(b.From, s.opts.Now()) {
		s.remember.Add(b.From)
	}
}

// rememberEvery is how often one peer is saved again while it keeps
// sending: each save is a write to the store, and while the peer stays
// connected its last-seen time is kept up anyway (lastseen.go).
const rememberEvery = time.Minute

// rememberTimes says when each peer was last saved, for the most recent
// p2p.MaxKept peers, so that a busy room costs one save a minute per peer,
// not one per batch.
type rememberTimes struct {
	mu sync.Mutex
	at *lru.Map[peer.ID, time.Time]
}

// due reports whether p was not saved in the last rememberEvery, and
// counts it as saved now if so.
func (r *rememberTimes) due(p peer.ID, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil {
		r.at = lru.New[peer.ID, time.Time](p2p.MaxKept, nil)
	}
	if last, ok := r.at.Get(p); ok && now.Sub(last) < rememberEvery {
		return false
	}
	r.at.Add(p, now, nil)
	return true
}

// rememberPeer saves a peer and keeps it. The store and the node each hold
// at most p2p.MaxKept peers and drop the least recently seen first; what
// one drops, the other drops too, so both hold the same peers.
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
	forgot, err := s.store.PutKnownPeer(rec, p2p.MaxKept)
	if err != nil {
		s.log.Error("remember peer failed", "peer", identity.ShortID(p), "err", err)
	}
	for _, id := range forgot {
		s.node.Forget(peer.ID(id))
	}
	if dropped := s.node.Keep(p, addrs); dropped != "" {
		s.forgetKnownPeers([]string{string(dropped)})
	}
}

// keepKnownPeers has the node dial the peers remembered from earlier runs,
// the least recently seen first, so that the node's order of recency is
// the store's. A peer the node drops to make room is forgotten on disk too.
func (s *Service) keepKnownPeers() error {
	known, err := s.store.KnownPeers()
	if err != nil {
		return err
	}
	var dropped []string
	for _, k := range slices.Backward(known) {
		var addrs []multiaddr.Multiaddr
		for _, a := range k.Addrs {
			if ma, err := multiaddr.NewMultiaddr(a); err == nil {
				addrs = append(addrs, ma)
			}
		}
		if d := s.node.Keep(peer.ID(k.ID), addrs); d != "" {
			dropped = append(dropped, string(d))
		}
	}
	s.forgetKnownPeers(dropped)
	return nil
}

func (s *Service) forgetKnownPeers(ids []string) {
	if err := s.store.ForgetKnownPeers(ids...); err != nil {
		s.log.Error("forget known peers failed", "peers", len(ids), "err", err)
	}
}
