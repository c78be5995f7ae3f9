package p2p

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/lru"
)

// limitService holds what bounds the live traffic peers send: each author's
// rate per room, each peer's rate of what it passes on, and the count of
// each peer's bad messages. The room validator asks it, GossipSub's score
// reads it, and the sync and hello services report bad input to it.
// (Sync sessions have limits of their own, in the sync server.)
type limitService struct {
	authors *authorLimits
	peers   *peerLimits
	log     *slog.Logger

	mu            sync.Mutex // guards rejections
	rejections    *lru.Map[peer.ID, *rejectRecord]
	rejectedTotal atomic.Int64
}

func newLimitService(opts Options, log *slog.Logger) *limitService {
	return &limitService{
		authors:    newAuthorLimits(opts.AuthorRate, opts.AuthorBurst),
		peers:      newPeerLimits(opts.PeerRate, opts.PeerBurst, opts.PeerByteRate, opts.PeerByteBurst),
		log:        log,
		rejections: lru.New[peer.ID, *rejectRecord](maxTrackedPeers, nil),
	}
}
