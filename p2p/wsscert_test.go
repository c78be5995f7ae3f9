package p2p

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// renew replaces the files as a renewal tool would; the new modification
// time makes the change visible even on a coarse clock.
func renew(t *testing.T, ca *testCA, notAfter time.Time, certFile, keyFile string, at time.Time) {
	t.Helper()
	ca.issue(t, testDomain, notAfter, certFile, keyFile)
	for _, f := range []string{certFile, keyFile} {
		if err := os.Chtimes(f, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

func servedEnd(t *testing.T, c *fileCert) time.Time {
	t.Helper()
	cert, err := c.getCertificate(nil)
	if err != nil || cert == nil {
		t.Fatalf("no certificate served: %v", err)
	}
	return cert.Leaf.NotAfter
}

func TestFileCertReloadsOnChangeAndKeepsTheOldOneOnFailure(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	now := time.Now()
	first := now.Add(60 * 24 * time.Hour).Truncate(time.Second)
	renew(t, ca, first, certFile, keyFile, now.Add(-time.Hour))
	c, err := loadFileCert(certFile, keyFile, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.reload() // nothing changed
	if got := servedEnd(t, c); !got.Equal(first) {
		t.Fatalf("serves a certificate ending %v, want %v", got, first)
	}

	second := now.Add(90 * 24 * time.Hour).Truncate(time.Second)
	renew(t, ca, second, certFile, keyFile, now)
	c.reload()
	if got := servedEnd(t, c); !got.Equal(second) {
		t.Fatalf("after renewal serves a certificate ending %v, want %v", got, second)
	}
	if st := c.status(); st.Error != "" || !st.ExpiresAt.Equal(second) {
		t.Fatalf("status after renewal: %+v", st)
	}

	// A renewal that wrote a broken file: the old certificate stays in
	// use, and the status says what went wrong.
	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.reload()
	if got := servedEnd(t, c); !got.Equal(second) {
		t.Fatalf("after a broken renewal serves a certificate ending %v, want the old one (%v)", got, second)
	}
	if st := c.status(); !strings.Contains(st.Error, "still serving the certificate that ends") || !strings.Contains(st.Error, certFile) {
		t.Fatalf("status after a broken renewal: %q", st.Error)
	}

	// Fixed again: the error goes.
	renew(t, ca, second.Add(time.Hour), certFile, keyFile, now.Add(time.Minute))
	c.reload()
	if st := c.status(); st.Error != "" {
		t.Fatalf("status after a good renewal: %q", st.Error)
	}
}

func TestFileCertStatusWarnsBeforeAndAfterTheEnd(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	end := time.Now().Add(30 * 24 * time.Hour)
	ca.issue(t, testDomain, end, certFile, keyFile)
	var now time.Time
	c, err := loadFileCert(certFile, keyFile, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   time.Time
		want string
	}{
		{end.Add(-20 * 24 * time.Hour), ""},
		{end.Add(-3 * 24 * time.Hour), "ends"},
		{end.Add(time.Hour), "ended"},
	} {
		now = step.at
		got := c.status().Error
		if step.want == "" && got != "" || step.want != "" && !strings.Contains(got, " "+step.want+" ") {
			t.Errorf("%v before the end: status %q, want it to say %q", end.Sub(step.at), got, step.want)
		}
	}
}

func TestFileCertRefusesToStartWithoutACertificate(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadFileCert(filepath.Join(dir, "missing.pem"), filepath.Join(dir, "key.pem"), time.Now); err == nil {
		t.Fatal("loaded a certificate from no file")
	}
}
