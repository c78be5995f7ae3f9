// Command room is the room benchmark: N Parley processes (the build without
// a window) on 127.0.0.1 in one room, driven from outside through the HTTP
// API, in the scenario of the anchor harnesses (a rate sweep of 200-byte
// messages sent round-robin until a step fails the health rule). It writes
// one JSON line per scenario to stdout and one per rate step (and setup,
// eventual, warning and error lines) to stderr, with the anchors' field names.
//
//	go run ./bench/room -n 10 -bin build/bench/parley > room.jsonl 2> room-steps.jsonl
//
// With -hosts the nodes run in network namespaces instead, each started by
// a wrapper command and reached on its own address (bench/scale.sh: 50 and
// 100 members); -seed-msgs gives the room a history before it starts and
// -late-join times a member that joins afterwards and syncs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// defaultRates is the anchors' sweep, msg/s.
const defaultRates = "20,30,50,75,100,150,200,300,500,750,1000,1500,2000,3000,4000,6000,8000,12000,16000"

// config is what the flags set.
type config struct {
	// private runs the room as a private room: sealed messages, joins let
	// in by a member.
	private      bool
	ns           []int
	rates        []float64
	baseRate     float64
	maxSteps     int
	baseMeasureS float64
	measureS     float64
	attempts     int
	dial         int
	seed         uint64
	bin          string
	src          string
	keep         bool
	sendWorkers  int
	sendQueue    int
	idleS        float64
	eventualS    float64
	meshWaitS    float64
	afterS       float64
	maxS         float64
	maxTotalS    float64
	profileDir   string
	hostsFile    string
	hosts        []host
	seedMsgs     int
	seedroom     string
	lateJoin     bool
	lateWaitS    float64
	arrivedAll   bool
}

// rateList is the sweep: the base rate, then every listed rate above it.
func (c config) rateList() []float64 {
	out := []float64{c.baseRate}
	for _, r := range c.rates {
		if r > c.baseRate {
			out = append(out, r)
		}
	}
	return out
}

func (c config) validate() error {
	for _, n := range c.ns {
		if n < 2 || n > 200 {
			return fmt.Errorf("-n %d: want 2-200 members", n)
		}
	}
	switch {
	case c.baseRate <= 0:
		return errors.New("-base-rate must be positive")
	case c.baseMeasureS <= 0 || c.measureS <= 0:
		return errors.New("-base-measure and -measure must be positive")
	case c.attempts < 1 || c.sendWorkers < 1 || c.sendQueue < 1 || c.dial < 1:
		return errors.New("-attempts, -send-workers, -send-queue and -dial must be at least 1")
	case c.idleS < 0 || c.eventualS < 0 || c.afterS < 0 || c.meshWaitS <= 0 || c.maxS <= 0 || c.maxTotalS <= 0:
		return errors.New("durations must not be negative")
	}
	if c.seedMsgs < 0 || c.lateWaitS <= 0 {
		return errors.New("-seed-msgs must not be negative, -late-wait-s must be positive")
	}
	if c.private && (c.seedMsgs > 0 || c.lateJoin) {
		return errors.New("-private does not go with -seed-msgs or -late-join")
	}
	if c.seedMsgs > 0 && c.seedroom == "" {
		return errors.New("-seed-msgs needs -seedroom (build it: go build -o build/test/seedroom ./test/seedroom)")
	}
	if c.hostsFile != "" {
		need := slices.Max(c.ns)
		if c.lateJoin {
			need++
		}
		if len(c.hosts) < need {
			return fmt.Errorf("-hosts %s names %d nodes, the run needs %d", c.hostsFile, len(c.hosts), need)
		}
	}
	if st, err := os.Stat(c.bin); err != nil || st.IsDir() {
		return fmt.Errorf("-bin %s: not a Parley binary (build one: CGO_ENABLED=0 go build -tags nowindow -o %s .)", c.bin, c.bin)
	}
	return nil
}

