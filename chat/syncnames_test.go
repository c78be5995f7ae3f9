package chat

import (
	"slices"
	"testing"
	"time"
)

// A member who joins after an author left learns the author's name from
// the sync that brings the author's messages: the node serving the history
// passes the name on with them.
func TestSyncedAuthorsCarryTheirNames(t *testing.T) {
	a := newNode(t, t.TempDir())
	c := openNode(t, t.TempDir())
	for s, name := range map[*Service]string{a: "Ada", c: "Cyd"} {
		if _, err := s.SetName(t.Context(), name); err != nil {
			t.Fatal(err)
		}
	}
	room, err := a.CreateRoom("names")
	if err != nil {
		t.Fatal(err)
	}
	id := mustRoom(t, room.ID)
	joinFrom(t, a, c, room.ID, "")
	if err := c.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a has c in the room", func() bool { return slices.Contains(a.node.RoomPeers(id), c.id.ID) })
	for _, s := range []*Service{a, c} {
		if _, err := s.Send(t.Context(), room.ID, "hello from "+s.Me().Name); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 20*time.Second, "a holds both messages and knows c's name", func() bool {
		return count(t, a, id) == 2 && a.nameOf(c.id.ID) == "Cyd"
	})
	cID := c.id.ID
	if err := c.Close(); err != nil { // c goes away for good
		t.Fatal(err)
	}

	b := newNode(t, t.TempDir())
	joinFrom(t, a, b, room.ID, "")
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "b's history shows c's message under c's name", func() bool {
		h, err := b.History(room.ID, "", 10)
		if err != nil || len(h) != 2 {
			return false
		}
		i := slices.IndexFunc(h, func(m Message) bool { return m.Author == cID.String() })
		return i >= 0 && h[i].AuthorName == "Cyd"
	})
	members, err := b.Members(room.ID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(members, func(m Member) bool { return m.PeerID == cID.String() })
	if i < 0 {
		t.Fatalf("c is not among b's members: %+v", members)
	}
	if m := members[i]; m.Name != "Cyd" || m.Online || m.LastSeen != 0 {
		t.Errorf("c on b: name %q, online %v, last seen %d; want Cyd, offline, never seen", m.Name, m.Online, m.LastSeen)
	}
}
