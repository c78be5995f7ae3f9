package chat

import (
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/p2p"
	"parley/seal"
	"parley/wire"
)

// shownTexts lists what a room's history shows.
func shownTexts(t *testing.T, s *Service, room string) []string {
	t.Helper()
	var out []string
	for _, m := range fullHistory(t, s, room) {
		out = append(out, m.Text)
	}
	return out
}

func roomOf(s *Service, id string) Room {
	for _, r := range s.Rooms() {
		if r.ID == id {
			return r
		}
	}
	return Room{}
}

// board has owner create a private room "Board" and let each joiner in by
// an invite link; it returns the room.
func board(t *testing.T, owner *Service, joiners ...*Service) Room {
	t.Helper()
	room, err := owner.CreatePrivateRoom("Board")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := owner.CreateInvite(t.Context(), room.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range joiners {
		joinByLink(t, j, inv.Link)
	}
	return room
}

// joinByLink has s join a private room by link and waits until a member
// lets it in.
func joinByLink(t *testing.T, s *Service, link string) Room {
	t.Helper()
	room, err := s.JoinRoom(link, "")
	if err != nil {
		t.Fatal(err)
	}
	if !room.Private || !room.Pending || room.MyRole != "" {
		t.Fatalf("joined by link: %+v; want a pending private room", room)
	}
	eventually(t, 30*time.Second, "a member let the joiner in", func() bool {
		r := roomOf(s, room.ID)
		return !r.Pending && r.MyRole == "member"
	})
	return roomOf(s, room.ID)
}

// A private room from start to removal: the owner invites by link, the
// joiner is let in and reads what came before it, members chat, a
// revoked link lets no one in and shows that one nothing, and a removed
// member reads nothing said after while the others chat on.
func TestAPrivateRoomLetsInOnlyWhomItsLogLists(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada, bob, cat, dan := newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room, err := ada.CreatePrivateRoom("Board")
	if err != nil {
		t.Fatal(err)
	}
	if !room.Private || room.MyRole != "owner" || room.Direct || room.Pending {
		t.Fatalf("created %+v", room)
	}
	if _, err := ada.Send(t.Context(), room.ID, "the agenda is out"); err != nil {
		t.Fatal(err)
	}
	inv, err := ada.CreateInvite(t.Context(), room.ID, 24, 0)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Link == "" || inv.Uses != 0 || inv.ExpiresAt == 0 || inv.By != ada.Me().PeerID {
		t.Fatalf("invitation %+v", inv)
	}
	joinByLink(t, bob, inv.Link)
	joinByLink(t, dan, inv.Link)
	eventually(t, 30*time.Second, "the history reached the joiner", func() bool {
		return slices.Contains(shownTexts(t, bob, room.ID), "the agenda is out")
	})
	if _, err := bob.Send(t.Context(), room.ID, "read it"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the owner reads the member", func() bool {
		return slices.Contains(shownTexts(t, ada, room.ID), "read it")
	})

	// What members may not do.
	if _, err := bob.CreateInvite(t.Context(), room.ID, 1, 1); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member invites: %v", err)
	}
	if err := bob.RemoveMember(room.ID, ada.Me().PeerID); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member removes the owner: %v", err)
	}
	if err := ada.SetRole(room.ID, bob.Me().PeerID, "admin"); !errors.Is(err, ErrBadRole) {
		t.Errorf("a role that does not exist: %v", err)
	}
	if err := ada.SetRole(room.ID, cat.Me().PeerID, "member"); !errors.Is(err, ErrNotMember) {
		t.Errorf("a role for someone not in the room: %v", err)
	}
	if _, err := ada.CreateInvite(t.Context(), room.ID, 9000, 0); !errors.Is(err, ErrBadHours) {
		t.Errorf("an invitation for 9000 hours: %v", err)
	}
	if err := ada.LeaveRoom(room.ID); !errors.Is(err, ErrOwnerStays) {
		t.Errorf("the owner leaves while others stay: %v", err)
	}
	if _, err := cat.JoinRoom(room.ID, "Board"); !errors.Is(err, ErrNeedInvite) {
		t.Errorf("a private room joined by its ID: %v", err)
	}

	// A revoked link lets no one in, and shows them nothing.
	if err := ada.RevokeInvite(room.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	if open, err := ada.Invites(room.ID); err != nil || len(open) != 0 {
		t.Fatalf("open invitations after the revocation: %+v, %v", open, err)
	}
	events, stop := cat.Subscribe()
	defer stop()
	if _, err := cat.JoinRoom(inv.Link, ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the joiner with a revoked link hears why", func() bool {
		return roomOf(cat, room.ID).Refused == "revoked"
	})
	heard := false
	for len(events) > 0 && !heard {
		e := <-events
		heard = e.Name == EventJoinRefused && e.Data == JoinRefused{Room: room.ID, Reason: "revoked"}
	}
	if !heard {
		t.Error("no joinRefused event")
	}
	if n, err := cat.MessageCount(room.ID); err != nil || n != 0 {
		t.Errorf("the refused joiner stores %d messages (%v)", n, err)
	}

	// bob is removed: ada and dan chat on, bob reads nothing new.
	if err := ada.RemoveMember(room.ID, bob.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the removed member learns it", func() bool { return roomOf(bob, room.ID).Removed })
	if _, err := bob.Send(t.Context(), room.ID, "am I still here"); !errors.Is(err, ErrNotAdmitted) {
		t.Errorf("the removed member sends: %v", err)
	}
	if _, err := ada.Send(t.Context(), room.ID, "after bob"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the remaining member reads on", func() bool {
		return slices.Contains(shownTexts(t, dan, room.ID), "after bob")
	})
	if slices.Contains(shownTexts(t, bob, room.ID), "after bob") {
		t.Error("the removed member reads what was said after its removal")
	}
	members, err := ada.Members(room.ID)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range members {
		roles[m.PeerID] = m.Role
	}
	if len(roles) != 2 || roles[ada.Me().PeerID] != "owner" || roles[dan.Me().PeerID] != "member" {
		t.Errorf("members after the removal: %v", roles)
	}
}

