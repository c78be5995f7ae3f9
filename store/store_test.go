package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/wire"
)

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixture signs real messages so stored envelopes are what peers send.
type fixture struct {
	key  crypto.PrivKey
	room wire.RoomID
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	room, err := wire.NewRoomID()
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: key, room: room}
}

func (f fixture) item(t testing.TB, time uint64, text string) Item {
	t.Helper()
	m, err := wire.Sign(f.key, wire.Draft{Room: f.room, Time: time, Kind: wire.Kind_KIND_TEXT, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return ItemOf(m)
}

func TestPutIsIdempotent(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	a, b := f.item(t, 10, "a"), f.item(t, 20, "b")
	ctx := t.Context()

	added, err := s.Put(ctx, a, b, a)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if fmt.Sprint(added) != "[true true false]" {
		t.Errorf("added = %v, want [true true false] (a repeated in one batch)", added)
	}
	added, err = s.Put(ctx, b)
	if err != nil || added[0] {
		t.Errorf("second Put of b: added %v, err %v; want not added", added, err)
	}
	if n, _ := s.Count(f.room); n != 2 {
		t.Errorf("room holds %d messages, want 2", n)
	}

	got, ok, err := s.Get(a.ID)
	if err != nil || !ok || string(got.Envelope) != string(a.Envelope) || got.Time != 10 {
		t.Errorf("Get(a) = %+v, %v, %v", got, ok, err)
	}
	if has, _ := s.Has(b.ID); !has {
		t.Error("Has(b) = false")
	}
	if _, ok, _ := s.Get(wire.IDOf([]byte("nope"))); ok {
		t.Error("Get of an unknown ID found something")
	}
	authors, err := s.Authors(f.room)
	if err != nil || len(authors) != 1 || authors[0] != a.Author {
		t.Errorf("Authors = %q, %v", authors, err)
	}
}

func TestConcurrentPutsAllLand(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	const writers, each = 8, 250
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Put(t.Context(), f.item(t, uint64(w*each+i+1), "x")); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n, _ := s.Count(f.room); n != writers*each {
		t.Errorf("room holds %d messages, want %d", n, writers*each)
	}
}

func TestPageWalksBothWays(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	other := newFixture(t)
	var items []Item
	for i := range 25 {
		items = append(items, f.item(t, uint64(100+i), fmt.Sprint(i)))
	}
	// Another room's messages must never leak into this room's pages.
	if _, err := s.Put(t.Context(), other.item(t, 50, "elsewhere"), other.item(t, 500, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), items...); err != nil {
		t.Fatal(err)
	}
	times := func(its []Item) string {
		var b strings.Builder
		for _, it := range its {
			fmt.Fprintf(&b, "%d ", it.Time)
		}
		return strings.TrimSpace(b.String())
	}

	newest, err := s.Page(f.room, Position{}, Before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := times(newest); got != "115 116 117 118 119 120 121 122 123 124" {
		t.Errorf("newest page = %s", got)
	}
	older, _ := s.Page(f.room, newest[0].Position, Before, 10)
	if got := times(older); got != "105 106 107 108 109 110 111 112 113 114" {
		t.Errorf("page before 115 = %s", got)
	}
	oldest, _ := s.Page(f.room, older[0].Position, Before, 10)
	if got := times(oldest); got != "100 101 102 103 104" {
		t.Errorf("page before 105 = %s", got)
	}
	if end, _ := s.Page(f.room, oldest[0].Position, Before, 10); len(end) != 0 {
		t.Errorf("page before the oldest = %s, want empty", times(end))
	}

	first, _ := s.Page(f.room, Position{}, After, 3)
	if got := times(first); got != "100 101 102" {
		t.Errorf("oldest page = %s", got)
	}
	next, _ := s.Page(f.room, first[2].Position, After, 3)
	if got := times(next); got != "103 104 105" {
		t.Errorf("page after 102 = %s", got)
	}
	if last, _ := s.Page(f.room, newest[9].Position, After, 3); len(last) != 0 {
		t.Errorf("page after the newest = %s, want empty", times(last))
	}
}

func TestRoomsAndProfilesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	if err := s.PutRoom(Room{ID: f.room, Name: "général", Joined: true}); err != nil {
		t.Fatal(err)
	}
	if newer, err := s.PutProfile("peer-a", 20, []byte("v20")); err != nil || !newer {
		t.Fatalf("first profile: newer %v, err %v", newer, err)
	}
	if newer, _ := s.PutProfile("peer-a", 10, []byte("v10")); newer {
		t.Error("an older profile replaced a newer one")
	}
	if _, err := s.Put(t.Context(), f.item(t, 1, "kept")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir)
	rooms, err := s.Rooms()
	if err != nil || len(rooms) != 1 || rooms[0].ID != f.room || rooms[0].Name != "général" || !rooms[0].Joined {
		t.Errorf("Rooms after reopen = %+v, %v", rooms, err)
	}
	if r, ok, _ := s.Room(f.room); !ok || r.Name != "général" {
		t.Errorf("Room = %+v, %v", r, ok)
	}
	profiles, err := s.Profiles()
	if err != nil || string(profiles["peer-a"]) != "v20" {
		t.Errorf("Profiles = %q, %v", profiles, err)
	}
	if n, _ := s.Count(f.room); n != 1 {
		t.Errorf("history after reopen holds %d messages, want 1", n)
	}
}

func TestOpenRefusesForeignData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/MANIFEST", []byte("this is not a badger manifest"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a directory with a foreign MANIFEST")
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory", err)
	}
}

