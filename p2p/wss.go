package p2p

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	forge "github.com/ipshipyard/p2p-forge/client"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"github.com/multiformats/go-multibase"
)

// WSS is a helper's secure WebSocket listener: for members on networks that
// let out only web traffic (TCP to port 443, maybe through a proxy), which
// drop QUIC and TCP to any other port. Its certificate comes from files
// (CertFile, KeyFile, for Domain) or, with AutoTLS, from p2p-forge: a name
// under libp2p.direct that is the node's own, and a certificate for it.
type WSS struct {
	// Port is the TCP port; 443 is the one such networks let out.
	Port int
	// CertFile and KeyFile are PEM files, reloaded when they change.
	CertFile, KeyFile string
	// Domain is the DNS name the certificate is for: addresses carry it
	// (/tls/sni/<Domain>/ws), so a dialer checks the certificate against
	// it and a proxy resolves it.
	Domain string
	// AutoTLS gets the certificate from p2p-forge instead; DataDir keeps
	// it between runs.
	AutoTLS bool
	DataDir string
	// UserAgent names this software to the forge.
	UserAgent string
}

// wssListener is the running listener's certificate source, for Status.
type wssListener struct {
	file        *fileCert              // with CertFile
	forge       *forge.P2PForgeCertMgr // with AutoTLS
	tls         *tls.Config            // what the listener serves
	host        host.Host              // set by start
	now         func() time.Time
	mu          sync.Mutex
	forgeLoaded bool // the forge's certificate is in hand
}

// options are the host options the listener adds: its listen addresses,
// one per address family the node listens on, and with AutoTLS the
// forge's address rewriting; l.tls is what the WebSocket transport serves.
func (w *WSS) options(listenAddrs []string, now func() time.Time) (*wssListener, []libp2p.Option, error) {
	l := &wssListener{now: now}
	sni := w.Domain
	var extra []libp2p.Option
	if w.AutoTLS {
		mgr, err := forge.NewP2PForgeCertMgr(
			forge.WithCertificateStorage(&certmagic.FileStorage{Path: filepath.Join(w.DataDir, "autotls")}),
			forge.WithUserAgent(w.UserAgent),
			forge.WithOnCertLoaded(l.onForgeCert),
			forge.WithOnCertRenewed(l.onForgeCert),
		)
		if err != nil {
			return nil, nil, fmt.Errorf("set up automatic TLS: %w", err)
		}
		l.forge, l.tls = mgr, mgr.TLSConfig()
		sni = "*." + forge.DefaultForgeDomain
		extra = append(extra, libp2p.AddrsFactory(mgr.AddressFactory()))
	} else {
		cert, err := loadFileCert(w.CertFile, w.KeyFile, now)
		if err != nil {
			return nil, nil, err
		}
		l.file = cert
		l.tls = &tls.Config{GetCertificate: cert.getCertificate, MinVersion: tls.VersionTLS12}
	}
	listen, err := wssListenAddrs(listenAddrs, w.Port, sni)
	if err != nil {
		return nil, nil, err
	}
	return l, append(extra, libp2p.ListenAddrs(listen...)), nil
}

// wssListenAddrs put the WSS port on each IP the node listens on (once per
// IP): a helper told to listen on one address listens on that one only.
// The SNI part goes into the addresses the host announces.
func wssListenAddrs(listenAddrs []string, port int, sni string) ([]multiaddr.Multiaddr, error) {
	suffix, err := multiaddr.NewMultiaddr(fmt.Sprintf("/tcp/%d/tls/sni/%s/ws", port, sni))
	if err != nil {
		return nil, fmt.Errorf("WSS listen address for %s: %w", sni, err)
	}
	var out []multiaddr.Multiaddr
	seen := map[string]bool{}
	for _, s := range listenAddrs {
		a, err := multiaddr.NewMultiaddr(s)
		if err != nil || len(a) == 0 {
			continue
		}
		ip := a[:1]
		if code := ip[0].Code(); code != multiaddr.P_IP4 && code != multiaddr.P_IP6 || seen[ip.String()] {
			continue
		}
		seen[ip.String()] = true
		out = append(out, ip.Encapsulate(suffix))
	}
	if len(out) == 0 {
		return nil, errors.New("WSS listener: the node listens on no IP address to add it to")
	}
	return out, nil
}

// start begins what runs beside the listener: the files' reload, or the
// forge's certificate requests, until ctx ends.
func (l *wssListener) start(ctx context.Context, h host.Host, run *group) error {
	l.host = h
	if l.file != nil {
		run.Go(func() { l.file.watch(ctx) })
		return nil
	}
	l.forge.ProvideHost(h)
	if err := l.forge.Start(); err != nil {
		return fmt.Errorf("start automatic TLS: %w", err)
	}
	run.Go(func() {
		<-ctx.Done()
		l.forge.Stop()
	})
	return nil
}

func (l *wssListener) onForgeCert() {
	l.mu.Lock()
	l.forgeLoaded = true
	l.mu.Unlock()
}

// status reports the certificate in use.
func (l *wssListener) status() CertStatus {
	if l.file != nil {
		return l.file.status()
	}
	st := CertStatus{Source: CertFromAutoTLS}
	l.mu.Lock()
	loaded := l.forgeLoaded
	l.mu.Unlock()
	if !loaded || l.host == nil {
		st.Error = "waiting for a certificate from " + forge.DefaultForgeDomain + ": the helper must be reachable from the internet on its WSS port"
		return st
	}
	name, err := forgeName(l.host.ID())
	if err != nil {
		st.Error = err.Error()
		return st
	}
	cert, err := l.tls.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
	if err != nil || cert == nil || cert.Leaf == nil {
		st.Error = fmt.Sprintf("no certificate for %s yet", name)
		return st
	}
	st.Names, st.ExpiresAt = cert.Leaf.DNSNames, cert.Leaf.NotAfter
	if cert.Leaf.NotAfter.Before(l.now()) {
		st.Error = "the certificate from " + forge.DefaultForgeDomain + " ended and was not renewed: check that the helper is reachable on its WSS port"
	}
	return st
}

// forgeName is a name the forge's wildcard certificate for id covers.
func forgeName(id peer.ID) (string, error) {
	b36, err := peer.ToCid(id).StringOfBase(multibase.Base36)
	if err != nil {
		return "", fmt.Errorf("name the peer for automatic TLS: %w", err)
	}
	return "x." + b36 + "." + forge.DefaultForgeDomain, nil
}
