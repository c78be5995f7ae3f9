package main

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clkTck is Linux's USER_HZ, the unit of CPU times in /proc.
const clkTck = 100

// procCPU is a process's user+system CPU time in seconds, -1 if it is gone.
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// fields after the command name, which is in parentheses and may hold spaces
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 { // f[0] is field 3 (state): utime is field 14, stime 15
		return -1
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	s, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (u + s) / clkTck
}

// procRSS is a process's VmRSS in kB, 0 if it is gone.
func procRSS(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// selfCPU is this process's CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// machineBusy is the CPU time all processes used since boot, in seconds
// (the first line of /proc/stat minus idle and iowait).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 {
		return 0
	}
	var busy float64
	for i := 1; i < 9; i++ {
		if i == 4 || i == 5 { // idle, iowait
			continue
		}
		v, _ := strconv.ParseFloat(f[i], 64)
		busy += v
	}
	return busy / clkTck
}

// loadavg1m is the one-minute load average; NaN if unknown.
func loadavg1m() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// cpuOf is the CPU time of a set of processes, gone ones left out.
func cpuOf(pids []int) float64 {
	t := 0.0
	for _, p := range pids {
		if v := procCPU(p); v > 0 {
			t += v
		}
	}
	return t
}

// rssOf is the summed VmRSS of a set of processes, kB.
func rssOf(pids []int) int64 {
	var t int64
	for _, p := range pids {
		t += procRSS(p)
	}
	return t
}

// rssSampler keeps peaks of the nodes' summed RSS and of the harness's
// own, over the run and over the current step, sampling every 100 ms.
type rssSampler struct {
	pids []int

	mu                 sync.Mutex
	peak, stepPeak     int64 // nodes, kB
	selfPeak, selfStep int64 // harness, kB
}

func (s *rssSampler) observe() {
	v, h := rssOf(s.pids), procRSS(os.Getpid())
	s.mu.Lock()
	s.peak, s.stepPeak = max(s.peak, v), max(s.stepPeak, v)
	s.selfPeak, s.selfStep = max(s.selfPeak, h), max(s.selfStep, h)
	s.mu.Unlock()
}

// run samples until done is closed.
func (s *rssSampler) run(done <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		s.observe()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// startStep forgets the step peaks.
func (s *rssSampler) startStep() {
	s.mu.Lock()
	s.stepPeak, s.selfStep = 0, 0
	s.mu.Unlock()
	s.observe()
}

// resetRun makes the run peaks start from now (after setup and idle).
func (s *rssSampler) resetRun() {
	s.mu.Lock()
	s.peak, s.selfPeak = 0, 0
	s.mu.Unlock()
	s.observe()
}

// step returns the step peaks (nodes, harness), kB.
func (s *rssSampler) step() (int64, int64) {
	s.observe()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stepPeak, s.selfStep
}

// total returns the run peaks (nodes, harness), kB.
func (s *rssSampler) total() (int64, int64) {
	s.observe()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.selfPeak
}
