package p2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	pbv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/pb"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/util"
	"golang.org/x/time/rate"

	"parley/identity"
)

// A helper's relay: circuits without limits for members, limited ones for
// everyone else.
//
// go-libp2p's circuit relay v2 (v0.51.0) has one limit for all its
// circuits (Resources.Limit: nil is none), chosen when the relay is made,
// and an ACL that can only allow or refuse. So the helper runs two relays
// on its one host, behind one handler of the hop protocol that reads each
// request first and hands it on:
//
//   - CONNECT (open a circuit from src to dest): to the relay without
//     limits when both src and dest proved membership of a room the helper
//     has joined (waiting up to relayHelloWait for each one's hello on its
//     connection), else to the limited relay (go-libp2p's default: 2
//     minutes and 128 KiB each way, then the circuit is reset), which is
//     enough for a hole punch, a hello and a small sync. Both ends of a
//     limited circuit are told its limit, so GossipSub does not use it.
//     Requiring both ends, not either, keeps a stranger from getting an
//     unlimited circuit to a member just by naming one.
//   - RESERVE (a slot to be reached through): to both relays, since a
//     CONNECT needs dest's reservation in the relay that serves it; the
//     relay without limits books it silently, the limited one answers.
//     Both have the same reservation bounds and see the same requests, so
//     they agree.
//
// A circuit without limits is still capped: each direction at
// relayCircuitRate bytes a second (the relay's streams are wrapped), at
// most relayFreeCircuits per peer, within the resource manager's relay
// scope (resourceManager). A peer can hold circuits in both relays at once
// (relayFreeCircuits plus relayLimitedCircuits).
//
// The membership is what the helper knows: a helper that joined no room
// (one run only to help others connect) relays every circuit limited, so
// members behind NATs that defeat hole punching can chat through a helper
// only if the helper joined their room.

// Relay bounds.
const (
	relayReservations      = 512
	relayReservationsPerIP = 64 // a whole office behind one NAT address
	relayReservationsASN   = 256
	relayFreeCircuits      = 64 // per peer, without limits
	relayLimitedCircuits   = 16 // per peer, limited (go-libp2p's default)
	// relayCircuitRate caps each direction of a circuit without limits, in
	// bytes a second; relayCircuitBurst is what may pass at once.
	relayCircuitRate  = 1 << 20
	relayCircuitBurst = 256 << 10
	// relayHelloWait bounds how long a CONNECT waits for the hellos of its
	// two ends: a peer that dials the helper to open a circuit sends its
	// hello at the same time.
	relayHelloWait = 5 * time.Second
	// relayReadTimeout bounds the wait for a hop request.
	relayReadTimeout = time.Minute
	// relayMaxRequest is the largest hop request read (go-libp2p's own bound).
	relayMaxRequest = 4096
)

// relayResources are one relay's bounds. The reservation bounds must be the
// same for both relays.
func relayResources(limit *relayv2.RelayLimit, circuits int) relayv2.Resources {
	r := relayv2.DefaultResources()
	r.Limit = limit
	r.MaxReservations = relayReservations
	r.MaxCircuits = circuits
	r.MaxReservationsPerIP = relayReservationsPerIP
	r.MaxReservationsPerASN = relayReservationsASN
	return r
}

// relayPolicy says which circuits go without limits.
type relayPolicy interface {
	// unlimited reports whether a circuit from src to dest may go without
	// limits; it may wait, within ctx, to learn about them.
	unlimited(ctx context.Context, src, dest peer.ID) bool
}

// helperRelay is the hop protocol's handler on a helper, in front of two
// go-libp2p relays.
type helperRelay struct {
	host    host.Host
	policy  relayPolicy
	log     *slog.Logger
	ctx     context.Context // ends when the relay closes
	rate    rate.Limit
	burst   int
	free    *relayv2.Relay
	limited *relayv2.Relay
	// The relays' own stream handlers, captured (see relayHost).
	freeHandler, limitedHandler network.StreamHandler
}

