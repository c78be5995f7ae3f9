package files

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// heldSource serves from chunks in memory, as a peer's holding would: the
// scheduler's own test (p2p tests the same over real streams).
type heldSource struct {
	name    string
	chunks  [][]byte
	holds   func(i int) bool
	corrupt func(i int) bool
	fail    bool
	// after, when set, holds each Get back until it is closed (or the
	// fetch ends): an honest source waits for the liar's first batch.
	after  <-chan struct{}
	asked  chan struct{} // closed at this source's first Get
	once   sync.Once
	mu     sync.Mutex
	served []int
}

func (s *heldSource) Name() string { return s.name }

func (s *heldSource) Have(context.Context) ([]byte, error) {
	if s.fail {
		return nil, errors.New("stream reset")
	}
	have := make([]byte, (len(s.chunks)+7)/8)
	for i := range s.chunks {
		if s.holds(i) {
			have[i/8] |= 1 << (i % 8)
		}
	}
	return have, nil
}

func (s *heldSource) Get(ctx context.Context, chunks []int, got func(int, []byte) error) error {
	if len(chunks) > MaxAskChunks {
		return errors.New("asked for too many at once")
	}
	if s.asked != nil {
		s.once.Do(func() { close(s.asked) })
	}
	if s.after != nil {
		select {
		case <-s.after:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, i := range chunks {
		s.mu.Lock()
		s.served = append(s.served, i)
		s.mu.Unlock()
		var c []byte
		if s.holds(i) {
			c = bytes.Clone(s.chunks[i])
			if s.corrupt != nil && s.corrupt(i) {
				c[0] ^= 0xff
			}
		}
		if err := got(i, c); err != nil {
			return err
		}
	}
	return nil
}

func all(int) bool { return true }

func TestAFetchFromThreeHoldersSurvivesOneThatCorruptsChunks(t *testing.T) {
	data := randomBytes(t, 40*ChunkSize+5)
	plan, chunks := cut(t, data, nil)
	h, err := OpenHolding(filepath.Join(t.TempDir(), "f"), plan)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// The liar corrupts every chunk, and the others wait until it has been
	// asked once: on a busy machine they could otherwise fetch it all first.
	liar := &heldSource{name: "liar", chunks: chunks, holds: all, corrupt: all, asked: make(chan struct{})}
	sources := []Source{
		&heldSource{name: "ada", chunks: chunks, holds: all, after: liar.asked},
		liar,
		&heldSource{name: "bob", chunks: chunks, holds: func(i int) bool { return i%2 == 0 }, after: liar.asked},
		&heldSource{name: "gone", chunks: chunks, holds: all, fail: true},
	}
	var counts []int
	var mu sync.Mutex
	out, err := Fetch(context.Background(), h, sources, func(held int) { mu.Lock(); counts = append(counts, held); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	if !out.Complete || !slices.Equal(out.Bad, []string{"liar"}) || !slices.Equal(out.Failed, []string{"gone"}) {
		t.Fatalf("outcome %+v; want complete, the liar bad and the gone failed", out)
	}
	var whole []byte
	for i := range plan.Chunks() {
		c, err := h.Chunk(i)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, c...)
	}
	if !bytes.Equal(whole, data) {
		t.Fatal("the fetched file differs")
	}
	if len(counts) != plan.Chunks() || counts[len(counts)-1] != plan.Chunks() {
		t.Errorf("progress heard %d times, last %v", len(counts), counts[len(counts)-1:])
	}
	if len(liar.served) > MaxAskChunks {
		t.Errorf("the liar was asked for %d chunks after its bad one", len(liar.served))
	}
}

func TestAFetchAsksForTheFirstMiBInOrderThenTheRarest(t *testing.T) {
	bits := func(chunks ...int) []byte {
		b := make([]byte, 2)
		for _, i := range chunks {
			b[i/8] |= 1 << (i % 8)
		}
		return b
	}
	// Both sources hold 4 to 9; only the first holds 0 to 3, 10 and 11.
	f := &fetch{haves: map[int][]byte{
		0: bits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
		1: bits(4, 5, 6, 7, 8, 9),
	}}
	free := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if got, want := f.order(free), []int{0, 1, 2, 3, 10, 11, 4, 5, 6, 7, 8, 9}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	many := make([]int, 40)
	for i := range many {
		many[i] = i
	}
	if got := f.order(many); len(got) != MaxAskChunks {
		t.Errorf("%d chunks in one ask", len(got))
	}
}

func TestAFetchWithNoHolderOfWhatIsMissingEndsIncomplete(t *testing.T) {
	plan, chunks := cut(t, randomBytes(t, 3*ChunkSize), nil)
	h, err := OpenHolding(filepath.Join(t.TempDir(), "f"), plan)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	half := &heldSource{name: "half", chunks: chunks, holds: func(i int) bool { return i != 1 }}
	out, err := Fetch(context.Background(), h, []Source{half}, nil)
	if err != nil || out.Complete || !slices.Equal(h.Missing(), []int{1}) {
		t.Fatalf("outcome %+v, %v; missing %v; want chunk 1 missing", out, err, h.Missing())
	}
	// A source that claims a chunk and then lacks it gives it up.
	claims := &claimingSource{&heldSource{name: "claims", chunks: chunks, holds: func(i int) bool { return i != 1 }}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := Fetch(ctx, h, []Source{claims}, nil); err != nil || out.Complete {
		t.Fatalf("a source that claims what it lacks: %+v, %v", out, err)
	}
}

// claimingSource says it holds every chunk, and serves only those it does.
type claimingSource struct{ *heldSource }

func (c *claimingSource) Have(ctx context.Context) ([]byte, error) {
	have := make([]byte, (len(c.chunks)+7)/8)
	for i := range c.chunks {
		have[i/8] |= 1 << (i % 8)
	}
	return have, nil
}
