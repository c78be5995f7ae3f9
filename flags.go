package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/datadir"
	"parley/invite"
	"parley/p2p"
	"parley/version"
)

// flags are the command-line settings.
type flags struct {
	dataDir  string
	headless bool
	network  p2p.Mode
	listen   []string
	peers    []string
	api      string
	helper   bool
	// apiCert and apiKey are PEM files: with them the API is served over
	// HTTPS.
	apiCert, apiKey string
	// apiInsecure allows plain HTTP on an --api address other machines
	// can reach.
	apiInsecure bool
	// bootstrap are helper nodes to start from in internet mode.
	bootstrap []string
	// invite is a parley://join/ link given as the argument (how a clicked
	// link reaches the app): the window offers to join its room; a headless
	// node joins it at start.
	invite string
	// wssPort, with --helper, adds a secure WebSocket listener; its
	// certificate comes from tlsCert and tlsKey (for domain) or autoTLS.
	wssPort         int
	tlsCert, tlsKey string
	domain          string
	autoTLS         bool
	// version: print the version and exit.
	version bool
}

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ",") }

func (r *repeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// parseFlags reads the command line. Usage goes to usage on -h; any other
// problem comes back as a one-line error.
func parseFlags(args []string, usage io.Writer) (flags, error) {
	opts := flags{network: p2p.ModeInternet, headless: !hasWindow}
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by the caller, in one line
	fs.StringVar(&opts.dataDir, "data-dir", "", "directory for the node key, history and settings (default: the user config dir + /Parley)")
	fs.BoolVar(&opts.headless, "headless", !hasWindow, "run without a window until SIGINT or SIGTERM")
	fs.BoolVar(&opts.version, "version", false, "print the version and exit")
	fs.Var(&opts.network, "network", "how to find peers: off (explicit peers and invite links only), lan (this network, by mDNS) or internet (lan, plus the DHT, relays and hole punching)")
	fs.Var((*repeated)(&opts.listen), "listen", "multiaddr to listen on, repeatable (default: all interfaces, TCP and QUIC, any port)")
	fs.StringVar(&opts.api, "api", "127.0.0.1:7717", "with --headless: address of the HTTP API and web UI; off loopback it needs --api-cert and --api-key, or --api-insecure")
	fs.StringVar(&opts.apiCert, "api-cert", "", "PEM certificate (chain) to serve the API over HTTPS, with --api-key")
	fs.StringVar(&opts.apiKey, "api-key", "", "PEM private key of --api-cert")
	fs.BoolVar(&opts.apiInsecure, "api-insecure", false, "serve the API over plain HTTP on an --api address other machines can reach (e.g. behind your own TLS proxy)")
	fs.Var((*repeated)(&opts.peers), "peer", "multiaddr of a peer to dial at start, ending in /p2p/<peer ID>; repeatable")
	fs.Var((*repeated)(&opts.bootstrap), "bootstrap", "multiaddr of a helper node, ending in /p2p/<peer ID>: the DHT starts from it and relays are picked among helpers; repeatable")
	fs.BoolVar(&opts.helper, "helper", false, "with --headless: run as a helper node for a group (DHT server, relay, AutoNAT); needs a public address")

	fs.IntVar(&opts.wssPort, "wss-port", 0, "with --helper: also listen for secure WebSocket on this TCP port (443 gets through networks that let only web traffic out), with --tls-cert, --tls-key and --domain, or --autotls")
	fs.StringVar(&opts.tlsCert, "tls-cert", "", "with --wss-port: PEM certificate (chain) for --domain; reloaded when the file changes")
	fs.StringVar(&opts.tlsKey, "tls-key", "", "with --wss-port: PEM private key of --tls-cert")
	fs.StringVar(&opts.domain, "domain", "", "with --wss-port: the DNS name of this helper, which --tls-cert is for")
	fs.BoolVar(&opts.autoTLS, "autotls", false, "with --wss-port: get a name under libp2p.direct and its certificate automatically (Let's Encrypt, through p2p-forge) instead of --tls-cert")

	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(usage, "Usage: parley [flags] [parley://join/… invite link]")
		fs.SetOutput(usage)
		fs.PrintDefaults()
		return opts, err
	}
	if err != nil {
		return opts, err
	}
	if opts.version {
		return opts, nil
	}
	switch {
	case fs.NArg() > 1:
		return opts, fmt.Errorf("unexpected argument %q", fs.Arg(1))
	case fs.NArg() == 1:
		if _, err := invite.Parse(fs.Arg(0)); err != nil {
			return opts, fmt.Errorf("argument %q: %w", shorten(fs.Arg(0)), err)
		}
		opts.invite = fs.Arg(0)
	}
	if opts.helper {
		if !opts.headless {
			return opts, errors.New("--helper needs --headless: a helper runs without a window")
		}
		if opts.network != p2p.ModeInternet {
			return opts, errors.New("--helper needs --network internet")
		}
	}
	if err := checkWSS(opts); err != nil {
		return opts, err
	}
	for _, addr := range opts.listen {
		if _, err := multiaddr.NewMultiaddr(addr); err != nil {
			return opts, fmt.Errorf("bad --listen address %q: %w", addr, err)
		}
	}
	for _, addr := range opts.peers {
		if _, err := peer.AddrInfoFromString(addr); err != nil {
			return opts, fmt.Errorf("bad --peer address %q (want a multiaddr ending in /p2p/<peer ID>): %w", addr, err)
		}
	}
	for _, addr := range opts.bootstrap {
		if _, err := peer.AddrInfoFromString(addr); err != nil {
			return opts, fmt.Errorf("bad --bootstrap address %q (want a multiaddr ending in /p2p/<peer ID>): %w", addr, err)
		}
	}
	if err := checkAPI(opts.api, opts.apiCert, opts.apiKey, opts.apiInsecure); err != nil {
		return opts, err
	}
	if opts.dataDir == "" {
		if opts.dataDir, err = datadir.Default(); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// checkWSS checks the secure WebSocket flags: a port, on a helper, with
// one source of certificate.
func checkWSS(opts flags) error {
	files := opts.tlsCert != "" || opts.tlsKey != "" || opts.domain != ""
	switch {
	case opts.wssPort == 0 && (files || opts.autoTLS):
		return errors.New("--tls-cert, --tls-key, --domain and --autotls go with --wss-port: add --wss-port 443")
	case opts.wssPort == 0:
		return nil
	case opts.wssPort < 1 || opts.wssPort > 65535:
		return fmt.Errorf("--wss-port %d is not a TCP port (1 to 65535)", opts.wssPort)
	case !opts.helper:
		return errors.New("--wss-port needs --helper: members reach helpers over it")
	case files && opts.autoTLS:
		return errors.New("--autotls gets its own certificate: leave out --tls-cert, --tls-key and --domain, or --autotls")
	case opts.autoTLS:
		return nil
	case opts.tlsCert == "" || opts.tlsKey == "" || opts.domain == "":
		return errors.New("--wss-port needs a certificate: give --tls-cert, --tls-key and --domain, or --autotls")
	case strings.ContainsAny(opts.domain, "/ ") || strings.HasPrefix(opts.domain, "*"):
		return fmt.Errorf("--domain %q is not a DNS name (give e.g. helper.example.org)", opts.domain)
	}
	return nil
}

// wss is the listener the flags ask for, or nil.
func (opts flags) wss() *p2p.WSS {
	if opts.wssPort == 0 {
		return nil
	}
	return &p2p.WSS{
		Port: opts.wssPort, CertFile: opts.tlsCert, KeyFile: opts.tlsKey, Domain: opts.domain,
		AutoTLS: opts.autoTLS, DataDir: opts.dataDir, UserAgent: "parley/" + version.String(),
	}
}

// checkAPI refuses to serve the API over plain HTTP where other machines
// can reach it, unless asked to: the token and the login cookie would cross
// the network in the clear.
func checkAPI(addr, cert, key string, insecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad --api address %q (want host:port, e.g. 127.0.0.1:7717): %w", addr, err)
	}
	switch {
	case (cert == "") != (key == ""):
		return errors.New("--api-cert and --api-key go together: give both, or neither")
	case cert != "" && insecure:
		return errors.New("--api-insecure serves the API without TLS and --api-cert with it: give one or the other")
	case cert == "" && !insecure && !loopback(host):
		return fmt.Errorf("--api %s is reachable from other machines: give --api-cert and --api-key, or --api-insecure to serve it without TLS", addr)
	}
	return nil
}

// loopback reports whether host, an --api host, is reachable from this
// machine only: localhost, 127.0.0.0/8 or ::1. Any other name may resolve
// to an outside address, and an empty host means every interface.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// shorten keeps an argument quoted in an error to a readable length.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
