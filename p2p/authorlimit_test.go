package p2p

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

// A bucket lets a burst through, then the rate; one log line per author per
// minute however much is cut; other authors and rooms keep their own budget.
func TestAuthorLimitsCutAFlooderOnly(t *testing.T) {
	l := newAuthorLimits(10, 20)
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	flooder, honest := randomPeer(t), randomPeer(t)
	now := time.Unix(1_000_000, 0)
	passed, logs := 0, 0
	for i := range 1000 { // 1,000 messages over 10 s: 100 msg/s
		ok, log, _ := l.allow(room, flooder, now.Add(time.Duration(i)*10*time.Millisecond))
		if ok {
			passed++
		}
		if log {
			logs++
		}
	}
	// 20 at once, then 10 a second for 10 s: about 120.
	if passed < 110 || passed > 130 {
		t.Errorf("%d of 1,000 passed at 100 msg/s against 10 msg/s with a burst of 20, want about 120", passed)
	}
	if logs != 1 {
		t.Errorf("%d log lines in 10 s of flooding, want 1", logs)
	}
	later := now.Add(10 * time.Second)
	if ok, _, _ := l.allow(room, honest, later); !ok {
		t.Error("an honest author was cut because another flooded")
	}
	if ok, _, _ := l.allow(other, flooder, later); !ok {
		t.Error("the flooder was cut in a room it did not flood")
	}
	th := l.throttled(later, 32)
	if len(th) != 1 || th[0].Author != flooder || th[0].Room != room || th[0].Dropped == 0 {
		t.Errorf("throttled = %+v, want the flooder in its room with drops counted", th)
	}
	if got := l.throttled(later.Add(2*throttledFor), 32); len(got) != 0 {
		t.Errorf("still throttled two minutes after its last drop: %+v", got)
	}
	if !l.flooding(flooder, later) || l.flooding(honest, later) {
		t.Error("flooding() does not tell the flooder from the honest author")
	}
	if l.flooding(flooder, later.Add(floodMemory)) {
		t.Error("still flooding long after its last cut message")
	}
	if l.droppedTotal() != int64(1000-passed) {
		t.Errorf("droppedTotal = %d, want %d", l.droppedTotal(), 1000-passed)
	}
}

// However many authors write, the buckets kept stay bounded.
func TestAuthorLimitsAreBounded(t *testing.T) {
	l := newAuthorLimits(10, 20)
	room, _ := wire.NewRoomID()
	now := time.Now()
	for i := range maxLimitedAuthors + 100 {
		l.allow(room, randomPeer(t), now.Add(time.Duration(i)))
	}
	if l.buckets.Len() > maxLimitedAuthors {
		t.Errorf("%d buckets kept, want at most %d", l.buckets.Len(), maxLimitedAuthors)
	}
	// Every author over its budget at once: the cut list stays bounded too.
	cut := newAuthorLimits(1, 1)
	for i := range maxLimitedAuthors + 100 {
		a := randomPeer(t)
		cut.allow(room, a, now.Add(time.Duration(i)))
		cut.allow(room, a, now.Add(time.Duration(i)))
	}
	if cut.lastCut.Len() > maxLimitedAuthors {
		t.Errorf("%d cut authors kept, want at most %d", cut.lastCut.Len(), maxLimitedAuthors)
	}
}

// Between real nodes: a peer publishing its own signed messages far faster
// than the limit reaches the other with at most the burst plus the rate;
// the rest is neither delivered nor logged more than once, the flooder is
// listed as throttled and graylisted (its later messages are not even read).
func TestFlooderIsCutBeforeDelivery(t *testing.T) {
	const rate, burst, sent = 20, 40, 600
	room, _ := wire.NewRoomID()
	fkey, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	flooder, err := New(t.Context(), Options{Key: fkey, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, AuthorRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flooder.Close() })
	var warnings atomic.Int64
	rkey, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	receiver, err := New(t.Context(), Options{Key: rkey, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		AuthorRate: rate, AuthorBurst: burst, Logger: slog.New(countingHandler{&warnings})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { receiver.Close() })
	var got atomic.Int64
	if err := receiver.Join(roomkey.FromLegacyID(room), func(b Batch) { got.Add(int64(len(b.Messages))) }); err != nil {
		t.Fatal(err)
	}
	if err := flooder.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	if err := flooder.host.Connect(t.Context(), peer.AddrInfo{ID: receiver.ID(), Addrs: receiver.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(flooder.RoomPeers(room)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the receiver never appeared in the room")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	for i := range sent {
		m, err := wire.Sign(fkey, wire.Draft{Room: room, Time: wire.WallTime(time.Now()) + uint64(i), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprint("flood ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := flooder.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	// Everything published has been judged once the cut ones are counted
	// and the rest delivered, unless the receiver stopped listening to the
	// flooder first: each cut message it sent itself costs it peer score,
	// and past the graylist threshold its messages are not even read.
	published := time.Now()
	for got.Load()+receiver.ThrottledTotal() < sent {
		if receiver.ThrottledTotal() > 0 && time.Since(published) > 3*time.Second {
			break // graylisted: the rest never reaches the validator
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d delivered, %d cut, of %d", got.Load(), receiver.ThrottledTotal(), sent)
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := published.Sub(start).Seconds()
	if max := float64(burst) + rate*elapsed + 5; float64(got.Load()) > max {
		t.Errorf("%d of %d flood messages delivered in %.1f s, want at most %.0f", got.Load(), sent, elapsed, max)
	}
	if got.Load() < burst {
		t.Errorf("only %d delivered, want at least the burst of %d", got.Load(), burst)
	}
	th := receiver.Throttled()
	if len(th) != 1 || th[0].Author != flooder.ID() {
		t.Errorf("Throttled() = %+v, want the flooder", th)
	}
	if w := warnings.Load(); w != 1 {
		t.Errorf("%d warnings logged about the flood, want 1", w)
	}
	t.Logf("%d of %d delivered in %.1f s, %d cut, %d never read (graylisted)", got.Load(), sent, elapsed,
		receiver.ThrottledTotal(), sent-got.Load()-receiver.ThrottledTotal())
}
