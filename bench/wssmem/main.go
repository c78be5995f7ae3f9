// Command wssmem measures what each member connected over secure WebSocket
// costs a helper in memory, against the same over TCP. The helper is a
// Parley helper node on 127.0.0.1 with a WSS listener (a self-signed
// certificate); the members are Parley nodes in internet mode in a second
// process (this command again, with -members), each knowing the helper by
// one address only, WSS or TCP, so each bootstraps its DHT from it and asks
// it for a relay reservation as a member behind a NAT would. The helper's
// live heap and stacks after a GC are compared before the members and at
// their peak over the 20 s after all of them connected. It prints one
// JSON object.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/p2p"
)

const domain = "helper.parley.test"

type figure struct {
	Transport      string  `json:"transport"`
	Members        int     `json:"members"`
	BeforeKiB      float64 `json:"beforeKiB"`
	AfterKiB       float64 `json:"afterKiB"`
	PerMemberKiB   float64 `json:"perMemberKiB"`
	ConnectSeconds float64 `json:"connectSeconds"`
}

func main() {
	members := flag.Int("members", 0, "run as the members' process: this many nodes")
	addr := flag.String("addr", "", "with -members: the helper's address, ending in /p2p/<id>")
	certFile := flag.String("cert", "", "with -members: the helper's certificate, trusted")
	n := flag.Int("n", 50, "members per transport")
	flag.Parse()
	var err error
	if *members > 0 {
		err = runMembers(*members, *addr, *certFile)
	} else {
		err = measure(*n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wssmem:", err)
		os.Exit(1)
	}
}

func measure(n int) error {
	dir, err := os.MkdirTemp("", "wssmem")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := selfSigned(certFile, keyFile); err != nil {
		return err
	}
	var out []figure
	for _, transport := range []string{"tcp", "wss"} {
		f, err := measureOne(transport, n, certFile, keyFile)
		if err != nil {
			return fmt.Errorf("%s: %w", transport, err)
		}
		out = append(out, f)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"helperMemoryPerMember": out})
}

// measureOne starts a helper, then n members over one transport.
func measureOne(transport string, n int, certFile, keyFile string) (figure, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return figure{}, err
	}
	helper, err := p2p.New(ctx, p2p.Options{
		Key: key, Mode: p2p.ModeInternet, Helper: true, Isolated: true,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		WSS:         &p2p.WSS{CertFile: certFile, KeyFile: keyFile, Domain: domain},
	})
	if err != nil {
		return figure{}, err
	}
	defer helper.Close()
	var addr string
	for _, a := range helper.Addrs() {
		if isTransport(a, transport) {
			addr = a
		}
	}
	if addr == "" {
		return figure{}, fmt.Errorf("the helper has no %s address: %v", transport, helper.Addrs())
	}
	before := liveKiB()
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-members", fmt.Sprint(n), "-addr", addr, "-cert", certFile)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return figure{}, err
	}
	if err := cmd.Start(); err != nil {
		return figure{}, err
	}
	defer func() {
		stdin.Close() // the members' process exits when its stdin closes
		_ = cmd.Wait()
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for len(helper.ConnectedPeers()) < n {
		if time.Now().After(deadline) {
			return figure{}, fmt.Errorf("%d of %d members connected in 3 minutes", len(helper.ConnectedPeers()), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	connected := time.Since(start)
	after := peakKiB()
	return figure{
		Transport: transport, Members: n, BeforeKiB: before, AfterKiB: after,
		PerMemberKiB: (after - before) / float64(n), ConnectSeconds: connected.Seconds(),
	}, nil
}

func isTransport(addr, transport string) bool {
	switch transport {
	case "wss":
		return strings.Contains(addr, "/tls/") && strings.Contains(addr, "/ws")
	default:
		return strings.Contains(addr, "/tcp/") && !strings.Contains(addr, "/ws")
	}
}

// liveKiB is the live heap and the goroutine stacks after a GC.
func liveKiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc+m.StackInuse) / 1024
}

// peakKiB samples the helper's memory every second for 20 s after the
// members connected (identify, the DHT and relay reservations follow the
// connection) and returns the highest figure.
func peakKiB() float64 {
	peak := liveKiB()
	for range 20 {
		time.Sleep(time.Second)
		peak = max(peak, liveKiB())
	}
	return peak
}

// runMembers starts n member nodes that know the helper by addr alone, and
// runs until stdin closes.
func runMembers(n int, addr, certFile string) error {
	info, err := peer.AddrInfoFromString(addr)
	if err != nil {
		return err
	}
	roots, err := certPool(certFile)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range n {
		key, _, err := crypto.GenerateEd25519Key(rand.Reader)
		if err != nil {
			return err
		}
		node, err := p2p.New(ctx, p2p.Options{
			Key: key, Mode: p2p.ModeInternet, Isolated: true, TLSRoots: roots,
			ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
			Bootstrap:   []peer.AddrInfo{{ID: info.ID, Addrs: []multiaddr.Multiaddr{info.Addrs[0]}}},
		})
		if err != nil {
			return err
		}
		defer node.Close()
	}
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the measuring process closes it
	return nil
}

func certPool(certFile string) (*x509.CertPool, error) {
	data, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("no certificate in %s", certFile)
	}
	return pool, nil
}

// selfSigned writes a certificate for domain that is its own authority.
func selfSigned(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}
