// Command filebench measures files between two real nodes (chat services
// with their stores) on 127.0.0.1, network off, in one room:
//
//   - a 100 MiB file fetched by the other member, and how the room's
//     messages fare meanwhile: one every 20 ms from the sender, each timed
//     from the Send call to the member's message event, against the same
//     probes with no transfer running (after it);
//   - a 1 GiB file fetched the same way, probes running, with the
//     process's resident memory sampled every 10 ms against what it was
//     idle just before.
//
// Both nodes share the process, so the memory figure covers the sender
// reading and the member writing. It prints one JSON object.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/chat"
	"parley/p2p"
)

const (
	probeEvery = 20 * time.Millisecond
	deadline   = 5 * time.Minute
)

func open(ctx context.Context) (*chat.Service, func(), error) {
	dir, err := os.MkdirTemp("", "parley-filebench-")
	if err != nil {
		return nil, nil, err
	}
	s, err := chat.Open(ctx, chat.Options{DataDir: dir, Network: p2p.ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if _, err := s.SetFileLimits(2048, 0, 8192); err != nil {
		s.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }, nil
}

// randomBytes is n bytes that do not compress, made as they are read.
type randomBytes struct {
	left int64
	rng  *rand.ChaCha8
}

func (r *randomBytes) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.left)]
	_, _ = r.rng.Read(p)
	r.left -= int64(len(p))
	return len(p), nil
}

func newRandom(n int64, seed byte) io.Reader {
	return &randomBytes{left: n, rng: rand.NewChaCha8([32]byte{seed})}
}

// probes times messages from a to b while they run.
type probes struct {
	mu   sync.Mutex
	sent map[int]time.Time
	got  []float64 // ms
}

func (p *probes) watch(events <-chan chat.Event, stop <-chan struct{}) {
	for {
		select {
		case ev := <-events:
			msg, ok := ev.Data.(chat.Message)
			if ev.Name != chat.EventMessage || !ok {
				continue
			}
			n, err := strconv.Atoi(strings.TrimPrefix(msg.Text, "probe "))
			if err != nil {
				continue
			}
			p.mu.Lock()
			if at, ok := p.sent[n]; ok {
				p.got = append(p.got, float64(time.Since(at).Microseconds())/1000)
				delete(p.sent, n)
			}
			p.mu.Unlock()
		case <-stop:
			return
		}
	}
}

// send sends probes every probeEvery until done is closed.
func (p *probes) send(ctx context.Context, a *chat.Service, room string, from int, done <-chan struct{}) (int, error) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	n := from
	for {
		select {
		case <-done:
			return n - from, nil
		case <-t.C:
		}
		// Timed from the call: the member may hear it before Send returns.
		p.mu.Lock()
		p.sent[n] = time.Now()
		p.mu.Unlock()
		if _, err := a.Send(ctx, room, "probe "+strconv.Itoa(n)); err != nil {
			return n - from, err
		}
		n++
	}
}

// settle waits up to 5 s for the probes sent to land.
func (p *probes) settle() {
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		p.mu.Lock()
		left := len(p.sent)
		p.mu.Unlock()
		if left == 0 {
			return
		}
	}
}

// take returns the latencies gathered so far, sorted, and starts anew.
func (p *probes) take() []float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	got := p.got
	p.got = nil
	slices.Sort(got)
	return got
}

