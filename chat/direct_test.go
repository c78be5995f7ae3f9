package chat

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// A direct conversation started with someone one shares no room with
// reaches them as a request; once they answer, it is an ordinary
// conversation both ways.
func TestADirectConversationReachesTheOtherAsARequest(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	nodes := connectedNodes(t, 2)
	ada, bob := nodes[0], nodes[1]
	if _, err := bob.SetName(t.Context(), "Bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := ada.DirectMessage(ada.Me().PeerID); !errors.Is(err, ErrOwnPeerID) {
		t.Errorf("a direct conversation with oneself: %v", err)
	}
	if _, err := ada.DirectMessage("bob"); !errors.Is(err, ErrBadPeerID) {
		t.Errorf("a direct conversation with no one: %v", err)
	}
	room, err := ada.DirectMessage(bob.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	if !room.Private || !room.Direct || room.MyRole != "owner" {
		t.Fatalf("started %+v", room)
	}
	if again, err := ada.DirectMessage(bob.Me().PeerID); err != nil || again.ID != room.ID {
		t.Fatalf("the same conversation again: %+v, %v", again, err)
	}
	if _, err := ada.Send(t.Context(), room.ID, "lunch at noon?"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the other person has the conversation as a request", func() bool {
		r := roomOf(bob, room.ID)
		return r.Direct && r.Request && r.Notify == NotifyNone
	})
	eventually(t, 30*time.Second, "the first message reached the other person", func() bool {
		return slices.Contains(shownTexts(t, bob, room.ID), "lunch at noon?")
	})
	if _, err := bob.Send(t.Context(), room.ID, "sure"); err != nil {
		t.Fatal(err)
	}
	if r := roomOf(bob, room.ID); r.Request || r.Notify != NotifyAll {
		t.Errorf("answered, the conversation is still a request: %+v", r)
	}
	eventually(t, 30*time.Second, "the answer reached the starter", func() bool {
		return slices.Contains(shownTexts(t, ada, room.ID), "sure")
	})
	if _, err := ada.CreateInvite(t.Context(), room.ID, 1, 1); !errors.Is(err, ErrForbidden) {
		t.Errorf("an invitation to a direct conversation: %v", err)
	}

	// Blocked, ada's messages no longer show at bob; unblocked, they do.
	if err := bob.Block(ada.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	if blocked := bob.Blocked(); len(blocked) != 1 || blocked[0].PeerID != ada.Me().PeerID {
		t.Fatalf("Blocked = %+v", blocked)
	}
	if _, err := ada.Send(t.Context(), room.ID, "are you there?"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the blocked person's message is stored", func() bool {
		n, _ := bob.MessageCount(room.ID)
		return n >= 5 // two creations, two texts of ada's, bob's answer
	})
	if slices.Contains(shownTexts(t, bob, room.ID), "are you there?") {
		t.Error("a blocked person's message shows")
	}
	if err := bob.Unblock(ada.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(shownTexts(t, bob, room.ID), "are you there?") {
		t.Error("unblocked, the message does not show")
	}
}

// Two people who start a direct conversation with each other before they
// meet end in one conversation: the earlier start wins on both sides.
func TestDirectConversationsStartedAtOnceBecomeOne(t *testing.T) {
	t.Parallel() // its own nodes on loopback; waits mostly on the network
	ada, bob := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	mine, err := ada.DirectMessage(bob.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := bob.DirectMessage(ada.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	if mine.ID != theirs.ID {
		t.Fatal("the two starts name different rooms")
	}
	if err := ada.Connect(t.Context(), bob.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	id, _ := parseRoom(mine.ID)
	eventually(t, 30*time.Second, "both hold the same secret", func() bool {
		ada.mu.Lock()
		a, aJoined := ada.keys[id].Secret, ada.joined[id] != ""
		ada.mu.Unlock()
		bob.mu.Lock()
		b, bJoined := bob.keys[id].Secret, bob.joined[id] != ""
		bob.mu.Unlock()
		return a == b && aJoined && bJoined
	})
	if _, err := ada.Send(t.Context(), mine.ID, "one room"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "a message crosses", func() bool {
		return slices.Contains(shownTexts(t, bob, mine.ID), "one room")
	})
}

// Offers from people one shares no room with cannot grow the node's
// rooms without bound: past maxRequests unanswered, more are turned away.
func TestUnansweredRequestsAreBounded(t *testing.T) {
	old := maxRequests
	maxRequests = 1
	t.Cleanup(func() { maxRequests = old })
	nodes := connectedNodes(t, 3)
	ada, bob, cat := nodes[0], nodes[1], nodes[2]
	first, err := bob.DirectMessage(ada.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the first request arrives", func() bool { return roomOf(ada, first.ID).Request })
	second, err := cat.DirectMessage(ada.Me().PeerID)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := parseRoom(second.ID)
	// cat goes on offering every few seconds: a few rounds turned away.
	deadline := time.Now().Add(3 * offerRound)
	for time.Now().Before(deadline) {
		if ada.privateRoom(id) != nil {
			t.Fatal("a request past the bound was taken")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
