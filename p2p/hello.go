package p2p

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"github.com/multiformats/go-multistream"

	"parley/identity"
	"parley/roomkey"
	"parley/seal"
	"parley/wire"
	"parley/workset"
)

// helloProtocol carries a node's signed profile and its membership proofs
// straight to a peer when they connect, and again when either changes; to a
// peer found on this network also the rooms made visible there. Gossip alone
// loses what a peer sends while the other side is still joining the topic.
const helloProtocol = "/parley/hello/2"

// HelloContent is what the node's owner says of itself in a hello.
type HelloContent struct {
	// Profile is the signed profile envelope, or nil.
	Profile []byte
	// Nearby are the rooms visible on this network. The node tells them
	// only to peers found by mDNS.
	Nearby []wire.NearbyRoom
	// Device is the node's device key, signed (package seal): what a
	// direct conversation's first key is wrapped for. Every peer hears it.
	Device *wire.DeviceKey
}

// PeerHello is a peer's checked hello, as the owner hears it.
type PeerHello struct {
	// Profile is the peer's verified profile, or nil.
	Profile *wire.Message
	// LAN is true if the peer was found on this network by mDNS.
	LAN bool
	// Nearby are the rooms the peer made visible on this network, each
	// checked against its secret; empty unless the peer was found here.
	Nearby []NearbyRoom
	// Device is the peer's device key, its signature checked; HasDevice
	// is false when the hello carried none.
	Device    seal.DevicePublic
	HasDevice bool
}

// NearbyRoom is a room a peer on this network made visible.
type NearbyRoom struct {
	Room roomkey.Room
	Name string
}

const helloTimeout = 10 * time.Second

// helloService tells each peer what the trust policy lets it hear of us,
// and hears theirs: it sends the hellos queued, checks those that come in,
// and passes on the memberships they prove.
type helloService struct {
	ctx     context.Context // ends when the node closes
	host    host.Host
	trust   *trust
	run     *group
	queue   *workset.Set[peer.ID]           // peers owed a hello
	content func() HelloContent             // what the owner says; may be nil
	onHello func(from peer.ID, h PeerHello) // may be nil
	// onOutsider hears of a peer whose hello proves it holds a private
	// room's secret that the room's log does not list; may be nil.
	onOutsider func(from peer.ID, room wire.RoomID)
	// proven hears the rooms a hello proved or stopped proving, and whether
	// the peer must announce its subscriptions again.
	proven func(from peer.ID, joined, left []wire.RoomID, reannounce bool)
	reject func(from peer.ID, room wire.RoomID, err error)
	now    func() time.Time
	log    *slog.Logger

	// sending holds the peers a hello is on its way to. One hello at a time
	// goes to a peer, so they arrive in the order they were made: an older
	// one, with fewer proofs, landing after a newer would take back a
	// membership the peer just proved.
	mu      sync.Mutex
	sending map[peer.ID]struct{}
}

func newHelloService(ctx context.Context, h host.Host, t *trust, run *group, opts Options,
	proven func(peer.ID, []wire.RoomID, []wire.RoomID, bool), reject func(peer.ID, wire.RoomID, error)) *helloService {
	return &helloService{
		ctx: ctx, host: h, trust: t, run: run, proven: proven, reject: reject,
		queue:   workset.New[peer.ID](),
		sending: map[peer.ID]struct{}{},
		content: opts.Hello,
		onHello: opts.OnHello, onOutsider: opts.OnOutsider,
		now: opts.Now,
		log: opts.Logger.With("component", "hello"),
	}
}

// start serves the hello protocol and starts the workers that send hellos.
func (hs *helloService) start(serve func(network.StreamHandler) network.StreamHandler) {
	hs.host.SetStreamHandler(helloProtocol, serve(hs.handle))
	for range helloWorkers {
		hs.run.Go(func() {
			hs.queue.Serve(hs.ctx, hs.claim, func(p peer.ID) {
				defer hs.release(p)
				hs.sendWithRetries(p)
			})
		})
	}
}

