package p2p

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
)

// certRenewWarning is how long before its end a certificate is reported as
// needing renewal: enough for an admin, or a cron job, to notice.
const certRenewWarning = 14 * 24 * time.Hour

// certReloadEvery is how often the certificate files are checked for a
// change: renewal tools replace them in place, and a helper runs for months.
const certReloadEvery = 10 * time.Second

// fileCert is the WSS listener's certificate from PEM files (--tls-cert,
// --tls-key), loaded again whenever either file changes. A reload that fails
// keeps the certificate in use and says why in the status.
type fileCert struct {
	certFile, keyFile string
	now               func() time.Time

	mu    sync.Mutex
	cert  *tls.Certificate
	stamp [2]fileStamp // of certFile and keyFile at the last load attempt
	err   error        // the last reload's failure, nil once one succeeds
}

// fileStamp tells whether a file changed since it was last read.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// loadFileCert reads the certificate and key; a helper does not start
// without a certificate that loads.
func loadFileCert(certFile, keyFile string, now func() time.Time) (*fileCert, error) {
	c := &fileCert{certFile: certFile, keyFile: keyFile, now: now}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

// load reads both files into c.cert, or leaves it as it was and returns why.
func (c *fileCert) load() error {
	var stamps [2]fileStamp
	for i, path := range []string{c.certFile, c.keyFile} {
		s, err := stampOf(path)
		if err != nil {
			return fmt.Errorf("read TLS certificate: %w", err)
		}
		stamps[i] = s
	}
	c.mu.Lock()
	c.stamp = stamps
	c.mu.Unlock()
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s with key %s: %w", c.certFile, c.keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("parse TLS certificate %s: %w", c.certFile, err)
		}
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

// reload loads the files again if either changed since the last attempt.
func (c *fileCert) reload() {
	var stamps [2]fileStamp
	for i, path := range []string{c.certFile, c.keyFile} {
		s, err := stampOf(path)
		if err != nil {
			c.setErr(fmt.Errorf("read TLS certificate: %w", err))
			return
		}
		stamps[i] = s
	}
	c.mu.Lock()
	same := stamps == c.stamp
	c.mu.Unlock()
	if same {
		return
	}
	c.setErr(c.load())
}

func (c *fileCert) setErr(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// watch reloads the files on change until ctx ends.
func (c *fileCert) watch(ctx context.Context) {
	t := time.NewTicker(certReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.reload()
		}
	}
}

func (c *fileCert) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cert, nil
}

// status says what certificate is served and what is wrong with it: a
// failed reload, an end that is near or past.
func (c *fileCert) status() CertStatus {
	c.mu.Lock()
	leaf, err := c.cert.Leaf, c.err
	c.mu.Unlock()
	st := CertStatus{Source: CertFromFile, Names: leaf.DNSNames, ExpiresAt: leaf.NotAfter}
	left := leaf.NotAfter.Sub(c.now())
	switch {
	case err != nil:
		// Our words, not the TLS package's: this is shown to the admin.
		st.Error = fmt.Sprintf("%s or %s changed but could not be loaded: check that they hold a PEM certificate and its key; still serving the certificate that ends %s", c.certFile, c.keyFile, leaf.NotAfter.UTC().Format(time.DateOnly))
	case left <= 0:
		st.Error = fmt.Sprintf("the certificate in %s ended %s: renew it and replace the file", c.certFile, leaf.NotAfter.UTC().Format(time.DateOnly))
	case left < certRenewWarning:
		st.Error = fmt.Sprintf("the certificate in %s ends %s: renew it and replace the file", c.certFile, leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	return st
}

// Where a WSS certificate comes from.
const (
	CertFromFile    = "file"    // --tls-cert and --tls-key
	CertFromAutoTLS = "autotls" // p2p-forge, for the node's own name under libp2p.direct
)

// CertStatus is what a helper reports of its WSS listener's certificate.
type CertStatus struct {
	// Source is CertFromFile or CertFromAutoTLS.
	Source string
	// Names are the DNS names the certificate is for.
	Names []string
	// ExpiresAt is the certificate's end; zero while none is loaded.
	ExpiresAt time.Time
	// Error is what needs the admin's attention: a reload or renewal
	// that failed, or an end that is near or past; "" if nothing does.
	Error string
}
