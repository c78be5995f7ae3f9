package main

import (
	"errors"
	"math/rand/v2"
)

// graph is who dials whom: each node dials a few random others. For the same
// size, dial count and seed it draws the same edges as the anchors, so the
// harnesses compare the same topology.
type graph struct {
	edges    [][2]int // dialer, dialed
	degree   []int
	diameter int
	avgHops  float64
}

// newGraph draws graphs from a PCG seeded with (seed, n*1000+try) until one
// is connected. Node i dials `dial` nodes it is not yet adjacent to, picked
// by shuffling those candidates in index order.
func newGraph(n, dial int, seed uint64) (graph, error) {
	for try := range uint64(1000) {
		rng := rand.New(rand.NewPCG(seed, uint64(n)*1000+try))
		adj := make([]map[int]bool, n)
		for i := range adj {
			adj[i] = make(map[int]bool)
		}
		var g graph
		for i := range n {
			var cand []int
			for j := range n {
				if j != i && !adj[i][j] {
					cand = append(cand, j)
				}
			}
			rng.Shuffle(len(cand), func(a, b int) { cand[a], cand[b] = cand[b], cand[a] })
			for _, j := range cand[:min(dial, len(cand))] {
				adj[i][j], adj[j][i] = true, true
				g.edges = append(g.edges, [2]int{i, j})
			}
		}
		if g.measure(adj) {
			return g, nil
		}
	}
	return graph{}, errors.New("no connected graph in 1000 draws")
}

// measure fills degrees, diameter and mean hop count by a breadth-first
// search from every node; false if the graph is not connected.
func (g *graph) measure(adj []map[int]bool) bool {
	n := len(adj)
	g.degree = make([]int, n)
	hops, pairs := 0, 0
	for s := range n {
		g.degree[s] = len(adj[s])
		dist := make([]int, n)
		for i := range dist {
			dist[i] = -1
		}
		dist[s] = 0
		for queue := []int{s}; len(queue) > 0; queue = queue[1:] {
			u := queue[0]
			for v := range adj[u] {
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					queue = append(queue, v)
				}
			}
		}
		for v, d := range dist {
			if d < 0 {
				return false
			}
			if v != s {
				g.diameter = max(g.diameter, d)
				hops += d
				pairs++
			}
		}
	}
	g.avgHops = float64(hops) / float64(max(pairs, 1))
	return true
}

// stats is the graph as the scenario line's `graph` field reports it.
func (g graph) stats() map[string]float64 {
	lo, hi, sum := len(g.degree), 0, 0
	for _, d := range g.degree {
		lo, hi, sum = min(lo, d), max(hi, d), sum+d
	}
	return map[string]float64{
		"edges":         float64(len(g.edges)),
		"avg_degree":    round2(float64(sum) / float64(max(len(g.degree), 1))),
		"min_degree":    float64(lo),
		"max_degree":    float64(hi),
		"diameter_hops": float64(g.diameter),
		"avg_hops":      round2(g.avgHops),
	}
}
