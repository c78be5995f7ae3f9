package p2p

import (
	"fmt"

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
