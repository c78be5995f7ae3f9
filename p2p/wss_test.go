package p2p

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

const testDomain = "helper.parley.test"

// testCA signs certificates for the WSS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Parley test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue writes a certificate for name ending at notAfter, and its key, to
// certFile and keyFile.
func (ca *testCA) issue(t testing.TB, name string, notAfter time.Time, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
}

func writePEM(t testing.TB, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newWSSHelper starts a node with a WSS listener on loopback, serving a
// certificate from ca for testDomain.
func newWSSHelper(t *testing.T, ca *testCA) *Node {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca.issue(t, testDomain, time.Now().Add(90*24*time.Hour), certFile, keyFile)
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	n, err := New(t.Context(), Options{
		Key: key, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		WSS: &WSS{CertFile: certFile, KeyFile: keyFile, Domain: testDomain},
	})
	if err != nil {
		t.Fatalf("New with WSS: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// newWSSClient starts a node that trusts ca, and whose log goes to logs.
func newWSSClient(t *testing.T, ca *testCA, logs io.Writer) *Node {
	t.Helper()
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	n, err := New(t.Context(), Options{
		Key: key, Mode: ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, TLSRoots: ca.pool,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// wssInfo is the helper's WSS address alone: a dialer that has only it
// must get through over WSS.
func wssInfo(t *testing.T, h *Node) peer.AddrInfo {
	t.Helper()
	addrs, cert, ok := h.WSSStatus()
	if !ok || len(addrs) != 1 {
		t.Fatalf("WSSStatus: addrs %v, ok %v; want one address", addrs, ok)
	}
	if cert.Source != CertFromFile || cert.Error != "" || len(cert.Names) != 1 || cert.Names[0] != testDomain {
		t.Fatalf("certificate status %+v", cert)
	}
	a := multiaddr.StringCast(addrs[0])
	if sni, err := a.ValueForProtocol(multiaddr.P_SNI); err != nil || sni != testDomain {
		t.Fatalf("WSS address %s does not name %s", a, testDomain)
	}
	return peer.AddrInfo{ID: h.ID(), Addrs: []multiaddr.Multiaddr{a}}
}

func TestWSSReachesHelperAndIsRememberedFirst(t *testing.T) {
	ca := newTestCA(t)
	helper := newWSSHelper(t, ca)
	client := newWSSClient(t, ca, io.Discard)
	info := wssInfo(t, helper)
	client.AddHelpers(info)
	if err := client.ConnectInfo(t.Context(), info); err != nil {
		t.Fatalf("connect over WSS: %v", err)
	}
	if _, transport := client.Path(helper.ID()); transport != "wss" {
		t.Fatalf("transport %q, want wss", transport)
	}
	if !client.dialed.knows(info.Addrs[0]) {
		t.Fatal("the helper's WSS address was not remembered")
	}
	// Only WSS, though the helper (in the peer store) offers TCP too: the
	// network looks like one that lets only web traffic out.
	client.host.Peerstore().AddAddrs(helper.ID(), helper.host.Addrs(), time.Hour)
	if !client.Restricted() {
		t.Fatal("Restricted is false with the helper reached over WSS only")
	}
	if helper.Restricted() {
		t.Fatal("the helper reports itself restricted")
	}
}

func TestWSSRefusesACertificateItDoesNotTrust(t *testing.T) {
	helper := newWSSHelper(t, newTestCA(t))
	client := newWSSClient(t, newTestCA(t), io.Discard)
	if err := client.ConnectInfo(t.Context(), wssInfo(t, helper)); err == nil {
		t.Fatal("connected to a helper whose certificate no trusted authority signed")
	}
}

func TestDialRankerWaitsForQUICAndTCPLessIfWSSWorkedBefore(t *testing.T) {
	quicA := multiaddr.StringCast("/ip4/198.18.0.1/udp/4001/quic-v1")
	tcpA := multiaddr.StringCast("/ip4/198.18.0.1/tcp/4001")
	wssA := multiaddr.StringCast("/ip4/198.18.0.1/tcp/443/tls/sni/" + testDomain + "/ws")
	delayOf := func(m *wssMemory, addrs ...multiaddr.Multiaddr) map[string]time.Duration {
		out := map[string]time.Duration{}
		for _, d := range m.rank(addrs) {
			out[transportOf(d.Addr)] = d.Delay
		}
		if len(out) != len(addrs) {
			t.Fatalf("ranked %d of %d addresses", len(out), len(addrs))
		}
		return out
	}
	m := newWSSMemory()
	first := delayOf(m, quicA, tcpA, wssA)
	if first["quic"] != 0 || first["wss"] != wssDelay || first["tcp"] >= wssDelay {
		t.Fatalf("first dial: %v; want QUIC at once, TCP soon after, WSS after %v", first, wssDelay)
	}
	if only := delayOf(m, wssA); only["wss"] != 0 {
		t.Fatalf("WSS alone waits %v", only["wss"])
	}
	// A connection's address lacks the SNI part of the one dialled.
	m.remember(multiaddr.StringCast("/ip4/198.18.0.1/tcp/443/tls/ws"))
	if again := delayOf(m, quicA, tcpA, wssA); again["wss"] != wssRememberedDelay {
		t.Fatalf("a WSS address that worked waits %v, want %v", again["wss"], wssRememberedDelay)
	}

	u, _ := url.Parse("http://127.0.0.1:1")
	UseProxy(Proxy{Mode: ProxyManual, URL: u})
	defer UseProxy(Proxy{Mode: ProxySystem})
	if proxied := delayOf(newWSSMemory(), quicA, tcpA, wssA); proxied["wss"] != 0 {
		t.Fatalf("with a proxy, WSS waits %v", proxied["wss"])
	}
}

// connectProxy is an HTTP CONNECT proxy on loopback that asks for a user
// and password, as an office's would.
type connectProxy struct {
	addr     string
	user     string
	password string
	tunnels  atomic.Int32
}

func startConnectProxy(t *testing.T, user, password string) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{addr: ln.Addr().String(), user: user, password: password}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(t, c)
		}
	}()
	return p
}

func (p *connectProxy) serve(t *testing.T, c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	user, password, ok := (&http.Request{Header: http.Header{"Authorization": req.Header["Proxy-Authorization"]}}).BasicAuth()
	if req.Method != http.MethodConnect || !ok || user != p.user || password != p.password {
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
		return
	}
	// The name is the helper's; in the test it lives on loopback.
	_, port, _ := net.SplitHostPort(req.Host)
	up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	p.tunnels.Add(1)
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, br); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

func TestWSSThroughAProxyKeepsItsPasswordOutOfTheLog(t *testing.T) {
	const password = "s3cret-proxy-pw"
	ca := newTestCA(t)
	helper := newWSSHelper(t, ca)
	proxy := startConnectProxy(t, "parley", password)
	var logs bytes.Buffer
	client := newWSSClient(t, ca, &syncWriter{w: &logs})

	p, err := ParseProxy(ProxyManual, "http://parley:"+password+"@"+proxy.addr)
	if err != nil {
		t.Fatal(err)
	}
	UseProxy(p)
	defer UseProxy(Proxy{Mode: ProxySystem})
	if strings.Contains(p.String(), password) || strings.Contains(p.Redacted(), "parley@") {
		t.Fatalf("the proxy shows as %q / %q", p.String(), p.Redacted())
	}
	if err := client.ConnectInfo(t.Context(), wssInfo(t, helper)); err != nil {
		t.Fatalf("connect through the proxy: %v", err)
	}
	if proxy.tunnels.Load() == 0 {
		t.Fatal("connected, but not through the proxy")
	}
	// The connection's far end is the proxy, here on loopback; the helper
	// is beyond it.
	if via, transport := client.Path(helper.ID()); via != ViaDirect || transport != "wss" {
		t.Fatalf("through the proxy: via %q over %q, want direct over wss", via, transport)
	}

	// A wrong password: the dial fails, and its error does not carry it.
	wrong, _ := ParseProxy(ProxyManual, "http://parley:wrong-pw-123@"+proxy.addr)
	UseProxy(wrong)
	other := newWSSClient(t, ca, &syncWriter{w: &logs})
	err = other.ConnectInfo(t.Context(), wssInfo(t, helper))
	if err == nil {
		t.Fatal("connected through the proxy with a wrong password")
	}
	for _, secret := range []string{password, "wrong-pw-123"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the dial error holds the proxy password: %v", err)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds the proxy password %q", secret)
		}
	}
}

func TestParseProxy(t *testing.T) {
	for _, ok := range []struct{ mode, url string }{
		{ProxySystem, ""}, {ProxyNone, ""}, {ProxyManual, "http://proxy.example:3128"},
		{ProxyManual, "socks5://user:pw@[2001:db8::1]:1080"},
	} {
		if _, err := ParseProxy(ok.mode, ok.url); err != nil {
			t.Errorf("ParseProxy(%q, %q): %v", ok.mode, ok.url, err)
		}
	}
	for _, bad := range []struct{ mode, url string }{
		{"", ""}, {"auto", ""}, {ProxyManual, ""}, {ProxyManual, "proxy.example:3128"},
		{ProxyManual, "https://proxy.example:3128"}, {ProxyManual, "http://proxy.example"},
		{ProxyManual, "http://proxy.example:3128/path"}, {ProxyManual, "ftp://x:1"},
	} {
		if _, err := ParseProxy(bad.mode, bad.url); err == nil {
			t.Errorf("ParseProxy(%q, %q) accepted", bad.mode, bad.url)
		}
	}
}

// syncWriter lets the node's goroutines log into one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestWSSListenAddrsOncePerIP(t *testing.T) {
	got, err := wssListenAddrs([]string{
		"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1", "/ip6/::/tcp/0", "/ip6/3fff::1/udp/4001/quic-v1",
	}, 443, "*.libp2p.direct")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/ip4/0.0.0.0/tcp/443/tls/sni/*.libp2p.direct/ws",
		"/ip6/::/tcp/443/tls/sni/*.libp2p.direct/ws",
		"/ip6/3fff::1/tcp/443/tls/sni/*.libp2p.direct/ws",
	}
	if len(got) != len(want) {
		t.Fatalf("wssListenAddrs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("wssListenAddrs = %v, want %v", got, want)
		}
	}
	if _, err := wssListenAddrs([]string{"/dns4/example.org/tcp/1"}, 443, testDomain); err == nil {
		t.Fatal("a WSS listener with no IP to listen on")
	}
}

// --autotls is set up without a word to the forge: that starts with the
// host (never in tests: the forge is on the internet). Until a certificate
// comes, the status says what it waits for.
func TestAutoTLSListensUnderTheForgesNameAndWaits(t *testing.T) {
	w := &WSS{Port: 443, AutoTLS: true, DataDir: t.TempDir(), UserAgent: "parley/test"}
	l, opts, err := w.options([]string{"/ip4/0.0.0.0/tcp/0"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if l.forge == nil || l.tls == nil || len(opts) != 2 {
		t.Fatalf("listener %+v with %d options; want the forge's manager, its TLS config, an address factory and the listen addresses", l, len(opts))
	}
	st := l.status()
	if st.Source != CertFromAutoTLS || !strings.Contains(st.Error, "waiting for a certificate from libp2p.direct") {
		t.Fatalf("status before a certificate: %+v", st)
	}
}