// claim marks a hello to p as on its way, unless one is already: a queued
// peer waits in the queue until the hello before it is through. (It is the
// queue's Take filter, so taking p and claiming it are one step.)
func (hs *helloService) claim(p peer.ID) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if _, busy := hs.sending[p]; busy {
		return false
	}
	hs.sending[p] = struct{}{}
	return true
}

// release ends a claim, and wakes a worker for a hello queued behind it.
func (hs *helloService) release(p peer.ID) {
	hs.mu.Lock()
	delete(hs.sending, p)
	hs.mu.Unlock()
	hs.queue.Wake()
}

// Hellos go out from a few workers at once, so one peer that is slow to
// answer holds up no other; a failed hello is tried again while the peer
// stays connected.
const (
	helloWorkers    = 8
	helloTries      = 4
	helloRetryAfter = time.Second // before the second try; doubles each time
)

// helloWithRetries sends a hello until it goes through, the peer leaves,
// or the tries run out.
func (hs *helloService) sendWithRetries(p peer.ID) {
	wait := helloRetryAfter
	for try := 1; ; try++ {
		err := hs.send(p)
		if err == nil || hs.ctx.Err() != nil {
			return
		}
		if try == helloTries || !hs.connected(p) {
			hs.log.Debug("hello failed", "peer", identity.ShortID(p), "tries", try, "err", err)
			return
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-hs.ctx.Done():
			timer.Stop()
			return
		}
		wait *= 2
	}
}

// Hello queues a hello for a peer.
func (hs *helloService) Hello(p peer.ID) { hs.queue.Add(p) }

