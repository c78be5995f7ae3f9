package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// NetworkFileName holds the node's network preferences, for the window and
// a headless node alike. It may hold a proxy's password: it is written
// 0600, like the node key.
const NetworkFileName = "network.json"

// Network is how the node reaches the internet.
type Network struct {
	// Proxy is how secure WebSocket dials go out: Mode "system", "none"
	// or "manual", with URL for "manual" (credentials included).
	Proxy Proxy `json:"proxy"`
}

// Proxy is the saved proxy choice; the p2p package checks it.
type Proxy struct {
	Mode string `json:"mode"`
	URL  string `json:"url,omitempty"`
}

// LoadNetwork reads the network preferences in dir; a missing file gives
// the zero value (the system's proxy).
func LoadNetwork(dir string) (Network, error) {
	var n Network
	data, err := os.ReadFile(filepath.Join(dir, NetworkFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("read network settings: %w", err)
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return Network{}, fmt.Errorf("parse network settings %s: %w", NetworkFileName, err)
	}
	return n, nil
}

// Save writes the network preferences to dir, atomically (see Save).
func (n Network) Save(dir string) error {
	if err := saveJSON(dir, NetworkFileName, n); err != nil {
		return fmt.Errorf("save network settings: %w", err)
	}
	return nil
}
