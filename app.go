package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"parley/chat"
	"parley/settings"
)

// errNoService is returned while `wails build` inspects the bindings, when
// no service is open.
var errNoService = errors.New("parley is not running")

// eventBatchInterval is how often queued events go to the window: one
// EventsEmit per interval instead of one per message (Wails evaluates
// JavaScript for every emit).
const eventBatchInterval = 100 * time.Millisecond

// eventsName is the one Wails event the frontend listens to; its data is a
// list of chat.Event.
const eventsName = "parley:events"

// App is the one type bound to the window: a thin adapter from UI calls to
// chat.Service. Its methods return (T, error) so that Wails generates
// TypeScript models and rejects the promise on error.
type App struct {
	svc      *chat.Service
	settings settings.Settings
	notify   *notifier
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	started  atomic.Bool // set once startup has filled ctx
}

func newApp(svc *chat.Service, s settings.Settings, log *slog.Logger) *App {
	a := &App{svc: svc, settings: s, log: log.With("component", "app"), done: make(chan struct{})}
	a.notify = &notifier{app: a}
	a.notify.focused.Store(true)
	return a
}

// startup runs once the window exists. SIGINT and SIGTERM close the window
// cleanly, as the window's close button does.
func (a *App) startup(ctx context.Context) {
	a.ctx, a.cancel = context.WithCancel(ctx)
	sigCtx, stop := signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		defer stop()
		<-sigCtx.Done()
		if a.ctx.Err() == nil {
			a.saveWindow(ctx)
			runtime.Quit(ctx)
		}
	}()
	a.started.Store(true)
	if a.svc == nil {
		close(a.done)
		return
	}
	events, unsubscribe := a.svc.Subscribe()
	go func() {
		defer close(a.done)
		defer unsubscribe()
		a.forwardEvents(events)
	}()
}

// shutdown stops forwarding events before the window goes away.
func (a *App) shutdown(context.Context) {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
}

// forwardEvents sends service events to the window in batches.
func (a *App) forwardEvents(events <-chan chat.Event) {
	tick := time.NewTicker(eventBatchInterval)
	defer tick.Stop()
	var batch []chat.Event
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return
			}
			batch = append(batch, e)
		case <-tick.C:
			if len(batch) > 0 {
				a.notify.consider(batch)
				runtime.EventsEmit(a.ctx, eventsName, batch)
				batch = nil
			}
		case <-a.ctx.Done():
			return
		}
	}
}

// FrontendReady is called by the UI once it has mounted and shown the user's
// identity; the desktop smoke test waits for its log line.
func (a *App) FrontendReady() {
	a.log.Info("frontend ready")
}

// Me returns the local user's identity.
func (a *App) Me() (chat.Me, error) {
	if a.svc == nil {
		return chat.Me{}, errNoService
	}
	return a.svc.Me(), nil
}

// SetName sets the display name and announces it.
func (a *App) SetName(name string) (chat.Me, error) {
	if a.svc == nil {
		return chat.Me{}, errNoService
	}
	return a.svc.SetName(a.ctx, name)
}

// Rooms lists the joined rooms.
func (a *App) Rooms() ([]chat.Room, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Rooms(), nil
}

// CreateRoom makes a new room and joins it.
func (a *App) CreateRoom(name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	return a.svc.CreateRoom(name)
}

// JoinRoom joins a room by its ID.
func (a *App) JoinRoom(roomID, name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	return a.svc.JoinRoom(roomID, name)
}

// LeaveRoom leaves a room; its history stays.
func (a *App) LeaveRoom(roomID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.svc.LeaveRoom(roomID)
}

// Send posts a text message to a room.
func (a *App) Send(roomID, text string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	return a.svc.Send(a.ctx, roomID, text)
}

// History returns up to limit messages before the message with ID before
// (the newest when empty), oldest first.
func (a *App) History(roomID, before string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.History(roomID, before, limit)
}

// HistoryAfter returns up to limit messages just after the message with ID
// after, oldest first.
func (a *App) HistoryAfter(roomID, after string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.HistoryAfter(roomID, after, limit)
}

// MarkRead records that the user has seen a room up to a message.
func (a *App) MarkRead(roomID, messageID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.svc.MarkRead(roomID, messageID)
}

// Members lists a room's members and whether they are online.
func (a *App) Members(roomID string) ([]chat.Member, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Members(roomID)
}

// Nearby lists peers that introduced themselves, with their public rooms.
func (a *App) Nearby() ([]chat.NearbyPeer, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Nearby(), nil
}

// Peers lists the connected peers.
func (a *App) Peers() ([]chat.Peer, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Peers(), nil
}

// Status reports the node's network state.
func (a *App) Status() (chat.Status, error) {
	if a.svc == nil {
		return chat.Status{}, errNoService
	}
	return a.svc.Status(), nil
}

// Connect dials a peer by multiaddr.
func (a *App) Connect(addr string) error {
	if a.svc == nil {
		return errNoService
	}
	ctx, cancel := context.WithTimeout(a.ctx, 20*time.Second)
	defer cancel()
	return a.svc.Connect(ctx, addr)
}
