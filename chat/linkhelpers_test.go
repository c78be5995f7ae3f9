package chat

import (
	"slices"
	"testing"
	"time"

	"parley/p2p"
)

// helperRoomNames is what Helpers says of each helper: its short ID and
// the names of the rooms whose links named it, "-" for none.
func helperRoomNames(s *Service) map[string][]string {
	out := map[string][]string{}
	for _, h := range s.Helpers() {
		out[h.ShortID] = h.RoomNames
		if len(h.RoomNames) == 0 {
			out[h.ShortID] = []string{"-"}
		}
	}
	return out
}

func sameHelpers(got, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			return false
		}
	}
	return true
}

// Helpers named by a room's invite link show with that room, stay while
// another joined room names them, come back after a restart, and leave
// the node when no joined room names them; a helper given at start stays.
func TestLinkHelpersFollowTheirRooms(t *testing.T) {
	h1, h2, h3 := newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir())
	addr := func(s *Service) string { return s.Me().Addrs[0] }
	short := func(s *Service) string { return s.Me().ShortID }
	// a1's links name h1; a2's name h1 and h2.
	a1 := openWith(t, Options{DataDir: t.TempDir(), Bootstrap: []string{addr(h1)}})
	a2 := openWith(t, Options{DataDir: t.TempDir(), Bootstrap: []string{addr(h1), addr(h2)}})
	design, err := a1.CreateRoom("design")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := a2.CreateRoom("ops")
	if err != nil {
		t.Fatal(err)
	}
	designLink, err := a1.Invite(t.Context(), design.ID)
	if err != nil {
		t.Fatal(err)
	}
	opsLink, err := a2.Invite(t.Context(), ops.ID)
	if err != nil {
		t.Fatal(err)
	}

	// b uses h3 from the start, whatever it joins.
	dir := t.TempDir()
	opts := Options{DataDir: dir, Bootstrap: []string{addr(h3)}}
	b := openWith(t, opts)
	if _, err := b.JoinRoom(designLink, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.JoinRoom(opsLink, ""); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{short(h1): {"design", "ops"}, short(h2): {"ops"}, short(h3): {"-"}}
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Fatalf("after joining both rooms, Helpers = %v; want %v", got, want)
	}
	for _, h := range b.Helpers() {
		if h.ShortID == short(h1) && (len(h.Rooms) != 2 || h.Rooms[0] != design.ID || h.Rooms[1] != ops.ID) {
			t.Errorf("h1's rooms = %v; want design's and ops' IDs", h.Rooms)
		}
	}

	// A helper says whether it is connected, and counts as one in Peers.
	if err := b.Connect(t.Context(), addr(h2)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "h2 shows as a connected helper", func() bool {
		for _, h := range b.Helpers() {
			if h.ShortID == short(h2) {
				return h.Connected && b.node.Why(h2.id.ID) == p2p.WhyHelper
			}
		}
		return false
	})

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openWith(t, opts)
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Fatalf("after a restart, Helpers = %v; want %v", got, want)
	}

	// Leaving ops: h2 goes, h1 stays for design.
	if err := b.LeaveRoom(ops.ID); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{short(h1): {"design"}, short(h3): {"-"}}
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Fatalf("after leaving ops, Helpers = %v; want %v", got, want)
	}
	if why := b.node.Why(h2.id.ID); why == p2p.WhyHelper || why == p2p.WhyKept {
		t.Errorf("h2, named by no joined room, is still used (%s)", why)
	}

	// Leaving design: only the helper given at start is left, also after
	// a restart.
	if err := b.LeaveRoom(design.ID); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{short(h3): {"-"}}
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Fatalf("after leaving design too, Helpers = %v; want %v", got, want)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openWith(t, opts)
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Fatalf("after leaving both and a restart, Helpers = %v; want %v", got, want)
	}

	// Joining design again by its ID alone brings no helper back: only a
	// link names helpers.
	if _, err := b.JoinRoom(design.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := helperRoomNames(b); !sameHelpers(got, want) {
		t.Errorf("after joining by ID, Helpers = %v; want %v", got, want)
	}
}

// A link naming this node itself, or one helper at several addresses,
// gives one entry for each other helper, with all its addresses.
func TestLinkHelpersOfOneLink(t *testing.T) {
	b, h := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	named := append(append([]string{}, h.Me().Addrs...), b.Me().Addrs...)
	got := b.linkHelpers(parseAddrs(named))
	if len(got) != 1 || got[0].ID != h.id.ID || len(got[0].Addrs) != len(h.Me().Addrs) {
		t.Errorf("linkHelpers = %+v; want h once, with its %d addresses", got, len(h.Me().Addrs))
	}
}
