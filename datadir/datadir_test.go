package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestOpenCreatesPrivateDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "parley")
	d, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })

	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat data dir: %v", err)
	}
	// (Unix permission bits; Windows keeps the dir in the user's profile.)
	if got := info.Mode().Perm(); runtime.GOOS != "windows" && got != 0o700 {
		t.Errorf("data dir mode = %o, want 700", got)
	}
}

func TestSecondOpenIsRefusedUntilClose(t *testing.T) {
	path := t.TempDir()
	first, err := Open(path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}

	_, err = Open(path)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open error = %v, want ErrInUse", err)
	}

	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}
