package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"google.golang.org/protobuf/proto"

	"parley/identity"
	"parley/reconcile"
	"parley/wire"
)

// syncProtocol reconciles one room's history between two peers, then each
// side sends the other the messages it lacks. See docs/ARCHITECTURE.md.
const syncProtocol = "/parley/sync/1"

// Bounds on a sync session.
const (
	maxSyncMessage   = 4 << 20 // bytes in one framed message
	maxSyncRounds    = 64      // reconciliation frames each way
	maxSyncRanges    = 16384   // ranges in one frame (reconcile.FrameBudget keeps well under)
	deliverBatch     = 256     // envelopes in one message
	syncTimeout      = 5 * time.Minute
	MaxSyncsPerPeer  = 2                // sessions with one peer at once, both ways
	maxSyncsServed   = 8                // sessions peers started with us, all peers together
	syncIdleDeadline = 30 * time.Second // between two messages
)

// syncServer runs sync sessions: those this node starts (Sync) and those
// peers start (handleSync), each admitted by the trust policy first and
// then by the session limits.
type syncServer struct {
	ctx    context.Context // ends when the node closes
	host   host.Host
	trust  *trust
	rooms  roomHandlers
	source SyncSource // nil: nothing to sync from
	// profiles is where sessions find the profiles of a room's authors;
	// nil: sessions carry none.
	profiles ProfileSource
	limits   *sessionLimits
	// reject counts garbage or lies against the peer that sent them.
	reject func(from peer.ID, room wire.RoomID, err error)
	onSync func(SyncProgress) // may be nil
	now    func() time.Time
	log    *slog.Logger

	observer atomic.Pointer[func(SyncProgress)]

	mu        sync.Mutex
	running   map[peer.ID]int      // sessions running per peer
	inSession map[roomSession]bool // rooms in session per peer, whoever started it
	served    int                  // sessions peers started, all together
}

// roomSession is one room synced with one peer: never two sessions of it at
// once, in either direction. A second would count the same differences
// again and say "syncing 2,008 of 10,000" beside the first.
type roomSession struct {
	peer peer.ID
	room wire.RoomID
}

// roomHandlers gives the handler of a joined room, where a session's
// messages go.
type roomHandlers interface {
	handler(room wire.RoomID) (Handler, bool)
}

func newSyncServer(ctx context.Context, h host.Host, t *trust, rooms roomHandlers, reject func(peer.ID, wire.RoomID, error), opts Options) *syncServer {
	return &syncServer{
		ctx: ctx, host: h, trust: t, rooms: rooms, reject: reject,
		source:    opts.Sync,
		profiles:  opts.Profiles,
		limits:    newSessionLimits(syncSessionEvery, syncSessionBurst),
		onSync:    opts.OnSync,
		now:       opts.Now,
		log:       opts.Logger.With("component", "sync"),
		running:   map[peer.ID]int{},
		inSession: map[roomSession]bool{},
	}
}

// SyncSource is what sync reads from the history.
type SyncSource interface {
	// Scan gives a room's messages in (time, ID) order, read a frame at a
	// time, so that a session's memory follows its frames, not the size of
	// the room.
	Scan(room wire.RoomID) reconcile.Source
	// Envelope returns a stored message's envelope, or nil if it is no
	// longer kept (deleted by its author).
	Envelope(id wire.MessageID) ([]byte, error)
}

// SyncProgress reports a session's state to the UI.
type SyncProgress struct {
	Room     wire.RoomID
	Peer     peer.ID
	Received int // messages received so far
	Total    int // messages this session will receive
	Sent     int // messages sent to the peer
	// Rounds counts reconciliation frames sent and received; ReconBytes
	// their size, and Bytes everything on the stream both ways.
	Rounds     int
	ReconBytes int
	Bytes      int
	Done       bool
	Err        error
}

// ErrSyncBusy is returned when a peer already has the most sessions
// allowed; ErrSyncRefused (peerlimit.go) when the peer turned one down.
var ErrSyncBusy = errors.New("too many sync sessions with this peer")

// ErrNotMember is returned for a peer that has not proved membership of
// the room.
var ErrNotMember = errors.New("peer has not proved membership of the room")

