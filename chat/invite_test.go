package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"parley/invite"
)

// Two nodes that know nothing of each other meet by an invite link alone:
// the joiner takes the room's name from the link, reaches the inviter at
// the link's (loopback) addresses and gets the room's history.
func TestJoinByInviteLinkAlone(t *testing.T) {
	a, b := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(t.Context(), room.ID, "welcome, whoever has the link"); err != nil {
		t.Fatal(err)
	}
	link, err := a.Invite(t.Context(), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, invite.Prefix) {
		t.Fatalf("Invite gave %q", link)
	}
	joined, err := b.JoinRoom(link, "")
	if err != nil {
		t.Fatal(err)
	}
	if joined.ID != room.ID || joined.Name != "Book club" {
		t.Fatalf("joined %+v, want room %s named Book club", joined, room.ID)
	}
	eventually(t, 30*time.Second, "the history reached the joiner", func() bool {
		h := fullHistory(t, b, room.ID)
		return len(h) == 1 && h[0].Text == "welcome, whoever has the link"
	})
	if _, err := b.Send(t.Context(), room.ID, "thanks"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the joiner's reply reached the inviter", func() bool {
		return len(fullHistory(t, a, room.ID)) == 2
	})
}

// A name given with the link wins over the link's; bad links are refused
// with an error a caller can tell apart, and join nothing.
func TestJoinByInviteNamesAndErrors(t *testing.T) {
	a, b, _, link := bookClubInvite(t)
	if joined, err := b.JoinRoom("  "+link+"\n", "Readers"); err != nil || joined.Name != "Readers" {
		t.Fatalf("JoinRoom with a name = %+v, %v", joined, err)
	}
	for _, bad := range []string{link[:len(link)-10], invite.Prefix + "!!!", invite.Prefix} {
		if _, err := b.JoinRoom(bad, ""); !errors.Is(err, ErrBadInvite) {
			t.Errorf("JoinRoom(%.30q…) = %v, want ErrBadInvite", bad, err)
		}
	}
	if _, err := b.JoinRoom("https://example.com/room", ""); !errors.Is(err, ErrBadRoomID) {
		t.Errorf("a web address gave %v, want ErrBadRoomID", err)
	}
	if _, err := a.Invite(t.Context(), strings.Repeat("ab", 32)); !errors.Is(err, ErrNotJoined) {
		t.Errorf("Invite for a room not joined = %v, want ErrNotJoined", err)
	}
	if rooms := b.Rooms(); len(rooms) != 1 {
		t.Errorf("bad links joined rooms: %+v", rooms)
	}
}

// A preview says where a link leads and whether this node is there
// already, and joins nothing.
func TestPreviewInvite(t *testing.T) {
	_, b, room, link := bookClubInvite(t)
	p, err := b.PreviewInvite(link)
	if err != nil {
		t.Fatal(err)
	}
	want := InvitePreview{Link: link, RoomID: room.ID, Name: "Book club"}
	if p != want {
		t.Errorf("PreviewInvite before joining = %+v, want %+v", p, want)
	}
	if rooms := b.Rooms(); len(rooms) != 0 {
		t.Fatalf("a preview joined rooms: %+v", rooms)
	}
	if _, err := b.JoinRoom(link, "Readers"); err != nil {
		t.Fatal(err)
	}
	if p, err := b.PreviewInvite(link); err != nil || !p.Joined || p.Name != "Readers" {
		t.Errorf("PreviewInvite after joining as Readers = %+v, %v; want joined, named Readers", p, err)
	}
	if _, err := b.PreviewInvite(link[:len(link)-10]); !errors.Is(err, ErrBadInvite) {
		t.Errorf("PreviewInvite of a cut link = %v, want ErrBadInvite", err)
	}
}

// bookClubInvite is two nodes that know nothing of each other, a room "Book
// club" on the first and its invite link.
func bookClubInvite(t *testing.T) (a, b *Service, room Room, link string) {
	t.Helper()
	a, b = newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	if link, err = a.Invite(t.Context(), room.ID); err != nil {
		t.Fatal(err)
	}
	return a, b, room, link
}
