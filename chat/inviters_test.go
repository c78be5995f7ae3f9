package chat

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/invite"
	"parley/p2p"
	"parley/roomkey"
)

// testClock is a wall clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openWith starts a service on 127.0.0.1 with no discovery and the given
// options, closed at the end of the test (closing it earlier is fine).
func openWith(t *testing.T, opts Options) *Service {
	t.Helper()
	opts.Network, opts.ListenAddrs = p2p.ModeOff, loopback
	s, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// deadInviterLink is an invite link to a fresh room whose inviter never
// answers: nobody listens at its one (loopback) address.
func deadInviterLink(t *testing.T) (link string, inviter peer.ID) {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if inviter, err = peer.IDFromPublicKey(pub); err != nil {
		t.Fatal(err)
	}
	keys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	addr := multiaddr.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freeTCPPort(t)))
	link, err = invite.Encode(invite.Link{Room: keys, Name: "Ghost town", Inviter: inviter, Addrs: []multiaddr.Multiaddr{addr}})
	if err != nil {
		t.Fatal(err)
	}
	return link, inviter
}

// triedAtLinkAddrs says whether s still redials the inviter at the link's
// addresses.
func triedAtLinkAddrs(t *testing.T, s *Service, inviter peer.ID) bool {
	t.Helper()
	return s.node.Why(inviter) == p2p.WhyKept && len(s.node.PeerAddrs(t.Context(), inviter)) > 0
}

// An inviter whose link addresses never answer is redialled for a day,
// across a restart, and then forgotten with those addresses, also after
// the next restart.
func TestInviterFromLinkForgottenAfterADay(t *testing.T) {
	clock := &testClock{now: time.Now()}
	dir := t.TempDir()
	opts := Options{DataDir: dir, Now: clock.Now}
	b := openWith(t, opts)
	link, inviter := deadInviterLink(t)
	if _, err := b.JoinRoom(link, ""); err != nil {
		t.Fatal(err)
	}
	if !triedAtLinkAddrs(t, b, inviter) {
		t.Fatal("the inviter is not redialled at the link's address after the join")
	}

	clock.add(23 * time.Hour)
	b.expireInviters()
	if !triedAtLinkAddrs(t, b, inviter) {
		t.Fatal("the inviter was given up before its day was over")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openWith(t, opts)
	if !triedAtLinkAddrs(t, b, inviter) {
		t.Fatal("after a restart within the day, the inviter is not redialled")
	}

	clock.add(2 * time.Hour)
	b.expireInviters()
	if b.node.Why(inviter) == p2p.WhyKept {
		t.Error("a day on, the inviter is still kept")
	}
	if addrs := b.node.PeerAddrs(t.Context(), inviter); len(addrs) != 0 {
		t.Errorf("a day on, the link's addresses are still known: %v", addrs)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openWith(t, opts)
	if b.node.Why(inviter) == p2p.WhyKept || len(b.node.PeerAddrs(t.Context(), inviter)) != 0 {
		t.Error("after the next restart, the forgotten inviter is redialled again")
	}
	if rooms := b.Rooms(); len(rooms) != 1 || rooms[0].Name != "Ghost town" {
		t.Errorf("the room itself should stay joined: %+v", rooms)
	}
}

// The service gives up on an inviter on its own, once the (here shortened)
// time is over.
func TestInviterLoopGivesUp(t *testing.T) {
	b := openWith(t, Options{DataDir: t.TempDir(), inviterKeep: time.Second})
	link, inviter := deadInviterLink(t)
	if _, err := b.JoinRoom(link, ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the inviter that never answered was forgotten", func() bool {
		return b.node.Why(inviter) != p2p.WhyKept && len(b.node.PeerAddrs(t.Context(), inviter)) == 0
	})
}

// An inviter reached, and remembered like any member who sent us
// something, is no longer the link's: its day passing changes nothing.
func TestInviterReachedIsRemembered(t *testing.T) {
	clock := &testClock{now: time.Now()}
	a := newNode(t, t.TempDir())
	b := openWith(t, Options{DataDir: t.TempDir(), Now: clock.Now})
	room, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(t.Context(), room.ID, "welcome"); err != nil {
		t.Fatal(err)
	}
	link, err := a.Invite(t.Context(), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.JoinRoom(link, ""); err != nil {
		t.Fatal(err)
	}
	inviter := a.id.ID
	eventually(t, 30*time.Second, "the inviter was remembered as a member", func() bool {
		return b.lastSeen()[inviter] > 0
	})
	clock.add(25 * time.Hour)
	b.expireInviters()
	if inviters, err := b.store.LinkInviters(); err != nil || len(inviters) != 0 {
		t.Errorf("a reached inviter is still waited for: %+v, %v", inviters, err)
	}
	if b.node.Connectedness(inviter) != network.Connected || len(b.node.PeerAddrs(t.Context(), inviter)) == 0 {
		t.Error("a reached inviter was dropped when the link's day was over")
	}
}
