package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"parley/p2p"
	"parley/settings"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A proxy's password is saved for the next start, and shown nowhere: not
// in Status, not in the answer to SetProxy, not in the log.
func TestSetProxyKeepsItsPasswordOutOfStatusAndLog(t *testing.T) {
	const password = "pr0xy-pa55word"
	defer p2p.UseProxy(p2p.Proxy{Mode: p2p.ProxySystem})
	dir := t.TempDir()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := openWith(t, Options{DataDir: dir, Logger: logger})

	if got := s.Status().Proxy; got.Mode != p2p.ProxySystem {
		t.Fatalf("first start: proxy %+v, want the system's", got)
	}
	set, err := s.SetProxy(p2p.ProxyManual, "http://alice:"+password+"@[::1]:3128")
	if err != nil {
		t.Fatal(err)
	}
	want := ProxySetting{Mode: p2p.ProxyManual, URL: "http://[::1]:3128", Credentials: true}
	if set != want {
		t.Fatalf("SetProxy = %+v, want %+v", set, want)
	}
	status, _ := json.Marshal(s.Status())
	if !strings.Contains(string(status), `"proxy":{"mode":"manual","url":"http://[::1]:3128","credentials":true}`) {
		t.Fatalf("Status does not show the proxy: %s", status)
	}
	if strings.Contains(string(status), password) || strings.Contains(string(status), "alice") {
		t.Fatalf("Status shows the proxy's credentials: %s", status)
	}

	for _, bad := range [][2]string{{"auto", ""}, {p2p.ProxyManual, "proxy:3128"}} {
		if _, err := s.SetProxy(bad[0], bad[1]); !errors.Is(err, p2p.ErrProxyMode) && !errors.Is(err, p2p.ErrProxyURL) {
			t.Errorf("SetProxy(%q, %q) = %v, want a proxy error", bad[0], bad[1], err)
		}
	}
	if got := p2p.CurrentProxy(); got.Mode != p2p.ProxyManual {
		t.Fatalf("a refused setting replaced the one in use: %v", got)
	}

	fi, err := os.Stat(filepath.Join(dir, settings.NetworkFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600: it holds a password", settings.NetworkFileName, fi.Mode().Perm())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The next start uses the saved proxy, password and all.
	p2p.UseProxy(p2p.Proxy{Mode: p2p.ProxyNone})
	again := openWith(t, Options{DataDir: dir, Logger: logger})
	if got := again.Status().Proxy; got != want {
		t.Fatalf("after a restart: proxy %+v, want %+v", got, want)
	}
	if u := p2p.CurrentProxy().URL; u == nil || u.User.String() != "alice:"+password {
		t.Fatalf("after a restart the proxy lost its credentials: %v", u)
	}
	if strings.Contains(logs.String(), password) {
		t.Fatal("the log holds the proxy's password")
	}
	if !strings.Contains(logs.String(), "http://[::1]:3128") {
		t.Fatal("the log does not say which proxy is in use")
	}
}
