package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	lat := func(n int, ms float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = ms
		}
		return out
	}
	// 100 measured messages over 5 s at 20 msg/s in a room of 10: 900 deliveries expected
	base := stepObs{rate: 20, n: 10, sent: 100, latMs: lat(900, 3), firstSend: 1000, lastSend: 1000 + 99*50, lastRecv: 1000 + 99*50 + 3}
	cases := []struct {
		name    string
		edit    func(o *stepObs)
		healthy bool
		reason  string // part of the reason when unhealthy
	}{
		{"all delivered in time", func(o *stepObs) {}, true, ""},
		{"exactly 99% delivered", func(o *stepObs) { o.latMs = o.latMs[:891] }, true, ""},
		{"under 99% delivered", func(o *stepObs) { o.latMs = o.latMs[:890] }, false, "delivery_ratio 0.989"},
		{"p99 over 250 ms", func(o *stepObs) { o.latMs = append(lat(890, 3), lat(10, 300)...) }, false, "p99 300.000 ms"},
		{"1% slow is still healthy", func(o *stepObs) { o.latMs = append(lat(891, 3), lat(9, 300)...) }, true, ""},
		{"sender fell behind", func(o *stepObs) { o.lastSend = 1000 + 99*60 }, false, "send_frac 0.833"},
		{"nothing delivered", func(o *stepObs) { o.latMs = nil }, false, "p99 NaN ms"},
		{"nothing sent", func(o *stepObs) { o.sent, o.latMs = 0, nil }, false, "send_frac 0.000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			o.latMs = append([]float64(nil), base.latMs...)
			c.edit(&o)
			f := summarize(o, defaultHealth)
			if f.healthy != c.healthy {
				t.Fatalf("healthy = %v, want %v (reason %q)", f.healthy, c.healthy, f.reason)
			}
			if !c.healthy && !strings.Contains(f.reason, c.reason) {
				t.Errorf("reason %q does not say %q", f.reason, c.reason)
			}
			if c.healthy && f.reason != "" {
				t.Errorf("healthy step with reason %q", f.reason)
			}
		})
	}
}

func TestSummarizeFigures(t *testing.T) {
	o := stepObs{rate: 10, n: 3, sent: 11, latMs: []float64{5, 1, 4, 2, 3}, firstSend: 0, lastSend: 1000, lastRecv: 2000,
		httpMs: []float64{2, 1}, lagMs: []float64{0.5}}
	f := summarize(o, defaultHealth)
	want := map[string][2]float64{
		"expected":         {float64(f.expected), 22},
		"delivered":        {float64(f.delivered), 5},
		"ratio":            {f.ratio, 5.0 / 22},
		"send rate":        {f.sendRate, 10},
		"send frac":        {f.sendFrac, 1},
		"deliveries per s": {f.deliveriesPerS, 2.5},
		"p50":              {f.p50, 3},
		"p90":              {f.p90, 5},
		"p99":              {f.p99, 5},
		"max":              {f.maxMs, 5},
		"http p50":         {f.httpP50, 1},
		"lag p99":          {f.lagP99, 0.5},
	}
	for name, v := range want {
		if math.Abs(v[0]-v[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, v[0], v[1])
		}
	}
}

func TestPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for q, want := range map[float64]float64{0.5: 5, 0.9: 9, 0.99: 10, 0: 1, 1: 10} {
		if got := percentile(s, q); got != want {
			t.Errorf("percentile(%v) = %v, want %v", q, got, want)
		}
	}
	if !math.IsNaN(percentile(nil, 0.5)) {
		t.Error("percentile of nothing is not NaN")
	}
}

