package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger sends Badger's printf-style log to slog. Badger reports
// routine work (compactions, replay) at info level, so that becomes debug.
// Debug lines are formatted only when debug is on: Badger writes one for
// every batch of writes, on a fresh goroutine whose stack the formatting
// made grow (about 1.5% of a busy member's CPU).
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any)   { l.log.Error("badger", "detail", line(f, a)) }
func (l badgerLogger) Warningf(f string, a ...any) { l.log.Warn("badger", "detail", line(f, a)) }
func (l badgerLogger) Infof(f string, a ...any)    { l.debug(f, a) }
func (l badgerLogger) Debugf(f string, a ...any)   { l.debug(f, a) }

func (l badgerLogger) debug(f string, a []any) {
	// Enabled needs a context; Badger's calls carry none.
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("badger", "detail", line(f, a))
	}
}

func line(f string, a []any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }
