package p2p

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	"github.com/libp2p/go-libp2p-kad-dht/records"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/peerstore/pstoremem"
)

// 10,000 provider records from 100 peers, through kad-dht's own provider
// manager as a DHT server runs it: what is kept stays within the bounds,
// per peer and in all, and what is kept is served.
func TestProviderRecordsAreBounded(t *testing.T) {
	const (
		peers, keys      = 100, 100
		perPeer, inTotal = 50, 4000
	)
	store := newProviderStore(perPeer, inTotal)
	pstore, err := pstoremem.NewPeerstore()
	if err != nil {
		t.Fatal(err)
	}
	defer pstore.Close()
	pm, err := records.NewProviderManager(randomPeer(t), pstore, store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for range peers {
		p := randomPeer(t)
		for k := range keys {
			if err := pm.AddProvider(ctx, fmt.Appendf(nil, "room key %d", k), peer.AddrInfo{ID: p}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := pm.Close(); err != nil { // flushes what it buffered
		t.Fatal(err)
	}
	total, most := store.counts()
	if total != inTotal || most > perPeer {
		t.Fatalf("%d records kept, at most %d of one peer; want %d, at most %d", total, most, inTotal, perPeer)
	}
	if got := store.dropped.Load(); got != peers*keys-inTotal {
		t.Errorf("%d records dropped, want %d", got, peers*keys-inTotal)
	}

	// What was kept is what a new provider manager on the store serves.
	pm, err = records.NewProviderManager(randomPeer(t), pstore, store)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	served := 0
	for k := range keys {
		provs, err := pm.GetProviders(ctx, fmt.Appendf(nil, "room key %d", k))
		if err != nil {
			t.Fatal(err)
		}
		served += len(provs)
	}
	if served != inTotal {
		t.Fatalf("%d providers served, want the %d kept", served, inTotal)
	}
}

// Past its bound a peer's new records are dropped, its records held are
// still refreshed, and one that expires makes room.
func TestProviderStorePerPeer(t *testing.T) {
	ctx := t.Context()
	store := newProviderStore(2, 100)
	p, q := randomPeer(t).String(), randomPeer(t).String()
	key := func(k, who string) ds.Key { return ds.NewKey(records.ProvidersKeyPrefix + k + "/" + who) }
	put := func(k ds.Key, v string) {
		t.Helper()
		if err := store.Put(ctx, k, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	has := func(k ds.Key) bool {
		t.Helper()
		ok, err := store.Has(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	put(key("A", p), "1")
	put(key("B", p), "1")
	put(key("C", p), "1")
	if has(key("C", p)) {
		t.Fatal("a third record of one peer was kept, the bound is 2")
	}
	put(key("C", q), "1")
	if !has(key("C", q)) {
		t.Fatal("another peer's record was dropped")
	}
	put(key("A", p), "2")
	if v, err := store.Get(ctx, key("A", p)); err != nil || string(v) != "2" {
		t.Fatalf("a held record refreshed: %q, %v; want 2", v, err)
	}
	if err := store.Delete(ctx, key("A", p)); err != nil {
		t.Fatal(err)
	}
	put(key("C", p), "1")
	if !has(key("C", p)) {
		t.Fatal("no room after a record expired")
	}
	res, err := store.Query(ctx, dsq.Query{Prefix: records.ProvidersKeyPrefix + "C"})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := res.Rest()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("the query for one key found %d records, want 2: %v", len(entries), entries)
	}
	if err := store.Put(ctx, ds.NewKey("/pk/x"), nil); err == nil {
		t.Fatal("a value record was taken")
	}
}

// A helper's DHT keeps its provider records in the bounded store: one
// peer's many records stop at maxProvidersPerPeer.
func TestHelperDHTBoundsProviderRecords(t *testing.T) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	helper, err := New(t.Context(), Options{
		Key: key, Mode: ModeInternet, Helper: true, Isolated: true,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	p := randomPeer(t)
	for k := range maxProvidersPerPeer + 100 {
		if err := helper.rendezvous.dht.ProviderStore().AddProvider(ctx, fmt.Appendf(nil, "room key %d", k), peer.AddrInfo{ID: p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := helper.Close(); err != nil { // the DHT flushes its buffer
		t.Fatal(err)
	}
	if total, _ := helper.rendezvous.providers.counts(); total != maxProvidersPerPeer {
		t.Fatalf("the helper kept %d records of one peer, want %d", total, maxProvidersPerPeer)
	}
}
