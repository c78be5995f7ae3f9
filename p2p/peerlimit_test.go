package p2p

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/roomkey"
	"parley/wire"
)

func defaultPeerLimits() *peerLimits {
	return newPeerLimits(DefaultPeerRate, DefaultPeerBurst, DefaultPeerByteRate, DefaultPeerByteBurst)
}

// With the default figures, a neighbour that passes on all the traffic of
// busy rooms (it is our only path to their members) is never cut.
func TestPeerLimitsSpareABusyRelay(t *testing.T) {
	tests := []struct {
		name    string
		rate    int // messages a second, all rooms together
		size    int // bytes a message
		seconds int
	}{
		{"a 100-member room at 500 msg/s", 500, 350, 120},
		{"three such rooms through one neighbour", 1500, 350, 120},
		{"a room at the 1,000 msg/s target, long texts", 1000, 2048, 60},
		{"a burst of two seconds at 4,000 msg/s", 4000, 350, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := defaultPeerLimits()
			relay := randomPeer(t)
			now := time.Unix(1_000_000, 0)
			step := time.Second / time.Duration(tt.rate)
			for i := range tt.rate * tt.seconds {
				if ok, _, _, _ := l.allow(relay, tt.size, now.Add(time.Duration(i)*step)); !ok {
					t.Fatalf("message %d of %d cut", i, tt.rate*tt.seconds)
				}
			}
			if l.flooding(relay, now.Add(time.Duration(tt.seconds)*time.Second)) {
				t.Error("an honest relay is graylisted")
			}
		})
	}
}

// A peer relaying a flood of many authors is cut to its budget, in
// messages or in bytes, whichever runs out first; one log line a minute;
// other peers keep their own budget; the flooder is graylisted until it
// has kept to the limit for floodMemory.
func TestPeerLimitsCutARelayedFlood(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		min, max int // messages passed in 10 s at 1,000 msg/s
	}{
		// 20 at once, then 10 a second for 10 s.
		{"by messages", 100, 115, 125},
		// 10 KiB at once, then 1 KiB a second: 20 KiB of 1 KiB messages.
		{"by bytes", 1024, 19, 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newPeerLimits(10, 20, 1024, 10<<10)
			flooder, honest := randomPeer(t), randomPeer(t)
			now := time.Unix(1_000_000, 0)
			passed, logs := 0, 0
			for i := range 10_000 {
				ok, log, _, _ := l.allow(flooder, tt.size, now.Add(time.Duration(i)*time.Millisecond))
				if ok {
					passed++
				}
				if log {
					logs++
				}
			}
			if passed < tt.min || passed > tt.max {
				t.Errorf("%d of 10,000 passed, want %d to %d", passed, tt.min, tt.max)
			}
			if logs != 1 {
				t.Errorf("%d log lines in 10 s of flooding, want 1", logs)
			}
			later := now.Add(10 * time.Second)
			if ok, _, _, _ := l.allow(honest, tt.size, later); !ok {
				t.Error("an honest peer was cut because another flooded")
			}
			if !l.flooding(flooder, later) || l.flooding(honest, later) {
				t.Error("flooding() does not tell the flooder from the honest peer")
			}
			if l.flooding(flooder, later.Add(floodMemory)) {
				t.Error("still graylisted long after its last cut message")
			}
			th := l.throttled(later, 32)
			if len(th) != 1 || th[0].Peer != flooder || th[0].Dropped == 0 || th[0].DroppedBytes != th[0].Dropped*int64(tt.size) {
				t.Errorf("throttled = %+v, want the flooder with its drops", th)
			}
			if l.total != int64(10_000-passed) || l.totalBytes != l.total*int64(tt.size) {
				t.Errorf("totals %d messages, %d bytes; want %d messages of %d bytes", l.total, l.totalBytes, 10_000-passed, tt.size)
			}
		})
	}
}

