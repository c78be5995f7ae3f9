package chat

import (
	"errors"
	"testing"

	"parley/datadir"
)

func TestOpenKeepsIdentityAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	me := first.Me()
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { second.Close() })
	if got := second.Me(); got != me {
		t.Errorf("identity after restart = %+v, want %+v", got, me)
	}
	if me.ShortID == "" || len(me.ShortID) >= len(me.PeerID) {
		t.Errorf("short ID %q is not a short form of %q", me.ShortID, me.PeerID)
	}
}

func TestOpenRefusesADataDirInUse(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { first.Close() })

	_, err = Open(Options{DataDir: dir})
	if !errors.Is(err, datadir.ErrInUse) {
		t.Fatalf("second Open error = %v, want datadir.ErrInUse", err)
	}
}
