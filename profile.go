package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
)

// profileEnv names a file prefix: when set, the process writes a CPU
// profile of its whole run to <prefix>.<pid>.cpu.pprof and a heap profile
// to <prefix>.<pid>.heap.pprof as it starts to shut down, before the
// service lets go of anything. For profiling nodes that a harness starts
// (make bench), where no flag can be added; `go tool pprof` reads them.
const profileEnv = "PARLEY_PROFILE"

// writeHeapProfile is set by startProfiling when PARLEY_PROFILE asks for
// profiles; closeService calls it first.
var writeHeapProfile = func() {}

// startProfiling starts the CPU profile if PARLEY_PROFILE asks for one and
// returns what ends it.
func startProfiling() (stop func(), err error) {
	prefix := os.Getenv(profileEnv)
	if prefix == "" {
		return func() {}, nil
	}
	base := prefix + "." + strconv.Itoa(os.Getpid())
	cpu, err := os.Create(base + ".cpu.pprof")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("%s: start CPU profile: %w", profileEnv, err)
	}
	writeHeapProfile = func() {
		heap, err := os.Create(base + ".heap.pprof")
		if err != nil {
			return
		}
		defer heap.Close()
		runtime.GC() // the heap as it is, not as of the last collection
		_ = pprof.WriteHeapProfile(heap)
	}
	return func() {
		pprof.StopCPUProfile()
		cpu.Close()
	}, nil
}
