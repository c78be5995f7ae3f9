// Command syncbench measures /parley/sync/1 between two real libp2p hosts on
// 127.0.0.1: the time, rounds and bytes to reconcile a room whose histories
// differ by a few messages, and to catch up on many. Histories are held in
// memory (the store's own scan cost is measured by storerss); every message
// that crosses is a real signed envelope, verified on arrival. It prints
// one JSON object.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/p2p"
	"parley/reconcile"
	"parley/roomkey"
	"parley/wire"
)

// memHistory is a SyncSource over items in memory.
type memHistory struct {
	mu        sync.Mutex
	items     []reconcile.Item
	envelopes map[wire.MessageID][]byte
	received  int
}

func (h *memHistory) Scan(wire.RoomID) reconcile.Source {
	h.mu.Lock()
	defer h.mu.Unlock()
	return reconcile.Slice(slices.Clone(h.items))
}

func (h *memHistory) Envelope(id wire.MessageID) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	env, ok := h.envelopes[id]
	if !ok {
		return nil, fmt.Errorf("no envelope for %s", id)
	}
	return env, nil
}

func (h *memHistory) add(m *wire.Message) {
	h.items = append(h.items, reconcile.Item{Time: m.Time, ID: m.ID})
	h.envelopes[m.ID] = m.Raw
}

func (h *memHistory) deliver(b p2p.Batch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range b.Messages {
		h.add(m)
	}
	h.received += len(b.Messages)
}

type result struct {
	Scenario    string  `json:"scenario"`
	Shared      int     `json:"shared"`
	OnlyA       int     `json:"onlyA"`
	OnlyB       int     `json:"onlyB"`
	Seconds     float64 `json:"seconds"`
	Rounds      int     `json:"rounds"`
	ReconBytes  int     `json:"reconBytes"`
	TotalBytes  int     `json:"totalBytes"`
	PlainIDList int     `json:"plainIdListBytes"` // what sending every ID would cost
}

func main() {
	results := []result{}
	for _, sc := range []struct {
		name                 string
		shared, onlyA, onlyB int
	}{
		{"1 difference in 10^5", 100_000, 1, 0},
		{"1 difference in 10^6", 1_000_000, 1, 0},
		{"catch up 10,000", 0, 10_000, 0},
		{"1,000 + 10 differences in 10^5", 100_000, 1_000, 10},
	} {
		r, err := run(sc.name, sc.shared, sc.onlyA, sc.onlyB)
		if err != nil {
			fmt.Fprintln(os.Stderr, "syncbench:", err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		os.Exit(1)
	}
}

func run(name string, shared, onlyA, onlyB int) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	keys, err := roomkey.New()
	if err != nil {
		return result{}, err
	}
	room := keys.ID
	ha := &memHistory{envelopes: map[wire.MessageID][]byte{}}
	hb := &memHistory{envelopes: map[wire.MessageID][]byte{}}
	// Shared history: made-up items, never sent, so no envelopes needed.
	for i := range shared {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		it := reconcile.Item{Time: uint64(i+1) << 16, ID: sha256.Sum256(b[:])}
		ha.items = append(ha.items, it)
		hb.items = append(hb.items, it)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return result{}, err
	}
	// The differences are spread over the whole history, the costly case:
	// every range holding one differs.
	diffs := onlyA + onlyB
	for i := range diffs {
		t := uint64(i*max(shared, diffs)/diffs+1)<<16 | 1
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: t, Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprintf("message %d", i)})
		if err != nil {
			return result{}, err
		}
		if i < onlyA {
			ha.add(m)
		} else {
			hb.add(m)
		}
	}
	for _, h := range []*memHistory{ha, hb} {
		slices.SortFunc(h.items, reconcile.Compare)
	}

	a, err := node(ctx, ha)
	if err != nil {
		return result{}, err
	}
	defer a.Close()
	b, err := node(ctx, hb)
	if err != nil {
		return result{}, err
	}
	defer b.Close()
	if err := a.Join(keys, ha.deliver); err != nil {
		return result{}, err
	}
	if err := b.Join(keys, hb.deliver); err != nil {
		return result{}, err
	}
	if err := a.Connect(ctx, b.Addrs()[0]); err != nil {
		return result{}, err
	}
	// A session starts once each side has the other's proof of membership
	// (their hellos), which is not part of what is measured.
	for !slices.Contains(a.RoomPeers(room), b.ID()) || !slices.Contains(b.RoomPeers(room), a.ID()) {
		if ctx.Err() != nil {
			return result{}, fmt.Errorf("%s: the nodes never saw each other in the room", name)
		}
		time.Sleep(time.Millisecond)
	}
	var last p2p.SyncProgress
	a.SetSyncObserver(func(p p2p.SyncProgress) { last = p })

	start := time.Now()
	if err := a.Sync(ctx, b.ID(), room); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	// a's session ends after receiving; b's deliveries land as b reads a's batches.
	for {
		hb.mu.Lock()
		done := hb.received == onlyA
		hb.mu.Unlock()
		if done {
			break
		}
		if ctx.Err() != nil {
			return result{}, fmt.Errorf("%s: b did not receive everything", name)
		}
		time.Sleep(time.Millisecond)
	}
	return result{
		Scenario: name, Shared: shared, OnlyA: onlyA, OnlyB: onlyB,
		Seconds: time.Since(start).Seconds(), Rounds: last.Rounds, ReconBytes: last.ReconBytes, TotalBytes: last.Bytes,
		PlainIDList: (shared + onlyA + onlyB) * 32,
	}, nil
}

func node(ctx context.Context, h *memHistory) (*p2p.Node, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	return p2p.New(ctx, p2p.Options{Key: key, Mode: p2p.ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Sync: h})
}
