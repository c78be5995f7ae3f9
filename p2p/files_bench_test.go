package p2p

import (
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"

	"parley/files"
	"parley/roomkey"
)

// A 100 MiB file from one member and from three at once, on loopback:
// b.SetBytes makes the figure MB/s.
func BenchmarkFileTransfer(b *testing.B) {
	keys, err := roomkey.New()
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 100<<20)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	for _, holders := range []int{1, 3} {
		b.Run(fmt.Sprintf("holders=%d", holders), func(b *testing.B) {
			var sources []*Node
			r := fileNode(b, nil, keys.ID)
			if err := r.Join(keys, func(Batch) {}); err != nil {
				b.Fatal(err)
			}
			var hash files.Hash
			for range holders {
				h := holding(b, data)
				hash = h.Plan().Hash
				n := fileNode(b, map[files.Hash]*files.Holding{hash: h}, keys.ID)
				if err := n.Join(keys, func(Batch) {}); err != nil {
					b.Fatal(err)
				}
				if err := r.host.Connect(b.Context(), info(n)); err != nil {
					b.Fatal(err)
				}
				waitRoomPeer(b, n, r.ID(), keys.ID)
				sources = append(sources, n)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var srcs []files.Source
				for _, n := range sources {
					srcs = append(srcs, r.FileSource(n.ID(), keys.ID, hash))
				}
				encoded, err := srcs[0].(*FileSource).Manifest(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				plan, err := files.DecodeManifest(encoded, hash, uint64(len(data)))
				if err != nil {
					b.Fatal(err)
				}
				got, err := files.OpenHolding(filepath.Join(b.TempDir(), hash.String()), plan)
				if err != nil {
					b.Fatal(err)
				}
				out, err := files.Fetch(b.Context(), got, srcs, nil)
				if err != nil || !out.Complete {
					b.Fatalf("%+v, %v", out, err)
				}
				got.Close()
				// Each round's streams go: a peer serves only 4 at once.
				for _, s := range srcs {
					s.(*FileSource).Close()
				}
			}
		})
	}
}
