package identity

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func TestLoadOrCreateKeepsTheSameKey(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreate: %v", err)
	}
	if first.Key.Type() != crypto.Ed25519 {
		t.Errorf("key type = %s, want Ed25519", first.Key.Type())
	}
	second, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreate: %v", err)
	}
	if first.ID != second.ID {
		t.Errorf("peer ID changed across loads: %s then %s", first.ID, second.ID)
	}
	if !first.Key.Equals(second.Key) {
		t.Error("key changed across loads")
	}
}

func TestKeyFileIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits do not apply on Windows")
	}
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir); err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	info, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatalf("stat key: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %o, want 600", got)
	}
}

func TestLoadRejectsBadKeyFiles(t *testing.T) {
	secp, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		t.Fatalf("generate secp256k1 key: %v", err)
	}
	secpBytes, err := crypto.MarshalPrivateKey(secp)
	if err != nil {
		t.Fatalf("marshal secp256k1 key: %v", err)
	}

	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"garbage", []byte("not a key at all")},
		{"truncated", secpBytes[:len(secpBytes)/2]},
		{"wrong key type", secpBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, FileName), tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreate(dir)
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("LoadOrCreate error = %v, want ErrBadKey", err)
			}
			// The bad file must be left for the user to inspect, not replaced.
			got, _ := os.ReadFile(filepath.Join(dir, FileName))
			if string(got) != string(tc.data) {
				t.Error("bad key file was modified")
			}
		})
	}
}

func TestShortID(t *testing.T) {
	id, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	short := ShortID(id.ID)
	full := id.ID.String()
	if len(short) != 8 || full[len(full)-8:] != short {
		t.Errorf("ShortID(%s) = %q, want the last 8 characters", full, short)
	}
}
