package p2p

import (
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

func helperIDs(n *Node) []peer.ID {
	var out []peer.ID
	for _, h := range n.Helpers() {
		out = append(out, h.ID)
	}
	return out
}

// A removed helper is no longer listed, nor the reason a connection is
// there; the others keep their order, and removing it again is harmless.
func TestRemoveHelper(t *testing.T) {
	n := newTestNode(t, ModeOff)
	h1, h2, h3 := newTestNode(t, ModeOff), newTestNode(t, ModeOff), newTestNode(t, ModeOff)
	info := func(h *Node) peer.AddrInfo { return peer.AddrInfo{ID: h.ID(), Addrs: h.host.Addrs()} }
	n.AddHelpers(info(h1), info(h2), info(h3))
	if err := n.ConnectInfo(t.Context(), info(h2)); err != nil {
		t.Fatal(err)
	}
	if why := n.Why(h2.ID()); why != WhyHelper {
		t.Fatalf("a connected helper shows as %q", why)
	}
	n.RemoveHelper(h2.ID())
	n.RemoveHelper(h2.ID())
	if got, want := helperIDs(n), []peer.ID{h1.ID(), h3.ID()}; !slices.Equal(got, want) {
		t.Errorf("helpers after removing h2 = %v; want %v", got, want)
	}
	if why := n.Why(h2.ID()); why == WhyHelper {
		t.Error("a removed helper still shows as a helper")
	}
	n.AddHelpers(info(h2))
	if got, want := helperIDs(n), []peer.ID{h1.ID(), h3.ID(), h2.ID()}; !slices.Equal(got, want) {
		t.Errorf("helpers after adding h2 again = %v; want %v", got, want)
	}
}

// An inviter given up on is no longer kept, and the link's addresses for
// it go, unless it is connected.
func TestForgetInviter(t *testing.T) {
	n := newTestNode(t, ModeOff)
	gone, here := newTestNode(t, ModeOff), newTestNode(t, ModeOff)
	dead := []multiaddr.Multiaddr{multiaddr.StringCast("/ip4/127.0.0.1/tcp/9")}
	if err := gone.Close(); err != nil {
		t.Fatal(err)
	}
	n.Keep(gone.ID(), dead)
	n.Keep(here.ID(), here.host.Addrs())
	if err := n.ConnectInfo(t.Context(), peer.AddrInfo{ID: here.ID()}); err != nil {
		t.Fatal(err)
	}
	if n.Why(gone.ID()) != WhyKept {
		t.Fatal("the inviter is not kept to begin with")
	}
	n.ForgetInviter(gone.ID(), dead)
	n.ForgetInviter(here.ID(), here.host.Addrs())
	if n.Why(gone.ID()) == WhyKept || len(n.host.Peerstore().Addrs(gone.ID())) != 0 {
		t.Errorf("a forgotten inviter is still kept (%s) or dialled at %v", n.Why(gone.ID()), n.host.Peerstore().Addrs(gone.ID()))
	}
	if len(n.host.Peerstore().Addrs(here.ID())) == 0 {
		t.Error("a connected inviter lost its addresses")
	}
}
