package chat

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"

	"parley/p2p"
	"parley/roomkey"
	"parley/wire"
)

// rogue is a plain libp2p host with GossipSub and no Parley validation: it
// publishes whatever bytes it is given on a room's topic.
type rogue struct {
	id    peer.ID
	key   crypto.PrivKey
	topic *pubsub.Topic
}

func newRogue(t *testing.T, room roomkey.Room, targets ...*Service) *rogue {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ps, err := pubsub.NewGossipSub(t.Context(), h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithFloodPublish(true),
		pubsub.WithMessageIdFn(func(m *pubsubpb.Message) string {
			sum := sha256.Sum256(m.Data)
			return string(sum[:])
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join(room.Topic())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topic.Subscribe(); err != nil {
		t.Fatal(err)
	}
	for _, s := range targets {
		ma, err := multiaddr.NewMultiaddr(s.Me().Addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		info, err := peer.AddrInfoFromP2pAddr(ma)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Connect(t.Context(), *info); err != nil {
			t.Fatalf("rogue connect: %v", err)
		}
		// A dishonest member holds the room's secret: it proves it.
		if err := p2p.SendProofs(t.Context(), h, info.ID, room); err != nil {
			t.Fatalf("rogue proof: %v", err)
		}
	}
	r := &rogue{id: h.ID(), key: key, topic: topic}
	// Both ways: the honest nodes count the rogue in the room, and the
	// rogue knows they are subscribed (else its publish reaches nobody).
	eventually(t, 20*time.Second, "the honest nodes and the rogue see each other in the room", func() bool {
		for _, s := range targets {
			if !slices.Contains(s.node.RoomPeers(room.ID), r.id) || !slices.Contains(topic.ListPeers(), s.id.ID) {
				return false
			}
		}
		return true
	})
	return r
}

// forge signs a payload with signer; the payload names author as its author.
func forge(t *testing.T, signer, author crypto.PrivKey, p *wire.Payload) []byte {
	t.Helper()
	var err error
	if p.Author, err = crypto.MarshalPublicKey(author.GetPublic()); err != nil {
		t.Fatal(err)
	}
	payload, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.Sign(append([]byte("parley/v1"), payload...))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := proto.Marshal(&wire.Envelope{Payload: payload, Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestRogueMessagesAreRejectedAndHonestTrafficFlows(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, err := a.CreateRoom("guarded")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, net, room)
	roomID := mustRoom(t, room.ID)
	r := newRogue(t, keysOf(t, a, room.ID), a, b)

	events, stop := b.Subscribe()
	defer stop()

	victimKey := a.id.Key
	text := func(s string) []byte {
		body, _ := proto.Marshal(&wire.Text{Text: s})
		return body
	}
	payload := func() *wire.Payload {
		return &wire.Payload{Version: wire.Version, Room: roomID[:], Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Body: text("rogue")}
	}
	otherRoom, _ := wire.NewRoomID()

	tampered := forge(t, r.key, r.key, payload())
	tampered[bytes.Index(tampered, []byte("rogue"))] = 'R'
	attacks := []struct {
		name string
		data []byte
	}{
		{"tampered payload", tampered},
		{"signature from the wrong key", forge(t, r.key, victimKey, payload())},
		{"oversized envelope", forge(t, r.key, r.key, &wire.Payload{Version: wire.Version, Room: roomID[:], Time: wire.WallTime(time.Now()),
			Kind: wire.Kind_KIND_TEXT, Body: text("x"), ReplyTo: make([]byte, wire.MaxEnvelopeSize)})},
		{"garbage bytes", []byte("\x0a\xff\xff\xff\xff garbage")},
		{"message for another room", forge(t, r.key, r.key, &wire.Payload{Version: wire.Version, Room: otherRoom[:], Time: wire.WallTime(time.Now()),
			Kind: wire.Kind_KIND_TEXT, Body: text("elsewhere")})},
		{"time far in the future", forge(t, r.key, r.key, &wire.Payload{Version: wire.Version, Room: roomID[:], Time: wire.WallTime(time.Now().Add(24 * time.Hour)),
			Kind: wire.Kind_KIND_TEXT, Body: text("from tomorrow")})},
	}
	for i, attack := range attacks {
		if err := r.topic.Publish(t.Context(), attack.data); err != nil {
			t.Fatalf("rogue publish %q: %v", attack.name, err)
		}
		for _, s := range []*Service{a, b} {
			eventually(t, 10*time.Second, fmt.Sprintf("%q is rejected and counted", attack.name), func() bool {
				return s.node.Rejections(r.id) == i+1
			})
		}
	}

	// Honest traffic still flows, both ways, after the attack.
	fromA, err := a.Send(t.Context(), room.ID, "still here")
	if err != nil {
		t.Fatal(err)
	}
	fromB, err := b.Send(t.Context(), room.ID, "me too")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Service{a, b} {
		eventually(t, 20*time.Second, "honest messages arrive", func() bool {
			h, _ := s.History(room.ID, "", 10)
			return len(h) == 2
		})
		h, _ := s.History(room.ID, "", 10)
		got := []string{h[0].ID, h[1].ID}
		if !(equal(got, []string{fromA.ID, fromB.ID}) || equal(got, []string{fromB.ID, fromA.ID})) {
			t.Errorf("history holds %v, want only the two honest messages", got)
		}
	}
	// Nothing the rogue sent was ever shown: B emitted only A's message.
	for {
		select {
		case e := <-events:
			if m, ok := e.Data.(Message); ok && e.Name == EventMessage {
				if m.Author != a.Me().PeerID && m.Author != b.Me().PeerID || strings.Contains(m.Text, "rogue") {
					t.Errorf("rogue message emitted: %+v", m)
				}
			}
		default:
			return
		}
	}
}
