//go:build !nowindow

package main

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"unicode"

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
		if m, ok := e.Data.(chat.Message); ok && e.Name == chat.EventMessage && !m.Mine && n.wanted(m) {
			if count == 0 {
				first = m
			}
			count++
		}
	}
	if count == 0 || !n.busy.CompareAndSwap(false, true) {
		return
	}
	title, body := notification(first, count, platformNotificationStyle())
	go func() {
		defer n.busy.Store(false)
		if err := beeep.Notify(title, body, icon); err != nil {
			n.app.log.Debug("notification failed", "err", err)
		}
	}()
}

// wanted reports whether a new message should notify, by its room's
// setting: every text, only those that mention the user, or none.
func (n *notifier) wanted(m chat.Message) bool {
	if m.Kind != chat.KindText || n.app.svc == nil {
		return false
	}
	switch n.app.svc.NotifyLevel(m.Room) {
	case chat.NotifyNone:
		return false
	case chat.NotifyMentions:
		return m.MentionsMe
	}
	return true
}

// notificationStyle is how a platform's notifier reads the text it is given.
type notificationStyle int

const (
	// plainNotification: shown as given (macOS: terminal-notifier's
	// arguments, or an AppleScript string that beeep quotes).
	plainNotification notificationStyle = iota
	// markupNotification: freedesktop notification servers (Linux, BSD)
	// read the body, and some (dunst, mako) the title too, as a subset of
	// HTML: tags, links and images from a peer must not reach them.
	markupNotification
	// toastNotification: Windows puts the text in the toast's XML inside
	// CDATA and, when the toast API fails, in a PowerShell double-quoted
	// here-string, where $ and ` are live.
	toastNotification
)

// platformNotificationStyle is the style of the notifier on this system.
func platformNotificationStyle() notificationStyle {
	switch goruntime.GOOS {
	case "darwin":
		return plainNotification
	case "windows":
		return toastNotification
	default:
		return markupNotification
	}
}

// maxNotificationText is how much of a message a notification shows.
const maxNotificationText = 140

// notification is the title and body for count new messages, first the
// oldest, made safe for a notifier of the given style.
func notification(first chat.Message, count int, style notificationStyle) (string, string) {
	name := first.AuthorName
	if name == "" {
		name = "Someone"
	}
	body := first.Text
	if r := []rune(body); len(r) > maxNotificationText {
		body = string(r[:maxNotificationText]) + "…"
	}
	var title string
	if count > 1 {
		title, body = fmt.Sprintf("%d new messages in Parley", count), name+": "+body
	} else {
		title = name + " (" + first.AuthorShort + ")"
	}
	return notificationText(title, style), notificationText(body, style)
}

// markupEscaper escapes the three characters that make markup. Only named
// entities: GNOME Shell re-escapes any other "&", so a numeric reference
// would show as typed.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// toastEscaper keeps text inside the toast's CDATA section and inert in
// PowerShell: "]]>" would end the CDATA and let a peer write toast XML
// (images, buttons that open links); "$" and "`" would run PowerShell.
var toastEscaper = strings.NewReplacer("]]>", "]] >", "$", "\uFF04", "`", "\u02CB")

// notificationText makes peer text safe for a notifier: control characters
// become spaces (a notification is a line or two; XML refuses most of
// them), bidirectional overrides go (they can disguise a name), and the
// characters the notifier would interpret are escaped.
func notificationText(s string, style notificationStyle) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	switch style {
	case markupNotification:
		return markupEscaper.Replace(s)
	case toastNotification:
		return toastEscaper.Replace(s)
	default:
		return s
	}
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

// activate shows the window and brings it forward, for a second start,
// and offers the invite link it was given, if any.
func (a *App) activate(link string) {
	if link != "" {
		a.offerInvite(link)
	}
	if !a.started.Load() {
		return // the window is not up yet; it will show anyway
	}
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
}
