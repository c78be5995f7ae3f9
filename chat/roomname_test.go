package chat

import (
	"strings"
	"testing"
	"time"
)

// A room joined by ID alone shows a stand-in name until a member who knows
// its real name connects; a name the user chose is never replaced.
func TestRoomJoinedByIDLearnsItsNameFromMembers(t *testing.T) {
	a := newNode(t, t.TempDir())
	b := newNode(t, t.TempDir())
	c := newNode(t, t.TempDir())
	club, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	byID, err := b.JoinRoom(club.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(byID.Name, "Room ") {
		t.Fatalf("joined by ID as %q, want the stand-in", byID.Name)
	}
	if _, err := c.JoinRoom(club.ID, "Our reading group"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Service{b, c} {
		if err := n.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 20*time.Second, "b learns the room's name", func() bool {
		rooms := b.Rooms()
		return len(rooms) == 1 && rooms[0].Name == "Book club"
	})
	// It sticks: after a restart the learned name is the room's name.
	if rec, ok, err := b.store.Room(mustRoom(t, club.ID)); err != nil || !ok || rec.Name != "Book club" || rec.Placeholder {
		t.Errorf("stored room on b = %+v, %v, %v", rec, ok, err)
	}
	eventually(t, 10*time.Second, "c hears a's hello", func() bool { return len(c.Nearby()) > 0 })
	if rooms := c.Rooms(); len(rooms) != 1 || rooms[0].Name != "Our reading group" {
		t.Errorf("c's own name for the room was replaced: %+v", rooms)
	}
}
