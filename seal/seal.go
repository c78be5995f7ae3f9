// Package seal is the cryptography of private rooms (docs/SECURITY.md):
// epoch keys, message bodies sealed under them, device keys, epoch keys
// wrapped for a device, and the proof that a joiner held an invite link.
// It knows no network and no store.
package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/crypto/chacha20poly1305"
	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// KeySize is the size of an epoch key.
const KeySize = 32

// CheckSize is the size of an epoch key's check value.
const CheckSize = 16

// Key is a private room's key for one epoch: 32 random bytes.
type Key [KeySize]byte

// Errors a caller tells apart; test with errors.Is.
var (
	// ErrOpen: the body is not what the key and its message say (wrong key,
	// wrong epoch, or altered).
	ErrOpen = errors.New("sealed body does not open")
	// ErrMalformed: a sealed body, wrap or proof has the wrong form.
	ErrMalformed = errors.New("malformed sealed data")
)

// NewKey makes a fresh random epoch key.
func NewKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("make epoch key: %w", err)
	}
	return k, nil
}

// Check is a short value that shows which key an epoch has without
// revealing it, so a device can tell that a wrapped key is the epoch's key
// and not some other a member made up.
func (k Key) Check(room wire.RoomID, epoch uint32) [CheckSize]byte {
	mac := hmac.New(sha256.New, k[:])
	mac.Write([]byte("parley epoch key check v1"))
	mac.Write(room[:])
	mac.Write(binary.BigEndian.AppendUint32(nil, epoch))
	var c [CheckSize]byte
	copy(c[:], mac.Sum(nil))
	return c
}

// Context is what a sealed body is bound to: the message around it. A body
// moved to another room, author, time or epoch does not open.
type Context struct {
	Room   wire.RoomID
	Author peer.ID
	Time   uint64
	Epoch  uint32
}

func (c Context) associatedData() []byte {
	var b bytes.Buffer
	b.WriteString("parley sealed v1")
	b.Write(c.Room[:])
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(c.Author))))
	b.WriteString(string(c.Author))
	b.Write(binary.BigEndian.AppendUint64(nil, c.Time))
	b.Write(binary.BigEndian.AppendUint32(nil, c.Epoch))
	return b.Bytes()
}

// Seal encrypts an encoded wire.Inner with XChaCha20-Poly1305 under k, a
// random nonce, and c as associated data.
func Seal(k Key, c Context, inner []byte) (*wire.Sealed, error) {
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal body: %w", err)
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal body: %w", err)
	}
	return &wire.Sealed{Epoch: c.Epoch, Nonce: nonce, Ciphertext: aead.Seal(nil, nonce, inner, c.associatedData())}, nil
}

// Open decrypts a sealed body with the key of its epoch. c.Epoch must be
// the body's epoch: the caller picked k by it.
func Open(k Key, c Context, s *wire.Sealed) ([]byte, error) {
	if s.Epoch != c.Epoch {
		return nil, fmt.Errorf("%w: body of epoch %d opened with the key of %d", ErrOpen, s.Epoch, c.Epoch)
	}
	if len(s.Nonce) != chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("%w: nonce of %d bytes", ErrMalformed, len(s.Nonce))
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("open body: %w", err)
	}
	inner, err := aead.Open(nil, s.Nonce, s.Ciphertext, c.associatedData())
	if err != nil {
		return nil, ErrOpen
	}
	return inner, nil
}

// DecodeSealed reads a KIND_SEALED body and checks its form; opening it is
// Open's job, once the key of its epoch is known.
func DecodeSealed(body []byte) (*wire.Sealed, error) {
	var s wire.Sealed
	if err := proto.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(s.Nonce) != chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("%w: nonce of %d bytes", ErrMalformed, len(s.Nonce))
	}
	if len(s.Ciphertext) < chacha20poly1305.Overhead {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes", ErrMalformed, len(s.Ciphertext))
	}
	return &s, nil
}
