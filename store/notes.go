package store

import (
	"log/slog"
	"maps"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/identity"
	"parley/wire"
)

// notes tells the log about messages the writer skipped for an author's
// share and changes it kept but did not apply, a few lines a minute per
// room and author; the rest are counted, and the count goes with the next
// line. Forgeries are told by their author, not by the peer that passed
// them on: every member keeps them and passes them on, honestly. Used by
// the writer; the counts may be read by anyone.
type notes struct {
	log *slog.Logger
	now func() time.Time

	skipped atomic.Int64 // peers' messages past an author's share
	forged  atomic.Int64 // changes kept but not applied

	lines map[noteKey]*noteLine // writer only
}

type noteKey struct {
	room   wire.RoomID
	author string
	forged bool
}

// noteLine is what notes keeps of one room and author's lines.
type noteLine struct {
	windowFrom time.Time // start of the current window
	logged     int       // lines in it
	notLogged  int       // since the last line
}

// How often notes speaks: per room, author and kind of note, so many lines
// per window; at most maxNoteLines of those are remembered.
const (
	noteWindow     = time.Minute
	overShareLines = 1
	forgeryLines   = 5
	maxNoteLines   = 256
)

func newNotes(log *slog.Logger, now func() time.Time) *notes {
	return &notes{log: log, now: now, lines: map[noteKey]*noteLine{}}
}

// overShare tells of a peer's message skipped because its author has
// taken their share of the room.
func (n *notes) overShare(room wire.RoomID, author string, share int64) {
	n.skipped.Add(1)
	if skipped, ok := n.line(noteKey{room: room, author: author}, overShareLines); ok {
		n.log.Warn("author at their share of the room: their messages are not kept",
			"room", room.String()[:8], "author", identity.ShortID(peer.ID(author)), "shareMiB", share>>20, "notLogged", skipped)
	}
}

// forgery tells of a change kept but not applied: an edit or delete by
// someone who did not write the message, or a change naming a message of
// another room.
func (n *notes) forgery(room wire.RoomID, author string, kind wire.Kind) {
	n.forged.Add(1)
	if skipped, ok := n.line(noteKey{room: room, author: author, forged: true}, forgeryLines); ok {
		n.log.Warn("change not applied: it is not its author's to make",
			"room", room.String()[:8], "author", identity.ShortID(peer.ID(author)), "kind", kind.String(), "notLogged", skipped)
	}
}

// line says whether a line may be logged now for k, and how many were not
// logged since the last one.
func (n *notes) line(k noteKey, perWindow int) (notLogged int, ok bool) {
	now := n.now()
	l := n.lines[k]
	if l == nil {
		if len(n.lines) >= maxNoteLines {
			// Forget lines whose window is over; if none is, stay quiet.
			maps.DeleteFunc(n.lines, func(_ noteKey, l *noteLine) bool { return now.Sub(l.windowFrom) >= noteWindow })
			if len(n.lines) >= maxNoteLines {
				return 0, false
			}
		}
		l = &noteLine{}
		n.lines[k] = l
	}
	if now.Sub(l.windowFrom) >= noteWindow {
		l.windowFrom, l.logged = now, 0
	}
	if l.logged >= perWindow {
		l.notLogged++
		return 0, false
	}
	l.logged++
	notLogged, l.notLogged = l.notLogged, 0
	return notLogged, true
}

// SkippedOverShare counts the peers' messages not kept since Open because
// their author had taken their share of the room.
func (s *Store) SkippedOverShare() int64 { return s.notes.skipped.Load() }

// ForgedChanges counts the changes kept but not applied since Open: edits
// and deletes by someone who did not write the message, and changes naming
// a message of another room.
func (s *Store) ForgedChanges() int64 { return s.notes.forged.Load() }
