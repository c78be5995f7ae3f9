// Package chat is Parley's product API: identity, rooms, messages and the
// events a UI listens to. It exposes no Wails or libp2p types.
package chat

import (
	"errors"
	"fmt"
	"log/slog"

	"parley/datadir"
	"parley/identity"
	"parley/p2p"
)

// Options configures a Service.
type Options struct {
	// DataDir holds the key, database and settings; required.
	DataDir string
	// Network is how far the node looks for peers; defaults to p2p.ModeLAN.
	Network p2p.Mode
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
}

// Service owns one node's data dir and identity.
type Service struct {
	dir     *datadir.Dir
	id      *identity.Identity
	network p2p.Mode
	log     *slog.Logger
}

// Me describes the local user.
type Me struct {
	// PeerID is the full libp2p peer ID, the user's stable identity.
	PeerID string `json:"peerId"`
	// ShortID is the fingerprint shown next to the display name.
	ShortID string `json:"shortId"`
}

// Open takes the data dir (failing with datadir.ErrInUse if another process
// holds it) and loads or creates the node identity.
func Open(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("open chat service: no data dir given")
	}
	if opts.Network == "" {
		opts.Network = p2p.ModeLAN
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	dir, err := datadir.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	id, err := identity.LoadOrCreate(dir.Path)
	if err != nil {
		return nil, errors.Join(err, dir.Close())
	}
	log := opts.Logger.With("component", "chat")
	log.Info("service opened", "peer", identity.ShortID(id.ID), "network", opts.Network)
	return &Service{dir: dir, id: id, network: opts.Network, log: log}, nil
}

// Me returns the local user's identity.
func (s *Service) Me() Me {
	return Me{PeerID: s.id.ID.String(), ShortID: identity.ShortID(s.id.ID)}
}

// DataDir is the absolute path of the data dir in use.
func (s *Service) DataDir() string { return s.dir.Path }

// Network is the network mode the service was opened with.
func (s *Service) Network() p2p.Mode { return s.network }

// Close releases the data dir.
func (s *Service) Close() error {
	if err := s.dir.Close(); err != nil {
		return fmt.Errorf("close chat service: %w", err)
	}
	s.log.Info("service closed")
	return nil
}
