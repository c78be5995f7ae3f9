package identity

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"parley/seal"
)

// DeviceFileName is the device key file's name inside the data dir.
const DeviceFileName = "device.key"

// ErrBadDeviceKey means the device key file exists but holds no X25519 key.
var ErrBadDeviceKey = errors.New("device key file is not a valid X25519 key")

// LoadOrCreateDevice reads this node's device key for private rooms from
// dir, creating one on first use, written like the node key (0600, through
// a rename). It is kept apart from the node key, which only signs.
func LoadOrCreateDevice(dir string) (*seal.Device, error) {
	path := filepath.Join(dir, DeviceFileName)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		d, err := seal.LoadDevice(data)
		if err != nil {
			return nil, fmt.Errorf("load device key %s: %w: %w", path, ErrBadDeviceKey, err)
		}
		return d, nil
	case errors.Is(err, fs.ErrNotExist):
		d, err := seal.NewDevice()
		if err != nil {
			return nil, err
		}
		if err := writeNew(path, d.Bytes()); err != nil {
			return nil, fmt.Errorf("save device key %s: %w", path, err)
		}
		return d, nil
	default:
		return nil, fmt.Errorf("read device key %s: %w", path, err)
	}
}
