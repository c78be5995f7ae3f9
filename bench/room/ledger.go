package main

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// clock is the harness's monotonic clock: every send and receive time is
// read from it, so latencies need no clock sync.
type clock struct{ t0 time.Time }

func (c clock) ns() int64   { return time.Since(c.t0).Nanoseconds() }
func (c clock) ms() float64 { return float64(c.ns()) / 1e6 }

// sendJob is one message the pacer hands to a node's Send workers.
type sendJob struct {
	seq   int64
	k     int // index within the step
	step  int64
	phase int
	sched float64 // when it was due, ms on the harness clock
}

// delivery is one message event on a receiver other than the sender.
type delivery struct {
	k     int32
	node  int16
	latMs float64
	atMs  float64
}

// tally is what the open step has seen so far.
type tally struct {
	id        int64
	base      int64 // seq of k = 0
	total     int
	sentOK    []bool
	sent      int // measured messages sent
	sendErrs  int // measured messages whose Send failed
	lastErr   string
	lagMs     []float64
	httpMs    []float64
	firstSend float64
	lastSend  float64
	dels      []delivery
}

// ledger records every send and every delivery of the run, and the tally
// of the open step. Senders and event readers call into it concurrently.
type ledger struct {
	n       int
	clock   clock
	scanAll bool // read back all of arrivedScan after every `arrived` event

	recv     atomic.Int64 // fresh deliveries to non-senders, any phase
	lastRecv atomic.Int64 // ns

	mu        sync.Mutex
	nextSeq   int64
	sentBy    []int16 // by seq: sender of each message whose Send succeeded, -1 else
	sentTotal int64
	sendErrs  int64
	lastErr   string
	seen      []bitset // per receiver: seqs seen
	readBack  []bitset // per receiver: seqs first seen by reading history after `arrived`
	dups      []int64  // per receiver
	step      *tally   // nil between steps
	late      struct {
		n       int64
		maxMs   float64
		samples []string
	}
}

func newLedger(n int, c clock) *ledger {
	return &ledger{n: n, clock: c, seen: make([]bitset, n), readBack: make([]bitset, n), dups: make([]int64, n)}
}

// openStep reserves total sequence numbers and starts tallying step id.
func (l *ledger) openStep(id int64, total int) (base int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	base = l.nextSeq
	l.nextSeq += int64(total)
	l.step = &tally{id: id, base: base, total: total, sentOK: make([]bool, total), firstSend: math.Inf(1)}
	return base
}

// closeStep stops tallying and returns what the step saw.
func (l *ledger) closeStep() *tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.step
	l.step = nil
	return t
}

// sent records the outcome of one Send call made at sendNs and finished at doneNs.
func (l *ledger) sent(j sendJob, sender int, sendNs, doneNs int64, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		for int64(len(l.sentBy)) <= j.seq {
			l.sentBy = append(l.sentBy, -1)
		}
		l.sentBy[j.seq] = int16(sender)
		l.sentTotal++
	} else {
		l.sendErrs++
		l.lastErr = err.Error()
	}
	t := l.step
	if t == nil || t.id != j.step {
		return
	}
	if err == nil {
		t.sentOK[j.k] = true
	}
	if j.phase != phaseMeasure {
		return
	}
	if err != nil {
		t.sendErrs++
		t.lastErr = err.Error()
		return
	}
	at := float64(sendNs) / 1e6
	t.sent++
	t.lagMs = append(t.lagMs, at-j.sched)
	t.httpMs = append(t.httpMs, float64(doneNs-sendNs)/1e6)
	t.firstSend, t.lastSend = min(t.firstSend, at), max(t.lastSend, at)
}

// received records a message event on node r at atNs.
func (l *ledger) received(r int, m chatMsg, atNs int64) { l.deliver(r, m, atNs, false) }

// fetched records a message node r held when it announced a batch at
// atNs, read back from its history, and reports whether it was new. Its
// own `message` event may still come: that is not a duplicate.
func (l *ledger) fetched(r int, m chatMsg, atNs int64) bool { return l.deliver(r, m, atNs, true) }

