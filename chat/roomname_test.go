package chat

import (
	"errors"
	"testing"
	"time"

	"parley/p2p"
)

// A room's ID alone lets nobody in: JoinRoom refuses it and stores
// nothing. A room a peer on this network made visible can be joined by its
// ID, under the name it has there; a name the user chose wins.
func TestABareRoomIDIsRefusedUnlessTheRoomIsNearby(t *testing.T) {
	a := newNode(t, t.TempDir())
	b := newNode(t, t.TempDir())
	club, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	if club.Nearby || club.Legacy {
		t.Errorf("a new room: %+v, want invite-only and not legacy", club)
	}
	if _, err := b.JoinRoom(club.ID, ""); !errors.Is(err, ErrNeedInvite) {
		t.Fatalf("JoinRoom by bare ID = %v, want ErrNeedInvite", err)
	}
	if _, ok, err := b.store.Room(mustRoom(t, club.ID)); ok || err != nil || len(b.Rooms()) != 0 {
		t.Fatalf("a refused join left a room record (%v, %v) or rooms %+v", ok, err, b.Rooms())
	}

	// What b's node hands on from a nearby peer's hello (p2p checks the
	// ID against the secret and that the peer was found by mDNS).
	b.receiveHello(a.id.ID, p2p.PeerHello{LAN: true, Nearby: []p2p.NearbyRoom{{Room: keysOf(t, a, club.ID), Name: "Book club"}}})
	nearby := b.Nearby()
	if len(nearby) != 1 || len(nearby[0].Rooms) != 1 || nearby[0].Rooms[0].ID != club.ID {
		t.Fatalf("Nearby = %+v, want a's room", nearby)
	}
	joined, err := b.JoinRoom(club.ID, "")
	if err != nil || joined.Name != "Book club" || joined.ID != club.ID {
		t.Fatalf("JoinRoom of a nearby room = %+v, %v", joined, err)
	}
	if err := b.LeaveRoom(club.ID); err != nil {
		t.Fatal(err)
	}
	if again, err := b.JoinRoom(club.ID, "Our reading group"); err != nil || again.Name != "Our reading group" {
		t.Fatalf("rejoined under a name of our own: %+v, %v", again, err)
	}
}

// Making a room visible on the network is a room message: every member
// sees the change, and it shows in the room's history.
func TestVisibilityOnTheNetworkIsTheRoomsChoice(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, err := a.CreateRoom("open house")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, net, room)
	changed, err := b.SetRoomNearby(t.Context(), room.ID, true)
	if err != nil || !changed.Nearby {
		t.Fatalf("SetRoomNearby = %+v, %v", changed, err)
	}
	eventually(t, 20*time.Second, "a sees the room visible", func() bool {
		rooms := a.Rooms()
		return len(rooms) == 1 && rooms[0].Nearby
	})
	if got := a.helloContent(); len(got.Nearby) != 1 || got.Nearby[0].Name != "open house" || len(got.Nearby[0].Secret) == 0 {
		t.Errorf("a's hello for peers on this network: %+v", got.Nearby)
	}
	h, err := a.History(room.ID, "", 10)
	if err != nil || len(h) == 0 || h[len(h)-1].Kind != KindRoomNearby || h[len(h)-1].Text != "on" {
		t.Errorf("history = %+v, %v; want the change as a room event", h, err)
	}
	if _, err := a.SetRoomNearby(t.Context(), room.ID, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "b sees the room invite-only again", func() bool {
		rooms := b.Rooms()
		return len(rooms) == 1 && !rooms[0].Nearby
	})
	if got := b.helloContent(); len(got.Nearby) != 0 {
		t.Errorf("an invite-only room is still told nearby: %+v", got.Nearby)
	}
}
