package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	"github.com/multiformats/go-multiaddr"

	"parley/lru"
)

// wssDelay is how long a secure WebSocket dial waits for QUIC and TCP to
// the same peer: they are faster where they get through, and where only
// web traffic gets out they never answer, so WSS must not wait for them to
// give up.
const wssDelay = 1500 * time.Millisecond

// wssRememberedDelay is the wait for a helper's WSS address that worked
// before: enough for QUIC to win where it gets through (one round trip
// against WSS's several), so a member back on an open network is not left
// on WSS, and short enough not to matter where only WSS gets out.
const wssRememberedDelay = 250 * time.Millisecond

// wssRemembered bounds the helper addresses remembered as reached over
// WSS: a group runs a handful of helpers.
const wssRemembered = 64

// wssMemory remembers the helpers' WSS addresses that worked, so that the
// next dial to one tries WSS at once: on a network that lets only web
// traffic out, every reconnection would otherwise wait wssDelay.
type wssMemory struct {
	mu     sync.Mutex
	worked *lru.Map[string, struct{}] // by wssKey
}

func newWSSMemory() *wssMemory {
	return &wssMemory{worked: lru.New[string, struct{}](wssRemembered, nil)}
}

// wssKey names a WSS address by where it goes (IP or name, and port): a
// connection's remote address lacks the SNI part of the address dialled.
func wssKey(a multiaddr.Multiaddr) string {
	if len(a) < 2 {
		return ""
	}
	return a[:2].String()
}

// remember notes that a dial to a reached a helper over WSS.
func (m *wssMemory) remember(a multiaddr.Multiaddr) {
	if k := wssKey(a); k != "" {
		m.mu.Lock()
		m.worked.Add(k, struct{}{}, nil)
		m.mu.Unlock()
	}
}

func (m *wssMemory) knows(a multiaddr.Multiaddr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.worked.Peek(wssKey(a))
	return ok
}

// rank is the swarm's dial ranker: go-libp2p's default order for QUIC, TCP
// and relays; direct WSS addresses wssDelay after the start, or at once
// when a proxy carries WSS or the peer has nothing else, or after
// wssRememberedDelay for an address that worked before.
func (m *wssMemory) rank(addrs []multiaddr.Multiaddr) []network.AddrDelay {
	var others, wss []multiaddr.Multiaddr
	for _, a := range addrs {
		if transportOf(a) == "wss" && !isRelayed(a) {
			wss = append(wss, a)
		} else {
			others = append(others, a)
		}
	}
	out := swarm.DefaultDialRanker(others)
	delay := wssDelay
	if len(others) == 0 || proxyInUse() {
		delay = 0
	}
	for _, a := range wss {
		d := delay
		if m.knows(a) {
			d = min(d, wssRememberedDelay)
		}
		out = append(out, network.AddrDelay{Addr: a, Delay: d})
	}
	return out
}