// Sync runs a session this node starts.
func (sv *syncServer) Sync(ctx context.Context, p peer.ID, room wire.RoomID) error {
	if sv.source == nil {
		return errors.New("sync: no history to sync from")
	}
	deliver, ok := sv.rooms.handler(room)
	if !ok {
		return fmt.Errorf("sync room %s: %w", room, ErrNotJoined)
	}
	if !sv.trust.isMember(p, room) {
		// The first frame names the room: only a member may hear it.
		return fmt.Errorf("sync room %s with %s: %w", room, identity.ShortID(p), ErrNotMember)
	}
	release, ok := sv.acquire(p, room, false)
	if !ok {
		return ErrSyncBusy
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	s, err := sv.host.NewStream(network.WithAllowLimitedConn(ctx, "sync"), p, syncProtocol)
	if err != nil {
		return fmt.Errorf("sync room %s: open stream: %w", room, err)
	}
	defer s.Close()
	if err := sv.runSync(ctx, s, room, deliver); err != nil {
		err = syncRefused(err)
		sv.failed(p, room, err)
		s.Reset()
		return fmt.Errorf("sync room %s with %s: %w", room, identity.ShortID(p), err)
	}
	return nil
}

// handleSync serves a session a peer started. Its first frame is read and
// checked (a joined room, a proven member) before the session takes one of
// the shared slots: a stranger holding streams open delays no member.
func (sv *syncServer) handleSync(s network.Stream) {
	defer s.Close()
	from := s.Conn().RemotePeer()
	_ = s.SetReadDeadline(time.Now().Add(syncIdleDeadline))
	r := msgio.NewVarintReaderSize(s, maxSyncMessage)
	first, err := readSync(r)
	if err == nil && len(first.Room) != wire.IDSize {
		err = fmt.Errorf("%w: first message names no room", reconcile.ErrProtocol)
	}
	if err != nil {
		sv.failed(from, wire.RoomID{}, err)
		s.Reset()
		return
	}
	room := wire.RoomID(first.Room)
	deliver, joined := sv.rooms.handler(room)
	// A room we are not in is refused after the same wait as one whose
	// proof never comes: how soon the refusal comes must not tell anyone
	// who holds a room's ID which peers are in it.
	member := sv.awaitMember(from, room, syncProofWait)
	if !joined || sv.source == nil || !member {
		s.Reset() // not a room of ours, or not the peer's: nothing to say
		return
	}
	release, ok := sv.acquire(from, room, true)
	if !ok {
		// Busy: the peer reads ErrSyncRefused and tries again later.
		sv.limits.countBusy()
		_ = s.ResetWithError(syncBusyCode)
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(sv.ctx, syncTimeout)
	defer cancel()
	if ok, log, refused := sv.limits.allow(from, room, time.Now()); !ok {
		if log {
			sv.logLimited(from, room, refused)
		}
		_ = s.ResetWithError(syncLimitedCode)
		return
	}
	if err := sv.runSyncFrom(ctx, s, r, room, deliver, first); err != nil {
		sv.failed(from, room, err)
		s.Reset()
	}
}

// syncProofWait is how long a session's first frame may wait for its
// peer's proof of membership: both sides send their hellos as they
// connect, and the session may overtake the other side's.
const syncProofWait = 5 * time.Second

// awaitMember waits until a peer proved membership of a room, at most d;
// it reports whether it did.
func (sv *syncServer) awaitMember(p peer.ID, room wire.RoomID, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		changed := sv.trust.news()
		if sv.trust.isMember(p, room) {
			return true
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-sv.ctx.Done():
			return false
		}
	}
}

// session is one side of a sync exchange over a stream.
type session struct {
	sv      *syncServer
	s       network.Stream
	r       msgio.ReadCloser
	w       msgio.WriteCloser
	room    wire.RoomID
	from    peer.ID
	recon   *reconcile.Session
	deliver Handler
	prog    SyncProgress
	// profiles are the room's authors' names, both ways.
	profiles *profileExchange
}

func (sv *syncServer) newSession(s network.Stream, r msgio.ReadCloser, room wire.RoomID, deliver Handler) (*session, error) {
	items := sv.source.Scan(room)
	from := s.Conn().RemotePeer()
	return &session{
		sv: sv, s: s, room: room, from: from, deliver: deliver,
		r:        r,
		w:        msgio.NewVarintWriter(s),
		recon:    reconcile.New(items),
		prog:     SyncProgress{Room: room, Peer: from},
		profiles: newProfileExchange(sv.profiles, room, sv.host.ID()),
	}, nil
}

// runSync is the initiator's side: first frame, reconcile, send, receive.
func (sv *syncServer) runSync(ctx context.Context, s network.Stream, room wire.RoomID, deliver Handler) error {
	ss, err := sv.newSession(s, msgio.NewVarintReaderSize(s, maxSyncMessage), room, deliver)
	if err != nil {
		return err
	}
	f, err := ss.recon.Initiate()
	if err != nil {
		return err
	}
	first := encodeFrame(f)
	first.Room = room[:]
	if err := ss.profiles.ask(first); err != nil {
		return err
	}
	if err := ss.send(first); err != nil {
		return err
	}
	if err := ss.reconcileFrom(ctx, nil); err != nil {
		return ss.finish(err)
	}
	if err := ss.sendHaves(); err != nil {
		return ss.finish(err)
	}
	return ss.finish(ss.receiveAll())
}

// runSyncFrom is the responder's side, starting from the initiator's first frame.
func (sv *syncServer) runSyncFrom(ctx context.Context, s network.Stream, r msgio.ReadCloser, room wire.RoomID, deliver Handler, first *wire.SyncMessage) error {
	ss, err := sv.newSession(s, r, room, deliver)
	if err != nil {
		return err
	}
	if err := ss.reconcileFrom(ctx, first); err != nil {
		return ss.finish(err)
	}
	if err := ss.receiveAll(); err != nil {
		return ss.finish(err)
	}
	return ss.finish(ss.sendHaves())
}

// reconcileFrom exchanges frames until one side's frame settles everything,
// starting from the peer's frame in (nil: wait for the peer's first answer).
func (ss *session) reconcileFrom(ctx context.Context, in *wire.SyncMessage) error {
	for round := 0; round < maxSyncRounds; round++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if in == nil {
			var err error
			if in, err = ss.recv(); err != nil {
				return err
			}
		}
		frame, err := decodeFrame(in)
		if err != nil {
			return err
		}
		if round == 0 { // the peer's first frame: its question about names
			if err := ss.profiles.heard(in); err != nil {
				return err
			}
		}
		out, err := ss.recon.Reply(frame)
		if err != nil {
			return err
		}
		if reconcile.Settled(frame) {
			return nil
		}
		msg := encodeFrame(out)
		if err := ss.profiles.ask(msg); err != nil {
			return err
		}
		if err := ss.send(msg); err != nil {
			return err
		}
		if reconcile.Settled(out) {
			return nil
		}
		in = nil
	}
	return fmt.Errorf("%w: no agreement after %d rounds", reconcile.ErrProtocol, maxSyncRounds)
}

