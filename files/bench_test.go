package files

import (
	"bytes"
	"testing"
)

// CPU per MiB of cutting a file: hashing every chunk, and in a private
// room sealing it too (b.SetBytes makes the figure MB/s).
func BenchmarkCut(b *testing.B) {
	data := randomBytes(b, 16<<20)
	key, err := NewKey()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		key  *Key
	}{{"plain", nil}, {"sealed", &key}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Cut(bytes.NewReader(data), c.key, func(int, []byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// CPU per MiB a receiver spends checking chunks as they land, and opening
// them in a private room.
func BenchmarkCheckAndOpen(b *testing.B) {
	data := randomBytes(b, 16<<20)
	key, err := NewKey()
	if err != nil {
		b.Fatal(err)
	}
	plan, chunks := cut(b, data, &key)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for i, c := range chunks {
			if _, err := key.OpenChunk(plan, i, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}
