package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// health is the rule a step must pass to count as healthy (the anchors').
type health struct {
	MinRatio    float64 `json:"min_ratio"`
	MaxP99Ms    float64 `json:"max_p99_ms"`
	MinSendFrac float64 `json:"min_send_frac"`
}

var defaultHealth = health{MinRatio: 0.99, MaxP99Ms: 250, MinSendFrac: 0.95}

// stepObs is what one step observed, in harness milliseconds.
type stepObs struct {
	rate      float64   // target msg/s
	n         int       // members
	sent      int       // measured messages whose Send succeeded
	latMs     []float64 // one per delivery of a sent measured message to a non-sender
	lastRecv  float64   // time of the last of those deliveries
	firstSend float64   // send times of the first and last measured message sent
	lastSend  float64
	lagMs     []float64 // send time minus scheduled time, per measured message sent
	httpMs    []float64 // duration of each successful Send call
}

// stepFigures is what a step's line reports, worked out from stepObs.
// Figures that cannot be known are NaN.
type stepFigures struct {
	expected       int
	delivered      int
	ratio          float64
	sendRate       float64
	sendFrac       float64
	deliveriesPerS float64
	p50, p90, p95  float64
	p99            float64
	maxMs          float64
	lagP99         float64
	httpP50        float64
	httpP99        float64
	healthy        bool
	reason         string
}

// percentile is the nearest-rank q-quantile of sorted values; NaN when empty.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

// summarize turns a step's observations into its figures and judges its
// health: delivery ratio, p99 latency and achieved send rate.
func summarize(o stepObs, h health) stepFigures {
	lat := slices.Sorted(slices.Values(o.latMs))
	lags := slices.Sorted(slices.Values(o.lagMs))
	hms := slices.Sorted(slices.Values(o.httpMs))
	f := stepFigures{
		expected:       o.sent * (o.n - 1),
		delivered:      len(lat),
		p50:            percentile(lat, 0.50),
		p90:            percentile(lat, 0.90),
		p95:            percentile(lat, 0.95),
		p99:            percentile(lat, 0.99),
		maxMs:          math.NaN(),
		lagP99:         percentile(lags, 0.99),
		httpP50:        percentile(hms, 0.50),
		httpP99:        percentile(hms, 0.99),
		deliveriesPerS: math.NaN(),
	}
	if len(lat) > 0 {
		f.maxMs = lat[len(lat)-1]
	}
	if f.expected > 0 {
		f.ratio = float64(f.delivered) / float64(f.expected)
	}
	if o.sent > 1 && o.lastSend > o.firstSend {
		f.sendRate = float64(o.sent-1) / ((o.lastSend - o.firstSend) / 1000)
	}
	if o.rate > 0 {
		f.sendFrac = f.sendRate / o.rate
	}
	if f.delivered > 0 && o.lastRecv > o.firstSend {
		f.deliveriesPerS = float64(f.delivered) / ((o.lastRecv - o.firstSend) / 1000)
	}
	var why []string
	if f.ratio < h.MinRatio {
		why = append(why, fmt.Sprintf("delivery_ratio %.3f < %v", f.ratio, h.MinRatio))
	}
	if math.IsNaN(f.p99) || f.p99 > h.MaxP99Ms {
		why = append(why, fmt.Sprintf("p99 %.3f ms > %v", f.p99, h.MaxP99Ms))
	}
	if f.sendFrac < h.MinSendFrac {
		why = append(why, fmt.Sprintf("send_frac %.3f < %v", f.sendFrac, h.MinSendFrac))
	}
	f.healthy = len(why) == 0
	f.reason = strings.Join(why, "; ")
	return f
}

// sweepResult picks, from the steps in the order they ran, the saturation
// step (the last healthy one), the break (the last step, if unhealthy: the
// sweep stops only on a failed level or a time limit) and the highest
// delivery rate any step reached.
func sweepResult(steps []*stepLine) (sat, brk *stepLine, maxPerS float64) {
	for _, s := range steps {
		if s.Healthy {
			sat = s
		}
		if s.DeliveriesPerS != nil {
			maxPerS = max(maxPerS, *s.DeliveriesPerS)
		}
	}
	if len(steps) > 0 && !steps[len(steps)-1].Healthy {
		brk = steps[len(steps)-1]
	}
	return sat, brk, maxPerS
}

// historyRatio is the share of other members' messages a set of nodes
// hold: counts[i] is node i's MessageCount (new messages only, -1 if the
// node is gone), sent the messages sent in all and own[i] node i's own.
// It returns Σ(min(count, sent) − own) ÷ Σ(sent − own) and how many
// (message, receiver) pairs are missing.
func historyRatio(counts []int, sent int64, own []int64) (float64, int64) {
	var got, want int64
	for i, c := range counts {
		want += sent - own[i]
		got += max(0, min(int64(c), sent)-own[i])
	}
	if want == 0 {
		return math.NaN(), 0
	}
	return float64(got) / float64(want), want - got
}

// round3 rounds to three decimals; nil for NaN or Inf (null in JSON).
func round3(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	v := math.Round(x*1000) / 1000
	return &v
}

// mb turns kB into MB with one decimal.
func mb(kb int64) float64 { return math.Round(float64(kb)/102.4) / 10 }

// round2 rounds to two decimals.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