// However many peers or sync sessions show up, the budgets kept stay
// bounded; budgets idle long enough to be full again are swept.
func TestPeerAndSessionLimitsAreBounded(t *testing.T) {
	l := defaultPeerLimits()
	s := newSessionLimits(syncSessionEvery, syncSessionBurst)
	room, _ := wire.NewRoomID()
	now := time.Unix(1_000_000, 0)
	for i := range maxLimitedSessions + 100 {
		p := randomPeer(t)
		l.allow(p, 300, now.Add(time.Duration(i)))
		s.allow(p, room, now.Add(time.Duration(i)))
	}
	if len(l.peers) > maxLimitedPeers || len(s.sessions) > maxLimitedSessions {
		t.Errorf("%d peer budgets (bound %d), %d session budgets (bound %d)", len(l.peers), maxLimitedPeers, len(s.sessions), maxLimitedSessions)
	}
	// Long after, one new peer sweeps every idle budget at once.
	later := now.Add(time.Hour)
	l.allow(randomPeer(t), 300, later)
	s.allow(randomPeer(t), room, later)
	if len(l.peers) != 1 || len(s.sessions) != 1 {
		t.Errorf("%d peer budgets and %d session budgets after an hour idle, want 1 each", len(l.peers), len(s.sessions))
	}
}

// Parley's own schedule of sync sessions (one when a member appears on a
// room's topic, anti-entropy once a minute, a session after each redial)
// never meets the limit; a peer asking for sessions back to back does.
func TestSessionLimitsSpareParleysOwnSchedule(t *testing.T) {
	room, _ := wire.NewRoomID()
	tests := []struct {
		name    string
		at      []time.Duration // when the peer starts a session
		refused int             // give or take one
	}{
		{"join, then anti-entropy every minute for an hour", every(time.Minute, 61), 0},
		{"a redial every 20 s for ten minutes, anti-entropy besides", merge(every(20*time.Second, 30), every(time.Minute, 10)), 0},
		{"eight rooms' worth at once, after a partition", every(0, syncSessionBurst), 0},
		// The burst, then one each 15 s: 8 + 3 of 60.
		{"a session a second for a minute", every(time.Second, 60), 60 - syncSessionBurst - 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSessionLimits(syncSessionEvery, syncSessionBurst)
			p := randomPeer(t)
			start := time.Unix(1_000_000, 0)
			refused := 0
			for _, d := range tt.at {
				if ok, _, _ := s.allow(p, room, start.Add(d)); !ok {
					refused++
				}
			}
			if refused < tt.refused-1 || refused > tt.refused+1 || tt.refused == 0 && refused != 0 {
				t.Errorf("%d of %d sessions refused, want %d", refused, len(tt.at), tt.refused)
			}
		})
	}
}

func every(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i) * d
	}
	return out
}

