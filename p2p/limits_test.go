package p2p

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// countingHandler counts the warnings logged.
type countingHandler struct{ warnings *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.warnings.Add(1)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

func randomPeer(t *testing.T) peer.ID {
	t.Helper()
	// Random bytes make as good an Ed25519 public key for an ID as a
	// generated pair, without the scalar multiplication (tests take
	// thousands of these).
	raw := make([]byte, 32)
	rand.Read(raw)
	pub, err := crypto.UnmarshalEd25519PublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A peer that sends garbage without end cannot fill the disk with log lines.
func TestRejectionWarningsAreRateLimitedPerPeer(t *testing.T) {
	var warnings atomic.Int64
	n := newTestNode(t, ModeOff)
	n.log = slog.New(countingHandler{&warnings})
	n.limits.log = n.log
	hostile, other := randomPeer(t), randomPeer(t)
	for range 10_000 {
		n.limits.reject(hostile, wire.RoomID{}, errors.New("bad signature"))
	}
	n.limits.reject(other, wire.RoomID{}, errors.New("bad signature"))
	if got := warnings.Load(); got != rejectLogBurst+1 {
		t.Errorf("%d warnings for 10,001 rejections, want %d", got, rejectLogBurst+1)
	}
	if got := n.Rejections(hostile); got != 10_000 {
		t.Errorf("counted %d rejections, want 10,000", got)
	}
}

// Maps kept per peer stay bounded however many peer IDs show up.
func TestPerPeerMapsAreBounded(t *testing.T) {
	n := newTestNode(t, ModeOff)
	for range maxTrackedPeers + 200 {
		p := randomPeer(t)
		n.limits.reject(p, wire.RoomID{}, errors.New("malformed"))
		n.markLAN(p)
	}
	n.limits.mu.Lock()
	rejections := n.limits.rejections.Len()
	n.limits.mu.Unlock()
	n.trust.mu.Lock()
	lan := n.trust.lan.Len()
	n.trust.mu.Unlock()
	if rejections > maxTrackedPeers || lan > maxTrackedPeers {
		t.Errorf("%d peers with rejections, %d LAN peers; bound %d", rejections, lan, maxTrackedPeers)
	}
}
