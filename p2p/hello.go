package p2p

import (
	"context"
	"fmt"
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

const (
	helloTimeout = 10 * time.Second
	maxHelloSize = 256 << 10
)

// helloLoop sends hellos to the peers queued in n.helloQueue, one at a time.
// Peers queued twice before their turn get one hello.
func (n *Node) helloLoop() {
	defer n.wg.Done()
	for {
		select {
		case p := <-n.helloQueue:
			pending := map[peer.ID]bool{p: true}
		drain:
			for {
				select {
				case more := <-n.helloQueue:
					pending[more] = true
				default:
					break drain
				}
			}
			for p := range pending {
				if err := n.sendHello(p); err != nil && n.ctx.Err() == nil {
					n.log.Debug("hello failed", "peer", identity.ShortID(p), "err", err)
				}
			}
		case <-n.ctx.Done():
			return
		}
	}
}

// Hello queues a hello for a peer. It never blocks; with the queue
// full, a hello to everyone is on its way already.
func (n *Node) Hello(p peer.ID) {
	select {
	case n.helloQueue <- p:
	default:
	}
}

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
	s, err := n.host.NewStream(ctx, p, helloProtocol)
	if err != nil {
		return fmt.Errorf("open hello stream: %w", err)
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	if err := msgio.NewVarintWriter(s).WriteMsg(hello); err != nil {
		s.Reset()
		return fmt.Errorf("write hello: %w", err)
	}
	return nil
}

func (n *Node) handleHello(s network.Stream) {
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(helloTimeout))
	from := s.Conn().RemotePeer()
	r := msgio.NewVarintReaderSize(s, maxHelloSize)
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
	if n.opts.OnHello != nil {
		n.opts.OnHello(from, h)
	}
}