func summary(ms []float64, sent int) map[string]any {
	if len(ms) == 0 {
		return map[string]any{"sent": sent, "delivered": 0}
	}
	at := func(q float64) float64 { return ms[min(len(ms)-1, int(q*float64(len(ms))))] }
	return map[string]any{"sent": sent, "delivered": len(ms), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": ms[len(ms)-1]}
}

// fetch shares size bytes from a and has b fetch them; it returns how
// long b took from asking to having the file whole.
func fetch(ctx context.Context, a, b *chat.Service, room string, size int64, seed byte) (time.Duration, error) {
	msg, err := a.SendFile(ctx, room, fmt.Sprintf("bench-%d.bin", size), "", newRandom(size, seed))
	if err != nil {
		return 0, err
	}
	hash := msg.File.Hash
	start := time.Now()
	for time.Since(start) < deadline {
		f, err := b.FetchFile(hash)
		if err != nil && !errors.Is(err, chat.ErrUnknownFile) { // unknown: its message is on its way
			return 0, err
		}
		if err == nil && f.State == chat.FileComplete {
			return time.Since(start), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("the file was not whole after %v", deadline)
}

// rss is the process's resident memory, in bytes.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// peakWhile samples rss every 10 ms while run runs.
func peakWhile(run func() error) (int64, error) {
	stop := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var most int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			most = max(most, rss())
			select {
			case <-stop:
				peak <- most
				return
			case <-t.C:
			}
		}
	}()
	err := run()
	close(stop)
	return <-peak, err
}

func run() error {
	ctx := context.Background()
	a, doneA, err := open(ctx)
	if err != nil {
		return err
	}
	defer doneA()
	b, doneB, err := open(ctx)
	if err != nil {
		return err
	}
	defer doneB()
	room, err := a.CreateRoom("files")
	if err != nil {
		return err
	}
	link, err := a.Invite(ctx, room.ID)
	if err != nil {
		return err
	}
	if err := b.Connect(ctx, a.Me().Addrs[0]); err != nil {
		return err
	}
	if _, err := b.JoinRoom(link, ""); err != nil {
		return err
	}

	events, unsubscribe := b.Subscribe()
	defer unsubscribe()
	p := &probes{sent: map[int]time.Time{}}
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	go p.watch(events, stopWatch)

	// Probes only once the member hears the room live, and 2 s more:
	// the first message a member hears comes before its mesh has settled
	// (the first probes after a join can take 100-200 ms).
	warm := time.Now()
	for n := -1; ; n-- {
		p.mu.Lock()
		p.sent[n] = time.Now()
		p.mu.Unlock()
		if _, err := a.Send(ctx, room.ID, "probe "+strconv.Itoa(n)); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
		if len(p.take()) > 0 {
			warmDone := make(chan struct{})
			time.AfterFunc(2*time.Second, func() { close(warmDone) })
			if _, err := p.send(ctx, a, room.ID, -1_000_000, warmDone); err != nil {
				return err
			}
			p.settle()
			p.take()
			break
		}
		if time.Since(warm) > deadline {
			return errors.New("the member never heard the room")
		}
	}
	p.mu.Lock()
	clear(p.sent)
	p.mu.Unlock()

	// Probes while a 100 MiB file goes across.
	const small = 100 << 20
	busyDone := make(chan struct{})
	var busySent int
	var sendErr error
	var wg sync.WaitGroup
	wg.Go(func() { busySent, sendErr = p.send(ctx, a, room.ID, 1_000_000, busyDone) })
	took, err := fetch(ctx, a, b, room.ID, small, 1)
	close(busyDone)
	wg.Wait()
	if err = errors.Join(err, sendErr); err != nil {
		return err
	}
	p.settle()
	during := summary(p.take(), busySent)

	// The room's messages with nothing else going on, 5 s of probes: after
	// the first transfer, so the room's mesh has long formed.
	idleDone := make(chan struct{})
	time.AfterFunc(5*time.Second, func() { close(idleDone) })
	idleSent, err := p.send(ctx, a, room.ID, 0, idleDone)
	if err != nil {
		return err
	}
	p.settle()
	idle := summary(p.take(), idleSent)

	// 1 GiB, memory sampled.
	const big = 1 << 30
	runtime.GC()
	time.Sleep(time.Second)
	idleRSS := rss()
	var bigTook time.Duration
	bigDone := make(chan struct{})
	var bigSent int
	wg.Go(func() { bigSent, sendErr = p.send(ctx, a, room.ID, 2_000_000, bigDone) })
	peak, err := peakWhile(func() (err error) {
		bigTook, err = fetch(ctx, a, b, room.ID, big, 2)
		return err
	})
	close(bigDone)
	wg.Wait()
	if err = errors.Join(err, sendErr); err != nil {
		return err
	}
	p.settle()
	duringBig := summary(p.take(), bigSent)
	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"benchmark":            "files between two nodes on loopback: fetch rate, messages meanwhile, memory for 1 GiB",
		"fetch_100MiB_s":       took.Seconds(),
		"fetch_100MiB_MiBps":   mib(small) / took.Seconds(),
		"messages_idle":        idle,
		"messages_during":      during,
		"messages_during_1GiB": duringBig,
		"fetch_1GiB_s":         bigTook.Seconds(),
		"fetch_1GiB_MiBps":     mib(big) / bigTook.Seconds(),
		"rss_idle_MiB":         mib(idleRSS),
		"rss_peak_MiB":         mib(peak),
		"rss_above_idle_MiB":   mib(peak - idleRSS),
		"cpus":                 runtime.NumCPU(),
	})
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "filebench:", err)
		os.Exit(1)
	}
}
