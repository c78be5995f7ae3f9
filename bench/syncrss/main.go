// Command syncrss measures the memory and time of one /parley/sync/1
// session over real stores: two Badger stores hold the same large room but
// for a few messages each, and two processes, one per side, each with its
// own store and libp2p host on 127.0.0.1, reconcile and swap what the other
// lacks. The stores are compacted first, as ones in use for a while are.
// Each side reports its peak RSS (VmHWM) and the peak of its
// anonymous memory (RssAnon, sampled every 5 ms: the part the sync
// allocates, as opposed to store files the kernel maps in). It prints one
// JSON object.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/p2p"
	"parley/roomkey"
	"parley/store"
	"parley/wire"
)

type side struct {
	Side          string  `json:"side"`
	Messages      int     `json:"messages"`
	Received      int     `json:"received"`
	Sent          int     `json:"sent"`
	Rounds        int     `json:"rounds"`
	ReconBytes    int     `json:"reconBytes"`
	Seconds       float64 `json:"seconds,omitempty"` // the initiator's whole session
	RSSBeforeMiB  float64 `json:"rssBeforeMiB"`      // store open, host up, before the session
	AnonBeforeMiB float64 `json:"anonBeforeMiB"`
	PeakRSSMiB    float64 `json:"peakRssMiB"`
	PeakAnonMiB   float64 `json:"peakAnonMiB"`
}

type result struct {
	Shared        int     `json:"shared"`
	OnlyA         int     `json:"onlyA"`
	OnlyB         int     `json:"onlyB"`
	EnvelopeBytes int     `json:"envelopeBytes"`
	SetupSeconds  float64 `json:"setupSeconds"`
	A             side    `json:"initiator"`
	B             side    `json:"responder"`
}

func main() {
	n := flag.Int("n", 1_000_000, "messages both stores hold")
	onlyA := flag.Int("a", 3, "messages only the initiator holds")
	onlyB := flag.Int("b", 2, "messages only the responder holds")
	size := flag.Int("size", 200, "envelope bytes of the shared messages")
	cache := flag.String("cache", "", "keep the filled stores in this directory and reuse them on the next run with the same figures")
	role := flag.String("side", "", "internal: run one side (a or b) over -dir")
	dir := flag.String("dir", "", "internal: the side's store")
	secretHex := flag.String("secret", "", "internal: the room's secret (hex)")
	peerAddr := flag.String("peer", "", "internal: the responder's address (side a)")
	expect := flag.Int("expect", 0, "internal: messages the side will receive")
	flag.Parse()
	if *role != "" {
		res, err := runSide(*role, *dir, *secretHex, *peerAddr, *expect)
		if err != nil {
			fail(err)
		}
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			fail(err)
		}
		return
	}
	res, err := bench(*cache, *n, *onlyA, *onlyB, *size)
	if err != nil {
		fail(err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		fail(err)
	}
}

