package chat

import (
	"slices"
	"testing"
	"time"
)

// "Last seen" is when the peer left, not when it last wrote, and a restart
// keeps it.
func TestLastSeenIsWhenThePeerWasLastConnected(t *testing.T) {
	aDir := t.TempDir()
	a := openNode(t, aDir)
	b := openNode(t, t.TempDir())
	room, err := a.CreateRoom("seen")
	if err != nil {
		t.Fatal(err)
	}
	id := mustRoom(t, room.ID)
	joinFrom(t, a, b, room.ID, "")
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a has b in the room", func() bool { return slices.Contains(a.node.RoomPeers(id), b.id.ID) })
	sent, err := b.Send(t.Context(), room.ID, "I'll stay a little")
	if err != nil {
		t.Fatal(err)
	}
	// a remembers b for what it sent, at the time it sent it.
	eventually(t, 20*time.Second, "a remembers b", func() bool { return a.lastSeen()[b.id.ID] > 0 })
	// b stays connected a while after writing, so that the time of its
	// message and the time it left differ.
	const stay = 2 * time.Second
	eventually(t, 10*time.Second, "the clock moves past b's message", func() bool {
		return time.Now().UnixMilli() > sent.SentAt+stay.Milliseconds()
	})
	before := time.Now().UnixMilli()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	bOn := func(s *Service) Member {
		members, err := s.Members(room.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.PeerID == b.id.ID.String() {
				return m
			}
		}
		return Member{}
	}
	eventually(t, 20*time.Second, "a shows b offline, seen as it left", func() bool {
		m := bOn(a)
		return m.PeerID != "" && !m.Online && m.LastSeen >= before
	})
	after := time.Now().UnixMilli()
	if m := bOn(a); m.LastSeen > after {
		t.Fatalf("last seen %d, after the disconnect was seen at %d", m.LastSeen, after)
	}

	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = newNode(t, aDir)
	if m := bOn(a); m.Online || m.LastSeen < before || m.LastSeen > after {
		t.Errorf("after a restart: online %v, last seen %d; want offline, seen between %d and %d (b wrote at %d)",
			m.Online, m.LastSeen, before, after, sent.SentAt)
	}
}

// A connected member says how it is reached: on this computer, over QUIC
// or TCP; Peers says the same.
func TestMembersSayHowTheyAreReached(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("paths")
	joinAll(t, net, room)
	members, err := a.Members(room.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		switch {
		case m.Me && (m.Via != "" || m.Transport != ""):
			t.Errorf("you are reached via %q over %q, want nothing", m.Via, m.Transport)
		case !m.Me && (m.Via != "local" || m.Transport != "quic" && m.Transport != "tcp"):
			t.Errorf("b is reached via %q over %q, want local over quic or tcp", m.Via, m.Transport)
		}
	}
	for _, p := range a.Peers() {
		if p.PeerID == b.Me().PeerID && (p.Via != "local" || p.Transport != "quic" && p.Transport != "tcp") {
			t.Errorf("Peers: b via %q over %q", p.Via, p.Transport)
		}
	}
}
