package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// node is one Parley process the harness started, and what the harness
// keeps about it: its API client, its send queue and its event counters.
type node struct {
	idx    int
	dir    string // data dir
	log    string // stdout and stderr of the process
	cmd    *exec.Cmd
	pid    int
	exited chan struct{}

	api    *client
	peerID string
	addr   string // loopback (or namespace) multiaddr ending in /p2p/<peer ID>
	netns  bool   // runs in a network namespace, on an address in benchNet

	queue   chan sendJob
	pending atomic.Int64 // jobs queued or in a Send call
	lagged  atomic.Int64 // `lagged` events
	arrived atomic.Int64 // `arrived` events (batches announced at once)
	wsErr   atomic.Value // string: why the event socket ended early
}

// nodeOptions says how to start nodes.
type nodeOptions struct {
	bin        string
	root       string // data dirs and logs go here
	profileDir string // non-empty: PARLEY_PROFILE=<profileDir>/node<i>
	hosts      []host // non-nil: node i runs as hosts[i] says, not on 127.0.0.1
	seedStore  string // non-empty: a store copied into every node's data dir before it starts
	hc         *http.Client
}

// startNode starts node idx headless, networking off, listening on
// 127.0.0.1 only, or in its namespace on its address when o.hosts is set.
// The process gets SIGKILL if the harness dies.
func startNode(o nodeOptions, idx int) (*node, error) {
	nd := &node{
		idx: idx,
		dir: filepath.Join(o.root, fmt.Sprintf("n%d", idx)),
		log: filepath.Join(o.root, fmt.Sprintf("n%d.log", idx)),
	}
	if err := os.MkdirAll(nd.dir, 0o700); err != nil {
		return nil, fmt.Errorf("node %d: %w", idx, err)
	}
	if o.seedStore != "" {
		if err := os.CopyFS(filepath.Join(nd.dir, "store"), os.DirFS(o.seedStore)); err != nil {
			return nil, fmt.Errorf("node %d: copy the seeded store: %w", idx, err)
		}
	}
	logf, err := os.Create(nd.log)
	if err != nil {
		return nil, fmt.Errorf("node %d: %w", idx, err)
	}
	defer logf.Close()
	argv := []string{o.bin, "--network", "off", "--data-dir", nd.dir,
		"--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0"}
	if o.hosts != nil {
		if idx >= len(o.hosts) {
			return nil, fmt.Errorf("node %d: the hosts file names only %d nodes", idx, len(o.hosts))
		}
		h := o.hosts[idx]
		// The API answers on the namespace's address, off loopback: plain
		// HTTP must be asked for (the namespaces have no route out).
		argv = append(slices.Clone(h.wrap), o.bin, "--network", "off", "--data-dir", nd.dir,
			"--listen", "/ip4/"+h.addr+"/tcp/4001", "--api", h.addr+":7717", "--api-insecure")
		nd.netns = true
	}
	// A wrapper such as `ip netns exec NS` execs the binary in place, so the
	// PID is the node's.
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = os.Environ()
	if o.profileDir != "" {
		cmd.Env = append(cmd.Env, "PARLEY_PROFILE="+filepath.Join(o.profileDir, fmt.Sprintf("node%d", idx)))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node %d: %w", idx, err)
	}
	nd.cmd, nd.pid, nd.exited = cmd, cmd.Process.Pid, make(chan struct{})
	go func() { _ = cmd.Wait(); close(nd.exited) }()
	nd.api = &client{hc: o.hc}
	return nd, nil
}

// waitReady waits for the node's start lines and API token, then checks
// through Me that it listens on loopback (or its namespace address) only.
func (nd *node) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for nd.api.base == "" {
		base, err := nd.startLines()
		if err != nil {
			return err
		}
		tok, _ := os.ReadFile(filepath.Join(nd.dir, "api-token"))
		if base != "" && len(strings.TrimSpace(string(tok))) > 0 {
			nd.api.base, nd.api.token = base, strings.TrimSpace(string(tok))
			break
		}
		select {
		case <-nd.exited:
			return fmt.Errorf("node %d exited at start:\n%s", nd.idx, nd.logTail(2000))
		case <-ctx.Done():
			return fmt.Errorf("node %d: no API address: %w\n%s", nd.idx, ctx.Err(), nd.logTail(2000))
		case <-tick.C:
		}
	}
	m, err := nd.api.me(ctx)
	if err != nil {
		return fmt.Errorf("node %d: %w", nd.idx, err)
	}
	nd.peerID = m.PeerID
	for _, a := range m.Addrs {
		if !allowedMultiaddr(a, nd.netns) {
			return fmt.Errorf("node %d listens on %s, not loopback or %s: refusing to run", nd.idx, a, benchNet)
		}
	}
	if len(m.Addrs) == 0 {
		return fmt.Errorf("node %d has no listen address", nd.idx)
	}
	nd.addr = m.Addrs[0]
	if !strings.Contains(nd.addr, "/p2p/") {
		nd.addr += "/p2p/" + m.PeerID
	}
	return nil
}

// startLines reads the API address from the node's `api:` line; "" until
// it is there. An address off loopback is an error.
func (nd *node) startLines() (string, error) {
	f, err := os.Open(nd.log)
	if err != nil {
		return "", nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "api:")
		if !ok {
			continue
		}
		base := strings.TrimSpace(v)
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "http" {
			return "", fmt.Errorf("node %d: bad api line %q", nd.idx, base)
		}
		if !allowedIP(net.ParseIP(u.Hostname()), nd.netns) {
			return "", fmt.Errorf("node %d serves its API on %s, not loopback or %s: refusing to run", nd.idx, u.Host, benchNet)
		}
		return base, nil
	}
	return "", nil
}

// allowedMultiaddr reports whether a multiaddr starts with /ip4 or /ip6
// and an address allowedIP accepts.
func allowedMultiaddr(a string, namespaces bool) bool {
	parts := strings.Split(a, "/")
	if len(parts) < 3 || parts[0] != "" || (parts[1] != "ip4" && parts[1] != "ip6") {
		return false
	}
	return allowedIP(net.ParseIP(parts[2]), namespaces)
}

func (nd *node) alive() bool {
	select {
	case <-nd.exited:
		return false
	default:
		return true
	}
}

// stop ends the process by its PID: SIGTERM (so a profile gets written),
// SIGKILL after grace.
func (nd *node) stop(grace time.Duration) {
	if !nd.alive() {
		return
	}
	_ = nd.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-nd.exited:
		return
	case <-time.After(grace):
	}
	_ = nd.cmd.Process.Kill()
	<-nd.exited
}

func (nd *node) logTail(n int) string {
	b, _ := os.ReadFile(nd.log)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// logSummary counts the WARN and ERROR lines of the node's log and returns
// up to `keep` distinct ones (prefixed with the node).
func (nd *node) logSummary(keep int, seen map[string]bool) (warn, errs int, samples []string) {
	f, err := os.Open(nd.log)
	if err != nil {
		return 0, 0, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		w, e := strings.Contains(line, "level=WARN"), strings.Contains(line, "level=ERROR")
		if w {
			warn++
		}
		if e {
			errs++
		}
		if !(w || e) || len(samples) >= keep {
			continue
		}
		// one sample per message: drop the time and the error detail
		key := line
		if _, rest, ok := strings.Cut(line, " level="); ok {
			key, _, _ = strings.Cut(rest, " err=")
		}
		if !seen[key] {
			seen[key] = true
			if len(line) > 300 {
				line = line[:300]
			}
			samples = append(samples, fmt.Sprintf("n%d: %s", nd.idx, line))
		}
	}
	return warn, errs, samples
}
