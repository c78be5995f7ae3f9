package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// lateJoinLine is the late member's catch-up, in the scenario line's
// `late_join` field: a node started after the run with an empty data dir
// dials a few members, joins the room with an invite link one of them made
// and syncs its history.
type lateJoinLine struct {
	Msgs       int      `json:"msgs"`        // the room's history: the most any member holds
	SeededMsgs int      `json:"seeded_msgs"` // of which seeded before the members started
	Dialed     int      `json:"dialed"`      // members it connected to
	StartS     float64  `json:"start_s"`     // process start until its API answers
	ConnectS   float64  `json:"connect_s"`   // its Connect calls, together
	CatchupS   *float64 `json:"catchup_s"`   // JoinRoom call until MessageCount >= msgs; null: not within wait_s
	SeededS    *float64 `json:"seeded_s"`    // JoinRoom call until MessageCount >= seeded_msgs
	TotalS     *float64 `json:"total_s"`     // first Connect until MessageCount >= msgs
	Count      int      `json:"count"`       // its MessageCount at the end
	WaitS      float64  `json:"wait_s"`      // how long it was given
	PollMs     float64  `json:"poll_ms"`     // MessageCount polled this often
	CPUS       float64  `json:"cpu_s"`       // its CPU from start until caught up (or given up)
	RSSMB      float64  `json:"rss_mb"`      // its RSS then
}

const lateJoinPoll = 50 * time.Millisecond

// lateJoin starts node idx (a fresh data dir), connects it to dial members
// picked with the graph seed, joins the room by an invite link from one of
// them and polls MessageCount until it holds as many messages as the
// fullest member, for at most wait.
func lateJoin(ctx context.Context, o nodeOptions, idx int, members []*node, room string, dial int, seed uint64, seeded int, wait time.Duration, started func(*node)) (*lateJoinLine, error) {
	target := 0
	for _, m := range members {
		if !m.alive() {
			continue
		}
		c, err := m.api.messageCount(ctx, room)
		if err != nil {
			return nil, fmt.Errorf("late join: node %d: %w", m.idx, err)
		}
		target = max(target, c)
	}
	o.seedStore = "" // it starts with nothing
	t0 := time.Now()
	nd, err := startNode(o, idx)
	if err != nil {
		return nil, fmt.Errorf("late join: %w", err)
	}
	started(nd)
	if err := nd.waitReady(ctx); err != nil {
		return nil, fmt.Errorf("late join: %w", err)
	}
	lj := &lateJoinLine{Msgs: target, SeededMsgs: seeded, StartS: round2(time.Since(t0).Seconds()), WaitS: wait.Seconds(), PollMs: float64(lateJoinPoll.Milliseconds())}

	rng := rand.New(rand.NewPCG(seed, uint64(idx)))
	pick := rng.Perm(len(members))[:min(dial, len(members))]
	lj.Dialed = len(pick)
	// The link comes from a member it dials (so joining adds no
	// connection), or if none of those is up, from any member that is.
	var inviter *node
	for _, i := range slices.Concat(pick, rng.Perm(len(members))) {
		if members[i].alive() {
			inviter = members[i]
			break
		}
	}
	if inviter == nil {
		return nil, errors.New("late join: no member is running to invite it")
	}
	link, err := inviter.api.invite(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("late join: node %d: %w", inviter.idx, err)
	}
	connected := time.Now()
	if err := parallel(8, len(pick), func(i int) error {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return nd.api.connect(cctx, members[pick[i]].addr)
	}); err != nil {
		return nil, fmt.Errorf("late join: connect: %w", err)
	}
	joined := time.Now()
	lj.ConnectS = round2(joined.Sub(connected).Seconds())
	if err := nd.api.joinRoom(ctx, link); err != nil {
		return nil, fmt.Errorf("late join: %w", err)
	}
	deadline := joined.Add(wait)
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := nd.api.messageCount(cctx, room)
		cancel()
		now := time.Now()
		if err != nil {
			return nil, fmt.Errorf("late join: %w", err)
		}
		lj.Count = c
		if lj.SeededS == nil && c >= seeded {
			lj.SeededS = round3(now.Sub(joined).Seconds())
		}
		if c >= target {
			lj.CatchupS = round3(now.Sub(joined).Seconds())
			lj.TotalS = round3(now.Sub(connected).Seconds())
			break
		}
		if now.After(deadline) || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, lateJoinPoll)
	}
	lj.CPUS = round2(procCPU(nd.pid))
	lj.RSSMB = mb(procRSS(nd.pid))
	return lj, nil
}