func TestSweepResult(t *testing.T) {
	step := func(rate float64, healthy bool, perS float64) *stepLine {
		s := &stepLine{RateTarget: rate, Healthy: healthy, DeliveriesPerS: &perS}
		if !healthy {
			r := "slow"
			s.Reason = &r
		}
		return s
	}
	cases := []struct {
		name          string
		steps         []*stepLine
		sat, brk, max float64 // 0: none
	}{
		{"breaks after retries", []*stepLine{step(20, true, 180), step(30, true, 270), step(50, false, 400), step(50, false, 410), step(50, false, 390)}, 30, 50, 410},
		{"retry recovers", []*stepLine{step(20, true, 180), step(30, false, 200), step(30, true, 270)}, 30, 0, 270},
		{"top of the list", []*stepLine{step(20, true, 180), step(30, true, 270)}, 30, 0, 270},
		{"first step fails", []*stepLine{step(20, false, 10)}, 0, 20, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sat, brk, m := sweepResult(c.steps)
			if got := rateOf(sat); got != c.sat {
				t.Errorf("saturation at %v, want %v", got, c.sat)
			}
			if got := rateOf(brk); got != c.brk {
				t.Errorf("break at %v, want %v", got, c.brk)
			}
			if m != c.max {
				t.Errorf("max deliveries/s %v, want %v", m, c.max)
			}
		})
	}
}

func rateOf(s *stepLine) float64 {
	if s == nil {
		return 0
	}
	return s.RateTarget
}

func TestHistoryRatio(t *testing.T) {
	// 3 nodes sent 10, 10 and 10 messages: each should hold 30, 20 of them from others
	own := []int64{10, 10, 10}
	cases := []struct {
		name    string
		counts  []int
		ratio   float64
		missing int64
	}{
		{"converged", []int{30, 30, 30}, 1, 0},
		{"one node short by 5", []int{30, 25, 30}, 55.0 / 60, 5},
		{"more than sent counts as all", []int{31, 30, 30}, 1, 0},
		{"a node gone", []int{30, 30, -1}, 40.0 / 60, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, m := historyRatio(c.counts, 30, own)
			if math.Abs(r-c.ratio) > 1e-9 || m != c.missing {
				t.Errorf("historyRatio = %v, %v; want %v, %v", r, m, c.ratio, c.missing)
			}
		})
	}
}

func TestLedgerObserve(t *testing.T) {
	l := newLedger(3, clock{})
	base := l.openStep(1, 4) // k 0: warm-up; k 1-3 measured
	warm := 1
	for k := range 4 {
		ph := phaseWarmup
		if k >= warm {
			ph = phaseMeasure
		}
		j := sendJob{seq: base + int64(k), k: k, step: 1, phase: ph}
		var err error
		if k == 3 {
			err = errTest
		}
		l.sent(j, k%3, int64(k)*1e6, int64(k)*1e6+5e5, err)
	}
	// message k goes from k%3 to the other two; node 2 misses message 1
	for k := range 3 {
		for r := range 3 {
			if r == k%3 || (k == 1 && r == 2) {
				continue
			}
			l.received(r, chatMsg{S: k % 3, Q: base + int64(k), St: 1, Ph: ph(k >= warm), T: int64(k) * 1e6}, int64(k)*1e6+2e6)
		}
	}
	l.received(0, chatMsg{S: 1, Q: base + 1, St: 1, Ph: phaseMeasure, T: 1e6}, 9e6) // duplicate
	tl := l.closeStep()
	o, missing := tl.observe(20, 3, warm)
	if o.sent != 2 || len(o.latMs) != 3 {
		t.Fatalf("sent %d, delivered %d; want 2, 3", o.sent, len(o.latMs))
	}
	if len(missing) != 1 || missing[0] != "msg 1 from n1 to n2" {
		t.Errorf("missing = %q", missing)
	}
	if l.fetched(0, chatMsg{S: 1, Q: base + 1, St: 1, Ph: phaseMeasure, T: 1e6}, 9e6) { // read back after `arrived`
		t.Error("a message seen before counted as new when read back")
	}
	// read back first, its own event later: one delivery, no duplicate
	if !l.fetched(1, chatMsg{S: 2, Q: base + 10, St: 1, Ph: phaseWarmup, T: 2e6}, 3e6) {
		t.Error("read-back message not new")
	}
	l.received(1, chatMsg{S: 2, Q: base + 10, St: 1, Ph: phaseWarmup, T: 2e6}, 4e6)
	if d := l.dupTotal(); d != 1 {
		t.Errorf("duplicates = %d, want 1", d)
	}
	if tl.sendErrs != 1 {
		t.Errorf("send errors = %d, want 1", tl.sendErrs)
	}
	// a measured message of step 1 arriving now is late, not lost
	l.received(1, chatMsg{S: 0, Q: base + 3, St: 1, Ph: phaseMeasure}, 20e6)
	if l.late.n != 1 {
		t.Errorf("late = %d, want 1", l.late.n)
	}
}

