package p2p

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

// A flood of new peer IDs, more than the node tracks, pushes out the peers
// not connected, the one heard longest ago first, and never a connected
// one: a member keeps its membership, a peer found on this network stays
// nearby, a peer the user named may still be dialled at any address.
func TestPerPeerTablesKeepConnectedPeers(t *testing.T) {
	n := newTestNode(t, ModeOff)
	r, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	n.trust.join(r)
	proving := func(p peer.ID) *wire.PeerHello {
		return &wire.PeerHello{Proofs: []wire.HelloProof{wire.HelloProof(r.Proof(p, n.ID()))}}
	}
	tables := []struct {
		name string
		add  func(peer.ID)
		has  func(peer.ID) bool
		len  func() int
	}{
		{
			name: "members",
			add:  func(p peer.ID) { n.trust.heard(p, proving(p), n.isConnected) },
			has:  func(p peer.ID) bool { return n.trust.isMember(p, r.ID) },
			len: func() int {
				n.trust.mu.Lock()
				defer n.trust.mu.Unlock()
				return max(n.trust.hellos.Len(), len(n.trust.members))
			},
		},
		{
			name: "lan",
			add:  func(p peer.ID) { n.trust.markLAN(p, n.isConnected) },
			has:  n.trust.foundOnLAN,
			len: func() int {
				n.trust.mu.Lock()
				defer n.trust.mu.Unlock()
				return n.trust.lan.Len()
			},
		},
		{
			name: "explicit",
			add:  n.gate.markExplicit,
			has:  n.gate.trusted,
			len: func() int {
				n.gate.mu.Lock()
				defer n.gate.mu.Unlock()
				return n.gate.explicit.Len()
			},
		},
	}
	for _, tt := range tables {
		t.Run(tt.name, func(t *testing.T) {
			h := rawHost(t)
			connect(t, n, h)
			tt.add(h.ID())
			first := randomPeer(t)
			tt.add(first)
			var last peer.ID
			for range maxTrackedPeers + 200 {
				last = randomPeer(t)
				tt.add(last)
			}
			if got := tt.len(); got > maxTrackedPeers {
				t.Errorf("%d peers kept, want at most %d", got, maxTrackedPeers)
			}
			if !n.isConnected(h.ID()) {
				t.Fatal("the connected peer lost its connection meanwhile")
			}
			if !tt.has(h.ID()) {
				t.Error("the connected peer was pushed out")
			}
			if tt.has(first) {
				t.Error("the peer heard longest ago, not connected, is still kept")
			}
			if !tt.has(last) {
				t.Error("the peer heard last is not kept")
			}
		})
	}
}
