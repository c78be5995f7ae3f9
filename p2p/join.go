package p2p

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"

	"parley/lru"
)

// joinProtocol carries a private room's join request: a newcomer holding
// the room's link asks a member to let it in (docs/SECURITY.md). The
// request and the answer are single length-prefixed messages.
const joinProtocol = "/parley/join/1"

// Bounds of the join protocol. A request is a few hundred bytes; an
// answer carries the room's whole log. A peer asks at most joinBurst
// times a joinWindow, and at most joinServing requests are served at once
// in all: strangers use it, so its cost is kept small.
const (
	MaxJoinRequest = 1 << 10
	MaxJoinAnswer  = 8 << 20
	joinDeadline   = 30 * time.Second
	joinServing    = 4
	joinBurst      = 10
	joinWindow     = time.Minute
)

// ErrNoAnswer: the member asked to let us in did not answer (it knows no
// such room, or the request did not hold).
var ErrNoAnswer = errors.New("the peer did not answer the join request")

// JoinHandler answers a join request from a peer: the encoded answer, or
// nil to say nothing (the stream is reset). It runs on the stream's
// goroutine.
type JoinHandler func(from peer.ID, request []byte) []byte

// joinServer serves the join protocol within its bounds.
type joinServer struct {
	handle JoinHandler
	slots  chan struct{}
	mu     sync.Mutex
	asked  *lru.Map[peer.ID, []time.Time] // when each peer asked, in the window
}

func newJoinServer(handle JoinHandler) *joinServer {
	return &joinServer{
		handle: handle,
		slots:  make(chan struct{}, joinServing),
		asked:  lru.New[peer.ID, []time.Time](maxTrackedPeers, nil),
	}
}

// allow counts a request of p and reports whether it is within its rate.
func (js *joinServer) allow(p peer.ID, now time.Time) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	times, _ := js.asked.Get(p)
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < joinWindow {
			kept = append(kept, t)
		}
	}
	if len(kept) >= joinBurst {
		js.asked.Add(p, kept, nil)
		return false
	}
	js.asked.Add(p, append(kept, now), nil)
	return true
}

func (js *joinServer) serve(s network.Stream) {
	from := s.Conn().RemotePeer()
	if !js.allow(from, time.Now()) {
		s.Reset()
		return
	}
	select {
	case js.slots <- struct{}{}:
		defer func() { <-js.slots }()
	default:
		s.Reset()
		return
	}
	_ = s.SetDeadline(time.Now().Add(joinDeadline))
	req, err := msgio.NewVarintReaderSize(s, MaxJoinRequest).ReadMsg()
	if err != nil {
		s.Reset()
		return
	}
	answer := js.handle(from, req)
	if answer == nil || len(answer) > MaxJoinAnswer {
		s.Reset()
		return
	}
	if err := msgio.NewVarintWriter(s).WriteMsg(answer); err != nil {
		s.Reset()
		return
	}
	s.Close()
}

// AskToJoin sends a join request to a peer and returns its answer.
func (n *Node) AskToJoin(ctx context.Context, p peer.ID, request []byte) ([]byte, error) {
	if len(request) > MaxJoinRequest {
		return nil, fmt.Errorf("ask to join: request of %d bytes", len(request))
	}
	ctx, cancel := context.WithTimeout(ctx, joinDeadline)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "join"), p, joinProtocol)
	if err != nil {
		return nil, fmt.Errorf("ask to join: open stream: %w", err)
	}
	defer s.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(deadline)
	}
	if err := msgio.NewVarintWriter(s).WriteMsg(request); err != nil {
		s.Reset()
		return nil, fmt.Errorf("ask to join: send: %w", err)
	}
	answer, err := msgio.NewVarintReaderSize(s, MaxJoinAnswer).ReadMsg()
	if err != nil {
		s.Reset()
		return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return answer, nil
}
