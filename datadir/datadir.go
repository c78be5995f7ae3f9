// Package datadir finds, creates and locks the directory that holds one
// node's key, database and settings.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockName is the file that marks a data dir as in use by a running process.
const lockName = "parley.lock"

// ErrInUse means another process holds the data dir.
var ErrInUse = errors.New("data dir is in use by another Parley process")

// Default is the data dir used when none is given: Parley under the user's
// configuration directory (e.g. ~/.config/Parley on Linux).
func Default() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find user config dir: %w", err)
	}
	return filepath.Join(base, "Parley"), nil
}

// Dir is a data dir held by this process until Close.
type Dir struct {
	Path string
	lock *flock.Flock
}

// Open creates the data dir if needed (mode 0700) and takes its lock. It
// fails with ErrInUse, without waiting, when another process holds it. The
// lock is an OS file lock, so it is released even if the process is killed.
func Open(path string) (*Dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir %s: %w", path, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", abs, err)
	}
	lock := flock.New(filepath.Join(abs, lockName))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock data dir %s: %w", abs, err)
	}
	if !ok {
		return nil, fmt.Errorf("open data dir %s: %w", abs, ErrInUse)
	}
	return &Dir{Path: abs, lock: lock}, nil
}

// Close releases the lock. The lock file stays: removing it would let a
// third process lock a fresh file while a second still waits on the old one.
func (d *Dir) Close() error {
	if err := d.lock.Unlock(); err != nil {
		return fmt.Errorf("unlock data dir %s: %w", d.Path, err)
	}
	return nil
}