// newHelperRelay starts the two relays on h and serves the hop protocol
// until ctx ends (then Close).
func newHelperRelay(ctx context.Context, h host.Host, policy relayPolicy, log *slog.Logger, bytesPerSec int, burst int) (*helperRelay, error) {
	r := &helperRelay{host: h, policy: policy, log: log, ctx: ctx, rate: rate.Limit(bytesPerSec), burst: burst}
	freeHost := &relayHost{Host: h, wrap: r.throttle}
	limitedHost := &relayHost{Host: h}
	var err error
	r.free, err = relayv2.New(freeHost, relayv2.WithResources(relayResources(nil, relayFreeCircuits)))
	if err != nil {
		return nil, fmt.Errorf("start relay: %w", err)
	}
	r.limited, err = relayv2.New(limitedHost, relayv2.WithResources(relayResources(relayv2.DefaultLimit(), relayLimitedCircuits)))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start relay: %w", err), r.free.Close())
	}
	r.freeHandler, r.limitedHandler = freeHost.handler, limitedHost.handler
	if r.freeHandler == nil || r.limitedHandler == nil {
		return nil, errors.Join(errors.New("start relay: the relay registered no hop handler"), r.free.Close(), r.limited.Close())
	}
	h.SetStreamHandler(proto.ProtoIDv2Hop, r.handle)
	return r, nil
}

// Close stops serving the hop protocol and closes both relays.
func (r *helperRelay) Close() error {
	r.host.RemoveStreamHandler(proto.ProtoIDv2Hop)
	return errors.Join(r.free.Close(), r.limited.Close())
}

// handle reads a hop request and hands the stream, with the request put
// back in front, to the relay that is to serve it.
func (r *helperRelay) handle(s network.Stream) {
	// Accounted to the relay service from here on; the relays' own
	// attempt to do so again is let through (relayScope).
	if err := s.Scope().SetService(relayv2.ServiceName); err != nil {
		r.log.Debug("relay stream refused", "peer", identity.ShortID(s.Conn().RemotePeer()), "err", err)
		_ = s.Reset()
		return
	}
	var read bytes.Buffer
	_ = s.SetReadDeadline(time.Now().Add(relayReadTimeout))
	rd := util.NewDelimitedReader(io.TeeReader(s, &read), relayMaxRequest)
	var msg pbv2.HopMessage
	err := rd.ReadMsg(&msg)
	rd.Close()
	_ = s.SetReadDeadline(time.Time{})
	if err != nil {
		// The limited relay reads it again and answers as it should.
		r.limitedHandler(&replayStream{Stream: s, head: read.Bytes()})
		return
	}
	switch msg.GetType() {
	case pbv2.HopMessage_RESERVE:
		r.freeHandler(&silentStream{Stream: s, head: bytes.NewReader(read.Bytes())})
		r.limitedHandler(&replayStream{Stream: s, head: read.Bytes()})
	case pbv2.HopMessage_CONNECT:
		src := s.Conn().RemotePeer()
		dest, err := util.PeerToPeerInfoV2(msg.GetPeer())
		if err == nil && r.policy.unlimited(r.ctx, src, dest.ID) {
			r.log.Debug("relaying without limits", "src", identity.ShortID(src), "dest", identity.ShortID(dest.ID))
			r.freeHandler(r.throttle(&replayStream{Stream: s, head: read.Bytes()}))
			return
		}
		r.limitedHandler(&replayStream{Stream: s, head: read.Bytes()})
	default:
		r.limitedHandler(&replayStream{Stream: s, head: read.Bytes()})
	}
}

// throttle caps the rate at which the relay reads from a stream, so each
// direction of a circuit without limits carries at most r.rate bytes a
// second.
func (r *helperRelay) throttle(s network.Stream) network.Stream {
	return &throttledStream{Stream: s, lim: rate.NewLimiter(r.rate, r.burst), ctx: r.ctx}
}

// relayHost is the host as one relay sees it: the relay's hop handler is
// kept aside (helperRelay calls it) instead of being registered, and the
// streams the relay opens to circuits' destinations can be wrapped.
type relayHost struct {
	host.Host
	wrap    func(network.Stream) network.Stream
	handler network.StreamHandler
}

func (h *relayHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	if pid == proto.ProtoIDv2Hop {
		h.handler = handler
		return
	}
	h.Host.SetStreamHandler(pid, handler)
}

