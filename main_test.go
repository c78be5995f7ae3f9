package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"parley/version"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"
)

// When this variable is set, the test binary acts as the parley command, so
// the tests below can run real parley processes without a separate build.
const runAsParley = "PARLEY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsParley) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// parleyCmd returns an unstarted parley process with the given arguments.
func parleyCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), runAsParley+"=1")
	return cmd
}

// headlessNode is a running `parley --headless` process.
type headlessNode struct {
	cmd    *exec.Cmd
	peerID string
	stderr *bytes.Buffer
	done   chan error
}

// startHeadless starts a node on dataDir and waits until it prints its peer ID.
func startHeadless(t *testing.T, dataDir string) *headlessNode {
	t.Helper()
	return startNode(t, "--headless", "--network", "off", "--data-dir", dataDir, "--api", "127.0.0.1:0", "--listen", "/ip4/127.0.0.1/tcp/0")
}

// startNode starts parley with args and waits until it prints its peer ID.
func startNode(t *testing.T, args ...string) *headlessNode {
	t.Helper()
	cmd := parleyCmd(t, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &headlessNode{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start parley: %v", err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-n.done
		}
	})

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
		n.done <- cmd.Wait()
	}()

	deadline := time.After(30 * time.Second)
	for n.peerID == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("parley exited before printing its peer ID; stderr:\n%s", n.stderr)
			}
			if id, found := strings.CutPrefix(line, "peer id:"); found {
				n.peerID = strings.TrimSpace(id)
			}
		case <-deadline:
			t.Fatalf("parley printed no peer ID within 30 s; stderr:\n%s", n.stderr)
		}
	}
	go func() {
		for range lines { // keep draining so the process never blocks on stdout
		}
	}()
	return n
}

// skipWithoutSIGTERM skips tests that stop parley with SIGTERM on Windows,
// where a process cannot be sent one.
func skipWithoutSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no SIGTERM")
	}
}

// stop sends SIGTERM and returns the exit error and how long exiting took.
func (n *headlessNode) stop(t *testing.T) (error, time.Duration) {
	t.Helper()
	start := time.Now()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signal parley: %v", err)
	}
	select {
	case err := <-n.done:
		return err, time.Since(start)
	case <-time.After(10 * time.Second):
		t.Fatal("parley did not exit within 10 s of SIGTERM")
		return nil, 0
	}
}

func TestHeadlessKeepsPeerIDAndStopsOnSIGTERM(t *testing.T) {
	skipWithoutSIGTERM(t)
	dir := t.TempDir()
	var ids []string
	for range 2 {
		n := startHeadless(t, dir)
		ids = append(ids, n.peerID)
		err, took := n.stop(t)
		if err != nil {
			t.Fatalf("parley exit after SIGTERM: %v; stderr:\n%s", err, n.stderr)
		}
		if took > 2*time.Second {
			t.Errorf("parley took %v to exit after SIGTERM, want under 2 s", took)
		}
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("peer ID changed across restarts: %q then %q", ids[0], ids[1])
	}
}

func TestSecondProcessOnSameDataDirFails(t *testing.T) {
	skipWithoutSIGTERM(t)
	dir := t.TempDir()
	first := startHeadless(t, dir)

	var stderr bytes.Buffer
	second := parleyCmd(t, "--headless", "--network", "off", "--data-dir", dir, "--api", "127.0.0.1:0", "--listen", "/ip4/127.0.0.1/tcp/0")
	second.Stderr = &stderr
	err := second.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Fatalf("second parley on the same data dir: err = %v, want a non-zero exit", err)
	}
	if msg := stderr.String(); !strings.Contains(msg, "in use") || !strings.Contains(msg, dir) {
		t.Errorf("second parley's message %q does not say the data dir %s is in use", msg, dir)
	}

	// The first process must be unharmed: still running, and exiting cleanly.
	select {
	case err := <-first.done:
		t.Fatalf("first parley exited when the second started: %v", err)
	default:
	}
	if err, _ := first.stop(t); err != nil {
		t.Fatalf("first parley exit: %v; stderr:\n%s", err, first.stderr)
	}
}

