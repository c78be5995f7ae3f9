package p2p

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// gossipGateWait bounds how long a peer's GossipSub stream waits for the
// peer's hello before GossipSub reads it anyway.
const gossipGateWait = 5 * time.Second

// gossipHost is the host GossipSub is given: a GossipSub stream a peer
// opens reaches GossipSub only once the peer's hello was heard (or after
// gossipGateWait). The stream opens with the peer's subscriptions, which
// the trust policy counts only for rooms the peer proved; a subscription
// that overtook the proofs would be refused, and taking it back costs new
// streams both ways.
type gossipHost struct {
	host.Host
	ctx   context.Context // ends when the node closes
	trust *trust
}

// SetStreamHandler registers GossipSub's handler behind the gate.
func (g gossipHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	g.Host.SetStreamHandler(pid, func(s network.Stream) {
		g.awaitHello(s.Conn().RemotePeer(), gossipGateWait)
		handler(s)
	})
}

// awaitHello waits until a peer's hello was heard, at most d.
func (g gossipHost) awaitHello(p peer.ID, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		news := g.trust.news()
		if g.trust.heardFrom(p) {
			return
		}
		select {
		case <-news:
		case <-timer.C:
			return
		case <-g.ctx.Done():
			return
		}
	}
}
