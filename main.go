// Command parley is a serverless desktop group chat. It runs as a Wails
// window, or with --headless as a background node. Built with the nowindow
// tag it has no window at all (and needs no cgo, GTK or WebKit): the build
// for servers and helper nodes.
package main

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"parley/api"
	"parley/chat"
	"parley/version"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its outputs passed in; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v (see parley -h)\n", err)
		return 2
	}
	if opts.version {
		fmt.Fprintf(stdout, "parley %s\n", version.String())
		return 0
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	stopProfiling, err := startProfiling()
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	defer stopProfiling()
	if !opts.headless {
		return runWindow(opts, logger, stdout, stderr)
	}

	// The signal context is the root of every goroutine the service owns.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := openService(ctx, opts, logger)
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	defer closeService(svc, logger)
	if opts.invite != "" {
		// No window to ask in: a headless node joins the room of the link
		// it was started with.
		if room, err := svc.JoinRoom(opts.invite, ""); err != nil {
			logger.Warn("join from the invite link failed", "err", err)
		} else {
			logger.Info("joined from the invite link", "room", room.Name)
		}
	}
	return runHeadless(ctx, svc, opts, logger, stdout, stderr)
}

// openService starts the chat node the flags describe, and the loop that
// returns its memory after a burst (it ends with ctx).
func openService(ctx context.Context, opts flags, logger *slog.Logger) (*chat.Service, error) {
	go returnFreeMemory(ctx)
	return chat.Open(ctx, chat.Options{
		DataDir:     opts.dataDir,
		Network:     opts.network,
		ListenAddrs: opts.listen,
		Peers:       opts.peers,
		Bootstrap:   opts.bootstrap,
		Helper:      opts.helper,
		WSS:         opts.wss(),
		Logger:      logger,
	})
}

func closeService(svc *chat.Service, logger *slog.Logger) {
	writeHeapProfile()
	if err := svc.Close(); err != nil {
		logger.Error("close failed", "err", err)
	}
}

// runHeadless serves the HTTP API and web UI, prints who this node is and
// how to reach it, and runs until SIGINT or SIGTERM.
func runHeadless(ctx context.Context, svc *chat.Service, opts flags, logger *slog.Logger, stdout, stderr io.Writer) int {
	token, err := api.LoadOrCreateToken(svc.DataDir())
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	scheme := "http"
	var tlsConf *tls.Config
	if opts.apiCert != "" {
		if tlsConf, err = api.LoadTLS(opts.apiCert, opts.apiKey); err != nil {
			fmt.Fprintf(stderr, "parley: %v\n", err)
			return 1
		}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", opts.api)
	if err != nil {
		fmt.Fprintf(stderr, "parley: serve API on %s: %v\n", opts.api, err)
		return 1
	}
	server := api.New(api.Options{Service: svc, Token: token, Assets: webUI(), TLS: tlsConf, Logger: logger})
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln) }()

	me := svc.Me()
	base := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(stdout, "version:  %s\npeer id:  %s\ndata dir: %s\nnetwork:  %s\n", version.String(), me.PeerID, svc.DataDir(), svc.Network())
	for _, addr := range me.Addrs {
		fmt.Fprintf(stdout, "address:  %s\n", addr)
	}
	// The token itself stays out of stdout, which often ends up in a log.
	fmt.Fprintf(stdout, "api:      %s\ntoken:    %s\nlogin:    open %s/login?token=<the contents of the token file> in a browser\n",
		base, filepath.Join(svc.DataDir(), api.TokenFile), base)

	if err := <-served; err != nil {
		fmt.Fprintf(stderr, "parley: API server: %v\n", err)
		return 1
	}
	return 0
}

// webUI is the built frontend, or nil in builds made without it (go test).
func webUI() fs.FS {
	ui, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(ui, "index.html"); err != nil {
		return nil
	}
	return ui
}