// sendHaves sends the messages the peer lacks, in batches, then a last
// message with the profiles of their authors and of those the peer asked
// about.
func (ss *session) sendHaves() error {
	batch := &wire.SyncMessage{Count: uint32(len(ss.recon.Have))}
	for id := range ss.recon.Have {
		env, err := ss.sv.source.Envelope(id)
		if err != nil {
			return fmt.Errorf("read message to send: %w", err)
		}
		if env == nil {
			continue // deleted since the two compared: fewer than announced is fine
		}
		ss.profiles.sending(env)
		batch.Envelopes = append(batch.Envelopes, env)
		ss.prog.Sent++
		if len(batch.Envelopes) == deliverBatch {
			if err := ss.send(batch); err != nil {
				return err
			}
			batch = &wire.SyncMessage{}
		}
	}
	profiles, err := ss.profiles.toSend()
	if err != nil {
		return fmt.Errorf("read profiles to send: %w", err)
	}
	if len(profiles) > 0 && len(batch.Envelopes) > 0 {
		// The profiles go alone: a batch of big envelopes leaves them no
		// room under maxSyncMessage.
		if err := ss.send(batch); err != nil {
			return err
		}
		batch = &wire.SyncMessage{}
	}
	batch.Profiles = profiles
	batch.Last = true
	return ss.send(batch)
}

