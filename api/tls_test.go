package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "parley test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
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
	dir := t.TempDir()
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

// serveTLS serves a node with the certificate on 127.0.0.1 through Serve,
// the path --api-cert takes, and returns its https:// base URL.
func serveTLS(t *testing.T, certFile, keyFile string) string {
	t.Helper()
	conf, err := LoadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	svc := openTestService(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- New(Options{Service: svc, Token: testToken, TLS: conf}).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "https://" + ln.Addr().String()
}

func TestAPIOverHTTPS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	base := serveTLS(t, certFile, keyFile)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	call := func(token string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/api/Me", strings.NewReader("[]"))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("call over HTTPS: %v", err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp, body
	}
	resp, me := call(testToken)
	if resp.StatusCode != 200 || resp.TLS == nil || me["peerId"] == "" || me["peerId"] == nil {
		t.Fatalf("Me with the bearer token over HTTPS: status %d, TLS %v, body %v", resp.StatusCode, resp.TLS != nil, me)
	}
	if resp, _ := call(""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Me without a token over HTTPS: status %d, want 401", resp.StatusCode)
	}

	// Over TLS the login cookie is Secure, under the port's name.
	resp, err := client.Get(base + "/login?token=" + testToken)
	if err != nil {
		t.Fatalf("login over HTTPS: %v", err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("login over HTTPS: status %d, cookies %v", resp.StatusCode, cookies)
	}
	if c := cookies[0]; !c.Secure || !c.HttpOnly || c.Name != "parley_token_"+port(t, base) {
		t.Errorf("login cookie over HTTPS %+v: want Secure, HttpOnly, named parley_token_%s", c, port(t, base))
	}

	// Plain HTTP on the same port gets no API.
	plain, err := http.Post("http://"+strings.TrimPrefix(base, "https://")+"/api/Me", "application/json", strings.NewReader("[]"))
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Error("plain HTTP to the HTTPS port answered 200")
		}
	}
}

func TestLoadTLSSaysWhichFilesFailed(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	_, otherKey, _ := selfSigned(t)
	missing := filepath.Join(t.TempDir(), "none.pem")
	tests := []struct {
		name, cert, key string
	}{
		{"missing certificate", missing, keyFile},
		{"missing key", certFile, missing},
		{"key of another certificate", certFile, otherKey},
		{"key given as certificate", keyFile, keyFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadTLS(tc.cert, tc.key)
			if err == nil {
				t.Fatal("LoadTLS succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, "load API certificate "+tc.cert) || !strings.Contains(msg, tc.key) {
				t.Errorf("error %q does not name the files %s and %s", msg, tc.cert, tc.key)
			}
		})
	}
}