func TestBadFlagsGiveOneLineError(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown network mode", []string{"--network", "wan"}, `unknown network mode "wan"`},
		{"unknown flag", []string{"--bogus"}, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"--headless", "extra"}, `argument "extra": this is not a Parley invite link`},
		{"two arguments", []string{"parley://join/AAAA", "more"}, `unexpected argument "more"`},
		{"damaged invite", []string{"parley://join/AAAA"}, "this invite link is damaged or incomplete"},
		{"helper with a window", []string{"--helper"}, "--helper needs --headless"},
		{"helper off the internet", []string{"--headless", "--helper", "--network", "lan"}, "--helper needs --network internet"},
		{"bootstrap without ID", []string{"--bootstrap", "/ip4/127.0.0.1/tcp/4001"}, "bad --bootstrap address"},
		{"missing value", []string{"--data-dir"}, "flag needs an argument: -data-dir"},
		{"peer without ID", []string{"--peer", "/ip4/127.0.0.1/tcp/4001"}, "bad --peer address"},
		{"listen garbage", []string{"--listen", "localhost:4001"}, "bad --listen address"},
		{"API off loopback without TLS", []string{"--headless", "--api", "0.0.0.0:7001"}, "--api 0.0.0.0:7001 is reachable from other machines: give --api-cert and --api-key, or --api-insecure to serve it without TLS"},
		{"API certificate without key", []string{"--headless", "--api-cert", "cert.pem"}, "--api-cert and --api-key go together"},
		{"WSS on a member", []string{"--headless", "--wss-port", "443", "--autotls"}, "--wss-port needs --helper"},
		{"WSS without a certificate", []string{"--headless", "--helper", "--wss-port", "443"}, "--wss-port needs a certificate: give --tls-cert, --tls-key and --domain, or --autotls"},
		{"WSS with two certificates", []string{"--headless", "--helper", "--wss-port", "443", "--autotls", "--domain", "h.example.org"}, "--autotls gets its own certificate"},
		{"certificate without WSS", []string{"--headless", "--helper", "--tls-cert", "c.pem"}, "go with --wss-port"},
		{"WSS port out of range", []string{"--headless", "--helper", "--wss-port", "70000"}, "--wss-port 70000 is not a TCP port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "helper with a window" && !hasWindow {
				// Headless is the default there: these flags would start
				// a helper node on the internet, not fail.
				t.Skip("the build without a window runs headless by default")
			}
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit code 0 for %v, want non-zero", tc.args)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
				t.Errorf("stderr = %q, want one line containing %q", msg, tc.want)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("parley -h exit code = %d, want 0", code)
	}
	for _, flag := range []string{"-data-dir", "-headless", "-network"} {
		if !strings.Contains(stdout.String(), flag) {
			t.Errorf("usage does not mention %s:\n%s", flag, stdout.String())
		}
	}
}

func TestVersionFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("parley --version exit code = %d, want 0; stderr: %s", code, stderr.String())
	}
	if want := "parley " + version.String() + "\n"; stdout.String() != want {
		t.Errorf("parley --version printed %q, want %q", stdout.String(), want)
	}
}

