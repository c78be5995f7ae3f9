package p2p

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"parley/reconcile"
	"parley/wire"
)

func FuzzSyncFrame(f *testing.F) {
	items := []reconcile.Item{{Time: 1, ID: [32]byte{1}}, {Time: 2, ID: [32]byte{2}}, {Time: 3, ID: [32]byte{3}}}
	first, _ := proto.Marshal(encodeFrame(reconcile.New(items).Initiate()))
	f.Add(first)
	list, _ := proto.Marshal(encodeFrame(reconcile.Frame{Ranges: []reconcile.Range{
		{Upper: reconcile.Bound{Time: items[1].Time}, Mode: reconcile.Skip},
		{Upper: reconcile.Bound{Inf: true}, Mode: reconcile.IDList, IDs: [][32]byte{{9}}},
	}}))
	f.Add(list)
	f.Add([]byte{0x12, 0x02, 0x18, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m wire.SyncMessage
		if proto.Unmarshal(raw, &m) != nil {
			return
		}
		frame, err := decodeFrame(&m)
		if err != nil {
			return
		}
		// Whatever decodes, a session answers without panicking, and an
		// answer it gives always decodes again.
		s := reconcile.New(items)
		out, _, err := s.Reply(frame)
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
