package main

import (
	"fmt"
	"io"
	"math"
)

// Target is one of the speed targets Parley is held to against the
// anchors of one sitting: naive GossipSub and Socket.IO.
type Target struct {
	Name   string  `json:"name"`
	Parley float64 `json:"parley"`
	Limit  float64 `json:"limit"`
	Unit   string  `json:"unit"`
	Met    bool    `json:"met"`
}

// targets checks a Parley run against the targets: saturation at least
// 500 msg/s; CPU per delivery at most twice naive GossipSub's, at the base
// rate and at saturation; p50 at the base rate at most naive's plus 1 ms
// and p99 at most Socket.IO's; resident memory per node at most 100 MB
// during the sweep and at most 1.5 times idle a minute after it. A target
// whose figures are missing is left out.
func targets(parley, naive, socketio Baseline) []Target {
	var out []Target
	add := func(name, unit string, have float64, ok bool, limit float64, known, higher bool) {
		if !ok || !known {
			return
		}
		met := have <= limit
		if higher {
			met = have >= limit
		}
		out = append(out, Target{Name: name, Parley: have, Limit: round(limit), Unit: unit, Met: met})
	}
	p, n, s := parley.Figures, naive.Figures, socketio.Figures
	has := func(m map[string]float64, k string) (float64, bool) { v, ok := m[k]; return v, ok }

	sat, okSat := has(p, "sat_rate_msgs_per_s")
	add("saturation, at least 500 msg/s", "msg/s", sat, okSat, 500, true, true)
	for _, f := range []struct{ name, field string }{
		{"CPU per delivery at saturation, at most 2x naive GossipSub's", "sat_cpu_us_per_delivery"},
		{"CPU per delivery at the base rate, at most 2x naive GossipSub's", "base_cpu_us_per_delivery"},
	} {
		have, ok := has(p, f.field)
		theirs, known := has(n, f.field)
		add(f.name, "us", have, ok, 2*theirs, known, false)
	}
	p50, ok := has(p, "lat_ms_p50")
	naiveP50, known := has(n, "lat_ms_p50")
	add("latency p50 at the base rate, at most naive GossipSub's + 1 ms", "ms", p50, ok, naiveP50+1, known, false)
	p99, ok := has(p, "lat_ms_p99")
	sioP99, known := has(s, "lat_ms_p99")
	add("latency p99 at the base rate, at most Socket.IO's", "ms", p99, ok, sioP99, known, false)
	peak, ok := has(p, "rss_mb_per_node")
	add("RSS per node during the sweep, at most 100 MB", "MB", peak, ok, 100, true, false)
	after, ok := has(p, "rss_after_overload_mb_per_node")
	idle, known := has(p, "idle_rss_mb_per_node")
	add("RSS per node a minute after the sweep, at most 1.5x idle", "MB", after, ok, 1.5*idle, known, false)
	return out
}

// besideAnchors prints each of Parley's figures with its ratio to each
// anchor's, then the targets, met or not.
func besideAnchors(parley, naive, socketio Baseline, out io.Writer) []Target {
	for _, f := range figures {
		have, ok := parley.Figures[f.Field]
		if !ok {
			continue
		}
		line := fmt.Sprintf("anchors: %-36s parley %9.1f %-5s", f.Name, have, f.Unit)
		for _, a := range []struct {
			name string
			b    Baseline
		}{{"naive GossipSub", naive}, {"Socket.IO", socketio}} {
			if theirs, ok := a.b.Figures[f.Field]; ok && theirs != 0 {
				line += fmt.Sprintf("  %s %9.1f (x%.2f)", a.name, theirs, have/theirs)
			}
		}
		fmt.Fprintln(out, line)
	}
	ts := targets(parley, naive, socketio)
	for _, t := range ts {
		verdict := "NOT MET"
		if t.Met {
			verdict = "met"
		}
		fmt.Fprintf(out, "target: %-66s %9.1f %-5s limit %9.1f  %s\n", t.Name, t.Parley, t.Unit, t.Limit, verdict)
	}
	return ts
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }
