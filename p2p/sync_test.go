package p2p

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"google.golang.org/protobuf/proto"

	"parley/reconcile"
	"parley/roomkey"
	"parley/wire"
)

func FuzzSyncFrame(f *testing.F) {
	items := []reconcile.Item{{Time: 1, ID: [32]byte{1}}, {Time: 2, ID: [32]byte{2}}, {Time: 3, ID: [32]byte{3}}}
	f0, err := reconcile.New(reconcile.Slice(items)).Initiate()
	if err != nil {
		f.Fatal(err)
	}
	first, _ := proto.Marshal(encodeFrame(f0))
	f.Add(first)
	list, _ := proto.Marshal(encodeFrame(reconcile.Frame{Ranges: []reconcile.Range{
		{Upper: reconcile.Bound{Time: items[1].Time}, Mode: reconcile.Skip},
		{Upper: reconcile.Bound{Inf: true}, Mode: reconcile.IDList, IDs: [][32]byte{{9}}},
	}}))
	f.Add(list)
	f.Add([]byte{0x12, 0x02, 0x18, 0x01})
	// A first frame asking about authors' names, and a last message
	// carrying profiles: one signed for no room, one for another room.
	room, other := wire.RoomID{7}, wire.RoomID{8}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	author, _ := peer.IDFromPrivateKey(key)
	asking := encodeFrame(f0)
	asking.Room, asking.WantProfiles = room[:], [][]byte{[]byte(author), {1, 2}}
	withWants, _ := proto.Marshal(asking)
	f.Add(withWants)
	var profiles [][]byte
	for _, r := range []wire.RoomID{{}, other} {
		p, err := wire.Sign(key, wire.Draft{Room: r, Time: 1, Kind: wire.Kind_KIND_PROFILE, Name: "Ada"})
		if err != nil {
			f.Fatal(err)
		}
		profiles = append(profiles, p.Raw)
	}
	last, _ := proto.Marshal(&wire.SyncMessage{Last: true, Profiles: profiles})
	f.Add(last)
	now := time.Unix(1e9, 0)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m wire.SyncMessage
		if proto.Unmarshal(raw, &m) != nil {
			return
		}
		if asked, err := decodeWants(&m); err == nil && len(asked) > len(m.WantProfiles) {
			t.Fatalf("%d authors asked about, %d read", len(m.WantProfiles), len(asked))
		}
		for _, p := range m.Profiles {
			// What is taken is a verified profile signed for no room or
			// for the session's.
			if pm, err := decodeProfile(p, room, now); err == nil && (pm.Kind != wire.Kind_KIND_PROFILE || (pm.Room != wire.RoomID{} && pm.Room != room)) {
				t.Fatalf("took a %s of room %s as a profile", pm.Kind, pm.Room)
			}
		}
		pe := newProfileExchange(nil, room, author)
		pe.wanted[author] = true
		if kept, err := pe.take(m.Profiles, now); err == nil && len(kept) > min(len(m.Profiles), maxSyncProfiles) {
			t.Fatalf("kept %d profiles of %d", len(kept), len(m.Profiles))
		}
		frame, err := decodeFrame(&m)
		if err != nil {
			return
		}
		// Whatever decodes, a session answers without panicking, and an
		// answer it gives always decodes again.
		s := reconcile.New(reconcile.Slice(items))
		out, err := s.Reply(frame)
		if err != nil {
			return
		}
		if _, err := decodeFrame(encodeFrame(out)); err != nil && len(out.Ranges) > 0 {
			t.Fatalf("own answer does not decode: %v", err)
		}
	})
}

func TestDecodeFrameRejects(t *testing.T) {
	tests := map[string]*wire.SyncMessage{
		"no ranges":         {},
		"long bound prefix": {Ranges: []*wire.SyncRange{{UpperId: make([]byte, 33)}, {UpperInf: true}}},
		"short fingerprint": {Ranges: []*wire.SyncRange{{UpperInf: true, Mode: uint32(reconcile.Fingerprint), Fingerprint: []byte{1}}}},
		"short ID":          {Ranges: []*wire.SyncRange{{UpperInf: true, Mode: uint32(reconcile.IDList), Ids: [][]byte{{1, 2}}}}},
		"unknown mode":      {Ranges: []*wire.SyncRange{{UpperInf: true, Mode: 7}}},
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeFrame(m); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// A peer that answers a sync with garbage is counted and hung up on.
func TestSyncGarbageDropsThePeer(t *testing.T) {
	room, _ := wire.NewRoomID()
	honest := newTestNode(t, ModeOff)
	honest.sync.source = emptyHistory{}
	if err := honest.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	liar := newTestNode(t, ModeOff)
	if err := liar.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	liar.host.SetStreamHandler(syncProtocol, func(s network.Stream) {
		r := msgio.NewVarintReaderSize(s, maxSyncMessage)
		if _, err := r.ReadMsg(); err != nil {
			return
		}
		_ = msgio.NewVarintWriter(s).WriteMsg([]byte("\x12\x03not a range"))
	})
	if err := honest.host.Connect(t.Context(), peer.AddrInfo{ID: liar.ID(), Addrs: liar.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	waitMember(t, honest, liar.ID(), room)
	if err := honest.Sync(t.Context(), liar.ID(), room); err == nil {
		t.Fatal("sync with a liar succeeded")
	}
	if honest.Rejections(liar.ID()) != 1 {
		t.Errorf("rejections = %d, want 1", honest.Rejections(liar.ID()))
	}
	deadline := time.Now().Add(10 * time.Second)
	for honest.Connectedness(liar.ID()) == network.Connected {
		if time.Now().After(deadline) {
			t.Fatal("still connected to the peer that sent garbage")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type emptyHistory struct{}

func (emptyHistory) Scan(wire.RoomID) reconcile.Source       { return reconcile.Slice(nil) }
func (emptyHistory) Envelope(wire.MessageID) ([]byte, error) { return nil, errors.New("none") }
