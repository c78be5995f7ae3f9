package chat

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"parley/p2p"
	"parley/wire"
)

// shown finds a message a room's history shows by its text, or by its ID.
func shown(t *testing.T, s *Service, room, text, id string) (Message, bool) {
	t.Helper()
	for _, m := range fullHistory(t, s, room) {
		if (text != "" && m.Text == text) || (id != "" && m.ID == id) {
			return m, true
		}
	}
	return Message{}, false
}

// timeOf is a message's place in its room's order.
func timeOf(t *testing.T, m Message) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(m.Time, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The owner and moderators delete anyone's message; every member sees it
// removed, with who removed it. A member cannot, and a removal its node
// forges past the window's check takes nothing on the others.
func TestAModeratorDeletesAnyonesMessage(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada, bob, cy := newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir())
	if _, err := bob.SetName(t.Context(), "Bob"); err != nil {
		t.Fatal(err)
	}
	room := board(t, ada, bob, cy)
	// Each member reaches the others directly: what is tested here is who
	// may remove what, not how messages travel between members who do not
	// meet.
	if err := bob.Connect(t.Context(), cy.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	if err := ada.SetRole(room.ID, bob.Me().PeerID, "moderator"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "bob learns he is a moderator", func() bool {
		return roomOf(bob, room.ID).MyRole == "moderator"
	})
	rude, err := cy.Send(t.Context(), room.ID, "out of line")
	if err != nil {
		t.Fatal(err)
	}
	agenda, err := ada.Send(t.Context(), room.ID, "the agenda")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Service{ada, bob, cy} {
		eventually(t, 30*time.Second, "both messages reach every member", func() bool {
			_, a := shown(t, s, room.ID, "out of line", "")
			_, b := shown(t, s, room.ID, "the agenda", "")
			return a && b
		})
	}

	if _, err := cy.Delete(t.Context(), room.ID, agenda.ID); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("a member deletes the owner's message: %v", err)
	}
	stub, err := bob.Delete(t.Context(), room.ID, rude.ID)
	if err != nil {
		t.Fatalf("a moderator deletes a member's message: %v", err)
	}
	if !stub.Deleted || !stub.Removed || stub.RemovedBy != "Bob" || stub.Text != "" {
		t.Errorf("the moderator's stub: %+v", stub)
	}
	// The stub names the remover where his name is known: ada's node has
	// it from his hello; cy's, not connected to him, may not yet.
	for _, s := range []*Service{ada, cy} {
		eventually(t, 30*time.Second, "every member sees the message removed by bob", func() bool {
			m, ok := shown(t, s, room.ID, "", rude.ID)
			return ok && m.Deleted && m.Removed && (m.RemovedBy == "Bob" || s == cy && m.RemovedBy == "" && cy.nameOf(bob.id.ID) == "")
		})
	}

	// cy's node forges a delete of the owner's message: ada and bob keep it.
	id, _ := parseRoom(room.ID)
	target, _ := wire.ParseMessageID(agenda.ID)
	forged, err := cy.privateRoom(id).Seal(wire.Draft{Time: cy.clock.Now(), Kind: wire.Kind_KIND_DELETE, Target: &target, TargetTime: timeOf(t, agenda)})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := wire.Decode(forged.Raw, wire.Check{Room: &id})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Service{ada, bob} {
		s.receive(p2p.Batch{Room: id, From: cy.id.ID, Messages: []*wire.Message{outer}})
		if m, ok := shown(t, s, room.ID, "", agenda.ID); !ok || m.Deleted || m.Text != "the agenda" {
			t.Errorf("a member's forged delete took the owner's message: %+v", m)
		}
	}

	// Demoted, bob deletes nothing more of others'.
	if err := ada.SetRole(room.ID, bob.Me().PeerID, "member"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "bob learns he is a member again", func() bool {
		return roomOf(bob, room.ID).MyRole == "member"
	})
	if _, err := bob.Delete(t.Context(), room.ID, agenda.ID); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("a demoted moderator deletes the owner's message: %v", err)
	}
	if !slices.Contains(shownTexts(t, cy, room.ID), "the agenda") {
		t.Error("the owner's message is gone")
	}
}

// In a direct conversation both people own it, and neither deletes the
// other's messages.
func TestNoOneDeletesTheOthersMessageInADirectConversation(t *testing.T) {
	t.Parallel()
	nodes := connectedNodes(t, 2)
	ada, bob := nodes[0], nodes[1]
	dm, err := ada.DirectMessage(bob.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ada.Send(t.Context(), dm.ID, "lunch?"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "bob reads the conversation", func() bool {
		return roomOf(bob, dm.ID).ID != "" && slices.Contains(shownTexts(t, bob, dm.ID), "lunch?")
	})
	hi, err := bob.Send(t.Context(), dm.ID, "hi")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "ada reads bob", func() bool { _, ok := shown(t, ada, dm.ID, "", hi.ID); return ok })
	if _, err := ada.Delete(t.Context(), dm.ID, hi.ID); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("deleting the other's message in a direct conversation: %v", err)
	}
}

// A removal that reaches a member before the appointment that allows it
// waits for it, and then applies: every member ends with the same view
// whichever came first.
func TestARemovalThatOvertakesTheAppointmentWaitsForIt(t *testing.T) {
	t.Parallel()
	ada, bob, cy := newNode(t, t.TempDir()), newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room := board(t, ada, bob, cy)
	rude, err := cy.Send(t.Context(), room.ID, "out of line")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the message reaches bob", func() bool {
		_, ok := shown(t, bob, room.ID, "", rude.ID)
		return ok
	})
	id, _ := parseRoom(room.ID)
	// Sealed on their nodes and handed to cy by hand, in the wrong order:
	// the appointment (never published) after the removal it allows.
	appointment, err := ada.privateRoom(id).SetRole(bob.id.ID, wire.Role_ROLE_MODERATOR)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := wire.ParseMessageID(rude.ID)
	removal, err := bob.privateRoom(id).Seal(wire.Draft{Time: appointment.Time + 1, Kind: wire.Kind_KIND_DELETE, Target: &target, TargetTime: timeOf(t, rude)})
	if err != nil {
		t.Fatal(err)
	}
	outer := func(m *wire.Message) []*wire.Message {
		t.Helper()
		o, err := wire.Decode(m.Raw, wire.Check{Room: &id})
		if err != nil {
			t.Fatal(err)
		}
		return []*wire.Message{o}
	}
	cy.receive(p2p.Batch{Room: id, From: bob.id.ID, Messages: outer(removal)})
	if m, ok := shown(t, cy, room.ID, "", rude.ID); !ok || m.Deleted {
		t.Fatalf("before the appointment came, the removal took the message: %+v", m)
	}
	cy.receive(p2p.Batch{Room: id, From: ada.id.ID, Messages: outer(appointment)})
	if m, ok := shown(t, cy, room.ID, "", rude.ID); !ok || !m.Deleted || !m.Removed {
		t.Errorf("once the appointment came, the removal did not apply: %+v", m)
	}
}
