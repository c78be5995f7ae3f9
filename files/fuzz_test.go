package files

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// Whatever a peer sends as a manifest, decoding refuses it or returns a
// plan whose chunk lengths add up to the size it checked.
func FuzzDecodeManifest(f *testing.F) {
	for _, size := range []int{1, ChunkSize + 1} {
		plan, err := Cut(bytes.NewReader(make([]byte, size)), nil, func(int, []byte) error { return nil })
		if err != nil {
			f.Fatal(err)
		}
		f.Add(plan.Encoded, plan.Size)
	}
	f.Add([]byte{}, uint64(0))
	f.Add([]byte{0x08, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f}, uint64(1))
	f.Fuzz(func(t *testing.T, encoded []byte, size uint64) {
		plan, err := DecodeManifest(encoded, sha256.Sum256(encoded), size)
		if err != nil {
			return
		}
		var total uint64
		for i := range plan.Chunks() {
			if n := plan.PlainLen(i); n <= 0 || n > ChunkSize {
				t.Fatalf("chunk %d of %d bytes", i, n)
			}
			total += uint64(plan.PlainLen(i))
		}
		if total != plan.Size || plan.Size != size {
			t.Fatalf("chunks add up to %d of %d", total, plan.Size)
		}
	})
}
