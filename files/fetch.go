package files

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Source is a peer a file's chunks may come from.
type Source interface {
	// Name says who it is, for the outcome and the logs.
	Name() string
	// Have asks which chunks it holds, as Holding.Bitmap gives them.
	Have(ctx context.Context) ([]byte, error)
	// Get asks for chunks and calls got with each as it comes, in the
	// order asked; one it does not hold comes as nil. It stops at got's
	// first error and returns it.
	Get(ctx context.Context, chunks []int, got func(i int, chunk []byte) error) error
}

// Outcome says how a fetch went.
type Outcome struct {
	Complete bool
	// Bad names the sources dropped for a chunk that did not check;
	// Failed those whose stream failed.
	Bad, Failed []string
}

// sequentialChunks are fetched in order, before rarest first: the start of
// a file (1 MiB) arrives early, for a preview.
const sequentialChunks = 4

// errBadChunk stops a source's Get when a chunk does not check.
var errBadChunk = errors.New("a chunk did not check")

// Fetch fetches the chunks h lacks from sources, from all at once, each
// asked for up to MaxAskChunks at a time: the first MiB in order, then
// the rarest first. Every chunk is checked as it lands; a source that
// sends one that does not check is dropped for the rest of the fetch. It
// returns when the file is complete, when no source left holds what is
// missing, or when ctx ends; progress, if not nil, hears the count of
// chunks held after each.
func Fetch(ctx context.Context, h *Holding, sources []Source, progress func(held int)) (Outcome, error) {
	f := &fetch{h: h, inFlight: map[int]bool{}, haves: map[int][]byte{}}
	f.changed = sync.NewCond(&f.mu)
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() { f.run(ctx, i, src, progress) })
	}
	// A worker waiting for chunks in flight elsewhere wakes when ctx ends.
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.changed.Broadcast()
		f.mu.Unlock()
	})
	wg.Wait()
	stop()
	out := Outcome{Complete: h.Complete(), Bad: f.bad, Failed: f.failed}
	if !out.Complete && ctx.Err() != nil {
		return out, ctx.Err()
	}
	return out, nil
}

// fetch is one Fetch's shared state: who has what, and what is asked for.
type fetch struct {
	h        *Holding
	mu       sync.Mutex
	changed  *sync.Cond // a chunk landed or was given back, or a source finished asking
	inFlight map[int]bool
	haves    map[int][]byte // by source: the bitmap it answered, less what it lacked
	bad      []string
	failed   []string
}

func (f *fetch) run(ctx context.Context, src int, s Source, progress func(int)) {
	have, err := s.Have(ctx)
	f.mu.Lock()
	if err == nil {
		f.haves[src] = slices.Clone(have)
	}
	f.changed.Broadcast()
	f.mu.Unlock()
	if err != nil {
		f.drop(src, s, &f.failed)
		return
	}
	for {
		batch := f.next(ctx, src)
		if len(batch) == 0 {
			return
		}
		err := s.Get(ctx, batch, func(i int, chunk []byte) error {
			if chunk == nil {
				f.lacks(src, i)
				return nil
			}
			if _, err := f.h.Put(i, chunk); err != nil {
				if errors.Is(err, ErrChunk) {
					return fmt.Errorf("%w: %w", errBadChunk, err)
				}
				return err
			}
			if progress != nil {
				progress(f.h.Held())
			}
			return nil
		})
		f.giveBack(batch)
		switch {
		case errors.Is(err, errBadChunk):
			f.drop(src, s, &f.bad)
			return
		case err != nil:
			f.drop(src, s, &f.failed)
			return
		}
	}
}

// next picks the chunks src is to ask for next, marking them in flight.
// It waits while what src could give is in flight elsewhere (another
// source may fail and give it back), and returns none once src can give
// nothing more, or ctx ended.
func (f *fetch) next(ctx context.Context, src int) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ctx.Err() == nil {
		have := f.haves[src]
		var free, waiting []int
		for i := range f.h.Plan().Chunks() {
			if !bitSet(have, i) || f.h.Has(i) {
				continue
			}
			if f.inFlight[i] {
				waiting = append(waiting, i)
			} else {
				free = append(free, i)
			}
		}
		if len(free) > 0 {
			batch := f.order(free)
			for _, i := range batch {
				f.inFlight[i] = true
			}
			return batch
		}
		if len(waiting) == 0 {
			return nil
		}
		f.changed.Wait()
	}
	return nil
}

// order chooses up to MaxAskChunks of the free chunks: the first MiB in
// order, then those the fewest sources hold.
func (f *fetch) order(free []int) []int {
	holders := func(i int) int {
		n := 0
		for _, have := range f.haves {
			if bitSet(have, i) {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(free, func(a, b int) int {
		switch {
		case a < sequentialChunks || b < sequentialChunks:
			return a - b
		default:
			return holders(a) - holders(b)
		}
	})
	return free[:min(len(free), MaxAskChunks)]
}

// lacks records that src does not hold chunk i after all.
func (f *fetch) lacks(src, i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if have := f.haves[src]; i/8 < len(have) {
		have[i/8] &^= 1 << (i % 8)
	}
}

// giveBack takes a batch out of flight: what landed is held, the rest is
// free for any source.
func (f *fetch) giveBack(batch []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, i := range batch {
		delete(f.inFlight, i)
	}
	f.changed.Broadcast()
}

// drop forgets a source for the rest of the fetch, noting it in list.
func (f *fetch) drop(src int, s Source, list *[]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.haves, src)
	*list = append(*list, s.Name())
	f.changed.Broadcast()
}

func bitSet(bitmap []byte, i int) bool {
	return i/8 < len(bitmap) && bitmap[i/8]&(1<<(i%8)) != 0
}
