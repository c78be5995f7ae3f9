package main

import (
	"context"
	"encoding/json"
	"math"
	"runtime"
	"sync"
	"time"
)

const (
	warmupS = 1.0 // per step, sent but not counted
	drainS  = 3.0 // per step, at most, for the last deliveries
)

// sweep runs the rate steps: a pacer hands messages round-robin to the
// members' send queues at the target rate; each node's workers make the
// Send calls; the event readers fill the ledger.
type sweep struct {
	cfg    config
	n      int
	room   string
	nodes  []*node
	pids   []int
	ledger *ledger
	rss    *rssSampler
	out    *emitter
	nextID int64
}

// startSenders starts each node's Send workers; they stop with ctx.
func (s *sweep) startSenders(ctx context.Context, wg *sync.WaitGroup) {
	for _, nd := range s.nodes {
		nd.queue = make(chan sendJob, s.cfg.sendQueue)
		for range s.cfg.sendWorkers {
			wg.Go(func() { s.sendLoop(ctx, nd) })
		}
	}
}

// sendLoop is one Send worker of node nd.
func (s *sweep) sendLoop(ctx context.Context, nd *node) {
	for {
		var j sendJob
		select {
		case <-ctx.Done():
			return
		case j = <-nd.queue:
		}
		m := chatMsg{S: nd.idx, Q: j.seq, St: j.step, Ph: j.phase, B: body}
		m.T = s.ledger.clock.ns()
		text, _ := json.Marshal(m)
		err := nd.api.send(ctx, s.room, string(text))
		s.ledger.sent(j, nd.idx, m.T, s.ledger.clock.ns(), err)
		nd.pending.Add(-1)
	}
}

// inflight counts jobs queued or in a Send call on all nodes.
func (s *sweep) inflight() int64 {
	var t int64
	for _, nd := range s.nodes {
		t += nd.pending.Load()
	}
	return t
}

// run steps through the rates, retrying an unhealthy level up to
// attempts-1 times and stopping at the first level that stays unhealthy.
func (s *sweep) run(ctx context.Context, rates []float64) []*stepLine {
	var steps []*stepLine
	for i, rate := range rates {
		if ctx.Err() != nil || (s.cfg.maxSteps > 0 && i >= s.cfg.maxSteps) {
			break
		}
		measure := s.cfg.measureS
		if i == 0 {
			measure = s.cfg.baseMeasureS
		}
		var r *stepLine
		for a := 0; a < s.cfg.attempts && ctx.Err() == nil; a++ {
			r = s.step(ctx, rate, measure)
			steps = append(steps, r)
			if r.Healthy {
				break
			}
		}
		if r == nil || !r.Healthy {
			break
		}
	}
	return steps
}

