package chat

import (
	"crypto/rand"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/p2p"
	"parley/store"
	"parley/wire"
)

// seedMessages writes n signed messages straight into a node's store, as if
// they had arrived while the test was not looking.
func seedMessages(t *testing.T, s *Service, room wire.RoomID, n int, label string, start uint64) []string {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	items := make([]store.Item, 0, 1000)
	flush := func() {
		if _, err := s.store.Put(t.Context(), items...); err != nil {
			t.Fatal(err)
		}
		items = items[:0]
	}
	for i := range n {
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: start + uint64(i)<<16, Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprintf("%s %d", label, i)})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, store.ItemOf(m))
		ids = append(ids, m.ID.String())
		if len(items) == cap(items) {
			flush()
		}
	}
	if len(items) > 0 {
		flush()
	}
	return ids
}

// copyStore puts every message of from's room into to's store.
func copyMessages(t *testing.T, from, to *Service, room wire.RoomID) {
	t.Helper()
	positions, err := from.store.Positions(room)
	if err != nil {
		t.Fatal(err)
	}
	var items []store.Item
	for _, p := range positions {
		it, _, err := from.store.Get(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
		if len(items) == 1000 {
			if _, err := to.store.Put(t.Context(), items...); err != nil {
				t.Fatal(err)
			}
			items = nil
		}
	}
	if _, err := to.store.Put(t.Context(), items...); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, s *Service, room wire.RoomID) int {
	n, err := s.store.Count(room)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// progressLog records a node's sync progress.
type progressLog struct {
	mu   sync.Mutex
	last []p2p.SyncProgress
}

func (l *progressLog) done() []p2p.SyncProgress {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []p2p.SyncProgress
	for _, p := range l.last {
		if p.Done {
			out = append(out, p)
		}
	}
	return out
}

func TestSyncFindsTheDifferencesInALargeHistory(t *testing.T) {
	const aOnly, bOnly = 1_000, 10
	// 100,000 shared messages in `make test-long`; `make test` (-short)
	// checks the same bounds on 10,000, a tenth of the time, which still
	// takes three rounds of splitting (log16 of 10,000/32 is over 2).
	shared := 100_000
	if testing.Short() {
		shared = 10_000
	}
	a := newNode(t, t.TempDir())
	b := newNode(t, t.TempDir())
	room, err := a.CreateRoom("archive")
	if err != nil {
		t.Fatal(err)
	}
	id := mustRoom(t, room.ID)
	joinFrom(t, a, b, room.ID, "archive")
	base := wire.WallTime(time.Now().Add(-time.Hour))
	seedMessages(t, a, id, shared, "shared", base)
	copyMessages(t, a, b, id)
	seedMessages(t, a, id, aOnly, "only a", base+1)
	seedMessages(t, b, id, bOnly, "only b", base+3)

	// Connecting is all it takes: the member appearing in the room starts a
	// sync. Watch its figures on both sides.
	var log progressLog
	observe := func(p p2p.SyncProgress) {
		log.mu.Lock()
		log.last = append(log.last, p)
		log.mu.Unlock()
	}
	a.node.SetSyncObserver(observe)
	b.node.SetSyncObserver(observe)
	if err := a.Connect(t.Context(), b.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	want := shared + aOnly + bOnly
	eventually(t, 30*time.Second, "both hold the union", func() bool {
		return count(t, a, id) == want && count(t, b, id) == want
	})
	// a's view of the session that carried the differences (the minute's
	// anti-entropy round may run another, with nothing to carry).
	var p p2p.SyncProgress
	eventually(t, 10*time.Second, "a finishes the session that sent its messages", func() bool {
		for _, d := range log.done() {
			if d.Peer == b.id.ID && d.Sent > 0 {
				p = d
				return true
			}
		}
		return false
	})
	// Bound: each round splits a differing range in 16 until ranges hold 32
	// items or fewer, so rounds grow with log16(n/32) (3 for 10^5), plus the
	// first frame and the closing ID lists: 2*3+4 = 10 frames at most. A
	// frame carries at most 16 fingerprints (~80 bytes each) per differing
	// range and the IDs of settled small ranges: about 32 IDs of 32 bytes for
	// each difference, so 1,010 differences cost well under 1,010*32*40 bytes
	// — against 3.2 MB for the plain ID list of 100,000 messages.
	if maxRounds := 2*int(math.Ceil(math.Log(float64(shared)/32)/math.Log(16))) + 4; p.Rounds > maxRounds {
		t.Errorf("%d rounds, bound %d", p.Rounds, maxRounds)
	}
	if maxRecon := (aOnly + bOnly) * 32 * 40; p.ReconBytes > maxRecon {
		t.Errorf("reconciliation took %d bytes, bound %d", p.ReconBytes, maxRecon)
	}
	if p.Received != bOnly || p.Sent != aOnly {
		t.Errorf("received %d, sent %d; want %d and %d", p.Received, p.Sent, bOnly, aOnly)
	}
	t.Logf("1,010 differences in %d: %d rounds, %d reconciliation bytes, %d bytes in all", shared, p.Rounds, p.ReconBytes, p.Bytes)
}

func TestOfflineNodeCatchesUpWithProgressEvents(t *testing.T) {
	// 10,000 in `make test-long`; -short keeps a dozen sync batches and
	// more messages than a subscriber's buffer holds events.
	missed := 10_000
	if testing.Short() {
		missed = 3_000
	}
	a := newNode(t, t.TempDir())
	bDir := t.TempDir()
	b := openNode(t, bDir)
	room, _ := a.CreateRoom("catch up")
	id := mustRoom(t, room.ID)
	joinFrom(t, a, b, room.ID, "catch up")
	if err := b.Close(); err != nil { // b goes offline
		t.Fatal(err)
	}
	sent := seedMessages(t, a, id, missed, "while you were away", wire.WallTime(time.Now().Add(-time.Hour)))

	b = newNode(t, bDir) // back online
	// Subscribe like a UI that is busy for the whole catch-up and reads no
	// event until it is over: a frame of messages is announced with one
	// event, so nothing overflows.
	events, stop := b.Subscribe()
	defer stop()
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "b holds every message it missed", func() bool { return count(t, b, id) == missed })
	if last, _ := b.History(room.ID, "", 1); len(last) != 1 || last[0].ID != sent[missed-1] {
		t.Errorf("newest message on b = %v", last)
	}

	// The event stream told the UI how it went.
	var sawPartial, sawDone bool
	arrived, arrivedEvents := 0, 0
	deadline := time.After(10 * time.Second)
	for !sawDone {
		select {
		case e := <-events:
			switch d := e.Data.(type) {
			case SyncProgress:
				if d.Total == 0 {
					continue
				}
				if d.Total != missed {
					t.Errorf("progress total %d, want %d", d.Total, missed)
				}
				sawPartial = sawPartial || (d.Received > 0 && d.Received < d.Total)
				sawDone = d.Done && d.Received == missed
			case Arrived:
				if d.Room != room.ID {
					t.Errorf("arrived in room %s", d.Room)
				}
				arrived += d.Count
				arrivedEvents++
			}
			switch e.Name {
			case EventLagged:
				t.Fatal("the subscriber lagged: the catch-up sent an event per message")
			case EventMessage:
				arrived++ // a small last frame is announced message by message
			}
		case <-deadline:
			t.Fatalf("no finished sync event (partial progress seen: %v)", sawPartial)
		}
	}
	if !sawPartial {
		t.Error("no progress event before the end")
	}
	if arrived != missed {
		t.Errorf("events announced %d messages, want %d", arrived, missed)
	}
	if arrivedEvents > missed/100 {
		t.Errorf("%d arrived events for %d messages: frames were not announced whole", arrivedEvents, missed)
	}
	t.Logf("%d messages announced in %d events", arrived, arrivedEvents)
}

// Two nodes that share many rooms reconcile every one of them after a
// reconnect: no sync request is dropped for want of queue room, and no
// room waits for the minutely anti-entropy.
func TestManySharedRoomsAllConvergeAfterReconnect(t *testing.T) {
	const rooms = 100
	a := newNode(t, t.TempDir())
	b := newNode(t, t.TempDir())
	ids := make([]wire.RoomID, rooms)
	for i := range ids {
		r, err := a.CreateRoom(fmt.Sprintf("room %03d", i))
		if err != nil {
			t.Fatal(err)
		}
		joinFrom(t, a, b, r.ID, r.Name)
		ids[i] = mustRoom(t, r.ID)
	}
	// Written while apart: one message on each side of every room.
	base := wire.WallTime(time.Now().Add(-time.Hour))
	for _, id := range ids {
		seedMessages(t, a, id, 1, "from a", base)
		seedMessages(t, b, id, 1, "from b", base+1)
	}
	if err := a.Connect(t.Context(), b.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 45*time.Second, "every room holds both messages on both nodes", func() bool {
		for _, id := range ids {
			if count(t, a, id) != 2 || count(t, b, id) != 2 {
				return false
			}
		}
		return true
	})
}
