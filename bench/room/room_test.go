package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parleyBin builds the Parley binary without a window into a temp dir, or
// takes PARLEY_BIN.
func parleyBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PARLEY_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "parley")
	cmd := exec.Command("go", "build", "-tags", "nowindow", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build parley: %v\n%s", err, out)
	}
	return bin
}

// seedroomBin builds test/seedroom into a temp dir, or takes SEEDROOM_BIN.
func seedroomBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SEEDROOM_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "seedroom")
	cmd := exec.Command("go", "build", "-o", bin, "./test/seedroom")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build seedroom: %v\n%s", err, out)
	}
	return bin
}

// TestRoomSmall runs the whole scenario with three members and two rate
// steps, in a room seeded with a history, and a fourth member that joins
// late: every message arrives, the late member catches up, the lines carry
// the anchors' fields, and no node outlives the run.
func TestRoomSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Parley processes")
	}
	bin, seedroom := parleyBin(t), seedroomBin(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the nodes' data dirs go here
	cfg, err := parseConfig([]string{"-n", "3", "-max-steps", "2", "-base-measure", "2", "-measure", "1",
		"-idle-s", "1", "-eventual-s", "10", "-after-s", "2", "-mesh-wait-s", "20", "-max-s", "50",
		"-seed-msgs", "300", "-seedroom", seedroom, "-late-join", "-late-wait-s", "20",
		"-bin", bin, "-src", "../.."})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Second)
	defer cancel()
	sc, err := runScenario(ctx, cfg, 3, &emitter{out: &stdout, log: &stderr})
	if err != nil {
		t.Fatalf("scenario: %v\n%s", err, stderr.String())
	}

	if left := processesUnder(t, tmp); len(left) > 0 {
		t.Errorf("nodes still running after the run: %v", left)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("data dirs left behind: %v", entries)
	}

	steps := linesOfKind(t, stderr.Bytes(), "step")
	if len(steps) < 2 {
		t.Fatalf("%d step lines, want at least 2:\n%s", len(steps), stderr.String())
	}
	for _, s := range steps {
		// on a loaded machine a step may fail on latency, never on loss
		if s["delivery_ratio"] != 1.0 {
			t.Errorf("step %v: delivery_ratio %v (%v)", s["step"], s["delivery_ratio"], s["missing_samples"])
		}
		for _, k := range []string{"lat_ms_p50", "lat_ms_p90", "lat_ms_p99", "lat_ms_max", "cpu_s", "cpu_us_per_delivery", "total_rss_mb", "other_procs_cpu_frac"} {
			if v, ok := s[k].(float64); !ok || v < 0 {
				t.Errorf("step %v: %s = %v", s["step"], k, s[k])
			}
		}
	}
	if sc.SatRate == nil || *sc.SatRate < 20 {
		t.Errorf("no healthy step at 20 msg/s: break %v: %s", sc.BreakRate, sc.BreakReason)
	}
	if sc.EventualConvergeS == nil || sc.EventualDeliveryRatio == nil || *sc.EventualDeliveryRatio != 1 {
		t.Errorf("history did not converge: %v of %d, counts %v", sc.EventualDeliveryRatio, sc.MsgsSent, sc.EventualCounts)
	}
	if lj := sc.LateJoin; lj == nil {
		t.Error("no late_join figures")
	} else if lj.CatchupS == nil || lj.SeededS == nil || lj.Count < lj.Msgs || lj.Msgs < 300+int(sc.MsgsSent) || lj.SeededMsgs != 300 {
		t.Errorf("the late member did not catch up: %+v (sent %d)", *lj, sc.MsgsSent)
	}
	if sc.NodesAliveAtEnd != 3 || sc.IdleRSSMBPerNode <= 0 || sc.RSSAfterMBPerNode == nil || sc.IdleCPUCores == nil {
		t.Errorf("alive %d, idle RSS %v MB, after %v, idle CPU %v", sc.NodesAliveAtEnd, sc.IdleRSSMBPerNode, sc.RSSAfterMBPerNode, sc.IdleCPUCores)
	}

	// the scenario line as main writes it, with the anchors' field names
	out := &emitter{out: &stdout, log: &stderr}
	out.scenario(sc)
	scen := linesOfKind(t, stdout.Bytes(), "scenario")
	if len(scen) != 1 {
		t.Fatalf("%d scenario lines on stdout, want 1", len(scen))
	}
	line := scen[0]
	for _, k := range []string{"lat_ms_p50", "lat_ms_p95", "lat_ms_p99", "delivery_ratio", "base_cpu_us_per_delivery",
		"sat_rate_msgs_per_s", "sat_deliveries_per_s", "sat_cpu_us_per_delivery", "break_rate_msgs_per_s", "break_reason",
		"max_deliveries_per_s_seen", "idle_cpu_cores", "idle_total_rss_mb", "total_rss_mb", "server_rss_mb", "cpu_s",
		"steps", "setup_s", "other_procs_cpu_frac_mean", "graph", "idle_rss_mb_per_node", "rss_mb_per_node",
		"eventual_delivery_ratio", "eventual_converge_s", "end_message_counts", "rss_after_overload_mb_per_node", "late_join", "seeded_msgs"} {
		if _, ok := line[k]; !ok {
			t.Errorf("scenario line has no %s", k)
		}
	}
	if n := len(linesOfKind(t, stderr.Bytes(), "setup")) + len(linesOfKind(t, stderr.Bytes(), "eventual")) + len(linesOfKind(t, stderr.Bytes(), "late_join")); n != 3 {
		t.Errorf("%d setup, eventual and late_join lines, want 3", n)
	}
}

// linesOfKind decodes the JSON lines of one kind.
func linesOfKind(t *testing.T, b []byte, kind string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if m["kind"] == kind {
			out = append(out, m)
		}
	}
	return out
}

// processesUnder lists the PIDs whose command line names a path under dir.
func processesUnder(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	var pids []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), dir) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