func TestWritesAfterCloseFail(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f := newFixture(t)
	if _, err := s.Put(context.Background(), f.item(t, 1, "late")); err == nil {
		t.Error("Put after Close succeeded")
	}
}

// The crash test runs this test binary as a writer that prints the ID of
// each message once Put has returned, and kills it with SIGKILL.
const crashWriterEnv = "PARLEY_STORE_CRASH_WRITER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashWriterEnv); dir != "" {
		crashWriter(dir)
		return
	}
	os.Exit(m.Run())
}

func crashWriter(dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var room wire.RoomID
	out := bufio.NewWriter(os.Stdout)
	// Bounded: the parent kills it long before the end.
	for i := uint64(1); i < 1_000_000; i++ {
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: i, Kind: wire.Kind_KIND_TEXT, Text: "acknowledged"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		it := ItemOf(m)
		if _, err := s.Put(context.Background(), it); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(out, it.ID)
		out.Flush()
	}
}

func TestKillLosesNoAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(stdout)
	deadline := time.Now().Add(30 * time.Second)
	for len(acked) < 3000 && time.Now().Before(deadline) && sc.Scan() {
		acked = append(acked, sc.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // acknowledgements already in the pipe count too
		acked = append(acked, sc.Text())
	}
	cmd.Wait()
	if len(acked) < 100 {
		t.Fatalf("writer acknowledged only %d messages before the kill", len(acked))
	}

	s := openStore(t, dir)
	for _, hexID := range acked {
		raw, err := hex.DecodeString(hexID)
		if err != nil || len(raw) != wire.IDSize {
			t.Fatalf("bad acknowledgement %q", hexID)
		}
		var id wire.MessageID
		copy(id[:], raw)
		if has, err := s.Has(id); err != nil || !has {
			t.Fatalf("acknowledged message %s lost after SIGKILL (of %d acknowledged): %v", hexID, len(acked), err)
		}
	}
	t.Logf("all %d acknowledged messages survived SIGKILL", len(acked))
}

func FuzzParseMessageKey(f *testing.F) {
	var room wire.RoomID
	room[0] = 7
	f.Add(messageKey(room, Position{Time: 42, ID: wire.IDOf([]byte("x"))}))
	f.Add([]byte("m/"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, k []byte) {
		room, pos, err := parseMessageKey(k)
		if err != nil {
			return
		}
		if again := messageKey(room, pos); string(again) != string(k) {
			t.Fatalf("key %x parsed to %x/%d/%x, which encodes as %x", k, room, pos.Time, pos.ID, again)
		}
	})
}

