package store

import (
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger sends Badger's printf-style log to slog. Badger reports
// routine work (compactions, replay) at info level, so that becomes debug.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any)   { l.log.Error("badger", "detail", line(f, a)) }
func (l badgerLogger) Warningf(f string, a ...any) { l.log.Warn("badger", "detail", line(f, a)) }
func (l badgerLogger) Infof(f string, a ...any)    { l.log.Debug("badger", "detail", line(f, a)) }
func (l badgerLogger) Debugf(f string, a ...any)   { l.log.Debug("badger", "detail", line(f, a)) }

func line(f string, a []any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }
