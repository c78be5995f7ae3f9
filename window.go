//go:build !nowindow

package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/options/windows"

	"parley/api"
	"parley/datadir"
	"parley/instance"
	"parley/settings"
)

//go:embed build/appicon.png
var icon []byte

// hasWindow: this build can open a window (the nowindow build cannot).
const hasWindow = true

// runWindow runs the desktop app until its window closes. A start on a
// data dir another Parley holds hands its invite link (if any) to that one
// and exits.
func runWindow(opts flags, logger *slog.Logger, stdout, stderr io.Writer) int {
	// `wails build` runs this program once to read the bound types; it must
	// not touch the user's data dir then.
	if generatingBindings {
		return runDesktop(newApp(nil, settings.Default(), logger), nil, stderr)
	}

	// A window needs a display: check before opening anything, and hold
	// the connection until the window has its own.
	display, err := openDisplay()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if display != nil {
		defer display.Close()
	}

	// The signal context is the root of every goroutine the service owns.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := openService(ctx, opts, logger)
	if errors.Is(err, datadir.ErrInUse) && instance.Activate(opts.dataDir, opts.invite) == nil {
		fmt.Fprintf(stdout, "Parley is already running on %s: brought its window to the front.\n", opts.dataDir)
		if opts.invite != "" {
			fmt.Fprintln(stdout, "It shows the invite.")
		}
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return 1
	}
	defer closeService(svc, logger)

	prefs, err := settings.Load(svc.DataDir())
	if err != nil {
		logger.Warn("using default settings", "err", err)
	}
	app := newApp(svc, prefs, logger)
	if opts.invite != "" {
		// Started by a click on a link: the window asks before joining.
		app.offerInvite(opts.invite)
	}
	// A second start on this data dir brings this window forward.
	second, err := instance.Listen(ctx, svc.DataDir(), app.activate, logger)
	if err != nil {
		logger.Warn("second starts will not find this window", "err", err)
	} else {
		defer second.Close()
	}
	return runDesktop(app, display, stderr)
}

// runDesktop opens the window and returns when it is closed. display, if
// not nil, is closed once the window is up.
func runDesktop(app *App, display io.Closer, stderr io.Writer) (code int) {
	win := app.settings.Window
	webStorage, restoreEnv := "", func() {}
	var filesHandler http.Handler
	if app.svc != nil { // nil while `wails build` reads the bound types
		webStorage = webStorageDir(app.svc.DataDir())
		restoreEnv = keepWebStorageIn(webStorage)
		filesHandler = api.WindowFiles(app.svc, app.log)
	}
	startup := func(ctx context.Context) {
		// The web view exists by now, with its storage where it was told.
		restoreEnv()
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
		// The handler serves /api/files to the page: file bytes go as
		// request and response bodies, not through the bindings.
		AssetServer: &assetserver.Options{Assets: assets, Handler: filesHandler},
		// A drop hands the page the files' paths (OnFileDrop); the web
		// view itself opens nothing dropped on it.
		DragAndDrop:   &options.DragAndDrop{EnableFileDrop: true, DisableWebViewDrop: true},
		OnStartup:     startup,
		OnShutdown:    app.shutdown,
		OnDomReady:    app.restoreWindow,
		OnBeforeClose: app.beforeClose,
		Bind:          []any{app},
		// Never: Wails' zero value turns WebKit's hardware acceleration on
		// always, and then every caret blink is composited on the GPU, or
		// in software where there is none: 2-3% of a core and 75-89 MB more
		// in the web process, measured under Xvfb. Parley has next to no
		// animation to gain from it.
		Linux: &linux.Options{ProgramName: "parley", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		// macOS hands a clicked parley:// link to the running app as an
		// Apple Event, not as arguments to a second start.
		Mac:     &mac.Options{OnUrlOpen: app.offerInvite},
		Windows: &windows.Options{WebviewUserDataPath: webStorage},
	})
	if err != nil {
		fmt.Fprintf(stderr, "parley: open window: %v\n", err)
		return 1
	}
	return 0
}
