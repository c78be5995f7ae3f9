package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/invite"
)

const (
	roomName   = "bench room"
	heartbeats = 3 * time.Second // after the members are online, for GossipSub to build its meshes
)

// runScenario runs one room of n members from start to the eventual
// phase and returns its scenario line; step and note lines go to out.
func runScenario(pctx context.Context, cfg config, n int, out *emitter) (sc *scenarioLine, err error) {
	begin := time.Now()
	ctx, cancel := context.WithTimeout(pctx, secs(cfg.maxS))
	defer cancel()
	root, err := os.MkdirTemp("", fmt.Sprintf("parley-bench-room-n%d-", n))
	if err != nil {
		return nil, err
	}
	hc := newHTTPClient(2 * cfg.sendWorkers)
	var nodes []*node
	var late *node // the late member, once started
	// event readers, Send workers and the RSS sampler outlive the scenario's
	// deadline (the eventual phase has its own) and stop with bg
	bg, stopBG := context.WithCancel(pctx)
	var workers sync.WaitGroup
	defer func() {
		stopBG()
		grace := 5 * time.Second
		if cfg.profileDir != "" {
			grace = 20 * time.Second // the heap profile is written at exit
		}
		var stops sync.WaitGroup
		all := nodes
		if late != nil {
			all = append(slices.Clone(nodes), late)
		}
		for _, nd := range all {
			stops.Go(func() { nd.stop(grace) })
		}
		stops.Wait()
		workers.Wait()
		hc.CloseIdleConnections()
		if !cfg.keep {
			err = errors.Join(err, os.RemoveAll(root))
		}
	}()

	// seed the room's history, start the processes, then wait for their APIs
	nopts := nodeOptions{bin: cfg.bin, root: root, profileDir: cfg.profileDir, hosts: cfg.hosts, hc: hc}
	var room string
	if cfg.seedMsgs > 0 {
		if room, nopts.seedStore, err = seedStore(ctx, cfg.seedroom, root, cfg.seedMsgs); err != nil {
			return nil, err
		}
	}
	for i := range n {
		nd, err := startNode(nopts, i)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, nd)
	}
	pids := make([]int, n)
	for i, nd := range nodes {
		if err := nd.waitReady(ctx); err != nil {
			return nil, err
		}
		pids[i] = nd.pid
	}
	startS := time.Since(begin).Seconds()
	rss := &rssSampler{pids: pids}
	workers.Go(func() { rss.run(bg.Done()) })

	// wire the graph and the room
	g, err := newGraph(n, cfg.dial, cfg.seed)
	if err != nil {
		return nil, err
	}
	wired := time.Now()
	if err := connectAll(ctx, nodes, g); err != nil {
		return nil, err
	}
	// every member holds a seeded room already (from the store); else
	// node 0 creates it and the others join by invite links
	in := make([]bool, n)
	if room == "" {
		if room, err = nodes[0].api.createRoom(ctx, roomName, cfg.private); err != nil {
			return nil, fmt.Errorf("node 0: %w", err)
		}
		in[0] = true
	} else {
		for i := range in {
			in[i] = true
		}
	}
	if err := joinAlongGraph(ctx, nodes, g, room, in, cfg.private); err != nil {
		return nil, err
	}
	timedOut, err := awaitNeighbours(ctx, nodes, room, g, secs(cfg.meshWaitS))
	if err != nil {
		return nil, err
	}
	if timedOut {
		out.note("warning", n, map[string]any{"warning": fmt.Sprintf("not every neighbour an online member after %v s; going on", cfg.meshWaitS)})
	}
	meshReadyS := time.Since(wired).Seconds()
	sleepCtx(ctx, heartbeats)
	setupS := time.Since(begin).Seconds()

	// one event socket per node, kept for the run
	clk := clock{t0: begin}
	led := newLedger(n, clk)
	led.scanAll = cfg.arrivedAll
	for _, nd := range nodes {
		conn, err := dialEvents(ctx, nd.api)
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", nd.idx, err)
		}
		workers.Go(func() {
			defer conn.CloseNow()
			readEvents(bg, conn, nd, room, led)
		})
	}
	out.note("setup", n, map[string]any{"start_s": round3(startS), "mesh_ready_s": round3(meshReadyS),
		"mesh_wait_timed_out": timedOut, "setup_s": round3(setupS), "room": room, "data_dir": root, "graph": g.stats()})

	// idle: members online, sockets open, nothing sent
	idleCPU0, idleAt := cpuOf(pids), time.Now()
	sleepCtx(ctx, secs(cfg.idleS))
	if ctx.Err() != nil {
		return nil, fmt.Errorf("idle window: %w", ctx.Err())
	}
	idleCores := (cpuOf(pids) - idleCPU0) / time.Since(idleAt).Seconds()
	var idleKB int64
	idleNodes := make([]float64, n)
	for i, p := range pids {
		kb := procRSS(p)
		idleKB += kb
		idleNodes[i] = mb(kb)
	}
	idleSelfKB := procRSS(os.Getpid())
	before, err := counts(ctx, nodes, room, nil)
	if err != nil {
		return nil, fmt.Errorf("MessageCount: %w", err)
	}

	// the sweep
	sw := &sweep{cfg: cfg, n: n, room: room, nodes: nodes, pids: pids, ledger: led, rss: rss, out: out}
	sw.startSenders(bg, &workers)
	rss.resetRun()
	cpu0, self0 := cpuOf(pids), selfCPU()
	steps := sw.run(ctx, cfg.rateList())
	cpu, self := cpuOf(pids)-cpu0, selfCPU()-self0
	if len(steps) == 0 {
		return nil, errors.New("no step ran")
	}
	sweepLimit := ctx.Err() != nil

	// memory after the overload, watched while the history converges
	var after afterOverload
	var watch sync.WaitGroup
	if cfg.afterS > 0 {
		watch.Go(func() { after = watchRSS(bg, nodes, pids, idleKB, cfg.afterS) })
	}
	for end := time.Now().Add(30 * time.Second); sw.inflight() > 0 && time.Now().Before(end) && pctx.Err() == nil; {
		sleepCtx(pctx, 50*time.Millisecond)
	}
	target, own, sendErrs, lastSendErr := led.sendTotals()
	ectx, ecancel := context.WithTimeout(pctx, secs(cfg.eventualS+30))
	defer ecancel()
	hist, herr := awaitHistory(ectx, nodes, room, before, target, cfg.eventualS)
	if herr != nil {
		out.note("warning", n, map[string]any{"warning": "MessageCount: " + herr.Error()})
		if hist.end == nil {
			return nil, fmt.Errorf("MessageCount: %w", herr)
		}
	}
	endRatio, _ := historyRatio(hist.end, target, own)
	evRatio, evMissing := historyRatio(hist.final, target, own)
	out.note("eventual", n, map[string]any{"target_msgs": target, "end_counts": hist.end, "eventual_counts": hist.final,
		"converge_s": hist.convergeS, "waited_s": round3(hist.waitS), "eventual_delivery_ratio": round3(evRatio),
		"end_delivery_ratio": round3(endRatio)})
	watch.Wait()
	peakKB, selfPeakKB := rss.total()

	// a member that joins now and syncs the whole history
	var lj *lateJoinLine
	if cfg.lateJoin {
		lctx, lcancel := context.WithTimeout(pctx, secs(cfg.lateWaitS+60))
		defer lcancel()
		lj, err = lateJoin(lctx, nopts, n, nodes, room, cfg.dial, cfg.seed, cfg.seedMsgs, secs(cfg.lateWaitS), func(nd *node) { late = nd })
		if err != nil {
			return nil, err
		}
		out.note("late_join", n, map[string]any{"late_join": lj})
	}

	sat, brk, maxPerS := sweepResult(steps)
	base := steps[0]
	transport := "libp2p TCP on 127.0.0.1 between the nodes (Parley's own options); harness: HTTP/1.1 POST /api/Send and one WebSocket /api/events per node, on 127.0.0.1"
	where := "separate processes, the harness in its own"
	cmdLine := "parley --network off --data-dir DIR --listen /ip4/127.0.0.1/tcp/0 --api 127.0.0.1:0 (build without a window)"
	meshAt := "every node lists all its graph neighbours as online members; then 3 s of heartbeats"
	if cfg.hosts != nil {
		transport = "libp2p TCP between network namespaces joined by a bridge, 198.18.0.0/15 (Parley's own options); harness in a namespace of its own: HTTP/1.1 POST /api/Send and one WebSocket /api/events per node, over the bridge"
		where = "separate processes, each in a network namespace of its own, the harness in another"
		cmdLine = "WRAPPER parley --network off --data-dir DIR --listen /ip4/ADDR/tcp/4001 --api ADDR:7717 --api-insecure (build without a window; WRAPPER from -hosts, e.g. ip netns exec NS)"
	}
	if cfg.seedMsgs > 0 {
		meshAt = "mesh_ready_s counts from the first Connect call (every member starts with the seeded room joined) until every node lists all its graph neighbours as online members (Members API); then 3 s of heartbeats"
	}
	sc = &scenarioLine{
		Kind: "scenario", Anchor: anchorName, Stack: stack(cfg.src, n, cfg.private),
		Transport: transport,
		Topology:  fmt.Sprintf("sparse random graph, each node dials %d others (Connect API); %d %s", cfg.dial, n, where),
		N:         n, PayloadBytes: bodyBytes, MsgBytes: sampleBytes(n), Health: defaultHealth,
		BaseRate: base.RateTarget, LatMsP50: base.LatMsP50, LatMsP90: base.LatMsP90, LatMsP95: base.LatMsP95,
		LatMsP99: base.LatMsP99, LatMsMax: base.LatMsMax, DeliveryRatio: base.DeliveryRatio,
		BaseCPUUsPerDelivery: base.CPUUsPerDelivery, BaseCPUUsPerDeliveryHarn: base.CPUUsPerDeliveryHarness,
		BreakReason:           "not reached (top of rate list)",
		MaxDeliveriesPerSSeen: round3(maxPerS),
		IdleCPUCores:          round3(idleCores), IdleTotalRSSMB: mb(idleKB), TotalRSSMB: mb(peakKB),
		CPUS: round3(cpu), Steps: len(steps), Cores: runtime.NumCPU(), Loadavg1m: round3(loadavg1m()),
		SetupS: round3(setupS), OtherProcsCPUFracMean: round3(meanOther(steps)), Graph: g.stats(),
		Parley: map[string]string{
			"cmd":           cmdLine,
			"send":          "POST /api/Send [room, text]: sign, store, publish",
			"receive":       "`message` events on /api/events, the sender's own (mine) left out; after an `arrived` event (a batch announced at once) the newest messages by History, timed at the event",
			"send_pool":     fmt.Sprintf("%d Send workers and a %d-job queue per node", cfg.sendWorkers, cfg.sendQueue),
			"mesh_ready_at": meshAt,
		},
		StartS: round3(startS), MeshReadyS: round3(meshReadyS), MeshWaitTimedOut: timedOut,
		IdleS: cfg.idleS, IdleRSSMBPerNode: mb(idleKB / int64(n)), IdleRSSMBNodes: idleNodes, IdleHarnessRSSMB: mb(idleSelfKB),
		RSSMBPerNode: mb(peakKB / int64(n)), HarnessCPUS: round3(self), HarnessRSSMB: mb(selfPeakKB),
		SendWorkersPerNode: cfg.sendWorkers, MsgsSent: target, SendErrors: sendErrs, LastSendError: lastSendErr,
		LaggedEvents: sw.laggedTotal(), DupEvents: led.dupTotal(), ArrivedEvents: sw.arrivedTotal(),
		EndDeliveryRatio: round3(endRatio), EventualDeliveryRatio: round3(evRatio), EventualConvergeS: hist.convergeS,
		EventualWaitS: round2(hist.waitS), EventualMissing: evMissing, EndCounts: hist.end, EventualCounts: hist.final,
		AfterS: cfg.afterS, NodesAliveAtEnd: sw.alive(),
		NetworkNamespaces: cfg.hosts != nil, SeededMsgs: cfg.seedMsgs, LateJoin: lj,
	}
	led.mu.Lock()
	sc.LateDeliveries, sc.LateSamples = led.late.n, led.late.samples
	if led.late.n > 0 {
		sc.LateMaxMs = round3(led.late.maxMs)
	}
	led.mu.Unlock()
	if got, want := led.eventPairs(); want > 0 {
		sc.EventualEventRatio = round3(float64(got) / float64(want))
	}
	if sat != nil {
		sc.SatRate = round3(sat.RateTarget)
		sc.SatDeliveriesPerS, sc.SatDeliveryRatio = sat.DeliveriesPerS, sat.DeliveryRatio
		sc.SatLatMsP50, sc.SatLatMsP90, sc.SatLatMsP95 = sat.LatMsP50, sat.LatMsP90, sat.LatMsP95
		sc.SatLatMsP99, sc.SatLatMsMax = sat.LatMsP99, sat.LatMsMax
		sc.SatCPUUsPerDelivery, sc.SatCPUUsPerDeliveryHarn = sat.CPUUsPerDelivery, sat.CPUUsPerDeliveryHarness
	}
	if brk != nil {
		sc.BreakRate = round3(brk.RateTarget)
		sc.BreakReason = *brk.Reason
		sc.BreakDeliveriesPerS, sc.BreakDeliveryRatio, sc.BreakLatMsP99 = brk.DeliveriesPerS, brk.DeliveryRatio, brk.LatMsP99
	} else if cfg.maxSteps > 0 && len(cfg.rateList()) > cfg.maxSteps {
		sc.BreakReason = fmt.Sprintf("not reached (-max-steps %d)", cfg.maxSteps)
	}
	if sweepLimit {
		sc.BreakReason = "scenario time limit reached; " + sc.BreakReason
	}
	if cfg.afterS > 0 && after.nodesKB != nil {
		sc.RSSAfterMBPerNode = round3(mb(after.sumKB / int64(n)))
		for _, kb := range after.nodesKB {
			sc.RSSAfterMBNodes = append(sc.RSSAfterMBNodes, mb(kb))
		}
		if idleKB > 0 {
			sc.RSSAfterVsIdle = round3(float64(after.sumKB) / float64(idleKB))
		}
		sc.RSSWithin15xIdleS = after.within1p5
	}
	seen := map[string]bool{}
	for _, nd := range nodes {
		w, e, samples := nd.logSummary(8-len(sc.LogSamples), seen)
		sc.LogWarnLines += w
		sc.LogErrorLines += e
		sc.LogSamples = append(sc.LogSamples, samples...)
		if v, ok := nd.wsErr.Load().(string); ok {
			sc.WSErrors = append(sc.WSErrors, fmt.Sprintf("n%d: %s", nd.idx, v))
		}
	}
	if cfg.keep {
		sc.DataDir = root
	}
	sc.ProfileDir = cfg.profileDir
	return sc, nil
}

