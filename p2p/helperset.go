package p2p

import (
	"slices"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// helperSet is the helper nodes a node uses, oldest first, at most
// maxHelpers: the DHT bootstraps from them and AutoRelay picks relays among
// them.
type helperSet struct {
	mu    sync.Mutex
	byID  map[peer.ID]peer.AddrInfo
	order []peer.ID // oldest first
}

func newHelperSet() *helperSet { return &helperSet{byID: map[peer.ID]peer.AddrInfo{}} }

// add records a helper, or its new addresses; past maxHelpers the oldest
// goes.
func (hs *helperSet) add(info peer.AddrInfo) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if _, ok := hs.byID[info.ID]; !ok {
		hs.order = append(hs.order, info.ID)
	}
	hs.byID[info.ID] = info
	for len(hs.order) > maxHelpers {
		delete(hs.byID, hs.order[0])
		hs.order = hs.order[1:]
	}
}

func (hs *helperSet) remove(id peer.ID) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if _, ok := hs.byID[id]; !ok {
		return
	}
	delete(hs.byID, id)
	hs.order = slices.DeleteFunc(hs.order, func(h peer.ID) bool { return h == id })
}

func (hs *helperSet) has(id peer.ID) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	_, ok := hs.byID[id]
	return ok
}

// list gives the helpers, oldest first.
func (hs *helperSet) list() []peer.AddrInfo {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	out := make([]peer.AddrInfo, 0, len(hs.order))
	for _, id := range hs.order {
		out = append(out, hs.byID[id])
	}
	return out
}