func bench(cache string, n, onlyA, onlyB, size int) (result, error) {
	res := result{Shared: n, OnlyA: onlyA, OnlyB: onlyB, EnvelopeBytes: size}
	tmp, err := os.MkdirTemp("", "parley-syncrss-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	dirA, dirB := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	start := time.Now()
	keys, err := prepare(cache, dirA, dirB, n, onlyA, onlyB, size)
	if err != nil {
		return res, fmt.Errorf("fill stores: %w", err)
	}
	res.SetupSeconds = time.Since(start).Seconds()

	// The responder first: it prints its address, serves one session,
	// reports, and exits when its stdin closes (after the initiator is done,
	// so no byte in flight is cut off).
	secret := hex.EncodeToString(keys.Secret[:])
	b := exec.Command(os.Args[0], "-side", "b", "-dir", dirB, "-secret", secret, "-expect", strconv.Itoa(onlyA))
	b.Stderr = os.Stderr
	bIn, err := b.StdinPipe()
	if err != nil {
		return res, err
	}
	bOut, err := b.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := b.Start(); err != nil {
		return res, err
	}
	defer b.Process.Kill() // a no-op once it has exited
	lines := bufio.NewScanner(bOut)
	if !lines.Scan() {
		return res, errors.New("responder printed no address")
	}
	addr, ok := strings.CutPrefix(lines.Text(), "addr ")
	if !ok {
		return res, fmt.Errorf("responder printed %q", lines.Text())
	}
	a := exec.Command(os.Args[0], "-side", "a", "-dir", dirA, "-secret", secret, "-peer", addr, "-expect", strconv.Itoa(onlyB))
	a.Stderr = os.Stderr
	aOut, err := a.Output()
	if err != nil {
		return res, fmt.Errorf("initiator: %w", err)
	}
	if err := json.Unmarshal(aOut, &res.A); err != nil {
		return res, fmt.Errorf("initiator printed %q: %w", aOut, err)
	}
	bIn.Close()
	if !lines.Scan() {
		return res, errors.New("responder printed no result")
	}
	if err := json.Unmarshal(lines.Bytes(), &res.B); err != nil {
		return res, fmt.Errorf("responder printed %q: %w", lines.Text(), err)
	}
	_, _ = io.Copy(io.Discard, bOut)
	if err := b.Wait(); err != nil {
		return res, fmt.Errorf("responder: %w", err)
	}
	return res, nil
}

// prepare fills the two stores in dirA and dirB, or copies them from cache
// when it holds a pair made with the same figures. It returns the room's
// keys: both sides join it with them.
func prepare(cache, dirA, dirB string, n, onlyA, onlyB, size int) (roomkey.Room, error) {
	if cache == "" {
		keys, err := roomkey.New()
		if err != nil {
			return keys, err
		}
		return keys, fill(dirA, dirB, keys.ID, n, onlyA, onlyB, size)
	}
	cache = filepath.Join(cache, fmt.Sprintf("%d-%d-%d-%d", n, onlyA, onlyB, size))
	// The room's secret, from which its ID follows. (Caches made before
	// rooms had secrets hold a file "room" instead, and are filled anew.)
	secretFile := filepath.Join(cache, "secret")
	if _, err := os.Stat(secretFile); err != nil {
		keys, err := roomkey.New()
		if err != nil {
			return keys, err
		}
		if err := errors.Join(os.RemoveAll(filepath.Join(cache, "a")), os.RemoveAll(filepath.Join(cache, "b"))); err != nil {
			return keys, err
		}
		if err := fill(filepath.Join(cache, "a"), filepath.Join(cache, "b"), keys.ID, n, onlyA, onlyB, size); err != nil {
			return keys, err
		}
		if err := os.WriteFile(secretFile, []byte(hex.EncodeToString(keys.Secret[:])), 0o600); err != nil {
			return keys, err
		}
	}
	raw, err := os.ReadFile(secretFile)
	if err != nil {
		return roomkey.Room{}, err
	}
	keys, err := parseSecret(string(raw))
	if err != nil {
		return keys, fmt.Errorf("%s: %w", secretFile, err)
	}
	return keys, errors.Join(copyDir(filepath.Join(cache, "a"), dirA), copyDir(filepath.Join(cache, "b"), dirB))
}

// parseSecret reads a room secret written in hex and derives the room's keys.
func parseSecret(s string) (roomkey.Room, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != roomkey.SecretSize {
		return roomkey.Room{}, fmt.Errorf("room secret %q: want %d bytes in hex", s, roomkey.SecretSize)
	}
	return roomkey.FromSecret(roomkey.Secret(raw)), nil
}

// fill writes n shared messages (made-up envelopes: they never cross) into
// one store, copies it, then adds real signed messages only one side holds,
// spread over the whole history: every range holding one differs.
func fill(dirA, dirB string, room wire.RoomID, n, onlyA, onlyB, size int) error {
	s, err := store.Open(dirA, store.Options{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	env := make([]byte, size)
	const batch = 4096
	items := make([]store.Item, 0, batch)
	for i := range n {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		id := sha256.Sum256(b[:])
		copy(env, id[:]) // values differ, as real ones do
		items = append(items, store.Item{
			Room: room, Position: store.Position{Time: uint64(i+1) << 16, ID: id},
			Author: "shared", Envelope: append([]byte(nil), env...),
		})
		if len(items) == batch || i == n-1 {
			if _, err := s.Put(ctx, items...); err != nil {
				s.Close()
				return err
			}
			items = items[:0]
		}
	}
	if err := s.Close(); err != nil {
		return err
	}
	if err := compact(dirA); err != nil {
		return err
	}
	if err := copyDir(dirA, dirB); err != nil {
		return err
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return err
	}
	diffs := onlyA + onlyB
	var forA, forB []store.Item
	for i := range diffs {
		t := uint64(i*max(n, diffs)/diffs+1)<<16 | 1
		m, err := wire.Sign(key, wire.Draft{Room: room, Time: t, Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprintf("message %d", i)})
		if err != nil {
			return err
		}
		if i < onlyA {
			forA = append(forA, store.ItemOf(m))
		} else {
			forB = append(forB, store.ItemOf(m))
		}
	}
	for _, w := range []struct {
		dir   string
		items []store.Item
	}{{dirA, forA}, {dirB, forB}} {
		s, err := store.Open(w.dir, store.Options{})
		if err != nil {
			return err
		}
		_, err = s.Put(ctx, w.items...)
		if err := errors.Join(err, s.Close()); err != nil {
			return err
		}
	}
	return nil
}

// compact settles the store's LSM tree, as in a store that has been in use
// a while: a freshly written one compacts for seconds after it is opened,
// holding 100 MB of buffers, which would drown the figures of the sync.
func compact(dir string) error {
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		return err
	}
	return errors.Join(db.Flatten(2), db.Close())
}

func copyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// runSide opens a store and a host and takes part in one session: side a
// starts it with the responder at peerAddr, side b serves it.
func runSide(role, dir, secretHex, peerAddr string, expect int) (side, error) {
	res := side{Side: role}
	keys, err := parseSecret(secretHex)
	if err != nil {
		return res, err
	}
	room := keys.ID
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return res, err
	}
	defer s.Close()
	if res.Messages, err = s.Count(room); err != nil {
		return res, err
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return res, err
	}
	node, err := p2p.New(ctx, p2p.Options{Key: key, Mode: p2p.ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Sync: s})
	if err != nil {
		return res, err
	}
	defer node.Close()
	var received atomic.Int64
	stored := make(chan error, 1)
	if err := node.Join(keys, func(b p2p.Batch) {
		items := make([]store.Item, len(b.Messages))
		for i, m := range b.Messages {
			items[i] = store.ItemOf(m)
		}
		if _, err := s.Put(ctx, items...); err != nil {
			select {
			case stored <- err:
			default:
			}
		}
		received.Add(int64(len(items)))
	}); err != nil {
		return res, err
	}
	var (
		mu   sync.Mutex
		last p2p.SyncProgress
		done = make(chan struct{})
		once sync.Once
	)
	node.SetSyncObserver(func(p p2p.SyncProgress) {
		mu.Lock()
		defer mu.Unlock()
		last = p
		if p.Done {
			once.Do(func() { close(done) })
		}
	})

	res.RSSBeforeMiB = status("VmRSS:")
	res.AnonBeforeMiB = status("RssAnon:")
	peakAnon := sampleAnon(ctx)
	var start time.Time
	switch role {
	case "a":
		if err := node.Connect(ctx, peerAddr); err != nil {
			return res, err
		}
		id, err := peerID(peerAddr)
		if err != nil {
			return res, err
		}
		// The session needs the responder's proof of membership (its
		// hello), which is not part of what is measured.
		for !slices.Contains(node.RoomPeers(room), id) {
			select {
			case <-ctx.Done():
				return res, errors.New("the responder never showed up in the room")
			case <-time.After(time.Millisecond):
			}
		}
		start = time.Now()
		if err := node.Sync(ctx, id, room); err != nil {
			return res, err
		}
	case "b":
		fmt.Printf("addr %s\n", node.Addrs()[0])
		select {
		case <-done:
		case <-ctx.Done():
			return res, ctx.Err()
		}
	default:
		return res, fmt.Errorf("unknown side %q", role)
	}
	for received.Load() < int64(expect) {
		select {
		case err := <-stored:
			return res, err
		case <-ctx.Done():
			return res, fmt.Errorf("received %d of %d messages", received.Load(), expect)
		case <-time.After(time.Millisecond):
		}
	}
	if role == "a" {
		res.Seconds = time.Since(start).Seconds()
	}
	mu.Lock()
	res.Rounds, res.ReconBytes, res.Sent, res.Received = last.Rounds, last.ReconBytes, last.Sent, int(received.Load())
	if last.Err != nil {
		mu.Unlock()
		return res, last.Err
	}
	mu.Unlock()
	res.PeakRSSMiB = status("VmHWM:")
	res.PeakAnonMiB = peakAnon()
	if role == "b" {
		// Stay up until the initiator has read everything.
		_, _ = io.Copy(io.Discard, os.Stdin)
	}
	return res, nil
}

func peerID(addr string) (peer.ID, error) {
	_, after, _ := strings.Cut(addr, "/p2p/")
	return peer.Decode(after)
}

// sampleAnon polls RssAnon until ctx ends; the returned func gives the peak so far.
func sampleAnon(ctx context.Context) func() float64 {
	var peak atomic.Uint64
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if v := status("RssAnon:"); v > 0 && uint64(v*1024) > peak.Load() {
				peak.Store(uint64(v * 1024))
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() float64 {
		cancel()
		return float64(peak.Load()) / 1024
	}
}

// status reads a kB figure from /proc/self/status, in MiB.
func status(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "syncrss:", err)
	os.Exit(1)
}
