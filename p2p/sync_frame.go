package p2p

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/reconcile"
	"parley/wire"
)

func encodeFrame(f reconcile.Frame) *wire.SyncMessage {
	m := &wire.SyncMessage{Ranges: make([]*wire.SyncRange, len(f.Ranges))}
	for i, r := range f.Ranges {
		sr := &wire.SyncRange{UpperInf: r.Upper.Inf, Mode: uint32(r.Mode)}
		if !r.Upper.Inf {
			sr.UpperTime = r.Upper.Time
			sr.UpperId = r.Upper.Prefix
		}
		if r.Mode == reconcile.Fingerprint {
			sr.Fingerprint = r.Fingerprint[:]
			sr.Count = r.Count
		}
		for _, id := range r.IDs {
			sr.Ids = append(sr.Ids, id[:])
		}
		m.Ranges[i] = sr
	}
	return m
}

// decodeFrame checks a frame's sizes; reconcile checks its order.
func decodeFrame(m *wire.SyncMessage) (reconcile.Frame, error) {
	if len(m.Ranges) == 0 || len(m.Ranges) > maxSyncRanges {
		return reconcile.Frame{}, fmt.Errorf("%w: %d ranges", reconcile.ErrProtocol, len(m.Ranges))
	}
	f := reconcile.Frame{Ranges: make([]reconcile.Range, len(m.Ranges))}
	for i, sr := range m.Ranges {
		r := reconcile.Range{Mode: reconcile.Mode(sr.Mode)}
		if sr.Mode > uint32(reconcile.Need) {
			return f, fmt.Errorf("%w: mode %d", reconcile.ErrProtocol, sr.Mode)
		}
		r.Upper.Inf = sr.UpperInf
		if !sr.UpperInf {
			if len(sr.UpperId) > reconcile.IDSize {
				return f, fmt.Errorf("%w: bound prefix of %d bytes", reconcile.ErrProtocol, len(sr.UpperId))
			}
			r.Upper.Time = sr.UpperTime
			r.Upper.Prefix = sr.UpperId
		}
		if r.Mode == reconcile.Fingerprint {
			if len(sr.Fingerprint) != len(r.Fingerprint) {
				return f, fmt.Errorf("%w: fingerprint of %d bytes", reconcile.ErrProtocol, len(sr.Fingerprint))
			}
			copy(r.Fingerprint[:], sr.Fingerprint)
			r.Count = sr.Count
		}
		for _, id := range sr.Ids {
			if len(id) != reconcile.IDSize {
				return f, fmt.Errorf("%w: ID of %d bytes", reconcile.ErrProtocol, len(id))
			}
			r.IDs = append(r.IDs, [reconcile.IDSize]byte(id))
		}
		f.Ranges[i] = r
	}
	return f, nil
}

// decodeWants reads the authors a peer asks profiles of. More than
// maxSyncProfiles is a protocol violation; an entry that is no peer ID is
// passed over: it is only a question, and a stray key in the peer's store
// must not cost it every sync.
func decodeWants(m *wire.SyncMessage) ([]peer.ID, error) {
	if len(m.WantProfiles) > maxSyncProfiles {
		return nil, fmt.Errorf("%w: %d profiles asked for", reconcile.ErrProtocol, len(m.WantProfiles))
	}
	out := make([]peer.ID, 0, len(m.WantProfiles))
	for _, raw := range m.WantProfiles {
		if id, ok := peerIDOf(raw); ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// maxPeerIDSize is far above the longest peer ID a key type gives (38
// bytes for Ed25519): a longer one is not worth looking up.
const maxPeerIDSize = 64

// peerIDOf reads a peer ID from its bytes.
func peerIDOf(raw []byte) (peer.ID, bool) {
	if len(raw) > maxPeerIDSize {
		return "", false
	}
	id, err := peer.IDFromBytes(raw)
	return id, err == nil
}

// decodeProfile verifies a profile a peer sent in a sync of room: the one
// wire.Decode (signature, author, limits, not from the future), then a
// profile signed for no room or for this one.
func decodeProfile(raw []byte, room wire.RoomID, now time.Time) (*wire.Message, error) {
	m, err := wire.Decode(raw, wire.Check{Now: now})
	if err != nil {
		return nil, fmt.Errorf("sync profile: %w", err)
	}
	if m.Kind != wire.Kind_KIND_PROFILE {
		return nil, fmt.Errorf("%w: a %s among profiles", reconcile.ErrProtocol, m.Kind)
	}
	if m.Room != (wire.RoomID{}) && m.Room != room {
		return nil, fmt.Errorf("%w: a profile signed for another room", reconcile.ErrProtocol)
	}
	return m, nil
}
