package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gen2brain/beeep"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"parley/chat"
)

// notifier shows a desktop notification for messages from others that
// arrive while the window is not focused. At most one notification is in
// flight: the platform notifier may be slow, and a burst needs one line.
type notifier struct {
	focused atomic.Bool
	busy    atomic.Bool
	app     *App
}

// WindowFocused is called by the UI when the window gains or loses focus.
func (a *App) WindowFocused(focused bool) {
	a.notify.focused.Store(focused)
}

// consider looks at a batch of events about to go to the window.
func (n *notifier) consider(batch []chat.Event) {
	if n.focused.Load() {
		return
	}
	var first chat.Message
	count := 0
	for _, e := range batch {
		if m, ok := e.Data.(chat.Message); ok && e.Name == chat.EventMessage && !m.Mine {
			if count == 0 {
				first = m
			}
			count++
		}
	}
	if count == 0 || !n.busy.CompareAndSwap(false, true) {
		return
	}
	title, body := notification(first, count)
	go func() {
		defer n.busy.Store(false)
		if err := beeep.Notify(title, body, icon); err != nil {
			n.app.log.Debug("notification failed", "err", err)
		}
	}()
}

// notification is the title and body for count new messages, first the oldest.
func notification(first chat.Message, count int) (string, string) {
	name := first.AuthorName
	if name == "" {
		name = "Someone"
	}
	body := first.Text
	if r := []rune(body); len(r) > 140 {
		body = string(r[:140]) + "…"
	}
	if count > 1 {
		return fmt.Sprintf("%d new messages in Parley", count), name + ": " + body
	}
	return name + " (" + first.AuthorShort + ")", body
}

// restoreWindow puts the window where it was when it last closed.
func (a *App) restoreWindow(ctx context.Context) {
	w := a.settings.Window
	if w.Placed {
		runtime.WindowSetPosition(ctx, w.X, w.Y)
	}
	if w.Maximised {
		runtime.WindowMaximise(ctx)
	}
}

// saveWindow remembers the window's size and place for the next start.
func (a *App) saveWindow(ctx context.Context) {
	if a.svc == nil {
		return
	}
	s := a.settings
	s.Window.Maximised = runtime.WindowIsMaximised(ctx)
	if !s.Window.Maximised {
		s.Window.Width, s.Window.Height = runtime.WindowGetSize(ctx)
		s.Window.X, s.Window.Y = runtime.WindowGetPosition(ctx)
		s.Window.Placed = true
	}
	if err := s.Save(a.svc.DataDir()); err != nil {
		a.log.Warn("window settings not saved", "err", err)
	}
}

// beforeClose saves the window geometry; it never blocks closing.
func (a *App) beforeClose(ctx context.Context) bool {
	a.saveWindow(ctx)
	return false
}

// activate shows the window and brings it forward, for a second start.
func (a *App) activate() {
	if !a.started.Load() {
		return // the window is not up yet; it will show anyway
	}
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
}
