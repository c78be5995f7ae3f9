package files

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
)

// Reader reads a complete held file as the user shared it: chunk by
// chunk, each checked again and, for a sealed file, opened with its key.
// It is an io.ReadSeeker, as serving with ranges needs.
type Reader struct {
	h     *Holding
	key   *Key
	off   int64
	index int    // the chunk in plain, -1 for none
	plain []byte // that chunk, opened
}

// ErrIncomplete: a file read before every chunk is held.
var ErrIncomplete = errors.New("the file is not complete here")

// NewReader reads a complete holding; key opens a sealed file's chunks.
func NewReader(h *Holding, key *Key) (*Reader, error) {
	if !h.Complete() {
		return nil, ErrIncomplete
	}
	if h.plan.Sealed != (key != nil) {
		return nil, fmt.Errorf("%w: sealed %v, a key given %v", ErrChunk, h.plan.Sealed, key != nil)
	}
	return &Reader{h: h, key: key, index: -1}, nil
}

// Size is the file's length.
func (r *Reader) Size() int64 { return int64(r.h.plan.Size) }

func (r *Reader) Read(p []byte) (int, error) {
	if r.off >= r.Size() {
		return 0, io.EOF
	}
	i := int(r.off / ChunkSize)
	if i != r.index {
		chunk, err := r.h.Chunk(i)
		if err == nil {
			err = r.h.plan.Check(i, chunk)
		}
		if err == nil && r.key != nil {
			chunk, err = r.key.OpenChunk(r.h.plan, i, chunk)
		}
		if err != nil {
			return 0, err
		}
		r.index, r.plain = i, chunk
	}
	n := copy(p, r.plain[r.off-int64(i)*ChunkSize:])
	r.off += int64(n)
	return n, nil
}

func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.Size()
	default:
		return r.off, fmt.Errorf("seek: whence %d", whence)
	}
	if offset < 0 {
		return r.off, errors.New("seek before the start of the file")
	}
	r.off = offset
	return offset, nil
}

// Peek counts the chunks of a file held under root without opening its
// holding (which checks every chunk): a figure to show, not a promise.
func Peek(root string, hash Hash) (held, chunks int, err error) {
	dir := filepath.Join(root, hash.String())
	_, m, err := readManifest(dir)
	if err != nil {
		return 0, 0, err
	}
	bitmap, err := os.ReadFile(filepath.Join(dir, bitmapFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, 0, err
	}
	chunks = len(m.Chunks)
	for i, b := range bitmap {
		if i*8 >= chunks {
			break
		}
		held += bits.OnesCount8(b)
	}
	return min(held, chunks), chunks, nil
}
