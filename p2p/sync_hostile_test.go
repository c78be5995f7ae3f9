package p2p

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"google.golang.org/protobuf/proto"

	"parley/reconcile"
	"parley/roomkey"
	"parley/wire"
)

// roomsHistory is a SyncSource over signed messages of several rooms, in
// memory: like the store, it can find any message by ID, whatever its room.
type roomsHistory struct {
	items     map[wire.RoomID][]reconcile.Item
	envelopes map[wire.MessageID][]byte
}

var _ SyncSource = (*roomsHistory)(nil)

func (h *roomsHistory) add(m *wire.Message) {
	h.items[m.Room] = append(h.items[m.Room], reconcile.Item{Time: m.Time, ID: m.ID})
	slices.SortFunc(h.items[m.Room], reconcile.Compare)
	h.envelopes[m.ID] = m.Raw
}

func (h *roomsHistory) Scan(room wire.RoomID) reconcile.Source { return reconcile.Slice(h.items[room]) }

func (h *roomsHistory) Envelope(id wire.MessageID) ([]byte, error) {
	env, ok := h.envelopes[id]
	if !ok {
		return nil, fmt.Errorf("no message %s", id)
	}
	return env, nil
}

// A peer that knows the ID of a message in another room opens a sync of a
// room we share and, in its first frame, says it needs that message. It
// must not get it, and it is counted and hung up on.
func TestSyncServesOnlyTheSessionsRange(t *testing.T) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := wire.NewRoomID()
	private, _ := wire.NewRoomID()
	hist := &roomsHistory{items: map[wire.RoomID][]reconcile.Item{}, envelopes: map[wire.MessageID][]byte{}}
	var secret *wire.Message
	for i, room := range []wire.RoomID{shared, shared, private} {
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: uint64(i + 1), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprint("message ", i)})
		if err != nil {
			t.Fatal(err)
		}
		hist.add(m)
		secret = m
	}
	honest := newTestNode(t, ModeOff)
	honest.sync.source = hist
	for _, room := range []wire.RoomID{shared, private} {
		if err := honest.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
			t.Fatal(err)
		}
	}

	// A bare libp2p host that speaks the sync protocol by hand.
	thief, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { thief.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := thief.Connect(ctx, peer.AddrInfo{ID: honest.ID(), Addrs: honest.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	// A member of the shared room, which it proves.
	if err := SendProofs(ctx, thief, honest.ID(), roomkey.FromLegacyID(shared)); err != nil {
		t.Fatal(err)
	}
	waitMember(t, honest, thief.ID(), shared)
	s, err := thief.NewStream(ctx, honest.ID(), syncProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(15 * time.Second))
	w := msgio.NewVarintWriter(s)
	for _, m := range []*wire.SyncMessage{
		{Room: shared[:], Ranges: []*wire.SyncRange{{UpperInf: true, Mode: uint32(reconcile.Need), Ids: [][]byte{secret.ID[:]}}}},
		{Last: true}, // nothing to send: now it is the honest side's turn
	} {
		raw, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMsg(raw); err != nil {
			break // hung up on already
		}
	}
	r := msgio.NewVarintReaderSize(s, maxSyncMessage)
	for {
		raw, err := r.ReadMsg()
		if err != nil {
			break // the stream ends: what must happen
		}
		var m wire.SyncMessage
		if err := proto.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, env := range m.Envelopes {
			if bytes.Equal(env, secret.Raw) {
				t.Fatal("the peer received a message of a room it did not sync")
			}
		}
		if m.Last {
			t.Fatal("the session ended normally for a peer that asked for another room's message")
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for honest.Rejections(thief.ID()) != 1 || honest.Connectedness(thief.ID()) == network.Connected {
		if time.Now().After(deadline) {
			t.Fatalf("rejections = %d, connected = %v; want 1, hung up", honest.Rejections(thief.ID()), honest.Connectedness(thief.ID()) == network.Connected)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