func merge(a, b []time.Duration) []time.Duration {
	out := append(append([]time.Duration{}, a...), b...)
	for i := 1; i < len(out); i++ { // insertion sort: a few dozen entries
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Between real nodes: a peer passing on messages of 60 authors, each well
// within its own budget, reaches the receiver with at most its per-peer
// burst plus the rate; the rest is neither delivered nor logged more than
// once; the peer is listed, counted and graylisted; an honest neighbour's
// messages still all arrive.
func TestRelayOfManyAuthorsIsCut(t *testing.T) {
	const rate, burst, authors, each = 20, 40, 60, 10
	room, _ := wire.NewRoomID()
	var warnings atomic.Int64
	rkey, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	receiver, err := New(t.Context(), Options{Key: rkey, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		PeerRate: rate, PeerBurst: burst, Logger: slog.New(countingHandler{&warnings})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { receiver.Close() })
	var mu sync.Mutex
	got := map[peer.ID]int{} // delivered, by author
	if err := receiver.Join(roomkey.FromLegacyID(room), func(b Batch) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range b.Messages {
			got[m.Author]++
		}
	}); err != nil {
		t.Fatal(err)
	}
	delivered := func(match func(peer.ID) bool) int {
		mu.Lock()
		defer mu.Unlock()
		sum := 0
		for a, n := range got {
			if match(a) {
				sum += n
			}
		}
		return sum
	}
	relay := newTestNode(t, ModeOff)
	honest := newTestNode(t, ModeOff)
	for _, n := range []*Node{relay, honest} {
		if err := n.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
			t.Fatal(err)
		}
		if err := n.host.Connect(t.Context(), peer.AddrInfo{ID: receiver.ID(), Addrs: receiver.host.Addrs()}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(relay.RoomPeers(room)) == 0 || len(honest.RoomPeers(room)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the receiver never appeared in the room")
		}
		time.Sleep(10 * time.Millisecond)
	}

	keys := make([]crypto.PrivKey, authors)
	fake := map[peer.ID]bool{}
	for i := range keys {
		if keys[i], _, err = crypto.GenerateEd25519Key(rand.Reader); err != nil {
			t.Fatal(err)
		}
		id, _ := peer.IDFromPrivateKey(keys[i])
		fake[id] = true
	}
	var msgs []*wire.Message
	base := wire.WallTime(time.Now())
	for i := range authors * each {
		m, err := wire.Sign(keys[i%authors], wire.Draft{Room: room, Time: base + uint64(i), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprint("relayed ", i)})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	start := time.Now()
	for _, m := range msgs {
		if err := relay.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	published := time.Now()
	// Everything is judged once cut and delivered add up, unless the
	// receiver graylisted the relay first and stopped reading it.
	// (Graylisted shows as nothing more judged for a second.)
	fromRelay := func(a peer.ID) bool { return fake[a] }
	judged, changed := int64(0), time.Now()
	for {
		cut := receiver.LimitCounts().PeerMessages
		now := int64(delivered(fromRelay)) + cut
		if now >= int64(len(msgs)) {
			break
		}
		if now != judged {
			judged, changed = now, time.Now()
		}
		if cut > 0 && receiver.limits.score(relay.ID()) == floodPenalty && time.Since(changed) > time.Second {
			break // graylisted: the rest never reaches the validator
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d delivered, %d cut, of %d", delivered(fromRelay), cut, len(msgs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := published.Sub(start).Seconds()
	passed := delivered(fromRelay)
	if max := float64(burst) + rate*elapsed + 5; float64(passed) > max {
		t.Errorf("%d of %d relayed messages delivered in %.1f s, want at most %.0f", passed, len(msgs), elapsed, max)
	}
	if passed < burst {
		t.Errorf("only %d delivered, want at least the burst of %d", passed, burst)
	}
	c := receiver.LimitCounts()
	if c.PeerMessages == 0 || c.PeerBytes < c.PeerMessages*100 || c.AuthorMessages != 0 {
		t.Errorf("LimitCounts = %+v, want relayed messages cut, none by author", c)
	}
	if th := receiver.ThrottledPeers(); len(th) != 1 || th[0].Peer != relay.ID() {
		t.Errorf("ThrottledPeers() = %+v, want the relay", th)
	}
	if s := receiver.limits.score(relay.ID()); s != floodPenalty {
		t.Errorf("the relay's app score is %v, want %v (graylisted)", s, floodPenalty)
	}
	if s := receiver.limits.score(honest.ID()); s != 0 {
		t.Errorf("the honest peer's app score is %v, want 0", s)
	}
	if w := warnings.Load(); w != 1 {
		t.Errorf("%d warnings logged about the relayed flood, want 1", w)
	}

	// The honest neighbour is not cut for what the relay did.
	const honestSent = 30
	hkey := honest.host.Peerstore().PrivKey(honest.ID())
	for i := range honestSent {
		m, err := wire.Sign(hkey, wire.Draft{Room: room, Time: wire.WallTime(time.Now()) + uint64(i), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprint("honest ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := honest.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	deadline = time.Now().Add(20 * time.Second)
	isHonest := func(a peer.ID) bool { return a == honest.ID() }
	for delivered(isHonest) < honestSent {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d honest messages delivered", delivered(isHonest), honestSent)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d of %d relayed messages delivered in %.2f s; %+v", passed, len(msgs), elapsed, receiver.LimitCounts())
}

// syncPair is two nodes that share two rooms and can sync them.
func syncPair(t *testing.T) (a, b *Node, room, other wire.RoomID, warnings *atomic.Int64) {
	t.Helper()
	room, _ = wire.NewRoomID()
	other, _ = wire.NewRoomID()
	warnings = new(atomic.Int64)
	a = newTestNode(t, ModeOff)
	b = newTestNode(t, ModeOff)
	b.log = slog.New(countingHandler{warnings})
	b.sync.log, b.limits.log = b.log, b.log
	for _, n := range []*Node{a, b} {
		n.sync.source = emptyHistory{}
		for _, r := range []wire.RoomID{room, other} {
			if err := n.Join(roomkey.FromLegacyID(r), func(Batch) {}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.host.Connect(t.Context(), peer.AddrInfo{ID: b.ID(), Addrs: b.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []wire.RoomID{room, other} {
		waitMember(t, a, b.ID(), r)
		waitMember(t, b, a.ID(), r)
	}
	return a, b, room, other, warnings
}

// syncsDone waits until n runs no session with p: a responder's session
// ends a moment after the initiator's.
func syncsDone(t *testing.T, n *Node, p peer.ID) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n.sync.mu.Lock()
		running := n.sync.running[p]
		n.sync.mu.Unlock()
		if running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still running after 10 s", running)
		}
		time.Sleep(time.Millisecond)
	}
}

// A peer that starts sync session after sync session of one room gets the
// burst, then a prompt refusal it can tell apart: ErrSyncRefused, in the
// returned error and in the progress it reports, not a hang or a protocol
// error. The refusals are counted and logged once; other rooms and the
// connection are untouched.
func TestSyncSessionsOverTheRateAreRefused(t *testing.T) {
	a, b, room, other, warnings := syncPair(t)
	var lastErr atomic.Pointer[error]
	a.SetSyncObserver(func(p SyncProgress) {
		if p.Done && p.Err != nil {
			lastErr.Store(&p.Err)
		}
	})
	for i := range syncSessionBurst {
		if err := a.Sync(t.Context(), b.ID(), room); err != nil {
			t.Fatalf("session %d of the burst: %v", i+1, err)
		}
		syncsDone(t, b, a.ID())
	}
	const over = 3
	for range over {
		start := time.Now()
		err := a.Sync(t.Context(), b.ID(), room)
		if !errors.Is(err, ErrSyncRefused) {
			t.Fatalf("session past the burst: %v, want ErrSyncRefused", err)
		}
		t.Log(err)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the refusal took %v", d)
		}
		syncsDone(t, b, a.ID())
	}
	if p := lastErr.Load(); p == nil || !errors.Is(*p, ErrSyncRefused) {
		t.Errorf("progress reported %v, want ErrSyncRefused", p)
	}
	if err := a.Sync(t.Context(), b.ID(), other); err != nil {
		t.Errorf("a sync of another room was refused too: %v", err)
	}
	if c := b.LimitCounts(); c.SyncsLimited != over || c.SyncsBusy != 0 {
		t.Errorf("LimitCounts = %+v, want %d sessions limited", c, over)
	}
	if w := warnings.Load(); w != 1 {
		t.Errorf("%d warnings about %d refused sessions, want 1", w, over)
	}
	if b.Rejections(a.ID()) != 0 || a.Rejections(b.ID()) != 0 {
		t.Error("a refusal counted as a rejection")
	}
	if a.Connectedness(b.ID()) != network.Connected {
		t.Error("a refusal hung up the connection")
	}
}

// A peer already serving its most sessions says so the same way.
func TestBusySyncIsRefusedPlainly(t *testing.T) {
	a, b, room, _, _ := syncPair(t)
	b.sync.mu.Lock()
	b.sync.served = maxSyncsServed // as if eight other sessions ran
	b.sync.mu.Unlock()
	err := a.Sync(t.Context(), b.ID(), room)
	if !errors.Is(err, ErrSyncRefused) {
		t.Fatalf("sync with a busy peer: %v, want ErrSyncRefused", err)
	}
	if c := b.LimitCounts(); c.SyncsBusy != 1 || c.SyncsLimited != 0 {
		t.Errorf("LimitCounts = %+v, want one busy refusal", c)
	}
	b.sync.mu.Lock()
	b.sync.served = 0
	b.sync.mu.Unlock()
	if err := a.Sync(t.Context(), b.ID(), room); err != nil {
		t.Errorf("sync once the peer has room: %v", err)
	}
}
