package p2p

import (
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/reconcile"
	"parley/wire"
)

// Names travel with a room's history: a sync session carries the profiles
// of the room's authors, so that a member who knows an author only from
// what sync brought still shows its name. Each side asks, in its first
// frame, for the authors of the room it has no profile of, and sends, in
// its last message, the profiles of the authors of what it sent and of
// those it was asked about. Sessions run only between proven members.

// Bounds on the profiles of one session, each way.
const (
	maxSyncProfiles     = 1024      // profiles sent, and authors asked about
	maxSyncProfileBytes = 256 << 10 // bytes of profiles sent
)

// ProfileSource is where sync finds the profiles of a room's authors (the
// store). Without one, sessions carry no profiles and ask for none.
type ProfileSource interface {
	// Profile returns a peer's newest stored profile envelope, nil if none.
	Profile(peerID string) ([]byte, error)
	// IsAuthor reports whether a peer wrote in a room.
	IsAuthor(room wire.RoomID, peerID string) (bool, error)
	// AuthorsWithoutProfile lists up to max authors of a room whose
	// profile is not stored.
	AuthorsWithoutProfile(room wire.RoomID, max int) ([]string, error)
}

// profileExchange is one session's profiles, both ways.
type profileExchange struct {
	source ProfileSource // nil: none
	room   wire.RoomID
	self   peer.ID

	askedPeer bool             // our question went out
	wanted    map[peer.ID]bool // authors we asked the peer about
	asked     []peer.ID        // authors the peer asked us about
	sentBy    []peer.ID        // authors of the messages we sent, first seen first
	sentSet   map[peer.ID]bool // authors whose profile is sent, or was looked up
	gotBy     map[peer.ID]bool // authors of the messages we received
	got       map[peer.ID]bool // authors whose profile came
	gotCount  int              // profiles received, kept or not
	gotBytes  int
}

func newProfileExchange(source ProfileSource, room wire.RoomID, self peer.ID) *profileExchange {
	return &profileExchange{
		source: source, room: room, self: self,
		wanted: map[peer.ID]bool{}, sentSet: map[peer.ID]bool{}, gotBy: map[peer.ID]bool{}, got: map[peer.ID]bool{},
	}
}

// ask puts our question into the first frame we send: the room's authors
// we have no profile of.
func (pe *profileExchange) ask(m *wire.SyncMessage) error {
	if pe.askedPeer || pe.source == nil {
		return nil
	}
	pe.askedPeer = true
	authors, err := pe.source.AuthorsWithoutProfile(pe.room, maxSyncProfiles+1) // one more, in case we are among them
	if err != nil {
		return err
	}
	for _, a := range authors {
		id, ok := peerIDOf([]byte(a))
		if !ok || id == pe.self || len(m.WantProfiles) == maxSyncProfiles {
			continue // a stray key in the store is no question to ask
		}
		pe.wanted[id] = true
		m.WantProfiles = append(m.WantProfiles, []byte(a))
	}
	return nil
}

// heard takes the peer's question from its first frame.
func (pe *profileExchange) heard(m *wire.SyncMessage) error {
	asked, err := decodeWants(m)
	if err != nil {
		return err
	}
	pe.asked = asked
	return nil
}

// sending notes the author of a message we send: its profile goes too.
func (pe *profileExchange) sending(env []byte) {
	if pe.source == nil || len(pe.sentBy) == maxSyncProfiles {
		return
	}
	m, err := wire.Parse(env) // ours, verified when it arrived
	if err != nil || pe.sentSet[m.Author] {
		return
	}
	pe.sentSet[m.Author] = true
	pe.sentBy = append(pe.sentBy, m.Author)
}

// toSend gives the profiles that go in our last message: of the authors of
// what we sent, then of the room's authors the peer asked about, one each,
// within the session's bounds.
func (pe *profileExchange) toSend() ([][]byte, error) {
	if pe.source == nil {
		return nil, nil
	}
	var out [][]byte
	size := 0
	add := func(id peer.ID) error {
		raw, err := pe.source.Profile(string(id))
		if err != nil || raw == nil || !shareable(raw, id, pe.room) {
			return err
		}
		if len(out) == maxSyncProfiles || size+len(raw) > maxSyncProfileBytes {
			return errFull
		}
		out = append(out, raw)
		size += len(raw)
		return nil
	}
	for _, id := range pe.sentBy {
		if err := add(id); err != nil {
			return out, ignoreFull(err)
		}
	}
	for _, id := range pe.asked {
		if pe.sentSet[id] {
			continue
		}
		pe.sentSet[id] = true // asked twice, sent once
		author, err := pe.source.IsAuthor(pe.room, string(id))
		if err != nil {
			return out, err
		}
		if !author {
			continue // not the room's: nothing to tell about it here
		}
		if err := add(id); err != nil {
			return out, ignoreFull(err)
		}
	}
	return out, nil
}

// errFull stops toSend at the session's bounds.
var errFull = errors.New("profiles full")

func ignoreFull(err error) error {
	if errors.Is(err, errFull) {
		return nil
	}
	return err
}

// shareable reports whether a stored profile may go to a member of room:
// one signed for no room (as hellos carry) or for this room. One signed
// for another room names that room, which the peer need not know of.
func shareable(raw []byte, author peer.ID, room wire.RoomID) bool {
	m, err := wire.Parse(raw)
	return err == nil && m.Kind == wire.Kind_KIND_PROFILE && m.Author == author &&
		(m.Room == wire.RoomID{} || m.Room == room)
}

// receiving notes the author of a message the peer sent: its profile may come.
func (pe *profileExchange) receiving(m *wire.Message) {
	if len(pe.gotBy) < maxSyncProfiles {
		pe.gotBy[m.Author] = true
	}
}

// take verifies the profiles of a message from the peer, each with the one
// wire.Decode, and returns those to keep: of authors we asked about or
// received messages of, one each. More than the bounds, a profile that
// fails verification, is signed for another room or comes twice for one
// author ends the session; one from the future, or of an author this
// session had no reason to name, is left out.
func (pe *profileExchange) take(raws [][]byte, now time.Time) ([]*wire.Message, error) {
	var out []*wire.Message
	for _, raw := range raws {
		pe.gotCount++
		pe.gotBytes += len(raw)
		if pe.gotCount > maxSyncProfiles || pe.gotBytes > maxSyncProfileBytes {
			return nil, fmt.Errorf("%w: profiles past %d or %d bytes", reconcile.ErrProtocol, maxSyncProfiles, maxSyncProfileBytes)
		}
		m, err := decodeProfile(raw, pe.room, now)
		if errors.Is(err, wire.ErrFuture) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if pe.got[m.Author] {
			return nil, fmt.Errorf("%w: two profiles of one author", reconcile.ErrProtocol)
		}
		pe.got[m.Author] = true
		if pe.wanted[m.Author] || pe.gotBy[m.Author] {
			out = append(out, m)
		}
	}
	return out, nil
}