func (h *relayHost) RemoveStreamHandler(pid protocol.ID) {
	if pid == proto.ProtoIDv2Hop {
		return // helperRelay.Close removes its own
	}
	h.Host.RemoveStreamHandler(pid)
}

func (h *relayHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := h.Host.NewStream(ctx, p, pids...)
	if err != nil || h.wrap == nil {
		return s, err
	}
	return h.wrap(s), nil
}

// replayStream gives back the bytes already read from a stream before the
// rest of it.
type replayStream struct {
	network.Stream
	head []byte
}

func (s *replayStream) Scope() network.StreamScope { return relayScope{s.Stream.Scope()} }

func (s *replayStream) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	return s.Stream.Read(p)
}

// silentStream lets a relay read a request and act on it without reaching
// the peer: it ends after the request, and whatever the relay writes,
// closes or resets goes nowhere.
type silentStream struct {
	network.Stream
	head *bytes.Reader
}

func (s *silentStream) Scope() network.StreamScope                   { return relayScope{s.Stream.Scope()} }
func (s *silentStream) Read(p []byte) (int, error)                   { return s.head.Read(p) }
func (s *silentStream) Write(p []byte) (int, error)                  { return len(p), nil }
func (s *silentStream) Close() error                                 { return nil }
func (s *silentStream) CloseRead() error                             { return nil }
func (s *silentStream) CloseWrite() error                            { return nil }
func (s *silentStream) Reset() error                                 { return nil }
func (s *silentStream) ResetWithError(network.StreamErrorCode) error { return nil }
func (s *silentStream) SetDeadline(time.Time) error                  { return nil }
func (s *silentStream) SetReadDeadline(time.Time) error              { return nil }
func (s *silentStream) SetWriteDeadline(time.Time) error             { return nil }

// relayScope is the scope of a hop stream the handler attached to the relay
// service already.
type relayScope struct{ network.StreamScope }

func (relayScope) SetService(string) error { return nil }

// throttledStream reads at most lim's rate.
type throttledStream struct {
	network.Stream
	lim *rate.Limiter
	ctx context.Context
}

func (s *throttledStream) Read(p []byte) (int, error) {
	if len(p) > s.lim.Burst() {
		p = p[:s.lim.Burst()]
	}
	n, err := s.Stream.Read(p)
	if n > 0 {
		if werr := s.lim.WaitN(s.ctx, n); werr != nil && err == nil {
			err = werr // the relay is closing
		}
	}
	return n, err
}

// memberRelay is the policy of a helper node: without limits only between
// two peers that each proved membership of a room the helper has joined.
type memberRelay struct{ trust *trust }

func (m memberRelay) unlimited(ctx context.Context, src, dest peer.ID) bool {
	ctx, cancel := context.WithTimeout(ctx, relayHelloWait)
	defer cancel()
	return m.member(ctx, src) && m.member(ctx, dest)
}

// member reports whether a peer proved membership of a joined room. It
// waits for the peer's hello (until ctx ends), then a moment more for a
// proof to count: a helper that just started may not have joined its rooms
// yet (a proof heard before counts once it has).
func (m memberRelay) member(ctx context.Context, p peer.ID) bool {
	t := m.trust
	var grace <-chan time.Time
	for {
		news := t.news()
		if len(t.memberRooms(p)) > 0 {
			return true
		}
		if grace == nil && t.heardFrom(p) {
			timer := time.NewTimer(relayJoinGrace)
			defer timer.Stop()
			grace = timer.C
		}
		select {
		case <-news:
		case <-grace:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// relayJoinGrace is how long a peer whose hello proved nothing may still
// become a member before its circuit is limited.
const relayJoinGrace = time.Second

// startRelay runs a helper's relay until the node closes.
func (n *Node) startRelay() error {
	r, err := newHelperRelay(n.ctx, n.host, memberRelay{n.trust}, n.log, relayCircuitRate, relayCircuitBurst)
	if err != nil {
		return err
	}
	n.relay = r
	n.run.Go(func() {
		<-n.ctx.Done()
		if err := r.Close(); err != nil {
			n.log.Warn("close relay failed", "err", err)
		}
	})
	return nil
}