// helloFirst sends every connected peer our hello now and waits for them,
// at most d: a room's subscription should reach its members after the proof
// that lets them count it. A hello not through by then is queued as usual.
func (hs *helloService) first(d time.Duration) {
	peers := hs.host.Network().Peers()
	done := make(chan struct{}, len(peers))
	for _, p := range peers {
		if !hs.claim(p) {
			// A hello is on its way: ours goes right after it.
			hs.Hello(p)
			done <- struct{}{}
			continue
		}
		if !hs.run.Go(func() {
			err := hs.send(p)
			hs.release(p)
			if err != nil {
				hs.Hello(p)
			}
			done <- struct{}{}
		}) {
			hs.release(p)
			return // closing
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for range peers {
		select {
		case <-done:
		case <-timer.C:
			return
		case <-hs.ctx.Done():
			return
		}
	}
}

func (hs *helloService) HelloAll() {
	for _, p := range hs.host.Network().Peers() {
		hs.Hello(p)
	}
}

// helloFor is the hello for one peer. What it holds is the trust policy's
// call: proofs for every joined room (meaningless to anyone not in that
// room); our profile only for a peer found on this network or in a room
// with us (a stranger hears it once it proves a room); the nearby rooms
// only for a peer found on this network.
func (hs *helloService) helloFor(p peer.ID) ([]byte, error) {
	var content HelloContent
	if hs.content != nil {
		content = hs.content()
	}
	lan := hs.trust.foundOnLAN(p)
	if !lan {
		content.Nearby = nil
		if len(hs.trust.memberRooms(p)) == 0 {
			content.Profile = nil
		}
	}
	return wire.EncodeHello(content.Profile, content.Device, content.Nearby, hs.trust.proofs(p))
}

func (hs *helloService) send(p peer.ID) error {
	hello, err := hs.helloFor(p)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(hs.ctx, helloTimeout)
	defer cancel()
	s, err := hs.open(ctx, p)
	if err != nil {
		return fmt.Errorf("open hello stream: %w", err)
	}
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	if err := msgio.NewVarintWriter(s).WriteMsg(hello); err != nil {
		s.Reset()
		return fmt.Errorf("write hello: %w", err)
	}
	// Delivered once the peer has read it and hung up: a peer that resets
	// the stream instead gets the hello again.
	if err := s.CloseWrite(); err != nil {
		s.Reset()
		return fmt.Errorf("finish hello: %w", err)
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(s, 1)); err != nil {
		s.Reset()
		return fmt.Errorf("hello not taken: %w", err)
	}
	return s.Close()
}

// openHello opens a hello stream on the newest connection to a peer: with
// two, the older may be a dead one to a process that was killed and has
// restarted, and the new process must hear our hello.
func (hs *helloService) open(ctx context.Context, p peer.ID) (network.Stream, error) {
	conns := hs.host.Network().ConnsToPeer(p)
	if len(conns) < 2 {
		return hs.host.NewStream(network.WithAllowLimitedConn(ctx, "hello"), p, helloProtocol)
	}
	newest := slices.MaxFunc(conns, func(a, b network.Conn) int { return a.Stat().Opened.Compare(b.Stat().Opened) })
	s, err := newest.NewStream(ctx)
	if err != nil {
		return nil, err
	}
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	if err := multistream.SelectProtoOrFail(helloProtocol, s); err != nil {
		s.Reset()
		return nil, err
	}
	if err := s.SetProtocol(helloProtocol); err != nil {
		s.Reset()
		return nil, err
	}
	return s, nil
}

func (hs *helloService) handle(s network.Stream) {
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	from := s.Conn().RemotePeer()
	r := msgio.NewVarintReaderSize(s, wire.MaxHelloSize)
	raw, err := r.ReadMsg()
	if err != nil {
		s.Reset()
		hs.reject(from, wire.RoomID{}, fmt.Errorf("read hello: %w", err))
		return
	}
	h, err := wire.DecodeHello(raw, from, hs.now())
	if err != nil {
		hs.reject(from, wire.RoomID{}, err)
		return
	}
	joined, left, reannounce := hs.trust.heard(from, h, hs.connected)
	hs.proven(from, joined, left, reannounce)
	if hs.onOutsider != nil {
		for _, room := range hs.trust.outsiderRooms(from, h.Proofs) {
			hs.onOutsider(from, room)
		}
	}
	if len(joined) > 0 {
		hs.Hello(from) // now a member, it may hear who we are
	}
	hs.tell(from, h)
}

// tellHello passes a peer's hello on to the owner: its nearby rooms only if
// the peer was found on this network, and only those whose ID follows from
// the secret given (a peer cannot pass one room off as another).
func (hs *helloService) tell(from peer.ID, h *wire.PeerHello) {
	if hs.onHello == nil {
		return
	}
	out := PeerHello{Profile: h.Profile, LAN: hs.trust.foundOnLAN(from)}
	if h.Device != nil {
		device, err := seal.VerifyDevice(h.Device, from)
		if err != nil {
			hs.reject(from, wire.RoomID{}, fmt.Errorf("hello device key: %w", err))
		} else {
			out.Device, out.HasDevice = device, true
		}
	}
	if out.LAN {
		for _, r := range h.Nearby {
			keys := roomkey.FromLegacyID(r.ID)
			if r.Secret != nil {
				keys = roomkey.FromSecret(roomkey.Secret(r.Secret))
			}
			if keys.ID != r.ID {
				hs.reject(from, r.ID, fmt.Errorf("%w: nearby room whose ID does not follow from its secret", wire.ErrMalformed))
				continue
			}
			out.Nearby = append(out.Nearby, NearbyRoom{Room: keys, Name: r.Name})
		}
	}
	hs.onHello(from, out)
}

// SendProofs sends peer to, from host h, a hello that proves h's membership
// of rooms and says nothing else: for test tools that join rooms as plain
// libp2p hosts.
func SendProofs(ctx context.Context, h host.Host, to peer.ID, rooms ...roomkey.Room) error {
	proofs := make([]wire.HelloProof, len(rooms))
	for i, r := range rooms {
		proofs[i] = wire.HelloProof(r.Proof(h.ID(), to))
	}
	raw, err := wire.EncodeHello(nil, nil, nil, proofs)
	if err != nil {
		return err
	}
	s, err := h.NewStream(ctx, to, helloProtocol)
	if err != nil {
		return fmt.Errorf("open hello stream: %w", err)
	}
	defer s.Close()
	if err := msgio.NewVarintWriter(s).WriteMsg(raw); err != nil {
		s.Reset()
		return fmt.Errorf("write hello: %w", err)
	}
	if err := s.CloseWrite(); err != nil {
		return fmt.Errorf("finish hello: %w", err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(s, 1))
	return err
}

func (hs *helloService) connected(p peer.ID) bool {
	return hs.host.Network().Connectedness(p) == network.Connected
}
