package files

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/protobuf/proto"
)

// Holding is one file's chunks on disk, as they arrive: in its own folder,
// the manifest, a sparse data file with each chunk at its place, and a
// bitmap of the chunks held, written as each lands, so that a restart
// resumes where the transfer stopped.
//
// A chunk is marked held only after its bytes are written, and a holding
// opened again checks every chunk it marks: a chunk torn by a crash is
// fetched again, never served or shown.
type Holding struct {
	dir  string
	plan *Plan
	mu   sync.Mutex
	data *os.File
	bits *os.File
	have []byte
	held int
}

const (
	manifestFile = "manifest"
	dataFile     = "data"
	bitmapFile   = "have"
)

// stride is how far apart chunks sit in the data file.
func (p *Plan) stride() int64 {
	if p.Sealed {
		return ChunkSize + Overhead
	}
	return ChunkSize
}

// OpenHolding opens, or starts, the holding of a file in dir.
func OpenHolding(dir string, plan *Plan) (*Holding, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make the file's folder: %w", err)
	}
	manifest := filepath.Join(dir, manifestFile)
	switch kept, err := os.ReadFile(manifest); {
	case errors.Is(err, fs.ErrNotExist):
		// A new holding: whatever else is in the folder is not of it.
		for _, name := range []string{dataFile, bitmapFile} {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("clear the file's folder: %w", err)
			}
		}
		if err := os.WriteFile(manifest, plan.Encoded, 0o600); err != nil {
			return nil, fmt.Errorf("keep the file's manifest: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("read the file's manifest: %w", err)
	case !bytes.Equal(kept, plan.Encoded):
		return nil, fmt.Errorf("%w: the folder %s holds another file", ErrManifest, dir)
	}
	h := &Holding{dir: dir, plan: plan, have: make([]byte, (plan.Chunks()+7)/8)}
	var err error
	if h.data, err = os.OpenFile(filepath.Join(dir, dataFile), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("open the file's data: %w", err)
	}
	if h.bits, err = os.OpenFile(filepath.Join(dir, bitmapFile), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, errors.Join(fmt.Errorf("open the file's bitmap: %w", err), h.data.Close())
	}
	if err := h.recheck(); err != nil {
		return nil, errors.Join(err, h.Close())
	}
	return h, nil
}

// recheck reads the bitmap and keeps the marks of the chunks that check.
func (h *Holding) recheck() error {
	n, err := h.bits.ReadAt(h.have, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the file's bitmap: %w", err)
	}
	clear(h.have[n:]) // a bitmap cut short marks nothing there
	buf := make([]byte, h.plan.stride())
	for i := range h.plan.Chunks() {
		if !h.marked(i) {
			continue
		}
		chunk := buf[:h.plan.StoredLen(i)]
		if _, err := h.data.ReadAt(chunk, int64(i)*h.plan.stride()); err != nil || h.plan.Check(i, chunk) != nil {
			if err := h.mark(i, false); err != nil {
				return err
			}
			continue
		}
		h.held++
	}
	return nil
}

func (h *Holding) marked(i int) bool { return h.have[i/8]&(1<<(i%8)) != 0 }

// mark sets or clears chunk i's bit, on disk too.
func (h *Holding) mark(i int, held bool) error {
	if held {
		h.have[i/8] |= 1 << (i % 8)
	} else {
		h.have[i/8] &^= 1 << (i % 8)
	}
	if _, err := h.bits.WriteAt(h.have[i/8:i/8+1], int64(i/8)); err != nil {
		return fmt.Errorf("write the file's bitmap: %w", err)
	}
	return nil
}

// Dir is the holding's folder.
func (h *Holding) Dir() string { return h.dir }

// Plan is the file's checked manifest.
func (h *Holding) Plan() *Plan { return h.plan }

// Put checks chunk i, as stored and sent, and keeps it. It reports
// whether the chunk was new.
func (h *Holding) Put(i int, chunk []byte) (bool, error) {
	if err := h.plan.Check(i, chunk); err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.marked(i) {
		return false, nil
	}
	if _, err := h.data.WriteAt(chunk, int64(i)*h.plan.stride()); err != nil {
		return false, fmt.Errorf("write chunk %d of the file: %w", i, err)
	}
	if err := h.mark(i, true); err != nil {
		return false, err
	}
	h.held++
	return true, nil
}

// Has says whether chunk i is held.
func (h *Holding) Has(i int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return i >= 0 && i < h.plan.Chunks() && h.marked(i)
}

// Held is how many chunks are held.
func (h *Holding) Held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}

// Complete says whether every chunk is held.
func (h *Holding) Complete() bool { return h.Held() == h.plan.Chunks() }

// Bitmap is a copy of the chunks held, bit i%8 of byte i/8 for chunk i:
// the answer to a peer asking what this node has.
func (h *Holding) Bitmap() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Clone(h.have)
}

// Missing lists the chunks not held yet, in order.
func (h *Holding) Missing() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for i := range h.plan.Chunks() {
		if !h.marked(i) {
			out = append(out, i)
		}
	}
	return out
}

// ErrNotHeld: a chunk asked for that this node does not hold.
var ErrNotHeld = errors.New("file chunk not held here")

// Chunk reads chunk i as stored and sent.
func (h *Holding) Chunk(i int) ([]byte, error) {
	if !h.Has(i) {
		return nil, fmt.Errorf("%w: chunk %d", ErrNotHeld, i)
	}
	chunk := make([]byte, h.plan.StoredLen(i))
	if _, err := h.data.ReadAt(chunk, int64(i)*h.plan.stride()); err != nil {
		return nil, fmt.Errorf("read chunk %d of the file: %w", i, err)
	}
	return chunk, nil
}

// Close closes the holding's files.
func (h *Holding) Close() error {
	return errors.Join(h.data.Close(), h.bits.Close())
}

// ErrNotHere: no holding of the file under the root.
var ErrNotHere = errors.New("file not held here")

// OpenHeld opens the holding of a file kept under root, whole or not,
// checking its manifest against the hash.
func OpenHeld(root string, hash Hash) (*Holding, error) {
	plan, err := ReadPlan(root, hash)
	if err != nil {
		return nil, err
	}
	return OpenHolding(filepath.Join(root, hash.String()), plan)
}

// ReadPlan reads and checks the manifest of a file held under root,
// without opening its holding.
func ReadPlan(root string, hash Hash) (*Plan, error) {
	encoded, m, err := readManifest(filepath.Join(root, hash.String()))
	if err != nil {
		return nil, err
	}
	return DecodeManifest(encoded, hash, m.Size)
}

// readManifest reads the manifest a holding's folder keeps, unchecked.
func readManifest(dir string) ([]byte, *Manifest, error) {
	encoded, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotHere, filepath.Base(dir))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the file's manifest: %w", err)
	}
	var m Manifest
	if err := proto.Unmarshal(encoded, &m); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	return encoded, &m, nil
}
