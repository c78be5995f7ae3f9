// Package settings keeps the desktop app's own preferences (window size and
// place) in <data-dir>/settings.json.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// FileName is the settings file inside the data dir.
const FileName = "settings.json"

// Version is the schema version this code writes.
const Version = 1

// Settings is everything saved between runs.
type Settings struct {
	Version int    `json:"version"`
	Window  Window `json:"window"`
}

// Window is the main window's size and place. A zero X and Y with
// Placed false leaves the placement to the system.
type Window struct {
	Width     int  `json:"width"`
	Height    int  `json:"height"`
	X         int  `json:"x"`
	Y         int  `json:"y"`
	Placed    bool `json:"placed"`
	Maximised bool `json:"maximised"`
}

// Limits on a saved window, so a corrupt file cannot make it unusable.
const (
	MinWidth, MinHeight = 480, 360
	MaxSide             = 16384
)

// Default is what a first run uses.
func Default() Settings {
	return Settings{Version: Version, Window: Window{Width: 1100, Height: 760}}
}

// Validate reports settings that cannot be used as they are.
func (s Settings) Validate() error {
	w := s.Window
	if s.Version != Version {
		return fmt.Errorf("settings version %d, want %d", s.Version, Version)
	}
	if w.Width < MinWidth || w.Height < MinHeight || w.Width > MaxSide || w.Height > MaxSide {
		return fmt.Errorf("window size %dx%d out of range", w.Width, w.Height)
	}
	if w.X < -MaxSide || w.Y < -MaxSide || w.X > MaxSide || w.Y > MaxSide {
		return fmt.Errorf("window position %d,%d out of range", w.X, w.Y)
	}
	return nil
}

// Load reads the settings in dir. A missing file gives the defaults; an
// unreadable or invalid one gives the defaults and the reason, so the caller
// can log it and carry on.
func Load(dir string) (Settings, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Default(), fmt.Errorf("read settings: %w", err)
	}
	var s Settings
	if err := json.Unmarshal(data, &s); err != nil {
		return Default(), fmt.Errorf("parse settings: %w", err)
	}
	if err := s.Validate(); err != nil {
		return Default(), fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// saveMu serialises saves within the process, so that of two saves the
// one that returns last is the one on disk.
var saveMu sync.Mutex

// Save writes the settings to dir (mode 0600): to a new temporary file in
// dir, synced, then renamed over the old file, so that a reader or a crash
// sees either the old settings or the new ones, never a torn file.
func (s Settings) Save(dir string) error {
	s.Version = Version
	if err := s.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := saveJSON(dir, FileName, s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// saveJSON writes v as indented JSON to dir/name through writeAtomic,
// one save at a time.
func saveJSON(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	saveMu.Lock()
	defer saveMu.Unlock()
	return writeAtomic(filepath.Join(dir, name), data)
}

// writeAtomic replaces path with data through a uniquely named temporary
// file in the same directory (created 0600).
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows cannot open a directory
// for syncing, and its renames need no such step.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
