package p2p

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-msgio"

	"parley/lru"
)

// Two protocols of private rooms are one question and one answer, each a
// single length-prefixed message (docs/SECURITY.md):
//
//   - /parley/join/1: a newcomer holding a private room's link asks a
//     member to let it in; the answer is the room's log, or a refusal.
//   - /parley/dm/1: the starter of a direct conversation offers it to the
//     other person when they meet; the answer is an empty acknowledgement.
//   - /parley/removal/1: a member tells someone removed from a private
//     room of its removal (the event, sealed as the log has it), since the
//     room no longer carries anything to it; acknowledged likewise.
const (
	joinProtocol    = "/parley/join/1"
	directProtocol  = "/parley/dm/1"
	removalProtocol = "/parley/removal/1"
)

// Bounds of the two protocols. A join request is a few hundred bytes and
// its answer carries the room's whole log; a direct offer carries a
// conversation's first events. Strangers use them, so a peer asks at most
// askBurst times an askWindow, and at most askServing questions are
// served at once in all.
const (
	MaxJoinRequest = 1 << 10
	MaxJoinAnswer  = 8 << 20
	MaxDirectOffer = 256 << 10
	askDeadline    = 30 * time.Second
	askServing     = 4
	askBurst       = 10
	askWindow      = time.Minute
)

// ErrNoAnswer: the peer asked did not answer (it knows no such room, or
// the question did not hold).
var ErrNoAnswer = errors.New("the peer did not answer")

// Answerer answers a question from a peer: the encoded answer, or nil to
// say nothing (the stream is reset). It runs on the stream's goroutine.
type Answerer func(from peer.ID, question []byte) []byte

// askServer serves one question-and-answer protocol within its bounds.
type askServer struct {
	answer      Answerer
	maxQuestion int
	maxAnswer   int
	slots       chan struct{}
	mu          sync.Mutex
	asked       *lru.Map[peer.ID, []time.Time] // when each peer asked, in the window
}

func newAskServer(answer Answerer, maxQuestion, maxAnswer int) *askServer {
	return &askServer{
		answer: answer, maxQuestion: maxQuestion, maxAnswer: maxAnswer,
		slots: make(chan struct{}, askServing),
		asked: lru.New[peer.ID, []time.Time](maxTrackedPeers, nil),
	}
}

// allow counts a question of p and reports whether it is within its rate.
func (as *askServer) allow(p peer.ID, now time.Time) bool {
	as.mu.Lock()
	defer as.mu.Unlock()
	times, _ := as.asked.Get(p)
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < askWindow {
			kept = append(kept, t)
		}
	}
	if len(kept) >= askBurst {
		as.asked.Add(p, kept, nil)
		return false
	}
	as.asked.Add(p, append(kept, now), nil)
	return true
}

func (as *askServer) serve(s network.Stream) {
	from := s.Conn().RemotePeer()
	if !as.allow(from, time.Now()) {
		s.Reset()
		return
	}
	select {
	case as.slots <- struct{}{}:
		defer func() { <-as.slots }()
	default:
		s.Reset()
		return
	}
	_ = s.SetDeadline(time.Now().Add(askDeadline))
	question, err := msgio.NewVarintReaderSize(s, as.maxQuestion).ReadMsg()
	if err != nil {
		s.Reset()
		return
	}
	answer := as.answer(from, question)
	if answer == nil || len(answer) > as.maxAnswer {
		s.Reset()
		return
	}
	if err := msgio.NewVarintWriter(s).WriteMsg(answer); err != nil {
		s.Reset()
		return
	}
	s.Close()
}

// ask sends a question over proto and returns the answer.
func (n *Node) ask(ctx context.Context, p peer.ID, proto protocol.ID, question []byte, maxAnswer int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, askDeadline)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, string(proto)), p, proto)
	if err != nil {
		return nil, fmt.Errorf("open stream: %w", err)
	}
	defer s.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(deadline)
	}
	if err := msgio.NewVarintWriter(s).WriteMsg(question); err != nil {
		s.Reset()
		return nil, fmt.Errorf("send: %w", err)
	}
	answer, err := msgio.NewVarintReaderSize(s, maxAnswer).ReadMsg()
	if err != nil {
		s.Reset()
		return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return answer, nil
}

// AskToJoin sends a join request to a peer and returns its answer.
func (n *Node) AskToJoin(ctx context.Context, p peer.ID, request []byte) ([]byte, error) {
	if len(request) > MaxJoinRequest {
		return nil, fmt.Errorf("ask to join: request of %d bytes", len(request))
	}
	answer, err := n.ask(ctx, p, joinProtocol, request, MaxJoinAnswer)
	if err != nil {
		return nil, fmt.Errorf("ask to join: %w", err)
	}
	return answer, nil
}

// OfferDirect sends a direct conversation's offer to the other person and
// waits for its acknowledgement.
func (n *Node) OfferDirect(ctx context.Context, p peer.ID, offer []byte) error {
	if len(offer) > MaxDirectOffer {
		return fmt.Errorf("offer direct conversation: offer of %d bytes", len(offer))
	}
	if _, err := n.ask(ctx, p, directProtocol, offer, 1); err != nil {
		return fmt.Errorf("offer direct conversation: %w", err)
	}
	return nil
}

// TellRemoval sends someone removed from a private room the event that
// removed it.
func (n *Node) TellRemoval(ctx context.Context, p peer.ID, envelope []byte) error {
	if _, err := n.ask(ctx, p, removalProtocol, envelope, 1); err != nil {
		return fmt.Errorf("tell of a removal: %w", err)
	}
	return nil
}
