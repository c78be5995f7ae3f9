package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"parley/version"
	"runtime"
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