// connectAll makes each graph edge's dialer Connect to the other node, 8 at a time.
func connectAll(ctx context.Context, nodes []*node, g graph) error {
	return parallel(8, len(g.edges), func(i int) error {
		a, b := nodes[g.edges[i][0]], nodes[g.edges[i][1]]
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := a.api.connect(cctx, b.addr); err != nil {
			return fmt.Errorf("connect node %d to %d: %w", a.idx, b.idx, err)
		}
		return nil
	})
}

// joinAlongGraph brings every node not yet in the room (in[i] false) into
// it with an invite link made by a graph neighbour that is in it. Joining
// by link dials the inviter, to which the joiner is connected already, so
// the connections stay the graph's. Nodes join in waves outward from those
// in the room, 8 at a time. In a private room only the owner (node 0)
// invites: its one invitation goes out in links that name the neighbour
// as the one to ask, and the neighbour, a member, lets the joiner in.
func joinAlongGraph(ctx context.Context, nodes []*node, g graph, room string, in []bool, private bool) error {
	adj := make([][]int, len(nodes))
	for _, e := range g.edges {
		adj[e[0]] = append(adj[e[0]], e[1])
		adj[e[1]] = append(adj[e[1]], e[0])
	}
	links := map[int]string{} // by inviter
	var invitation invite.Link
	if private {
		link, err := nodes[0].api.invite(ctx, room)
		if err == nil {
			invitation, err = invite.Parse(link)
		}
		if err != nil {
			return fmt.Errorf("node 0: %w", err)
		}
	}
	for {
		var joiners, inviters []int
		for i := range nodes {
			if in[i] {
				continue
			}
			for _, j := range adj[i] {
				if in[j] {
					joiners, inviters = append(joiners, i), append(inviters, j)
					break
				}
			}
		}
		if len(joiners) == 0 {
			break
		}
		for _, j := range inviters {
			if _, ok := links[j]; ok {
				continue
			}
			link, err := linkFrom(ctx, nodes[j], room, invitation, private)
			if err != nil {
				return fmt.Errorf("node %d: %w", nodes[j].idx, err)
			}
			links[j] = link
		}
		if err := parallel(8, len(joiners), func(k int) error {
			if err := nodes[joiners[k]].api.joinRoom(ctx, links[inviters[k]]); err != nil {
				return fmt.Errorf("node %d: %w", nodes[joiners[k]].idx, err)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, i := range joiners {
			in[i] = true
		}
	}
	for i, ok := range in {
		if !ok {
			return fmt.Errorf("node %d: no path to the room in the graph", nodes[i].idx)
		}
	}
	return nil
}

// parallel runs f(0..n-1) with at most width at once and joins the errors.
func parallel(width, n int, f func(i int) error) error {
	sem := make(chan struct{}, width)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = f(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// awaitNeighbours polls Members until every node lists at least as many
// online members as it has graph neighbours (in a sparse graph a node sees
// only its direct neighbours online), for at most wait; true if it gave up.
func awaitNeighbours(ctx context.Context, nodes []*node, room string, g graph, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		ready := true
		for _, nd := range nodes {
			online, err := nd.api.onlineMembers(ctx, room)
			if err != nil {
				return false, fmt.Errorf("node %d: %w", nd.idx, err)
			}
			if online < g.degree[nd.idx] {
				ready = false
				break
			}
		}
		if ready {
			return false, nil
		}
		if ctx.Err() != nil {
			return false, fmt.Errorf("members never came online: %w", ctx.Err())
		}
		if time.Now().After(deadline) {
			return true, nil
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
}

// meanOther is the mean of the steps' other_procs_cpu_frac.
func meanOther(steps []*stepLine) float64 {
	t := 0.0
	for _, s := range steps {
		if s.OtherProcsCPUFrac != nil {
			t += *s.OtherProcsCPUFrac
		}
	}
	return t / float64(max(len(steps), 1))
}

// sampleBytes is the size of a typical message text for n members.
func sampleBytes(n int) int {
	b, _ := json.Marshal(chatMsg{S: n - 1, Q: 12345, St: 3, Ph: phaseMeasure, T: 123456789012, B: body})
	return len(b)
}

// stack names what ran: the commit of the checkout at src (+dirty when it
// has changes), n processes.
func stack(src string, n int, private bool) string {
	sha := "unknown"
	if b, err := exec.Command("git", "-C", src, "rev-parse", "--short", "HEAD").Output(); err == nil {
		sha = strings.TrimSpace(string(b))
		if st, err := exec.Command("git", "-C", src, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			sha += "+dirty"
		}
	}
	room := "signed envelopes"
	if private {
		room = "a private room: signed envelopes with sealed bodies"
	}
	return fmt.Sprintf("parley %s (build without a window), %d processes, HTTP API + WebSocket events, Badger per node, %s", sha, n, room)
}

// absDir makes a directory path absolute and creates it.
func absDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return abs, os.MkdirAll(abs, 0o755)
}

// linkFrom is the link a joiner gets from neighbour j: j's own, or in a
// private room the owner's invitation naming j as the one to ask.
func linkFrom(ctx context.Context, j *node, room string, invitation invite.Link, private bool) (string, error) {
	if !private {
		return j.api.invite(ctx, room)
	}
	addr, err := multiaddr.NewMultiaddr(j.addr)
	if err != nil {
		return "", err
	}
	info, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return "", err
	}
	invitation.Inviter, invitation.Addrs = info.ID, info.Addrs
	return invite.Encode(invitation)
}
