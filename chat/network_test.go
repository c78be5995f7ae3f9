package chat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// loopback keeps test nodes on 127.0.0.1: TCP and QUIC, system-picked ports.
var loopback = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

// openNode starts a service on dir with no discovery; the caller closes it.
func openNode(t *testing.T, dir string) *Service {
	t.Helper()
	s, err := Open(t.Context(), Options{DataDir: dir, Network: "off", ListenAddrs: loopback})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s.node.MDNSStarted() {
		t.Fatal("mDNS started in off mode") // network rule: never outside a test namespace
	}
	return s
}

// newNode is openNode closed at the end of the test.
func newNode(t *testing.T, dir string) *Service {
	t.Helper()
	s := openNode(t, dir)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// connectedNodes starts n nodes and connects each to every other.
func connectedNodes(t *testing.T, n int) []*Service {
	t.Helper()
	nodes := make([]*Service, n)
	for i := range nodes {
		nodes[i] = newNode(t, t.TempDir())
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			if err := a.Connect(t.Context(), b.Me().Addrs[0]); err != nil {
				t.Fatalf("connect: %v", err)
			}
		}
	}
	return nodes
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// joinAll has every node join room and waits until each sees all others in it.
func joinAll(t *testing.T, nodes []*Service, room Room) {
	t.Helper()
	for _, s := range nodes[1:] {
		joinFrom(t, nodes[0], s, room.ID, room.Name)
	}
	for i, s := range nodes {
		online := func() bool {
			members, err := s.Members(room.ID)
			if err != nil {
				return false
			}
			n := 0
			for _, m := range members {
				if m.Online {
					n++
				}
			}
			return n == len(nodes)
		}
		deadline := time.Now().Add(20 * time.Second)
		for !online() {
			if time.Now().After(deadline) {
				t.Fatalf("after 20s: node %d sees every member online; it sees %s", i, memberState(s, room.ID))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// memberState says, for a failure message, how a node sees a room's
// members and why it is connected to each peer it is connected to.
func memberState(s *Service, room string) string {
	members, err := s.Members(room)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, m := range members {
		p, _ := peer.Decode(m.PeerID)
		out = append(out, fmt.Sprintf("%s online=%v connected=%v why=%q", m.ShortID, m.Online, s.node.Connectedness(p), s.node.Why(p)))
	}
	return strings.Join(out, "; ")
}

func fullHistory(t *testing.T, s *Service, room string) []Message {
	t.Helper()
	var all []Message
	before := ""
	for {
		page, err := s.History(room, before, MaxHistoryPage)
		if err != nil {
			t.Fatal(err)
		}
		all = append(page, all...)
		if len(page) < MaxHistoryPage {
			return all
		}
		before = page[0].ID
	}
}

func ids(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func equal(a, b []string) bool { return slices.Equal(a, b) }

func TestFiveNodesConvergeOnTheSameHistory(t *testing.T) {
	const nodes = 5
	each := 200
	if testing.Short() { // half the messages, the same race of five senders
		each = 100
	}
	net := connectedNodes(t, nodes)
	room, err := net[0].CreateRoom("busy")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, net, room)

	errs := make(chan error, nodes)
	for i, s := range net {
		go func() {
			for j := range each {
				if _, err := s.Send(t.Context(), room.ID, fmt.Sprintf("node %d message %d", i, j)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatalf("Send: %v", err)
		}
	}

	for i, s := range net {
		eventually(t, 60*time.Second, fmt.Sprintf("node %d holds all %d messages", i, nodes*each), func() bool {
			n, err := s.store.Count(mustRoom(t, room.ID))
			return err == nil && n >= nodes*each
		})
	}
	want := ids(fullHistory(t, net[0], room.ID))
	if len(want) != nodes*each {
		t.Fatalf("node 0 holds %d messages, want %d", len(want), nodes*each)
	}
	seen := map[string]bool{}
	for _, id := range want {
		if seen[id] {
			t.Fatalf("message %s stored twice", id)
		}
		seen[id] = true
	}
	for i, s := range net[1:] {
		if got := ids(fullHistory(t, s, room.ID)); !equal(got, want) {
			t.Errorf("node %d history differs from node 0 (%d vs %d messages)", i+1, len(got), len(want))
		}
	}
}

func TestMessagesAndNamesReachThePeer(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	events, stop := b.Subscribe()
	defer stop()
	if _, err := a.SetName(t.Context(), "Ada"); err != nil {
		t.Fatal(err)
	}
	room, _ := a.CreateRoom("hello")
	joinAll(t, net, room)
	sent, err := a.Send(t.Context(), room.ID, "hi Bob")
	if err != nil {
		t.Fatal(err)
	}

	deadline := time.After(20 * time.Second)
	var got Message
	for got.ID != sent.ID {
		select {
		case e := <-events:
			if m, ok := e.Data.(Message); ok && e.Name == EventMessage {
				got = m
			}
		case <-deadline:
			t.Fatal("no message event on the receiving node")
		}
	}
	if got.Text != "hi Bob" || got.Mine || got.Author != a.Me().PeerID {
		t.Errorf("received %+v", got)
	}
	eventually(t, 20*time.Second, "B learns A's name", func() bool {
		members, _ := b.Members(room.ID)
		for _, m := range members {
			if m.PeerID == a.Me().PeerID {
				return m.Name == "Ada" && m.Online
			}
		}
		return false
	})
}

func TestMessagesWrittenAloneGoOutWhenAPeerJoins(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	events, stop := a.Subscribe()
	defer stop()
	room, _ := a.CreateRoom("early bird")
	sent, err := a.Send(t.Context(), room.ID, "anyone here?")
	if err != nil {
		t.Fatal(err)
	}
	if sent.State != StateStored {
		t.Fatalf("state with nobody in the room = %q, want %q", sent.State, StateStored)
	}
	joinFrom(t, a, b, room.ID, "early bird")
	eventually(t, 20*time.Second, "B receives the message written before it joined", func() bool {
		h, _ := b.History(room.ID, "", 10)
		return len(h) == 1 && h[0].ID == sent.ID
	})
	deadline := time.After(10 * time.Second)
	for delivered := false; !delivered; {
		select {
		case e := <-events:
			d, ok := e.Data.(Delivered)
			delivered = ok && e.Name == EventDelivered && d.ID == sent.ID
		case <-deadline:
			t.Fatal("no delivered event for the stored message")
		}
	}
	again, err := a.Send(t.Context(), room.ID, "there you are")
	if err != nil || again.State != StateSent {
		t.Errorf("state with a peer in the room = %q (%v), want %q", again.State, err, StateSent)
	}
}

func TestUnreadCountsAndMarkRead(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("news")
	joinAll(t, net, room)
	var last Message
	for i := range 3 {
		m, err := a.Send(t.Context(), room.ID, fmt.Sprint("item ", i))
		if err != nil {
			t.Fatal(err)
		}
		last = m
	}
	unread := func() int {
		for _, r := range b.Rooms() {
			if r.ID == room.ID {
				return r.Unread
			}
		}
		return -1
	}
	eventually(t, 20*time.Second, "B counts 3 unread", func() bool { return unread() == 3 })
	if err := b.MarkRead(room.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	if n := unread(); n != 0 {
		t.Errorf("unread after MarkRead = %d", n)
	}
	h, _ := b.History(room.ID, "", 1)
	after, err := b.HistoryAfter(room.ID, h[0].ID, 10)
	if err != nil || len(after) != 0 {
		t.Errorf("HistoryAfter the newest = %v, %v", after, err)
	}
	first, _ := b.History(room.ID, "", 3)
	rest, _ := b.HistoryAfter(room.ID, first[0].ID, 10)
	if len(rest) != 2 || rest[1].ID != last.ID {
		t.Errorf("HistoryAfter the oldest = %d messages", len(rest))
	}
}