func parseConfig(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("room", flag.ContinueOnError)
	ns := fs.String("n", "10", "members per room, comma-separated: one scenario each, one after the other")
	rates := fs.String("rates", defaultRates, "total send rates of the sweep, msg/s, comma-separated")
	fs.Float64Var(&c.baseRate, "base-rate", 20, "first rate of the sweep; listed rates below it are skipped")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "rate levels to run at most (retries not counted); 0: all")
	fs.Float64Var(&c.baseMeasureS, "base-measure", 10, "measure window of the first step, seconds")
	fs.Float64Var(&c.measureS, "measure", 5, "measure window of the later steps, seconds")
	fs.IntVar(&c.attempts, "attempts", 3, "attempts per rate level before the sweep stops")
	fs.IntVar(&c.dial, "dial", 3, "random peers each node connects to")
	fs.Uint64Var(&c.seed, "seed", 1, "graph seed (the anchors draw the same graph for the same seed)")
	fs.StringVar(&c.bin, "bin", "build/bench/parley", "Parley binary, the build without a window")
	fs.StringVar(&c.src, "src", ".", "checkout the binary was built from (its commit goes into `stack`)")
	fs.BoolVar(&c.private, "private", false, "make the room a private room (CreatePrivateRoom; members join by its link and are let in)")
	fs.BoolVar(&c.keep, "keep", false, "keep the data dirs and node logs (the path is in the setup line)")
	fs.IntVar(&c.sendWorkers, "send-workers", 8, "Send calls at once per node")
	fs.IntVar(&c.sendQueue, "send-queue", 128, "queued sends per node before messages are skipped")
	fs.Float64Var(&c.idleS, "idle-s", 10, "idle window before the sweep (idle CPU and RSS), seconds")
	fs.Float64Var(&c.eventualS, "eventual-s", 90, "after the sweep, wait up to this long for every node's MessageCount to converge, seconds")
	fs.Float64Var(&c.meshWaitS, "mesh-wait-s", 60, "go on after this long if not every neighbour is an online member, seconds")
	fs.Float64Var(&c.afterS, "after-s", 60, "measure RSS this long after the sweep ends (rss_after_overload_*), seconds; 0: skip")
	fs.Float64Var(&c.maxS, "max-s", 900, "time limit of a scenario's setup and sweep (the eventual phase has its own), seconds")
	fs.Float64Var(&c.maxTotalS, "max-total-s", 2400, "time limit of the whole run, seconds")
	fs.StringVar(&c.profileDir, "profile", "", "directory for CPU and heap profiles: node i runs with PARLEY_PROFILE=DIR/node<i>")
	fs.StringVar(&c.hostsFile, "hosts", "", "run the nodes in network namespaces: line i of this file is node i's `ADDR [COMMAND...]`, "+
		"ADDR in 198.18.0.0/15 (listen ADDR:4001, API ADDR:7717) and COMMAND the wrapper that starts it there, such as `ip netns exec NS`; "+
		"the harness must run where it reaches those addresses (bench/scale.sh sets this up)")
	fs.IntVar(&c.seedMsgs, "seed-msgs", 0, "start every member with a room already holding this many messages (made with -seedroom)")
	fs.StringVar(&c.seedroom, "seedroom", "", "the built test/seedroom tool, for -seed-msgs")
	fs.BoolVar(&c.lateJoin, "late-join", false, "after the run, start one more node with an empty data dir and time how long it takes to hold the room's whole history")
	fs.Float64Var(&c.lateWaitS, "late-wait-s", 120, "give the late member this long to catch up, seconds")
	fs.BoolVar(&c.arrivedAll, "arrived-scan-all", false, "after every `arrived` event read back the newest 500 messages, not just until the batch's count is found "+
		"(exact when latency runs to seconds, more reads for the nodes)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var err error
	if c.ns, err = parseList(*ns, strconv.Atoi); err != nil {
		return c, fmt.Errorf("-n: %w", err)
	}
	if c.rates, err = parseList(*rates, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		return c, fmt.Errorf("-rates: %w", err)
	}
	if c.hostsFile != "" {
		if c.hosts, err = readHosts(c.hostsFile); err != nil {
			return c, fmt.Errorf("-hosts: %w", err)
		}
	}
	if c.profileDir != "" {
		if c.profileDir, err = absDir(c.profileDir); err != nil {
			return c, fmt.Errorf("-profile: %w", err)
		}
	}
	return c, c.validate()
}

// parseList parses a comma-separated list of positive numbers.
func parseList[T int | float64](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for f := range strings.SplitSeq(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// secs turns seconds into a Duration.
func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func main() {
	cfg, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "room:", err)
		os.Exit(2)
	}
	// SIGINT and SIGTERM end the run; each scenario stops its nodes by PID
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, secs(cfg.maxTotalS))
	defer cancel()
	out := &emitter{out: os.Stdout, log: os.Stderr}
	rc := 0
	for _, n := range cfg.ns {
		sc, err := runScenario(ctx, cfg, n, out)
		if err != nil {
			out.note("error", n, map[string]any{"error": err.Error()})
			rc = 1
		} else {
			out.scenario(sc)
		}
		if ctx.Err() != nil {
			break
		}
	}
	os.Exit(rc)
}
