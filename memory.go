package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// After a burst of messages the Go runtime keeps the heap it grew (Badger's
// table builders, spent memtables) as free pages, and its background
// scavenger hands them back to the OS only slowly: a node stayed at several
// times its idle RSS minutes after an overload. So a node checks now and
// then, and gives back at once what it holds free beyond a little slack.
const (
	freeMemoryCheck = 10 * time.Second
	freeMemorySlack = 8 << 20 // bytes free but kept, not worth a collection
)

// freeHeapMetric is the heap held free and not yet returned to the OS.
const freeHeapMetric = "/memory/classes/heap/free:bytes"

// returnFreeMemory runs until ctx ends.
func returnFreeMemory(ctx context.Context) {
	sample := []metrics.Sample{{Name: freeHeapMetric}}
	t := time.NewTicker(freeMemoryCheck)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > freeMemorySlack {
				debug.FreeOSMemory()
			}
		case <-ctx.Done():
			return
		}
	}
}
