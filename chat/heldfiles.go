package chat

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"parley/files"
)

// maxIdleHoldings is how many holdings stay open with no one using them:
// opening one again rechecks every chunk it holds.
const maxIdleHoldings = 32

// heldFiles keeps the holdings of files open while they are in use (a
// fetch, a stream serving a peer, the window reading), and the last few
// used after: each open holding is two open files.
type heldFiles struct {
	root   string
	mu     sync.Mutex
	open   map[files.Hash]*openHolding
	closed bool
}

type openHolding struct {
	h       *files.Holding
	users   int
	lastUse time.Time
}

func newHeldFiles(root string) *heldFiles {
	return &heldFiles{root: root, open: map[files.Hash]*openHolding{}}
}

// errHeldClosed: the service is closing.
var errHeldClosed = errors.New("the files are closed")

// acquire opens the holding of a file, starting one from plan when plan is
// not nil and none is held yet; the caller calls release when done.
func (hf *heldFiles) acquire(hash files.Hash, plan *files.Plan) (h *files.Holding, release func(), err error) {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	if hf.closed {
		return nil, nil, errHeldClosed
	}
	o, ok := hf.open[hash]
	if !ok {
		if plan != nil {
			h, err = files.OpenHolding(filepath.Join(hf.root, hash.String()), plan)
		} else {
			h, err = files.OpenHeld(hf.root, hash)
		}
		if err != nil {
			return nil, nil, err
		}
		o = &openHolding{h: h}
		hf.open[hash] = o
	}
	o.users++
	var once sync.Once
	return o.h, func() { once.Do(func() { hf.release(hash, o) }) }, nil
}

func (hf *heldFiles) release(hash files.Hash, o *openHolding) {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	o.users--
	o.lastUse = time.Now()
	hf.trimLocked()
}

// trimLocked closes the idle holdings past maxIdleHoldings, the least
// recently used first.
func (hf *heldFiles) trimLocked() {
	var idle []files.Hash
	for hash, o := range hf.open {
		if o.users == 0 {
			idle = append(idle, hash)
		}
	}
	if len(idle) <= maxIdleHoldings {
		return
	}
	slices.SortFunc(idle, func(a, b files.Hash) int { return hf.open[a].lastUse.Compare(hf.open[b].lastUse) })
	for _, hash := range idle[:len(idle)-maxIdleHoldings] {
		_ = hf.open[hash].h.Close()
		delete(hf.open, hash)
	}
}

// remove runs rm (which removes a file's folder) with the file's holding
// closed and no one able to open it meanwhile. A holding in use is closed
// under its users only when forced (they get errors, and let it go);
// otherwise remove leaves it and answers false.
func (hf *heldFiles) remove(hash files.Hash, force bool, rm func() error) (bool, error) {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	if o, ok := hf.open[hash]; ok {
		if o.users > 0 && !force {
			return false, nil
		}
		_ = o.h.Close()
		delete(hf.open, hash)
	}
	if err := rm(); err != nil {
		return false, err
	}
	return true, nil
}

// close closes every holding; those in use are closed all the same (the
// service is closing, its users are done or about to be).
func (hf *heldFiles) close() error {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	hf.closed = true
	var errs []error
	for hash, o := range hf.open {
		errs = append(errs, o.h.Close())
		delete(hf.open, hash)
	}
	return errors.Join(errs...)
}
