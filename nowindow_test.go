//go:build nowindow

package main

import (
	"bytes"
	"strings"
	"testing"
)

// The build without a window is a headless node with no flag needed, and
// says so in one line when asked for a window.
func TestNoWindowBuildRunsHeadless(t *testing.T) {
	n := startNode(t, "--network", "off", "--data-dir", t.TempDir(), "--api", "127.0.0.1:0", "--listen", "/ip4/127.0.0.1/tcp/0")
	if err, _ := n.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, n.stderr)
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"--headless=false", "--network", "off", "--data-dir", t.TempDir()}, &stdout, &stderr); code != 2 {
		t.Errorf("--headless=false exit code = %d, want 2", code)
	}
	if msg := stderr.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "has no window") {
		t.Errorf("--headless=false said %q, want one line saying this build has no window", msg)
	}
}
