package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/datadir"
	"parley/p2p"
)

// flags are the command-line settings.
type flags struct {
	dataDir  string
	headless bool
	network  p2p.Mode
	listen   []string
	peers    []string
	api      string
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
	opts := flags{network: p2p.ModeLAN}
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by the caller, in one line
	fs.StringVar(&opts.dataDir, "data-dir", "", "directory for the node key, history and settings (default: the user config dir + /Parley)")
	fs.BoolVar(&opts.headless, "headless", false, "run without a window until SIGINT or SIGTERM")
	fs.Var(&opts.network, "network", "how to find peers: off (explicit peers only), lan (mDNS) or internet (lan + DHT)")
	fs.Var((*repeated)(&opts.listen), "listen", "multiaddr to listen on, repeatable (default: all interfaces, TCP and QUIC, any port)")
	fs.StringVar(&opts.api, "api", "127.0.0.1:7717", "with --headless: address of the HTTP API and web UI")
	fs.Var((*repeated)(&opts.peers), "peer", "multiaddr of a peer to dial at start, ending in /p2p/<peer ID>; repeatable")

	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(usage, "Usage: parley [flags]")
		fs.SetOutput(usage)
		fs.PrintDefaults()
		return opts, err
	}
	if err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q", fs.Arg(0))
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
	if opts.dataDir == "" {
		if opts.dataDir, err = datadir.Default(); err != nil {
			return opts, err
		}
	}
	return opts, nil
}
