package identity

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestTheDeviceKeyIsKeptPrivateAndTheSame(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreateDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateDevice(dir)
	if err != nil || again.Public() != first.Public() {
		t.Fatalf("second load: %v, same key %v", err, err == nil && again.Public() == first.Public())
	}
	info, err := os.Stat(filepath.Join(dir, DeviceFileName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("device key file: %v, mode %v", err, info.Mode().Perm())
	}
	if node, err := LoadOrCreate(dir); err != nil || string(node.ID) == "" {
		t.Fatalf("the node key beside it: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, DeviceFileName), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateDevice(dir); !errors.Is(err, ErrBadDeviceKey) {
		t.Errorf("a damaged file: %v, want ErrBadDeviceKey", err)
	}
}
