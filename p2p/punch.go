package p2p

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"

	"parley/identity"
)

// The retries of a hole punch with a relayed peer: the first soon after it
// proves a member (go-libp2p's own punch has run or failed by then), then
// further apart, and every punchRetryMax for as long as the pair stays
// relayed.
const (
	punchRetryFirst = 2 * time.Second
	punchRetryMax   = 5 * time.Minute
	// punchReadyPoll is how often a due retry looks whether the host can
	// punch yet.
	punchReadyPoll = time.Second
	// punchesAtOnce bounds the hole punches running together.
	punchesAtOnce = 4
)

// punchService tries again to hole-punch to members reached only through a
// relay. go-libp2p punches once, when a relayed connection comes in, and
// never again. A newcomer that joins by link a moment after it started
// cannot answer that punch: it serves the protocol only once it knows a
// public address of its own. So the first join of every desktop user
// would stay on the helper's relay. This service holds on to the host's
// hole-punch service and retries: when our addresses or reachability
// change, and on a growing backoff while the pair stays relayed.
type punchService struct {
	ctx    context.Context // ends when the node closes
	host   host.Host
	run    *group
	log    *slog.Logger
	member func(peer.ID) bool // the peer shares a room with us

	mu      sync.Mutex
	svc     *holepunch.Service
	waiting map[peer.ID]*punchTry // relayed members, at most maxTrackedPeers
	running int
	wake    chan struct{}
}

// punchTry is one relayed member's place in the retries.
type punchTry struct {
	next    time.Time
	backoff time.Duration
	running bool
}

func newPunchService(ctx context.Context, run *group, log *slog.Logger) *punchService {
	return &punchService{
		ctx: ctx, run: run, log: log,
		waiting: map[peer.ID]*punchTry{},
		wake:    make(chan struct{}, 1),
	}
}

// option hands the host's hole-punch service to us as the host makes it.
func (ps *punchService) option() holepunch.Option {
	return func(s *holepunch.Service) error {
		ps.mu.Lock()
		ps.svc = s
		ps.mu.Unlock()
		return nil
	}
}

// start follows the host's address and reachability changes until the
// node closes.
func (ps *punchService) start(h host.Host, member func(peer.ID) bool) {
	ps.host, ps.member = h, member
	ps.run.Go(ps.loop)
}

// relayed hears of a peer that may be reached only through a relay: a new
// connection, or a peer newly proven a member. It is tried after
// punchRetryFirst if it still is then.
func (ps *punchService) relayed(p peer.ID) {
	if ps.host == nil || !ps.onlyRelayed(p) {
		return
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if _, ok := ps.waiting[p]; ok || len(ps.waiting) >= maxTrackedPeers {
		return
	}
	ps.waiting[p] = &punchTry{next: time.Now().Add(ps.stagger(p, punchRetryFirst)), backoff: punchRetryFirst}
	ps.poke()
}

// forget drops a peer that is gone.
func (ps *punchService) forget(p peer.ID) {
	ps.mu.Lock()
	delete(ps.waiting, p)
	ps.mu.Unlock()
}

// poke wakes the loop; ps.mu is held or not needed.
func (ps *punchService) poke() {
	select {
	case ps.wake <- struct{}{}:
	default:
	}
}

func (ps *punchService) loop() {
	sub, err := ps.host.EventBus().Subscribe([]any{
		new(event.EvtLocalAddressesUpdated),
		new(event.EvtLocalReachabilityChanged),
	})
	if err != nil {
		ps.log.Error("hole-punch retries are off: watch addresses", "err", err)
		return
	}
	defer sub.Close()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(ps.tryDue())
		select {
		case <-sub.Out():
			// What made a punch fail may have changed: try every waiting
			// peer now.
			ps.mu.Lock()
			for _, t := range ps.waiting {
				t.next = time.Time{}
			}
			ps.mu.Unlock()
		case <-ps.wake:
		case <-timer.C:
		case <-ps.ctx.Done():
			return
		}
	}
}

// tryDue starts the punches that are due, and says how long until the next.
func (ps *punchService) tryDue() time.Duration {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := time.Now()
	until := punchRetryMax
	for p, t := range ps.waiting {
		if t.running {
			continue
		}
		if !ps.onlyRelayed(p) || !ps.member(p) {
			delete(ps.waiting, p)
			continue
		}
		if wait := t.next.Sub(now); wait > 0 {
			until = min(until, wait)
			continue
		}
		if ps.running >= punchesAtOnce {
			continue // a punch that ends wakes us
		}
		if !ps.canPunch() {
			// Ready once we know a public address of ours, which brings
			// no event: look again shortly.
			until = min(until, punchReadyPoll)
			continue
		}
		t.running = true
		ps.running++
		if !ps.run.Go(func() { ps.punch(p, t) }) {
			t.running = false
			ps.running--
		}
	}
	return until
}

// canPunch reports whether the host's hole-punch service is ready: it
// serves its protocol once we know a public address of ours, and until
// then DirectConnect would wait for one with no way to give up.
func (ps *punchService) canPunch() bool {
	return ps.svc != nil && slices.Contains(ps.host.Mux().Protocols(), holepunch.Protocol)
}

func (ps *punchService) punch(p peer.ID, t *punchTry) {
	err := ps.svc.DirectConnect(p)
	ps.mu.Lock()
	t.running = false
	ps.running--
	t.next = time.Now().Add(ps.stagger(p, t.backoff))
	t.backoff = min(2*t.backoff, punchRetryMax)
	ps.mu.Unlock()
	if err != nil {
		ps.log.Debug("hole punch retry failed", "peer", identity.ShortID(p), "err", err)
	}
	ps.poke()
}

// stagger keeps the two sides of a pair from punching at the same moment,
// which resets one punch and can fail both: the side whose ID sorts higher
// waits half as long again.
func (ps *punchService) stagger(p peer.ID, wait time.Duration) time.Duration {
	if ps.host.ID() > p {
		return wait + wait/2
	}
	return wait
}

// onlyRelayed reports whether every connection to the peer goes through a
// relay (and there is one).
func (ps *punchService) onlyRelayed(p peer.ID) bool {
	conns := ps.host.Network().ConnsToPeer(p)
	for _, c := range conns {
		if !isRelayed(c.RemoteMultiaddr()) {
			return false
		}
	}
	return len(conns) > 0
}