func TestAPIFlagsNeedTLSOffLoopback(t *testing.T) {
	const refused = "is reachable from other machines: give --api-cert and --api-key, or --api-insecure"
	tests := []struct {
		name, addr, cert, key string
		insecure              bool
		want                  string // "" for accepted
	}{
		{"default", "127.0.0.1:7717", "", "", false, ""},
		{"any port", "127.0.0.1:0", "", "", false, ""},
		{"all of 127/8", "127.8.9.10:7001", "", "", false, ""},
		{"IPv6 loopback", "[::1]:7001", "", "", false, ""},
		{"localhost", "localhost:7001", "", "", false, ""},
		{"LOCALHOST", "LOCALHOST:7001", "", "", false, ""},
		{"IPv4-mapped loopback", "[::ffff:127.0.0.1]:7001", "", "", false, ""},
		{"loopback with TLS", "127.0.0.1:7001", "c.pem", "k.pem", false, ""},
		{"every interface", "0.0.0.0:7001", "", "", false, "--api 0.0.0.0:7001 " + refused},
		{"every interface, no host", ":7001", "", "", false, "--api :7001 " + refused},
		{"every IPv6 interface", "[::]:7001", "", "", false, refused},
		{"LAN address", "192.168.1.20:7001", "", "", false, refused},
		{"public IPv6", "[2001:db8::1]:7001", "", "", false, refused},
		{"host name", "chat.example.org:7001", "", "", false, refused},
		{"name ending in localhost", "localhost.example.org:7001", "", "", false, refused},
		{"every interface with TLS", "0.0.0.0:7001", "c.pem", "k.pem", false, ""},
		{"every interface, insecure", "0.0.0.0:7001", "", "", true, ""},
		{"certificate without key", "0.0.0.0:7001", "c.pem", "", false, "--api-cert and --api-key go together"},
		{"key without certificate", "127.0.0.1:7001", "", "k.pem", false, "--api-cert and --api-key go together"},
		{"TLS and insecure", "0.0.0.0:7001", "c.pem", "k.pem", true, "give one or the other"},
		{"no port", "127.0.0.1", "", "", false, `bad --api address "127.0.0.1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAPI(tc.addr, tc.cert, tc.key, tc.insecure)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("accepted, want an error containing %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// writeSelfSigned writes a certificate for 127.0.0.1 and its key into dir
// as PEM files, and returns their paths and a pool trusting it.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// The token never reaches stdout or stderr (often a log): the node names
// the file that holds it. With --api-cert the API is HTTPS.
func TestHeadlessPrintsTheTokenFileNotTheToken(t *testing.T) {
	skipWithoutSIGTERM(t)
	certFile, keyFile, pool := writeSelfSigned(t, t.TempDir())
	tests := []struct {
		name   string
		flags  []string
		scheme string
	}{
		{"plain HTTP on loopback", nil, "http://"},
		{"HTTPS", []string{"--api-cert", certFile, "--api-key", keyFile}, "https://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"--headless", "--network", "off", "--data-dir", dir, "--api", "127.0.0.1:0", "--listen", "/ip4/127.0.0.1/tcp/0"}, tc.flags...)
			n, printed, stdoutAll := startNodeUntilLogin(t, args...)
			tokenPath := filepath.Join(dir, "api-token")
			if printed["token"] != tokenPath {
				t.Errorf("token line %q, want the token file %s", printed["token"], tokenPath)
			}
			if !strings.HasPrefix(printed["api"], tc.scheme+"127.0.0.1:") {
				t.Errorf("api line %q, want %s127.0.0.1:<port>", printed["api"], tc.scheme)
			}
			if login := printed["login"]; !strings.Contains(login, printed["api"]+"/login?token=") || !strings.Contains(login, "token file") {
				t.Errorf("login line %q does not say how to log in with the token file", login)
			}
			raw, err := os.ReadFile(tokenPath)
			if err != nil {
				t.Fatalf("read the token file: %v", err)
			}
			token := strings.TrimSpace(string(raw))

			// The printed address answers, with the token from the file.
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
			req, err := http.NewRequest(http.MethodPost, printed["api"]+"/api/Me", strings.NewReader("[]"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("call the printed API address: %v", err)
			}
			resp.Body.Close()
			client.CloseIdleConnections()
			if resp.StatusCode != 200 {
				t.Errorf("Me with the token from the file: status %d", resp.StatusCode)
			}

			if err, _ := n.stop(t); err != nil {
				t.Fatalf("parley exit: %v; stderr:\n%s", err, n.stderr)
			}
			for _, out := range []string{stdoutAll(), n.stderr.String()} {
				if strings.Contains(out, token) {
					t.Fatalf("the node printed its API token:\n%s", out)
				}
			}
		})
	}
}

// startNodeUntilLogin starts parley with args and returns once it has
// printed its login line, with the "key: value" lines it printed until
// then, and a function that returns all it printed to stdout once it has
// exited.
func startNodeUntilLogin(t *testing.T, args ...string) (n *headlessNode, printed map[string]string, stdoutAll func() string) {
	t.Helper()
	cmd := parleyCmd(t, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n = &headlessNode{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start parley: %v", err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-n.done
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
		n.done <- cmd.Wait()
	}()
	var seen []string
	printed = map[string]string{}
	deadline := time.After(30 * time.Second)
	for printed["login"] == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("parley exited before printing its login line; stderr:\n%s", n.stderr)
			}
			seen = append(seen, line)
			if key, value, found := strings.Cut(line, ":"); found {
				printed[strings.TrimSpace(key)] = strings.TrimSpace(value)
			}
		case <-deadline:
			t.Fatalf("parley printed no login line within 30 s; stderr:\n%s", n.stderr)
		}
	}
	all := make(chan []string, 1)
	go func() { // keep draining so the process never blocks on stdout
		rest := seen
		for line := range lines {
			rest = append(rest, line)
		}
		all <- rest
	}()
	return n, printed, func() string { return strings.Join(<-all, "\n") }
}

// A node collects when it holds garbage or free pages beyond the live
// heap, and once when collections stop (the end of a burst, whose last
// collection counted the burst's queues as live); a quiet node with a
// small heap is left alone.
func TestHeapWatchCollectsAfterABurst(t *testing.T) {
	const mb = 1 << 20
	var w heapWatch
	steps := []struct {
		name string
		s    heapSample
		want bool
	}{
		{"idle", heapSample{objects: 6 * mb, free: 2 * mb, live: 6 * mb, cycles: 0}, false},
		{"burst under way, little garbage yet", heapSample{objects: 100 * mb, free: 0, live: 96 * mb, cycles: 40}, false},
		{"burst over: no collection since", heapSample{objects: 124 * mb, free: 7 * mb, live: 120 * mb, cycles: 40}, true},
		{"quiet after the collection", heapSample{objects: 14 * mb, free: 1 * mb, live: 14 * mb, cycles: 41}, false},
		{"still quiet", heapSample{objects: 14 * mb, free: 1 * mb, live: 14 * mb, cycles: 41}, false},
		{"garbage beyond the live heap", heapSample{objects: 40 * mb, free: 1 * mb, live: 14 * mb, cycles: 41}, true},
	}
	for _, st := range steps {
		got := w.collect(st.s)
		if got {
			w.collected(heapSample{cycles: st.s.cycles + 1}) // the collection asked for
		}
		if got != st.want {
			t.Errorf("%s: collect = %v, want %v", st.name, got, st.want)
		}
	}
}

// The metrics the watch reads exist in this Go, and a collection shows.
// Right after a collection that gave memory back, the heap holds no more
// than the slack beyond what is live: else the watch would collect at
// every check.
func TestHeapMetricsAreRead(t *testing.T) {
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	before := readHeap(samples)
	debug.FreeOSMemory()
	after := readHeap(samples)
	if before.objects == 0 || after.live == 0 || after.cycles <= before.cycles {
		t.Errorf("heap metrics before %+v, after a collection %+v", before, after)
	}
	if after.objects+after.free > after.live+freeMemorySlack {
		t.Errorf("just after a collection the heap holds %d MB beyond %d MB live", (after.objects+after.free-after.live)>>20, after.live>>20)
	}
}
