package files

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/jpeg"
	"testing"

	"google.golang.org/protobuf/proto"
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

// Whatever a peer asks, decoding refuses it or returns an ask within the
// bounds a server relies on.
func FuzzDecodeAsk(f *testing.F) {
	good, _ := proto.Marshal(&Ask{Hash: make([]byte, HashSize), Room: make([]byte, 32), Have: true, Chunks: []uint32{0, 5}})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, hash, room, err := DecodeAsk(b)
		if err != nil {
			return
		}
		if len(a.Chunks) > MaxAskChunks || Hash(a.Hash) != hash || [32]byte(a.Room) != [32]byte(room) {
			t.Fatalf("accepted %+v", a)
		}
	})
}

// Whatever a peer answers, decoding refuses it or returns one part of one
// kind within its bound.
func FuzzDecodePart(f *testing.F) {
	chunk, _ := proto.Marshal(&Part{Index: 3, Chunk: []byte("bytes")})
	missing, _ := proto.Marshal(&Part{Index: 3, Missing: true})
	f.Add(chunk)
	f.Add(missing)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePart(b)
		if err != nil {
			return
		}
		if len(p.Chunk) > ChunkSize+Overhead || len(p.Manifest) > maxManifestSize || p.Index >= maxChunks {
			t.Fatalf("accepted a part past its bounds")
		}
	})
}

// Whatever a peer sends as a preview, cleaning it refuses it or returns a
// JPEG this node encoded, within the bound.
func FuzzCleanPreview(f *testing.F) {
	var small bytes.Buffer
	if err := jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 16, 8)), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(small.Bytes())
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	f.Fuzz(func(t *testing.T, b []byte) {
		clean, err := CleanPreview(b)
		if err != nil {
			return
		}
		if _, err := jpeg.DecodeConfig(bytes.NewReader(clean)); err != nil {
			t.Fatalf("a cleaned preview does not decode: %v", err)
		}
	})
}
