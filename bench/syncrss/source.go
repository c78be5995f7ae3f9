package main

import (
	"errors"

	"parley/reconcile"
	"parley/store"
	"parley/wire"
)

// storeSource lets p2p read a store's history, as chat's adapter does.
type storeSource struct{ s *store.Store }

func (src storeSource) Envelope(id wire.MessageID) ([]byte, error) {
	it, ok, err := src.s.Get(id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("message vanished from the store")
	}
	return it.Envelope, nil
}

// Scan reads the room a frame at a time, as chat's adapter does.
func (src storeSource) Scan(room wire.RoomID) reconcile.Source { return src.s.Scan(room) }
