package main

import (
	"maps"
	"strings"
	"testing"
)

// A run's scenario line gives the figures; beside a baseline each gets
// its ratio, and the line says which way it went.
func TestARunIsPutBesideTheBaseline(t *testing.T) {
	lines := `{"kind":"step","anchor":"parley","lat_ms_p50":99}
{"kind":"scenario","anchor":"parley","n":10,"base_rate_msgs_per_s":20,"sat_rate_msgs_per_s":500,"base_cpu_us_per_delivery":900,"sat_cpu_us_per_delivery":650,"lat_ms_p50":4,"lat_ms_p99":9,"rss_mb_per_node":120,"idle_rss_mb_per_node":40,"rss_after_overload_mb_per_node":70}
`
	run, err := scenario(strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	if run.N != 10 || run.BaseRate != 20 || run.Figures["lat_ms_p50"] != 4 || len(run.Figures) != len(figures) {
		t.Fatalf("read %+v", run)
	}
	base := Baseline{N: 10, BaseRate: 20, Figures: map[string]float64{"sat_rate_msgs_per_s": 250, "base_cpu_us_per_delivery": 1800, "lat_ms_p50": 4}}
	var said strings.Builder
	c := compare(run, base, &said)
	if c.Ratios["sat_rate_msgs_per_s"] != 2 || c.Ratios["base_cpu_us_per_delivery"] != 0.5 || c.Ratios["lat_ms_p50"] != 1 {
		t.Errorf("ratios %v", c.Ratios)
	}
	if _, ok := c.Ratios["lat_ms_p99"]; ok {
		t.Error("a ratio for a figure the baseline lacks")
	}
	for _, want := range []string{"saturation", "ratio 2.00 (better or equal)", "ratio 0.50 (better or equal)", "latency p99 at the base rate", "(no baseline)"} {
		if !strings.Contains(said.String(), want) {
			t.Errorf("the comparison does not say %q:\n%s", want, said.String())
		}
	}
	worse := compare(Baseline{Figures: map[string]float64{"sat_rate_msgs_per_s": 100}}, Baseline{Figures: map[string]float64{"sat_rate_msgs_per_s": 200}}, &said)
	if worse.Ratios["sat_rate_msgs_per_s"] != 0.5 || !strings.Contains(said.String(), "ratio 0.50 (worse)") {
		t.Errorf("a lower saturation is not called worse: %v", worse.Ratios)
	}
	if _, err := scenario(strings.NewReader(`{"kind":"step"}`)); err == nil {
		t.Error("a run with no scenario line read as one")
	}
}

// Beside the anchors, each target is met or not by the figures of one
// sitting.
func TestTargetsAgainstTheAnchors(t *testing.T) {
	parley := Baseline{Figures: map[string]float64{
		"sat_rate_msgs_per_s": 300, "sat_cpu_us_per_delivery": 380, "base_cpu_us_per_delivery": 1500,
		"lat_ms_p50": 2.5, "lat_ms_p99": 7, "rss_mb_per_node": 90, "idle_rss_mb_per_node": 40, "rss_after_overload_mb_per_node": 70,
	}}
	naive := Baseline{Figures: map[string]float64{"sat_cpu_us_per_delivery": 190, "base_cpu_us_per_delivery": 600, "lat_ms_p50": 1.8}}
	socketio := Baseline{Figures: map[string]float64{"lat_ms_p99": 6.5}}
	var said strings.Builder
	got := map[string]bool{}
	for _, tg := range besideAnchors(parley, naive, socketio, &said) {
		got[tg.Name[:strings.Index(tg.Name, ",")]] = tg.Met
	}
	want := map[string]bool{
		"saturation": false, "CPU per delivery at saturation": true, "CPU per delivery at the base rate": false,
		"latency p50 at the base rate": true, "latency p99 at the base rate": false,
		"RSS per node during the sweep": true, "RSS per node a minute after the sweep": false,
	}
	if !maps.Equal(got, want) {
		t.Errorf("targets met: %v\nwant %v", got, want)
	}
	if !strings.Contains(said.String(), "naive GossipSub     190.0 (x2.00)") || !strings.Contains(said.String(), "NOT MET") {
		t.Errorf("the comparison says:\n%s", said.String())
	}
	// Without Socket.IO's figures its target is left out, not failed.
	if ts := targets(parley, naive, Baseline{}); len(ts) != len(want)-1 {
		t.Errorf("%d targets without Socket.IO's figures, want %d", len(ts), len(want)-1)
	}
}
