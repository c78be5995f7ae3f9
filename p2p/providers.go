package p2p

import (
	"context"
	"errors"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	"github.com/libp2p/go-libp2p-kad-dht/records"
)

// Provider records a DHT server keeps, at most: per peer, enough for a
// node in as many rooms as a hello can prove, near midnight (two keys a
// room); in all, 65,536 (about 16 MiB).
const (
	maxProvidersPerPeer = 2 * 256
	maxProviders        = 1 << 16
)

// providerStore is the DHT's provider datastore: in memory, and bounded.
// kad-dht (v0.42.2) always runs its own provider manager, with no cap, over
// the datastore it is given; this one holds at most perPeer records of one
// peer and total records in all. A new record past either bound is
// dropped without an error (the others written with it still land), and
// the peer's next advertisement after one of its records expires gets in
// again. A record already held is always refreshed.
//
// What the provider manager keeps besides the datastore is bounded on its
// own: a write buffer (flushed every 256 writes), an LRU cache of 256 keys'
// provider sets (a set grows only by peers that connected to us), and the
// providers' addresses in the peer store (for ProviderAddrTTL).
type providerStore struct {
	perPeer, total int

	mu    sync.Mutex
	keys  map[string]map[string][]byte // "/providers/<key>" → peer → value
	peers map[string]int               // peer → records held
	count int

	dropped atomic.Int64 // records refused over a bound
}

var _ ds.Batching = (*providerStore)(nil)

func newProviderStore(perPeer, total int) *providerStore {
	return &providerStore{perPeer: perPeer, total: total, keys: map[string]map[string][]byte{}, peers: map[string]int{}}
}

var errNotProviderKey = errors.New("provider store: not a provider record key")

// splitKey splits "/providers/<key>/<peer>" into "/providers/<key>" and
// "<peer>".
func splitKey(k ds.Key) (string, string, error) {
	s := k.String()
	if !strings.HasPrefix(s, records.ProvidersKeyPrefix) {
		return "", "", errNotProviderKey
	}
	i := strings.LastIndexByte(s, '/')
	if i < len(records.ProvidersKeyPrefix) {
		return "", "", errNotProviderKey
	}
	return s[:i], s[i+1:], nil
}

func (p *providerStore) Put(_ context.Context, k ds.Key, value []byte) error {
	key, who, err := splitKey(k)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	held := p.keys[key]
	if _, ok := held[who]; ok {
		held[who] = value
		return nil
	}
	if p.count >= p.total || p.peers[who] >= p.perPeer {
		p.dropped.Add(1)
		return nil
	}
	if held == nil {
		held = map[string][]byte{}
		p.keys[key] = held
	}
	held[who] = value
	p.peers[who]++
	p.count++
	return nil
}

func (p *providerStore) Delete(_ context.Context, k ds.Key) error {
	key, who, err := splitKey(k)
	if err != nil {
		return nil // never stored
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	held := p.keys[key]
	if _, ok := held[who]; !ok {
		return nil
	}
	delete(held, who)
	if len(held) == 0 {
		delete(p.keys, key)
	}
	if p.peers[who]--; p.peers[who] <= 0 {
		delete(p.peers, who)
	}
	p.count--
	return nil
}

func (p *providerStore) Get(_ context.Context, k ds.Key) ([]byte, error) {
	key, who, err := splitKey(k)
	if err != nil {
		return nil, ds.ErrNotFound
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.keys[key][who]
	if !ok {
		return nil, ds.ErrNotFound
	}
	return v, nil
}

func (p *providerStore) Has(ctx context.Context, k ds.Key) (bool, error) {
	_, err := p.Get(ctx, k)
	if errors.Is(err, ds.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (p *providerStore) GetSize(ctx context.Context, k ds.Key) (int, error) {
	v, err := p.Get(ctx, k)
	if err != nil {
		return -1, err
	}
	return len(v), nil
}

// Query answers from a copy taken under the lock, so that the caller may
// delete what it reads (the provider manager does).
func (p *providerStore) Query(_ context.Context, q dsq.Query) (dsq.Results, error) {
	prefix := path.Clean("/" + q.Prefix)
	p.mu.Lock()
	var entries []dsq.Entry
	add := func(key string, held map[string][]byte) {
		for who, v := range held {
			e := dsq.Entry{Key: key + "/" + who, Size: len(v)}
			if !q.KeysOnly {
				e.Value = v
			}
			entries = append(entries, e)
		}
	}
	if held, ok := p.keys[prefix]; ok {
		add(prefix, held) // one key's providers: the common query
	} else {
		for key, held := range p.keys {
			add(key, held)
		}
	}
	p.mu.Unlock()
	return dsq.NaiveQueryApply(q, dsq.ResultsWithEntries(q, entries)), nil
}

func (p *providerStore) Batch(context.Context) (ds.Batch, error) { return ds.NewBasicBatch(p), nil }

func (p *providerStore) Sync(context.Context, ds.Key) error { return nil }

func (p *providerStore) Close() error { return nil }

// counts reports the records held in all and the most held for one peer.
func (p *providerStore) counts() (total, maxPerPeer int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.peers {
		maxPerPeer = max(maxPerPeer, n)
	}
	return p.count, maxPerPeer
}
