package main

import (
	"context"
	"fmt"
	"time"
)

// history is the eventual-consistency phase's result: every node's
// MessageCount right after the sweep and once converged (or given up).
type history struct {
	target    int64
	end       []int
	final     []int
	convergeS *float64 // nil: not converged within the wait
	waitS     float64
}

// counts asks every live node for the room's MessageCount, less what it
// held before the sweep; -1 for a node that is gone.
func counts(ctx context.Context, nodes []*node, room string, before []int) ([]int, error) {
	out := make([]int, len(nodes))
	for i, nd := range nodes {
		if !nd.alive() {
			out[i] = -1
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := nd.api.messageCount(cctx, room)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", nd.idx, err)
		}
		out[i] = c
		if before != nil {
			out[i] -= before[i]
		}
	}
	return out, nil
}

// awaitHistory polls MessageCount every second until every node holds the
// target number of new messages or waitS has passed.
func awaitHistory(ctx context.Context, nodes []*node, room string, before []int, target int64, waitS float64) (history, error) {
	h := history{target: target}
	start := time.Now()
	c, err := counts(ctx, nodes, room, before)
	if err != nil {
		return h, err
	}
	h.end, h.final = c, c
	for {
		done := true
		for _, v := range h.final {
			done = done && int64(v) >= target
		}
		if done {
			h.convergeS = round3(time.Since(start).Seconds())
			break
		}
		if time.Since(start).Seconds() >= waitS || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, time.Second)
		c, err := counts(ctx, nodes, room, before)
		if err != nil {
			h.waitS = time.Since(start).Seconds()
			return h, err
		}
		h.final = c
	}
	h.waitS = time.Since(start).Seconds()
	return h, nil
}

// afterOverload is the nodes' memory after the sweep.
type afterOverload struct {
	nodesKB   []int64
	sumKB     int64
	within1p5 *float64 // seconds after the sweep when the sum first fell within 1.5x idle
}

// watchRSS samples the nodes' summed RSS every second from the end of the
// sweep for afterS seconds and reports the last sample, per node, and when
// the sum first fell within 1.5x of idleKB.
func watchRSS(ctx context.Context, nodes []*node, pids []int, idleKB int64, afterS float64) afterOverload {
	var a afterOverload
	start := time.Now()
	end := start.Add(time.Duration(afterS * float64(time.Second)))
	for {
		if sum := rssOf(pids); a.within1p5 == nil && float64(sum) <= 1.5*float64(idleKB) {
			a.within1p5 = round3(time.Since(start).Seconds())
		}
		left := time.Until(end)
		if left <= 0 || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, min(left, time.Second))
	}
	a.nodesKB = make([]int64, len(nodes))
	for i, nd := range nodes {
		a.nodesKB[i] = procRSS(nd.pid)
		a.sumKB += a.nodesKB[i]
	}
	return a
}