func (l *ledger) deliver(r int, m chatMsg, atNs int64, readBack bool) bool {
	if m.S == r || m.S < 0 || m.S >= l.n || m.Q < 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.seen[r].set(m.Q) {
		if !readBack && !l.readBack[r].has(m.Q) {
			l.dups[r]++
		}
		return false
	}
	if readBack {
		l.readBack[r].set(m.Q)
	}
	l.recv.Add(1)
	l.lastRecv.Store(atNs)
	if m.Ph != phaseMeasure {
		return true
	}
	lat := float64(atNs-m.T) / 1e6
	if t := l.step; t != nil && t.id == m.St {
		if k := m.Q - t.base; k >= 0 && k < int64(t.total) {
			t.dels = append(t.dels, delivery{k: int32(k), node: int16(r), latMs: lat, atMs: float64(atNs) / 1e6})
		}
		return true
	}
	// came after its step closed: late, not lost
	l.late.n++
	l.late.maxMs = max(l.late.maxMs, lat)
	if len(l.late.samples) < 5 {
		l.late.samples = append(l.late.samples, fmt.Sprintf("step %d msg %d from n%d to n%d after %.0f ms", m.St, m.Q, m.S, r, lat))
	}
	return true
}

// stepDone reports whether every measured message sent so far reached all others.
func (l *ledger) stepDone() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.step != nil && len(l.step.dels) >= l.step.sent*(l.n-1)
}

// dupTotal is the number of duplicate message events so far.
func (l *ledger) dupTotal() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var t int64
	for _, d := range l.dups {
		t += d
	}
	return t
}

// observe turns a closed step's tally into observations for summarize,
// counting only deliveries of messages whose Send succeeded, and lists up
// to five (message, receiver) pairs that did not arrive.
func (t *tally) observe(rate float64, n, warm int) (stepObs, []string) {
	o := stepObs{rate: rate, n: n, sent: t.sent, firstSend: t.firstSend, lastSend: t.lastSend, lagMs: t.lagMs, httpMs: t.httpMs}
	for _, d := range t.dels {
		if t.sentOK[d.k] {
			o.latMs = append(o.latMs, d.latMs)
			o.lastRecv = max(o.lastRecv, d.atMs)
		}
	}
	if len(o.latMs) >= t.sent*(n-1) {
		return o, nil
	}
	got := make(map[[2]int]bool, len(t.dels))
	for _, d := range t.dels {
		got[[2]int{int(d.k), int(d.node)}] = true
	}
	var missing []string
	for k := warm; k < t.total && len(missing) < 5; k++ {
		if !t.sentOK[k] {
			continue
		}
		for r := 0; r < n && len(missing) < 5; r++ {
			if r != k%n && !got[[2]int{k, r}] {
				missing = append(missing, fmt.Sprintf("msg %d from n%d to n%d", t.base+int64(k), k%n, r))
			}
		}
	}
	return o, missing
}

// eventPairs counts (message, receiver) pairs ever seen on the event
// streams against those expected from the successful sends.
func (l *ledger) eventPairs() (got, want int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for r := range l.n {
		for seq, s := range l.sentBy {
			if s >= 0 && int(s) != r {
				want++
				if l.seen[r].has(int64(seq)) {
					got++
				}
			}
		}
	}
	return got, want
}

// sendTotals returns the messages sent, per sender, and the Send errors.
func (l *ledger) sendTotals() (total int64, own []int64, errs int64, lastErr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	own = make([]int64, l.n)
	for _, s := range l.sentBy {
		if s >= 0 {
			own[s]++
		}
	}
	return l.sentTotal, own, l.sendErrs, l.lastErr
}

// bitset is a growable set of small non-negative integers.
type bitset struct{ w []uint64 }

// set adds i and reports whether it was new.
func (b *bitset) set(i int64) bool {
	wi := int(i >> 6)
	if wi >= len(b.w) {
		b.w = append(b.w, make([]uint64, wi-len(b.w)+1+len(b.w))...)
	}
	m := uint64(1) << (uint(i) & 63)
	if b.w[wi]&m != 0 {
		return false
	}
	b.w[wi] |= m
	return true
}

func (b *bitset) has(i int64) bool {
	wi := int(i >> 6)
	return wi < len(b.w) && b.w[wi]&(uint64(1)<<(uint(i)&63)) != 0
}