// receiveAll takes the peer's batches, verifying each message and handing
// it to the room's handler, like gossip. The first batch announces how many
// will come; a peer that sends more, or anything that fails verification,
// ends the session. Profiles go to the handler too, ahead of the messages
// of their batch, so that those show with their authors' names.
func (ss *session) receiveAll() error {
	for first := true; ; first = false {
		in, err := ss.recv()
		if err != nil {
			return err
		}
		if first {
			ss.prog.Total = int(in.Count)
			ss.report()
		}
		if len(in.Envelopes) > ss.prog.Total-ss.prog.Received {
			return fmt.Errorf("%w: more messages than announced", reconcile.ErrProtocol)
		}
		now := ss.sv.now()
		messages := make([]*wire.Message, 0, len(in.Envelopes))
		for _, raw := range in.Envelopes {
			m, err := wire.Decode(raw, wire.Check{Room: &ss.room, Now: now})
			if err != nil {
				return err
			}
			ss.profiles.receiving(m)
			messages = append(messages, m)
		}
		profiles, err := ss.profiles.take(in.Profiles, now)
		if err != nil {
			return err
		}
		if len(messages)+len(profiles) > 0 {
			// The whole frame is verified before any of it is kept, and
			// kept in one go.
			ss.deliver(Batch{Room: ss.room, From: ss.from, Messages: append(profiles, messages...)})
			ss.prog.Received += len(messages)
		}
		ss.report()
		if in.Last {
			return nil
		}
	}
}

func (ss *session) send(m *wire.SyncMessage) error {
	raw, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	ss.count(m, len(raw))
	_ = ss.s.SetWriteDeadline(time.Now().Add(syncIdleDeadline))
	return ss.w.WriteMsg(raw)
}

func (ss *session) recv() (*wire.SyncMessage, error) {
	_ = ss.s.SetReadDeadline(time.Now().Add(syncIdleDeadline))
	m, err := readSync(ss.r)
	if err == nil {
		ss.count(m, proto.Size(m))
	}
	return m, err
}

func (ss *session) count(m *wire.SyncMessage, size int) {
	ss.prog.Bytes += size
	if len(m.Ranges) > 0 {
		ss.prog.Rounds++
		ss.prog.ReconBytes += size
	}
}

func (ss *session) report() {
	if ss.sv.onSync != nil {
		ss.sv.onSync(ss.prog)
	}
	if obs := ss.sv.observer.Load(); obs != nil {
		(*obs)(ss.prog)
	}
}

func (sv *syncServer) setObserver(fn func(SyncProgress)) {
	sv.observer.Store(&fn)
}

func (ss *session) finish(err error) error {
	err = syncRefused(err)
	ss.prog.Done, ss.prog.Err = true, err
	ss.report()
	return err
}

func readSync(r msgio.Reader) (*wire.SyncMessage, error) {
	raw, err := r.ReadMsg()
	if err != nil {
		return nil, fmt.Errorf("read sync message: %w", err)
	}
	var m wire.SyncMessage
	if err := proto.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", reconcile.ErrProtocol, err)
	}
	return &m, nil
}

func (sv *syncServer) failed(from peer.ID, room wire.RoomID, err error) {
	if errors.Is(err, reconcile.ErrProtocol) || errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrSignature) {
		// Garbage or lies: count it against the peer like a bad gossip
		// message, and hang up, which ends its other sessions too.
		sv.reject(from, room, fmt.Errorf("sync: %w", err))
		_ = sv.host.Network().ClosePeer(from)
		return
	}
	if sv.ctx.Err() == nil {
		sv.log.Debug("sync failed", "peer", identity.ShortID(from), "err", err)
	}
}

// acquire takes one of the peer's session slots and, for a session the
// peer started, one of the slots all peers share. A room already in session
// with the peer is refused like a busy peer: the one who asked tries again
// once it is over, and finds what is left.
func (sv *syncServer) acquire(p peer.ID, room wire.RoomID, served bool) (release func(), ok bool) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	pair := roomSession{p, room}
	if sv.inSession[pair] || sv.running[p] >= MaxSyncsPerPeer || (served && sv.served >= maxSyncsServed) {
		return nil, false
	}
	sv.inSession[pair] = true
	sv.running[p]++
	if served {
		sv.served++
	}
	return func() {
		sv.mu.Lock()
		defer sv.mu.Unlock()
		delete(sv.inSession, pair)
		if sv.running[p]--; sv.running[p] == 0 {
			delete(sv.running, p)
		}
		if served {
			sv.served--
		}
	}, true
}

func (sv *syncServer) logLimited(p peer.ID, room wire.RoomID, refused int64) {
	sv.log.Warn("peer over the sync session rate: its sessions are refused", "peer", identity.ShortID(p),
		"room", room.String()[:8], "refused", refused, "burst", syncSessionBurst, "every", syncSessionEvery)
}
