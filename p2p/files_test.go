package p2p

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"

	"parley/files"
	"parley/roomkey"
	"parley/wire"
)

// fileNode starts an off-mode node that serves the holdings in held.
func fileNode(t testing.TB, held map[files.Hash]*files.Holding, room wire.RoomID) *Node {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hold := func(r wire.RoomID, h files.Hash) (*files.Holding, func()) {
		if r != room || held[h] == nil {
			return nil, nil
		}
		return held[h], func() {}
	}
	n, err := New(t.Context(), Options{Key: key, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Files: hold})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// holding cuts data and keeps all of its chunks in a folder of its own.
func holding(t testing.TB, data []byte) *files.Holding {
	t.Helper()
	var chunks [][]byte
	plan, err := files.Cut(bytes.NewReader(data), nil, func(_ int, c []byte) error {
		chunks = append(chunks, bytes.Clone(c))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := files.OpenHolding(filepath.Join(t.TempDir(), plan.Hash.String()), plan)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	for i, c := range chunks {
		if _, err := h.Put(i, c); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// gatedSource answers Have only once open is closed.
type gatedSource struct {
	files.Source
	open <-chan struct{}
}

func (g gatedSource) Have(ctx context.Context) ([]byte, error) {
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Source.Have(ctx)
}

// firstGet closes done when its first Get returns.
type firstGet struct {
	files.Source
	once sync.Once
	done chan struct{}
}

func (f *firstGet) Get(ctx context.Context, chunks []int, got func(int, []byte) error) error {
	defer f.once.Do(func() { close(f.done) })
	return f.Source.Get(ctx, chunks, got)
}

// A file fetched from three members at once, one of which serves chunks
// that do not check: it arrives whole, and that member is dropped. A
// peer not in the room, and a member asking for a file the room does not
// name, get nothing.
func TestAFileComesWholeFromThreeHoldersOneCorrupt(t *testing.T) {
	keys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 5*files.ChunkSize+1234)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	good1, good2, bad := holding(t, data), holding(t, data), holding(t, data)
	hash := good1.Plan().Hash
	// The bad member's disk goes wrong after it checked its chunks.
	corruptEveryChunk(t, bad)

	a := fileNode(t, map[files.Hash]*files.Holding{hash: good1}, keys.ID)
	b := fileNode(t, map[files.Hash]*files.Holding{hash: good2}, keys.ID)
	c := fileNode(t, map[files.Hash]*files.Holding{hash: bad}, keys.ID)
	r := fileNode(t, nil, keys.ID)
	stranger := fileNode(t, nil, keys.ID)
	for _, n := range []*Node{a, b, c, r} {
		if err := n.Join(keys, func(Batch) {}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*Node{a, b, c} {
		if err := r.host.Connect(t.Context(), info(n)); err != nil {
			t.Fatal(err)
		}
		waitRoomPeer(t, n, r.ID(), keys.ID)
	}
	if err := stranger.host.Connect(t.Context(), info(a)); err != nil {
		t.Fatal(err)
	}

	// The manifest, from one member, checked against the hash.
	fromA := r.FileSource(a.ID(), keys.ID, hash)
	defer fromA.Close()
	encoded, err := fromA.Manifest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	plan, err := files.DecodeManifest(encoded, hash, uint64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := files.OpenHolding(filepath.Join(t.TempDir(), hash.String()), plan)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()

	// The bad member is asked first; the others answer once it has.
	fromB, fromC := r.FileSource(b.ID(), keys.ID, hash), r.FileSource(c.ID(), keys.ID, hash)
	defer fromB.Close()
	defer fromC.Close()
	first := &firstGet{Source: fromC, done: make(chan struct{})}
	out, err := files.Fetch(t.Context(), got, []files.Source{
		gatedSource{fromA, first.done}, gatedSource{fromB, first.done}, first,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Complete || !slices.Equal(out.Bad, []string{fromC.Name()}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v; want complete with %s dropped as bad", out, fromC.Name())
	}
	var whole []byte
	for i := range plan.Chunks() {
		chunk, err := got.Chunk(i)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, chunk...)
	}
	if !bytes.Equal(whole, data) {
		t.Fatal("the file arrived changed")
	}

	// A stranger asks a member for the file: nothing.
	if m, err := stranger.FileSource(a.ID(), keys.ID, hash).Manifest(t.Context()); err == nil {
		t.Errorf("a stranger was sent a manifest of %d bytes", len(m))
	}
	// A member asks for a file the room does not name: nothing.
	var other files.Hash
	other[0] = 1
	if _, err := r.FileSource(a.ID(), keys.ID, other).Have(t.Context()); err == nil {
		t.Error("a member was told of a file the room does not name")
	}
}

// corruptEveryChunk flips a byte of each chunk on a holding's disk.
func corruptEveryChunk(t *testing.T, h *files.Holding) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(h.Dir(), "data"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range h.Plan().Chunks() {
		if _, err := f.WriteAt([]byte{0xee, 0xee}, int64(i)*files.ChunkSize+7); err != nil {
			t.Fatal(err)
		}
	}
}

// A stranger's file stream is reset at once: strangers hold none of the
// streams members fetch over, however many they open.
func TestAStrangerHoldsNoFileStream(t *testing.T) {
	keys, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	member := fileNode(t, nil, keys.ID)
	if err := member.Join(keys, func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	stranger := fileNode(t, nil, keys.ID)
	if err := stranger.host.Connect(t.Context(), info(member)); err != nil {
		t.Fatal(err)
	}
	s, err := stranger.host.NewStream(t.Context(), member.ID(), filesProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Reset()
	// Nothing is asked: a server that took a slot would wait for the ask.
	_ = s.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, network.ErrReset) {
		t.Fatalf("the stranger's silent stream is held open: %v, not a reset", err)
	}
}