// A private room is never visible on the network: no member can turn it
// on, and no hello names it.
func TestAPrivateRoomIsNeverNearby(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada := newNode(t, t.TempDir())
	room, err := ada.CreatePrivateRoom("Payroll")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ada.SetRoomNearby(t.Context(), room.ID, true); !errors.Is(err, ErrForbidden) {
		t.Errorf("made a private room visible: %v", err)
	}
	if nearby := ada.helloContent().Nearby; len(nearby) != 0 {
		t.Errorf("the hello names %d rooms", len(nearby))
	}
	if r := roomOf(ada, room.ID); r.Nearby {
		t.Error("the room shows as visible")
	}
}

// A member offline while someone is removed comes back, syncs, and reads
// what was said under the new key.
func TestAMemberOfflineThroughARotationCatchesUp(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada, bob := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	catDir := t.TempDir()
	cat := openNode(t, catDir)
	room := board(t, ada, bob, cat)
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ada.RemoveMember(room.ID, bob.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	if _, err := ada.Send(t.Context(), room.ID, "under the new key"); err != nil {
		t.Fatal(err)
	}
	cat = newNode(t, catDir)
	if err := cat.Connect(t.Context(), ada.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the member back online reads what was said under the new key", func() bool {
		return slices.Contains(shownTexts(t, cat, room.ID), "under the new key")
	})
	if r := roomOf(cat, room.ID); r.MyRole != "member" || r.Removed {
		t.Errorf("after the catch-up: %+v", r)
	}
}

// Someone removed while offline learns it when back: a member that meets
// them proving the room's secret tells them.
func TestAMemberRemovedWhileOfflineLearnsIt(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada := newNode(t, t.TempDir())
	bobDir := t.TempDir()
	bob := openNode(t, bobDir)
	room := board(t, ada, bob)
	if err := bob.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ada.RemoveMember(room.ID, bob.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	bob = newNode(t, bobDir)
	if roomOf(bob, room.ID).Removed {
		t.Fatal("removed before anyone said so")
	}
	if err := bob.Connect(t.Context(), ada.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the member removed while offline learns it", func() bool { return roomOf(bob, room.ID).Removed })
	if _, err := ada.Send(t.Context(), room.ID, "not for bob"); err != nil {
		t.Fatal(err)
	}
	if n, _ := bob.MessageCount(room.ID); n > 0 && slices.Contains(shownTexts(t, bob, room.ID), "not for bob") {
		t.Error("the removed member reads on")
	}
}

// A message of a private room that does not open is refused and counted,
// and only its place is kept: sync stops offering it, gossip ignores
// copies, and nothing of it shows.
func TestARefusedPrivateMessageKeepsOnlyItsPlace(t *testing.T) {
	t.Parallel() // its own node; no network
	ada := newNode(t, t.TempDir())
	room, err := ada.CreatePrivateRoom("Board")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := parseRoom(room.ID)
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	forged, err := seal.SignMessage(key, wrong, 0, wire.Draft{Room: id, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: "not under the room's key"})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := wire.Decode(forged.Raw, wire.Check{Room: &id})
	if err != nil {
		t.Fatal(err)
	}
	before := ada.Status().Rejected
	ada.receive(p2p.Batch{Room: id, Messages: []*wire.Message{outer}})
	if got := ada.Status().Rejected; got != before+1 {
		t.Errorf("rejected %d, want %d", got, before+1)
	}
	if has, err := ada.store.Has(forged.ID); err != nil || !has {
		t.Errorf("the refused message's place is not kept (%v)", err)
	}
	if slices.Contains(shownTexts(t, ada, room.ID), "not under the room's key") {
		t.Error("the refused message shows")
	}
}

// In a private room only the owner and moderators rename it: a member's
// rename is refused here, and one that comes from a member anyway (an
// older or altered Parley) neither applies nor shows.
func TestAMembersRenameOfAPrivateRoomDoesNotCount(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada, bob := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room := board(t, ada, bob)
	if _, err := bob.RenameRoom(t.Context(), room.ID, "Bob's room"); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member renames the room: %v", err)
	}
	// The same rename, sealed by bob's node past the window's check.
	id, _ := parseRoom(room.ID)
	name := "Bob's room"
	forged, err := bob.privateRoom(id).Seal(wire.Draft{Time: bob.clock.Now(), Kind: wire.Kind_KIND_ROOM_META, RoomName: &name})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := wire.Decode(forged.Raw, wire.Check{Room: &id})
	if err != nil {
		t.Fatal(err)
	}
	ada.receive(p2p.Batch{Room: id, From: bob.id.ID, Messages: []*wire.Message{outer}})
	if got := roomOf(ada, room.ID).Name; got != "Board" {
		t.Errorf("the room is named %q after a member's rename", got)
	}
	if slices.Contains(shownTexts(t, ada, room.ID), name) {
		t.Error("a member's rename shows")
	}
	if _, err := ada.RenameRoom(t.Context(), room.ID, "Board 2027"); err != nil {
		t.Fatalf("the owner renames: %v", err)
	}
}
