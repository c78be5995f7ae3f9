package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// After a burst of messages the Go runtime keeps the heap it grew (Badger's
// table builders, spent memtables) and its background scavenger hands it
// back to the OS only slowly: a node stayed at several times its idle RSS
// minutes after an overload. Worse, once the burst stops nothing triggers a
// collection, so the burst's garbage still counts as heap in use: a node
// held 124 MB of it a minute after an overload, with 14 MB live. So a node
// checks now and then, and collects and gives back what it holds at once
// when it holds more than a little beyond what the last collection found
// live, or when the collections have just stopped (the last one ran during
// the burst, so it counted the burst's queues as live).
const (
	freeMemoryCheck = 10 * time.Second
	freeMemorySlack = 8 << 20 // bytes held beyond the live heap, not worth a collection
)

// heapSample is what a check reads of the runtime.
type heapSample struct {
	objects uint64 // heap in use: live objects and garbage not yet collected
	free    uint64 // heap held free, not returned to the OS
	live    uint64 // what the last collection found live
	cycles  uint64 // collections so far
}

var heapMetrics = [...]string{
	"/memory/classes/heap/objects:bytes", "/memory/classes/heap/free:bytes",
	"/gc/heap/live:bytes", "/gc/cycles/total:gc-cycles",
}

func readHeap(samples []metrics.Sample) heapSample {
	metrics.Read(samples)
	var v [len(heapMetrics)]uint64
	for i, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	return heapSample{objects: v[0], free: v[1], live: v[2], cycles: v[3]}
}

// heapWatch decides, check by check, when to collect and give back.
type heapWatch struct {
	cycles  uint64
	wasBusy bool // collections ran between the last two checks
}

// collect says whether to collect now, given this check's sample.
func (w *heapWatch) collect(s heapSample) bool {
	busy := s.cycles != w.cycles
	justQuiet := w.wasBusy && !busy
	w.cycles, w.wasBusy = s.cycles, busy
	return s.objects+s.free > s.live+freeMemorySlack || justQuiet
}

// collected notes a collection this watch asked for, so that it does not
// count as the node being busy.
func (w *heapWatch) collected(s heapSample) { w.cycles = s.cycles }

// returnFreeMemory runs until ctx ends.
func returnFreeMemory(ctx context.Context) {
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	var w heapWatch
	t := time.NewTicker(freeMemoryCheck)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if w.collect(readHeap(samples)) {
				debug.FreeOSMemory()
				w.collected(readHeap(samples))
			}
		case <-ctx.Done():
			return
		}
	}
}
