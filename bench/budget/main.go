// Command budget compares the room scenario's figures of a `make bench`
// run with those committed in bench/baseline.json, so that what a change
// costs shows as ratios: it prints one line a figure to stderr and writes
// the figures and ratios as one JSON object to stdout.
//
//	budget -run build/bench/room.jsonl -baseline bench/baseline.json
//	budget -run build/bench/room.jsonl -write-baseline bench/baseline.json
//
// The figures come from the run's scenario line (bench/room): saturation,
// CPU per delivery at the base rate and at saturation, latency at the base
// rate, and resident memory per node, idle and at the end of the sweep.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// figure is one figure of the budget: where the scenario line has it, and
// whether more of it is better.
type figure struct {
	Name   string
	Field  string
	Unit   string
	Higher bool
}

var figures = []figure{
	{"saturation", "sat_rate_msgs_per_s", "msg/s", true},
	{"CPU per delivery at the base rate", "base_cpu_us_per_delivery", "us", false},
	{"CPU per delivery at saturation", "sat_cpu_us_per_delivery", "us", false},
	{"latency p50 at the base rate", "lat_ms_p50", "ms", false},
	{"latency p99 at the base rate", "lat_ms_p99", "ms", false},
	{"RSS per node after the sweep", "rss_mb_per_node", "MB", false},
	{"RSS per node idle", "idle_rss_mb_per_node", "MB", false},
	{"RSS per node a minute after the sweep", "rss_after_overload_mb_per_node", "MB", false},
}

// Baseline is bench/baseline.json: the figures of one run, and where and
// when they were measured.
type Baseline struct {
	Measured string             `json:"measured"`
	Note     string             `json:"note,omitempty"`
	BaseRate float64            `json:"base_rate_msgs_per_s"`
	N        int                `json:"n"`
	Figures  map[string]float64 `json:"figures"`
}

// Compared is what budget writes: the run's figures and their ratios to
// the baseline's (run / baseline; for saturation a ratio above 1 is
// better, for the others below 1).
type Compared struct {
	BaselineMeasured string             `json:"baseline_measured"`
	Figures          map[string]float64 `json:"figures"`
	Ratios           map[string]float64 `json:"ratios"`
	// Targets, with -naive and -socketio: Parley against the anchors.
	Targets []Target `json:"targets,omitempty"`
}

// scenario reads the figures from a run's scenario line (the one of kind
// "scenario"; the last if there are several).
func scenario(r io.Reader) (Baseline, error) {
	var found map[string]any
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		if line["kind"] == "scenario" {
			found = line
		}
	}
	if err := sc.Err(); err != nil {
		return Baseline{}, fmt.Errorf("read the run: %w", err)
	}
	if found == nil {
		return Baseline{}, errors.New("the run has no scenario line")
	}
	b := Baseline{Figures: map[string]float64{}}
	b.BaseRate, _ = found["base_rate_msgs_per_s"].(float64)
	if n, ok := found["n"].(float64); ok {
		b.N = int(n)
	}
	for _, f := range figures {
		if v, ok := found[f.Field].(float64); ok {
			b.Figures[f.Field] = v
		}
	}
	return b, nil
}

// compare puts a run beside the baseline and says, a line a figure, how it
// went.
func compare(run, base Baseline, out io.Writer) Compared {
	c := Compared{BaselineMeasured: base.Measured, Figures: run.Figures, Ratios: map[string]float64{}}
	for _, f := range figures {
		now, ok := run.Figures[f.Field]
		was, known := base.Figures[f.Field]
		switch {
		case !ok:
			fmt.Fprintf(out, "budget: %-36s not measured in this run\n", f.Name)
		case !known || was == 0:
			fmt.Fprintf(out, "budget: %-36s %10.1f %-5s (no baseline)\n", f.Name, now, f.Unit)
		default:
			ratio := now / was
			c.Ratios[f.Field] = ratio
			verdict := "worse"
			if ratio == 1 || (ratio > 1) == f.Higher {
				verdict = "better or equal"
			}
			fmt.Fprintf(out, "budget: %-36s %10.1f %-5s baseline %10.1f  ratio %.2f (%s)\n", f.Name, now, f.Unit, was, ratio, verdict)
		}
	}
	return c
}

func run() error {
	runPath := flag.String("run", "build/bench/room.jsonl", "the room scenario's output of this run")
	basePath := flag.String("baseline", "bench/baseline.json", "the committed figures to compare with")
	write := flag.String("write-baseline", "", "write this run's figures as the baseline to this file instead")
	note := flag.String("note", "", "with -write-baseline: what the baseline is (release, machine)")
	naivePath := flag.String("naive", "", "naive GossipSub's output of the same sitting (make bench-anchors): Parley's figures beside it and the targets")
	socketioPath := flag.String("socketio", "", "Socket.IO's output of the same sitting")
	flag.Parse()

	now, err := readScenario(*runPath)
	if err != nil {
		return err
	}
	if *write != "" {
		now.Measured, now.Note = time.Now().UTC().Format(time.DateOnly), *note
		data, err := json.MarshalIndent(now, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*write, append(data, '\n'), 0o644)
	}
	data, err := os.ReadFile(*basePath)
	if err != nil {
		return err
	}
	var base Baseline
	if err := json.Unmarshal(data, &base); err != nil {
		return fmt.Errorf("%s: %w", *basePath, err)
	}
	if base.N != now.N || base.BaseRate != now.BaseRate {
		fmt.Fprintf(os.Stderr, "budget: the baseline ran %d members at %g msg/s, this run %d at %g: ratios compare unlike runs\n", base.N, base.BaseRate, now.N, now.BaseRate)
	}
	c := compare(now, base, os.Stderr)
	if *naivePath != "" || *socketioPath != "" {
		var naive, socketio Baseline
		if naive, err = readScenario(*naivePath); err != nil {
			return err
		}
		if socketio, err = readScenario(*socketioPath); err != nil {
			return err
		}
		c.Targets = besideAnchors(now, naive, socketio, os.Stderr)
	}
	return json.NewEncoder(os.Stdout).Encode(c)
}

// readScenario reads the scenario line of a run's output file.
func readScenario(path string) (Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return Baseline{}, err
	}
	defer f.Close()
	b, err := scenario(f)
	if err != nil {
		return Baseline{}, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "budget:", err)
		os.Exit(1)
	}
}
