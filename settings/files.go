package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FilesFileName holds the node's limits on shared files.
const FilesFileName = "files.json"

// Files is how big a file this node shares or fetches, up to what size it
// fetches files by itself (0: none), and how much disk files may take; in
// MiB. The chat package checks the values.
type Files struct {
	MaxFileMiB int `json:"maxFileMiB"`
	AutoMiB    int `json:"autoMiB"`
	CapMiB     int `json:"capMiB"`
}

// LoadFiles reads the file limits in dir; ok is false when none were
// saved (the defaults apply).
func LoadFiles(dir string) (f Files, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, FilesFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("read file limits: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Files{}, false, fmt.Errorf("parse file limits %s: %w", FilesFileName, err)
	}
	return f, true, nil
}

// Save writes the file limits to dir, atomically (see Save).
func (f Files) Save(dir string) error {
	if err := saveJSON(dir, FilesFileName, f); err != nil {
		return fmt.Errorf("save file limits: %w", err)
	}
	return nil
}
