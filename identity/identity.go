// Package identity holds the node key: the Ed25519 key that is both the
// libp2p host identity and the key every message is signed with.
package identity

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// FileName is the key file's name inside the data dir.
const FileName = "identity.key"

// ErrBadKey means the key file exists but does not hold a usable Ed25519 key.
var ErrBadKey = errors.New("identity key file is not a valid Ed25519 key")

// Identity is the node's key pair and the peer ID derived from it.
type Identity struct {
	Key crypto.PrivKey
	ID  peer.ID
}

// LoadOrCreate reads the key from dir, creating a new one on first run.
// The file is written with mode 0600 so that no other user can read it.
func LoadOrCreate(dir string) (*Identity, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decode(data, path)
	case errors.Is(err, fs.ErrNotExist):
		return create(path)
	default:
		return nil, fmt.Errorf("read identity %s: %w", path, err)
	}
}

func decode(data []byte, path string) (*Identity, error) {
	key, err := crypto.UnmarshalPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("load identity %s: %w: %w", path, ErrBadKey, err)
	}
	if key.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("load identity %s: %w: key type %s", path, ErrBadKey, key.Type())
	}
	return fromKey(key)
}

func create(path string) (*Identity, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate identity: %w", err)
	}
	data, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode identity: %w", err)
	}
	if err := writeNew(path, data); err != nil {
		return nil, fmt.Errorf("save identity %s: %w", path, err)
	}
	return fromKey(key)
}

// writeNew writes the key through a temporary file and a rename, so a crash
// never leaves a half-written key behind. Callers hold the data dir lock, so
// no other process can create the key meanwhile.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func fromKey(key crypto.PrivKey) (*Identity, error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("derive peer ID: %w", err)
	}
	return &Identity{Key: key, ID: id}, nil
}

// ShortID is the form of a peer ID shown next to names: its last eight
// characters, which differ between peers (the start is a fixed multihash prefix).
func ShortID(id peer.ID) string {
	s := id.String()
	const n = 8
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