func ph(measured bool) int {
	if measured {
		return phaseMeasure
	}
	return phaseWarmup
}

var errTest = errTestT("refused")

type errTestT string

func (e errTestT) Error() string { return string(e) }

func TestGraph(t *testing.T) {
	// the anchors' N = 10 graph for seed 1: 30 edges, degree 5-8, diameter 2
	g, err := newGraph(10, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := g.stats()
	if s["edges"] != 30 || s["min_degree"] != 5 || s["max_degree"] != 8 || s["diameter_hops"] != 2 {
		t.Errorf("graph stats %v", s)
	}
	again, _ := newGraph(10, 3, 1)
	for i := range g.edges {
		if g.edges[i] != again.edges[i] {
			t.Fatal("same seed, different graph")
		}
	}
	for _, n := range []int{2, 3, 50, 100} {
		g, err := newGraph(n, 3, 7)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for i, d := range g.degree {
			if d < 1 {
				t.Fatalf("n=%d: node %d has no neighbour", n, i)
			}
		}
	}
}

func TestAllowedMultiaddr(t *testing.T) {
	for _, c := range []struct {
		addr            string
		loopback, netns bool // allowed without, and with, namespaces
	}{
		{"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW", true, true},
		{"/ip4/127.4.5.6/tcp/4001", true, true},
		{"/ip6/::1/tcp/4001", true, true},
		{"/ip4/198.18.0.7/tcp/4001/p2p/12D3KooW", false, true},
		{"/ip4/198.19.255.1/tcp/4001", false, true},
		{"/ip4/198.20.0.1/tcp/4001", false, false},
		{"/ip4/192.168.1.2/tcp/4001", false, false},
		{"/ip4/0.0.0.0/tcp/4001", false, false},
		{"/dns4/localhost/tcp/4001", false, false},
		{"ip4/127.0.0.1/tcp/1", false, false},
		{"", false, false},
	} {
		if got := allowedMultiaddr(c.addr, false); got != c.loopback {
			t.Errorf("allowedMultiaddr(%q, false) = %v", c.addr, got)
		}
		if got := allowedMultiaddr(c.addr, true); got != c.netns {
			t.Errorf("allowedMultiaddr(%q, true) = %v", c.addr, got)
		}
	}
}

func TestReadHosts(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []host
		bad        bool
	}{
		{name: "wrapped and bare", text: "# node 0\n198.18.0.1 ip netns exec sc1-n0\n\n198.18.0.2\n",
			want: []host{{addr: "198.18.0.1", wrap: []string{"ip", "netns", "exec", "sc1-n0"}}, {addr: "198.18.0.2", wrap: []string{}}}},
		{name: "outside the range", text: "10.0.0.1 ip netns exec x\n", bad: true},
		{name: "not an address", text: "node0 ip netns exec x\n", bad: true},
		{name: "loopback", text: "127.0.0.1\n", bad: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "hosts")
			if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readHosts(p)
			if c.bad {
				if err == nil {
					t.Fatalf("readHosts accepted %q: %v", c.text, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i].addr != c.want[i].addr || !slices.Equal(got[i].wrap, c.want[i].wrap) {
					t.Errorf("host %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}
