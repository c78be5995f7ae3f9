package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"parley/chat"
)

// errNoService is returned while `wails build` inspects the bindings, when
// no service is open.
var errNoService = errors.New("parley is not running")

// App is the one type bound to the window: a thin adapter from UI calls to
// chat.Service. Its methods return (T, error) so that Wails generates
// TypeScript models and rejects the promise on error.
type App struct {
	svc *chat.Service
	log *slog.Logger
}

func newApp(svc *chat.Service, log *slog.Logger) *App {
	return &App{svc: svc, log: log.With("component", "app")}
}

// startup runs once the window exists. SIGINT and SIGTERM close the window
// cleanly, as the window's close button does.
func (a *App) startup(ctx context.Context) {
	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		defer stop()
		<-sigCtx.Done()
		if ctx.Err() == nil {
			runtime.Quit(ctx)
		}
	}()
}

// Me returns the local user's identity.
func (a *App) Me() (chat.Me, error) {
	if a.svc == nil {
		return chat.Me{}, errNoService
	}
	return a.svc.Me(), nil
}

// FrontendReady is called by the UI once it has mounted and shown the user's
// identity; from then on events sent to the window are seen.
func (a *App) FrontendReady() {
	a.log.Info("frontend ready")
}