// BenchmarkReceivePath is what a node spends per message from the network
// before showing it: decode, verify the signature and the limits, store.
func BenchmarkReceivePath(b *testing.B) {
	s := openStore(b, b.TempDir())
	f := newFixture(b)
	text := strings.Repeat("x", 200)
	envelopes := make([][]byte, 0, 4096)
	for i := range cap(envelopes) {
		envelopes = append(envelopes, f.item(b, uint64(i+1), text).Envelope)
	}
	check := wire.Check{Room: &f.room, Now: time.Now()}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Past the prepared envelopes, Put finds duplicates: still a lookup
		// per message, as for a copy arriving twice.
		m, err := wire.Decode(envelopes[i%len(envelopes)], check)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Put(ctx, ItemOf(m)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestOutboxAndUnreadCount(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	var items []Item
	for i := range 10 {
		items = append(items, f.item(t, uint64(i+1), "m"))
	}
	if _, err := s.Put(t.Context(), items...); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountAfter(f.room, items[6].Position, 100); n != 3 {
		t.Errorf("CountAfter(7th) = %d, want 3", n)
	}
	if n, _ := s.CountAfter(f.room, Position{}, 5); n != 5 {
		t.Errorf("CountAfter(start) capped at 5 = %d", n)
	}

	if err := s.AddToOutbox(f.room, items[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToOutbox(f.room, items[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFromOutbox(f.room, items[1].ID); err != nil {
		t.Fatal(err)
	}
	ids, err := s.Outbox(f.room)
	if err != nil || len(ids) != 1 || ids[0] != items[2].ID {
		t.Errorf("Outbox = %v, %v; want [%s]", ids, err, items[2].ID)
	}
}

// PutDurable reaches the disk (one fsync shared by the writes waiting with
// it) before it returns; Put leaves that to the OS.
func TestPutDurableSyncsToDisk(t *testing.T) {
	s := openStore(t, t.TempDir())
	f := newFixture(t)
	if _, err := s.Put(t.Context(), f.item(t, 1, "theirs")); err != nil {
		t.Fatal(err)
	}
	if n := s.DurableSyncs(); n != 0 {
		t.Errorf("Put synced %d times", n)
	}
	if _, err := s.PutDurable(t.Context(), f.item(t, 2, "mine")); err != nil {
		t.Fatal(err)
	}
	if n := s.DurableSyncs(); n != 1 {
		t.Errorf("PutDurable synced %d times, want 1", n)
	}
}

// BenchmarkPutOwnMessage is the cost of storing one message the user wrote,
// as Send does, with and without the fsync that makes it survive power loss.
func BenchmarkPutOwnMessage(b *testing.B) {
	for _, c := range []struct {
		name string
		put  func(*Store, context.Context, ...Item) ([]bool, error)
	}{{"committed", (*Store).Put}, {"durable", (*Store).PutDurable}} {
		b.Run(c.name, func(b *testing.B) {
			s := openStore(b, b.TempDir())
			f := newFixture(b)
			text := strings.Repeat("x", 200)
			items := make([]Item, 0, 1024)
			for i := range cap(items) {
				items = append(items, f.item(b, uint64(i+1), text))
			}
			ctx := context.Background()
			i := 0
			for b.Loop() {
				it := items[i%len(items)]
				it.Position.Time += uint64(i / len(items)) // a new key each time
				it.ID[0] ^= byte(i / len(items))
				if _, err := c.put(s, ctx, it); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func TestKnownPeersKeepTheMostRecentlySeen(t *testing.T) {
	s := openStore(t, t.TempDir())
	for i := range 5 {
		p := KnownPeer{ID: fmt.Sprintf("peer-%d", i), Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Seen: int64(100 + i)}
		if _, err := s.PutKnownPeer(p, 3); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.KnownPeers()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != "peer-4" || got[2].ID != "peer-2" || got[0].Addrs[0] != "/ip4/127.0.0.1/tcp/1" {
		t.Errorf("known peers = %+v; want peer-4, 3 and 2", got)
	}
}
