package store

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"parley/wire"
)

// logLines keeps what a logger was told.
type logLines struct {
	mu    sync.Mutex
	lines []slog.Record
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logLines) WithGroup(string) slog.Handler            { return l }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r)
	return nil
}

// notLogged reads the count a line carries of those it stood for.
func notLogged(r slog.Record) int64 {
	var n int64 = -1
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "notLogged" {
			n = a.Value.Int64()
		}
		return true
	})
	return n
}

func TestNotesSpeakAFewTimesAMinute(t *testing.T) {
	room := newFixture(t).room
	mallory, eve := newFixture(t).item(t, 1, "x").Author, newFixture(t).item(t, 1, "x").Author
	cases := []struct {
		name      string
		note      func(n *notes)
		times     int
		wantLines int
	}{
		{"forgeries of one author", func(n *notes) { n.forgery(room, mallory, wire.Kind_KIND_EDIT) }, 12, forgeryLines},
		{"forgeries of two", func(n *notes) {
			n.forgery(room, mallory, wire.Kind_KIND_EDIT)
			n.forgery(room, eve, wire.Kind_KIND_DELETE)
		}, 6, 2 * forgeryLines},
		{"an author past their share", func(n *notes) { n.overShare(room, mallory, 50<<20) }, 40, overShareLines},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := time.Unix(1000, 0)
			lines := &logLines{}
			n := newNotes(slog.New(lines), func() time.Time { return clock })
			for range c.times {
				c.note(n)
			}
			if len(lines.lines) != c.wantLines {
				t.Fatalf("%d lines for %d notes, want %d", len(lines.lines), c.times, c.wantLines)
			}
			// A minute on, the next line says how many went untold.
			clock = clock.Add(noteWindow)
			c.note(n)
			if got := notLogged(lines.lines[c.wantLines]); got <= 0 {
				t.Errorf("the line after the window has notLogged = %d, want the notes not logged", got)
			}
		})
	}
}
