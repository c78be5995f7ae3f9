package files

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"parley/wire"
)

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// cut cuts data and returns its plan and its chunks as stored and sent.
func cut(t testing.TB, data []byte, key *Key) (*Plan, [][]byte) {
	t.Helper()
	var chunks [][]byte
	plan, err := Cut(bytes.NewReader(data), key, func(i int, chunk []byte) error {
		if i != len(chunks) {
			t.Fatalf("chunk %d handed out of order", i)
		}
		chunks = append(chunks, bytes.Clone(chunk))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan, chunks
}

func TestAFileCutIntoChunksComesBackWhole(t *testing.T) {
	for _, size := range []int{1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 12345} {
		data := randomBytes(t, size)
		plan, chunks := cut(t, data, nil)
		if plan.Size != uint64(size) || plan.Chunks() != chunksFor(uint64(size)) || len(chunks) != plan.Chunks() || plan.Sealed {
			t.Fatalf("%d bytes: plan %+v with %d chunks handed", size, plan, len(chunks))
		}
		if plan.Hash != sha256.Sum256(plan.Encoded) {
			t.Fatal("the hash is not the manifest's")
		}
		again, err := DecodeManifest(plan.Encoded, plan.Hash, plan.Size)
		if err != nil {
			t.Fatalf("%d bytes: the manifest does not decode: %v", size, err)
		}
		var whole []byte
		for i, c := range chunks {
			if err := again.Check(i, c); err != nil {
				t.Fatalf("%d bytes: %v", size, err)
			}
			whole = append(whole, c...)
		}
		if !bytes.Equal(whole, data) {
			t.Fatalf("%d bytes: the chunks do not make the file", size)
		}
	}
	// The same bytes make the same hash: a file shared twice is one file.
	data := randomBytes(t, 2*ChunkSize)
	a, _ := cut(t, data, nil)
	b, _ := cut(t, data, nil)
	if a.Hash != b.Hash {
		t.Error("the same bytes make two hashes")
	}
}

func TestABadChunkIsRefused(t *testing.T) {
	plan, chunks := cut(t, randomBytes(t, 2*ChunkSize+10), nil)
	bad := bytes.Clone(chunks[1])
	bad[100] ^= 1
	for name, c := range map[string]struct {
		i     int
		chunk []byte
	}{
		"a flipped bit":      {1, bad},
		"another chunk":      {0, chunks[1]},
		"cut short":          {2, chunks[2][:5]},
		"past the last":      {3, chunks[2]},
		"a negative index":   {-1, chunks[0]},
		"the last, extended": {2, append(bytes.Clone(chunks[2]), 0)},
	} {
		if err := plan.Check(c.i, c.chunk); !errors.Is(err, ErrChunk) {
			t.Errorf("%s: %v, want ErrChunk", name, err)
		}
	}
}

func TestAManifestThatDisagreesIsRefused(t *testing.T) {
	plan, _ := cut(t, randomBytes(t, ChunkSize+1), nil)
	var m Manifest
	if err := proto.Unmarshal(plan.Encoded, &m); err != nil {
		t.Fatal(err)
	}
	encode := func(change func(*Manifest)) []byte {
		c := proto.Clone(&m).(*Manifest)
		change(c)
		b, err := proto.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := DecodeManifest(plan.Encoded, plan.Hash, plan.Size+1); !errors.Is(err, ErrManifest) {
		t.Errorf("a size other than the message's: %v", err)
	}
	if _, err := DecodeManifest(plan.Encoded, Hash{}, plan.Size); !errors.Is(err, ErrManifest) {
		t.Errorf("a hash other than the message's: %v", err)
	}
	for name, change := range map[string]func(*Manifest){
		"another version":    func(m *Manifest) { m.Version = 2 },
		"other chunk sizes":  func(m *Manifest) { m.ChunkSize = 1024 },
		"a chunk missing":    func(m *Manifest) { m.Chunks = m.Chunks[:1] },
		"a short hash":       func(m *Manifest) { m.Chunks[0] = m.Chunks[0][:8] },
		"empty":              func(m *Manifest) { m.Size, m.Chunks = 0, nil },
		"over the most size": func(m *Manifest) { m.Size = MaxSize + 1 },
	} {
		b := encode(change)
		var size uint64
		var got Manifest
		_ = proto.Unmarshal(b, &got)
		size = got.Size
		if _, err := DecodeManifest(b, sha256.Sum256(b), size); !errors.Is(err, ErrManifest) {
			t.Errorf("%s: %v, want ErrManifest", name, err)
		}
	}
	if _, err := Cut(bytes.NewReader(nil), nil, func(int, []byte) error { return nil }); !errors.Is(err, ErrEmpty) {
		t.Errorf("an empty file: %v", err)
	}
}

// A private room's file: holders check the ciphertext without the key;
// only the key opens it, each chunk at its own place, the last as last.
func TestASealedFileIsCheckedWithoutItsKeyAndOpensWithIt(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 2*ChunkSize+777)
	plan, chunks := cut(t, data, &key)
	if !plan.Sealed || len(chunks[0]) != ChunkSize+Overhead {
		t.Fatalf("sealed plan %+v, first chunk %d bytes", plan, len(chunks[0]))
	}
	for i, c := range chunks {
		if err := plan.Check(i, c); err != nil {
			t.Fatalf("a holder checks chunk %d: %v", i, err)
		}
		if bytes.Contains(c, data[i*ChunkSize:i*ChunkSize+64]) {
			t.Fatalf("chunk %d holds plain text", i)
		}
	}
	var whole []byte
	for i, c := range chunks {
		plain, err := key.OpenChunk(plan, i, c)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, plain...)
	}
	if !bytes.Equal(whole, data) {
		t.Fatal("the opened chunks do not make the file")
	}
	other, _ := NewKey()
	if _, err := other.OpenChunk(plan, 0, chunks[0]); !errors.Is(err, ErrChunk) {
		t.Errorf("another key opens a chunk: %v", err)
	}
	// A file cut short: its new last chunk was sealed as a middle one.
	truncated := &Plan{Size: 2 * ChunkSize, Sealed: true, chunks: plan.chunks[:2]}
	if _, err := key.OpenChunk(truncated, 1, chunks[1]); !errors.Is(err, ErrChunk) {
		t.Errorf("a middle chunk opens as the last: %v", err)
	}
}

func TestAHoldingResumesAfterARestartAndDropsTornChunks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "f")
	plan, chunks := cut(t, randomBytes(t, 4*ChunkSize+99), nil)
	h, err := OpenHolding(dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2, 4} {
		if added, err := h.Put(i, chunks[i]); err != nil || !added {
			t.Fatalf("put chunk %d: %v, %v", i, added, err)
		}
	}
	if added, err := h.Put(2, chunks[2]); err != nil || added {
		t.Errorf("chunk 2 again: added %v, %v", added, err)
	}
	if _, err := h.Put(1, chunks[3]); !errors.Is(err, ErrChunk) {
		t.Errorf("a chunk in the wrong place: %v", err)
	}
	if _, err := h.Chunk(1); !errors.Is(err, ErrNotHeld) {
		t.Errorf("a chunk not held: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash tore chunk 4's bytes after its bit was written.
	f, err := os.OpenFile(filepath.Join(dir, dataFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("torn"), 4*ChunkSize+10); err != nil {
		t.Fatal(err)
	}
	f.Close()

	h, err = OpenHolding(dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if got := h.Missing(); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("missing after the restart: %v; want 1, 3 and the torn 4", got)
	}
	for _, i := range []int{1, 3, 4} {
		if _, err := h.Put(i, chunks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !h.Complete() {
		t.Fatal("not complete with every chunk put")
	}
	var whole []byte
	for i := range plan.Chunks() {
		c, err := h.Chunk(i)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, c...)
	}
	if !bytes.Equal(whole, bytes.Join(chunks, nil)) {
		t.Error("the held chunks do not make the file")
	}
	// Found by its hash only in a folder named by it.
	if _, err := OpenHeld(filepath.Dir(dir), plan.Hash); !errors.Is(err, ErrNotHere) {
		t.Errorf("a holding in a folder not named by its hash: %v", err)
	}
	// Another file in the same folder is refused, not mixed in.
	other, _ := cut(t, randomBytes(t, 10), nil)
	if _, err := OpenHolding(dir, other); !errors.Is(err, ErrManifest) {
		t.Errorf("another file in a holding's folder: %v", err)
	}
}

func TestCutStopsAtTheMostSize(t *testing.T) {
	if MaxSize != wire.MaxFileSize {
		t.Fatalf("files.MaxSize %d, wire.MaxFileSize %d: a message could name a file no node takes", MaxSize, wire.MaxFileSize)
	}
	_, err := Cut(io.LimitReader(zeros{}, MaxSize+1), nil, func(int, []byte) error { return nil })
	if !errors.Is(err, ErrTooBig) {
		t.Errorf("a file over the most size: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A file the user shares lands whole in a folder named by its hash; shared
// again while half fetched, it fills the holding up.
func TestImportHoldsTheWholeFileUnderItsHash(t *testing.T) {
	root := t.TempDir()
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 3*ChunkSize+17)
	for _, k := range []*Key{nil, &key} {
		h, err := Import(root, bytes.NewReader(data), k)
		if err != nil {
			t.Fatal(err)
		}
		if !h.Complete() || filepath.Base(h.Dir()) != h.Plan().Hash.String() || h.Plan().Sealed != (k != nil) {
			t.Fatalf("imported %+v in %s", h.Plan(), h.Dir())
		}
		var whole []byte
		for i := range h.Plan().Chunks() {
			c, err := h.Chunk(i)
			if err != nil {
				t.Fatal(err)
			}
			if k != nil {
				if c, err = k.OpenChunk(h.Plan(), i, c); err != nil {
					t.Fatal(err)
				}
			}
			whole = append(whole, c...)
		}
		if !bytes.Equal(whole, data) {
			t.Fatal("the held file differs")
		}
		h.Close()
	}
	// Half fetched, then shared from the user's own copy.
	other := randomBytes(t, 2*ChunkSize)
	plan, chunks := cut(t, other, nil)
	half, err := OpenHolding(filepath.Join(root, plan.Hash.String()), plan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := half.Put(1, chunks[1]); err != nil {
		t.Fatal(err)
	}
	half.Close()
	h, err := Import(root, bytes.NewReader(other), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if !h.Complete() {
		t.Errorf("missing %v after sharing the whole file", h.Missing())
	}
	held, err := OpenHeld(root, plan.Hash)
	if err != nil || !held.Complete() {
		t.Fatalf("OpenHeld: %v", err)
	}
	held.Close()
	if _, err := OpenHeld(root, Hash{1}); !errors.Is(err, ErrNotHere) {
		t.Errorf("a file never held: %v", err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".import-") {
			t.Errorf("a staging folder is left: %s", e.Name())
		}
	}
}

func TestAReaderGivesTheFileBackFromAnyOffset(t *testing.T) {
	key, _ := NewKey()
	data := randomBytes(t, 2*ChunkSize+100)
	for _, k := range []*Key{nil, &key} {
		h, err := Import(t.TempDir(), bytes.NewReader(data), k)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(h, k)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(whole, data) {
			t.Fatalf("read back %d bytes, %v", len(whole), err)
		}
		if _, err := r.Seek(ChunkSize-10, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 30)
		if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, data[ChunkSize-10:ChunkSize+20]) {
			t.Fatalf("a range across two chunks: %v", err)
		}
		held, chunks, err := Peek(filepath.Dir(h.Dir()), h.Plan().Hash)
		if err != nil || held != 3 || chunks != 3 {
			t.Errorf("Peek = %d of %d, %v", held, chunks, err)
		}
		h.Close()
	}
}