// step runs one rate step: warm-up and measure window at the target rate,
// then up to drainS for the last deliveries; writes and returns its line.
func (s *sweep) step(ctx context.Context, rate, measureS float64) *stepLine {
	s.nextID++
	id := s.nextID
	warm := int(math.Round(rate * warmupS))
	total := warm + int(math.Round(rate*measureS))
	base := s.ledger.openStep(id, total)
	lag0, dup0, arr0 := s.laggedTotal(), s.ledger.dupTotal(), s.arrivedTotal()
	recv0 := s.ledger.recv.Load()
	s.rss.startStep()
	cpu0, self0, busy0 := cpuOf(s.pids), selfCPU(), machineBusy()
	start := time.Now()
	startMs := s.ledger.clock.ms()

	skipped := s.pace(ctx, rate, total, func(k int) sendJob {
		ph := phaseWarmup
		if k >= warm {
			ph = phaseMeasure
		}
		return sendJob{seq: base + int64(k), k: k, step: id, phase: ph, sched: startMs + float64(k)*1000/rate}
	}, warm)
	s.drain(ctx)
	unsent := s.flushQueues()
	inflight := s.inflight() // calls still running finish after the step
	wall := time.Since(start).Seconds()
	cpu, self := cpuOf(s.pids)-cpu0, selfCPU()-self0
	other := max(0, machineBusy()-busy0-cpu-self)
	recv := s.ledger.recv.Load() - recv0
	t := s.ledger.closeStep()
	obs, missing := t.observe(rate, s.n, warm)
	f := summarize(obs, defaultHealth)
	nodesKB, selfKB := s.rss.step()

	line := &stepLine{
		Kind: "step", Anchor: anchorName, N: s.n, Step: id,
		RateTarget: rate, RateSent: round3(f.sendRate), SendFrac: round3(f.sendFrac),
		SendLagMsP99: round3(f.lagP99), MeasureS: measureS,
		Sent: t.sent, Skipped: skipped, PubErrors: t.sendErrs,
		Expected: f.expected, Delivered: f.delivered,
		DeliveryRatio: round3(f.ratio), DeliveriesPerS: round3(f.deliveriesPerS),
		LatMsP50: round3(f.p50), LatMsP90: round3(f.p90), LatMsP95: round3(f.p95), LatMsP99: round3(f.p99), LatMsMax: round3(f.maxMs),
		CPUS: round3(cpu), TotalRSSMB: mb(nodesKB), StepWallS: round3(wall),
		OtherProcsCPUFrac: round3(other / (wall * float64(runtime.NumCPU()))),
		Healthy:           f.healthy,
		HarnessCPUS:       round3(self), HarnessRSSMB: mb(selfKB), RSSMBPerNode: mb(nodesKB / int64(s.n)),
		SendHTTPMsP50: round3(f.httpP50), SendHTTPMsP99: round3(f.httpP99),
		UnsentAtEnd: unsent, InflightAtEnd: inflight,
		LaggedEvents: s.laggedTotal() - lag0, DupEvents: s.ledger.dupTotal() - dup0, ArrivedEvents: s.arrivedTotal() - arr0,
		LastSendError: t.lastErr, NodesAlive: s.alive(), MissingSamples: missing,
	}
	if recv > 0 {
		line.CPUUsPerDelivery = round3(cpu * 1e6 / float64(recv))
		line.CPUUsPerDeliveryHarness = round3((cpu + self) * 1e6 / float64(recv))
	}
	if !f.healthy {
		line.Reason = &f.reason
	}
	s.out.step(line)
	s.settle(ctx)
	return line
}

// pace hands total jobs to the nodes round-robin, job k due at k/rate
// seconds after the start (open loop: a late pacer catches up at once). A
// full queue skips the job; it returns how many measured jobs it skipped.
func (s *sweep) pace(ctx context.Context, rate float64, total int, job func(k int) sendJob, warm int) int {
	skipped := 0
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for k := 0; k < total; {
		due := min(total, int(time.Since(start).Seconds()*rate)+1)
		for ; k < due; k++ {
			nd := s.nodes[k%s.n]
			nd.pending.Add(1)
			select {
			case nd.queue <- job(k):
			default:
				nd.pending.Add(-1)
				if k >= warm {
					skipped++
				}
			}
		}
		if k >= total {
			break
		}
		next := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
		timer.Reset(max(time.Until(next), 0))
		select {
		case <-timer.C:
		case <-ctx.Done():
			return skipped
		}
	}
	return skipped
}

// drain waits up to drainS until no Send is pending and every measured
// message sent has reached every other member.
func (s *sweep) drain(ctx context.Context) {
	end := time.Now().Add(time.Duration(drainS * float64(time.Second)))
	for time.Now().Before(end) && ctx.Err() == nil {
		if s.inflight() == 0 && s.ledger.stepDone() {
			return
		}
		sleepCtx(ctx, 5*time.Millisecond)
	}
}

// flushQueues empties the send queues and counts the measured jobs dropped.
func (s *sweep) flushQueues() int {
	unsent := 0
	for _, nd := range s.nodes {
		for more := true; more; {
			select {
			case j := <-nd.queue:
				nd.pending.Add(-1)
				if j.phase == phaseMeasure {
					unsent++
				}
			default:
				more = false
			}
		}
	}
	return unsent
}

// settle lets a backlog clear between steps: no Send pending and 300 ms
// without a delivery, for at most 10 s.
func (s *sweep) settle(ctx context.Context) {
	end := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) && ctx.Err() == nil {
		quiet := s.ledger.clock.ns()-s.ledger.lastRecv.Load() > int64(300*time.Millisecond)
		if s.inflight() == 0 && quiet {
			return
		}
		sleepCtx(ctx, 50*time.Millisecond)
	}
}

func (s *sweep) laggedTotal() int64 {
	var t int64
	for _, nd := range s.nodes {
		t += nd.lagged.Load()
	}
	return t
}

func (s *sweep) arrivedTotal() int64 {
	var t int64
	for _, nd := range s.nodes {
		t += nd.arrived.Load()
	}
	return t
}

func (s *sweep) alive() int {
	a := 0
	for _, nd := range s.nodes {
		if nd.alive() {
			a++
		}
	}
	return a
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
