// Command parley is a serverless desktop group chat. It runs as a Wails
// window, or with --headless as a background node.
package main

import (
	"context"
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
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"parley/api"
	"parley/chat"
	"parley/datadir"
	"parley/instance"
	"parley/settings"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

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
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	// `wails build` runs this program once to read the bound types; it must
	// not touch the user's data dir then.
	if generatingBindings {
		return runDesktop(newApp(nil, settings.Default(), logger), nil, stderr)
	}

	// A window needs a display: check before opening anything, and hold
	// the connection until the window has its own.
	var display io.Closer
	if !opts.headless {
		if display, err = openDisplay(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if display != nil {
			defer display.Close()
		}
	}

	// The signal context is the root of every goroutine the service owns.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	svc, err := chat.Open(ctx, chat.Options{
		DataDir:     opts.dataDir,
		Network:     opts.network,
		ListenAddrs: opts.listen,
		Peers:       opts.peers,
		Bootstrap:   opts.bootstrap,
		Helper:      opts.helper,
		Logger:      logger,
	})
	if errors.Is(err, datadir.ErrInUse) && !opts.headless && instance.Activate(opts.dataDir, opts.invite) == nil {
		fmt.Fprintf(stdout, "Parley is already running on %s: brought its window to the front.\n", opts.dataDir)
		if opts.invite != "" {
			fmt.Fprintln(stdout, "It opens the invite link.")
		}
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	defer func() {
		if err := svc.Close(); err != nil {
			logger.Error("close failed", "err", err)
		}
	}()

	if opts.invite != "" {
		if room, err := svc.JoinRoom(opts.invite, ""); err != nil {
			logger.Warn("join from the invite link failed", "err", err)
		} else {
			logger.Info("joined from the invite link", "room", room.Name)
		}
	}
	if opts.headless {
		return runHeadless(ctx, svc, opts.api, logger, stdout, stderr)
	}
	prefs, err := settings.Load(svc.DataDir())
	if err != nil {
		logger.Warn("using default settings", "err", err)
	}
	app := newApp(svc, prefs, logger)
	// A second start on this data dir brings this window forward.
	second, err := instance.Listen(ctx, svc.DataDir(), app.activate, logger)
	if err != nil {
		logger.Warn("second starts will not find this window", "err", err)
	} else {
		defer second.Close()
	}
	return runDesktop(app, display, stderr)
}

// runHeadless serves the HTTP API and web UI, prints who this node is and
// how to reach it, and runs until SIGINT or SIGTERM.
func runHeadless(ctx context.Context, svc *chat.Service, apiAddr string, logger *slog.Logger, stdout, stderr io.Writer) int {
	token, err := api.LoadOrCreateToken(svc.DataDir())
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", apiAddr)
	if err != nil {
		fmt.Fprintf(stderr, "parley: serve API on %s: %v\n", apiAddr, err)
		return 1
	}
	server := api.New(api.Options{Service: svc, Token: token, Assets: webUI(), Logger: logger})
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln) }()

	me := svc.Me()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "peer id:  %s\ndata dir: %s\nnetwork:  %s\n", me.PeerID, svc.DataDir(), svc.Network())
	for _, addr := range me.Addrs {
		fmt.Fprintf(stdout, "address:  %s\n", addr)
	}
	fmt.Fprintf(stdout, "api:      %s\nlogin:    %s/login?token=%s\n", base, base, token)

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

// runDesktop opens the window and returns when it is closed. display, if
// not nil, is closed once the window is up.
func runDesktop(app *App, display io.Closer, stderr io.Writer) (code int) {
	win := app.settings.Window
	startup := func(ctx context.Context) {
		if display != nil {
			display.Close()
		}
		app.startup(ctx)
	}
	// GTK panics when it cannot open the display after all (the check
	// above cannot see everything, e.g. Xlib's authentication rules): say
	// so in one line. A panic once the window is up is a bug and stays one.
	defer func() {
		if r := recover(); r != nil {
			if app.started.Load() {
				panic(r)
			}
			fmt.Fprintf(stderr, "Parley could not open a window: %v. %s\n", r, noWindowHint)
			code = 1
		}
	}()
	err := wails.Run(&options.App{
		Title:            "Parley",
		Width:            win.Width,
		Height:           win.Height,
		MinWidth:         settings.MinWidth,
		MinHeight:        settings.MinHeight,
		BackgroundColour: &options.RGBA{R: 250, G: 250, B: 252, A: 255},
		AssetServer:      &assetserver.Options{Assets: assets},
		OnStartup:        startup,
		OnShutdown:       app.shutdown,
		OnDomReady:       app.restoreWindow,
		OnBeforeClose:    app.beforeClose,
		Bind:             []any{app},
		Linux:            &linux.Options{ProgramName: "parley", Icon: icon},
	})
	if err != nil {
		fmt.Fprintf(stderr, "parley: open window: %v\n", err)
		return 1
	}
	return 0
}
