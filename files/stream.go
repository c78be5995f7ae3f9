package files

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Key is a private room's file key: random for each file, it travels only
// inside the sealed message that shares the file.
type Key [chacha20poly1305.KeySize]byte

// Overhead is what sealing adds to a chunk.
const Overhead = chacha20poly1305.Overhead

// NewKey makes a random file key.
func NewKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("make a file key: %w", err)
	}
	return k, nil
}

// Chunks are sealed in the STREAM pattern: XChaCha20-Poly1305 with the
// chunk's index as the nonce (each file has a key of its own, so no nonce
// repeats) and whether it is the last chunk in the associated data, so
// chunks can be neither reordered nor cut off at the end unnoticed.
type chunkSealer struct{ aead cipher.AEAD }

func (k Key) sealer() (*chunkSealer, error) {
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("file key: %w", err)
	}
	return &chunkSealer{aead}, nil
}

func chunkNonce(i int) []byte {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], uint64(i))
	return nonce
}

func chunkAD(last bool) []byte {
	if last {
		return []byte("parley file chunk, last")
	}
	return []byte("parley file chunk")
}

func (s *chunkSealer) seal(i int, last bool, plain []byte) []byte {
	return s.aead.Seal(nil, chunkNonce(i), plain, chunkAD(last))
}

// OpenChunk decrypts chunk i of a sealed file, checked against the plan
// first.
func (k Key) OpenChunk(p *Plan, i int, sealed []byte) ([]byte, error) {
	if err := p.Check(i, sealed); err != nil {
		return nil, err
	}
	s, err := k.sealer()
	if err != nil {
		return nil, err
	}
	plain, err := s.aead.Open(nil, chunkNonce(i), sealed, chunkAD(i == p.Chunks()-1))
	if err != nil {
		return nil, fmt.Errorf("%w: chunk %d does not open with the file's key", ErrChunk, i)
	}
	return plain, nil
}
