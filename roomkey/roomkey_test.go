package roomkey

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func testPeer(t *testing.T) peer.ID {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Nothing that follows from the secret can be read off the ID: the topic
// and the rendezvous key do not contain it, and two rooms never share them.
func TestKeysDoNotFollowFromTheID(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New()
	if a.ID == b.ID || a.Topic() == b.Topic() || a.RendezvousKey("2026-12-06") == b.RendezvousKey("2026-12-06") {
		t.Fatal("two rooms share a key")
	}
	id := a.ID.String()
	for what, v := range map[string]string{"topic": a.Topic(), "rendezvous key": a.RendezvousKey("2026-12-06")} {
		if strings.Contains(v, id) || strings.Contains(v, id[:16]) {
			t.Errorf("the %s %q contains the room ID", what, v)
		}
	}
	if a.RendezvousKey("2026-12-06") == a.RendezvousKey("2026-12-07") {
		t.Error("the rendezvous key does not change with the day")
	}
	if again := FromSecret(a.Secret); again != a {
		t.Error("the same secret gives other keys")
	}
	if a.Legacy {
		t.Error("a new room is legacy")
	}
}

// A legacy room keeps its ID; its keys follow from the ID, the same on
// every node.
func TestLegacyRoomKeepsItsID(t *testing.T) {
	a, _ := New()
	old := FromLegacyID(a.ID)
	if old.ID != a.ID || !old.Legacy || old.Topic() == a.Topic() || old != FromLegacyID(a.ID) {
		t.Fatalf("legacy keys %+v", old)
	}
}

// A proof convinces only the peer it was made for, only of the room it was
// made for, and only as coming from its maker.
func TestProofIsBoundToBothPeers(t *testing.T) {
	room, _ := New()
	other, _ := New()
	alice, bob, carol := testPeer(t), testPeer(t), testPeer(t)
	p := room.Proof(alice, bob)
	if !room.Verify(p, alice, bob) {
		t.Fatal("a genuine proof fails")
	}
	for name, ok := range map[string]bool{
		"replayed to a third peer": room.Verify(p, alice, carol),
		"claimed by its receiver":  room.Verify(p, bob, alice),
		"claimed by a third peer":  room.Verify(p, carol, bob),
		"shown for another room":   other.Verify(p, alice, bob),
		"a legacy room of that ID": FromLegacyID(room.ID).Verify(p, alice, bob),
	} {
		if ok {
			t.Errorf("a proof %s passes", name)
		}
	}
}

func TestAPrivateRoomsIDCommitsToItsFounder(t *testing.T) {
	a, b := testPeer(t), testPeer(t)
	s := Secret{7}
	r := Private(s, a)
	if r.ID == FromSecret(s).ID {
		t.Error("a private room shares its ID with the public room of its secret")
	}
	if Private(s, b).ID == r.ID {
		t.Error("another founder gives the same room")
	}
	if r.Topic() != FromSecret(s).Topic() || len(r.FounderList()) != 1 || r.Founders[0] != a {
		t.Errorf("private room = %+v", r)
	}
}

func TestADirectConversationIsTheSameRoomFromEitherSide(t *testing.T) {
	a, b, c := testPeer(t), testPeer(t), testPeer(t)
	ab, ba := Direct(a, b, Secret{1}), Direct(b, a, Secret{2})
	if ab.ID != ba.ID || ab.ID != DirectID(b, a) {
		t.Error("the two sides name different rooms")
	}
	if DirectID(a, c) == ab.ID {
		t.Error("two pairs share a room")
	}
	if ab.Founders != ba.Founders || len(ab.FounderList()) != 2 {
		t.Error("the founders are not in one order")
	}
}
