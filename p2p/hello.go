package p2p

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"

	"parley/identity"
	"parley/wire"
)

// helloProtocol carries a node's signed profile and its public rooms straight
// to a peer when they connect, and again when either changes. Gossip alone
// loses what a peer sends while the other side is still joining the topic.
const helloProtocol = "/parley/hello/1"

const helloTimeout = 10 * time.Second

// Hellos go out from a few workers at once, so one peer that is slow to
// answer holds up no other; a failed hello is tried again while the peer
// stays connected.
const (
	helloWorkers    = 8
	helloTries      = 4
	helloRetryAfter = time.Second // before the second try; doubles each time
)

// helloLoop starts the hello workers; each sends the hellos queued in
// n.hellos, one after the other.
func (n *Node) helloLoop() {
	defer n.wg.Done()
	var workers sync.WaitGroup
	for range helloWorkers {
		workers.Go(n.helloWorker)
	}
	workers.Wait()
}

func (n *Node) helloWorker() { n.hellos.Serve(n.ctx, nil, n.helloWithRetries) }

// helloWithRetries sends a hello until it goes through, the peer leaves,
// or the tries run out.
func (n *Node) helloWithRetries(p peer.ID) {
	wait := helloRetryAfter
	for try := 1; ; try++ {
		err := n.sendHello(p)
		if err == nil || n.ctx.Err() != nil {
			return
		}
		if try == helloTries || !n.isConnected(p) {
			n.log.Debug("hello failed", "peer", identity.ShortID(p), "tries", try, "err", err)
			return
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-n.ctx.Done():
			timer.Stop()
			return
		}
		wait *= 2
	}
}

// Hello queues a hello for a peer. It never blocks and never drops one: a
// peer queued twice before its turn gets one hello, with what is newest.
func (n *Node) Hello(p peer.ID) { n.hellos.Add(p) }

// HelloAll queues a hello for every connected peer.
func (n *Node) HelloAll() {
	for _, p := range n.ConnectedPeers() {
		n.Hello(p)
	}
}

func (n *Node) sendHello(p peer.ID) error {
	if n.opts.Hello == nil {
		return nil
	}
	hello := n.opts.Hello()
	ctx, cancel := context.WithTimeout(n.ctx, helloTimeout)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "hello"), p, helloProtocol)
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

func (n *Node) handleHello(s network.Stream) {
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	from := s.Conn().RemotePeer()
	r := msgio.NewVarintReaderSize(s, wire.MaxHelloSize)
	raw, err := r.ReadMsg()
	if err != nil {
		s.Reset()
		n.reject(from, wire.RoomID{}, fmt.Errorf("read hello: %w", err))
		return
	}
	h, err := wire.DecodeHello(raw, from, n.opts.Now())
	if err != nil {
		n.reject(from, wire.RoomID{}, err)
		return
	}
	n.noteHelloRooms(from, h.Rooms)
	if n.opts.OnHello != nil {
		n.opts.OnHello(from, h)
	}
}
