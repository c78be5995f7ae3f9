// Package files cuts a shared file into chunks anyone can check, keeps
// the chunks of each file on disk as they arrive, and encrypts a private
// room's file chunk by chunk.
//
// A file is cut into ChunkSize chunks; its manifest lists the SHA-256 of
// each chunk as stored and sent (the ciphertext, in a private room), and
// the file's hash is the SHA-256 of the encoded manifest. Whoever holds
// the manifest checks every chunk on arrival, whoever sent it.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
)

const (
	// ChunkSize is the length of every chunk but a file's last, before
	// encryption.
	ChunkSize = 256 << 10
	// MaxSize is the largest file any node takes (a user's limit may be
	// raised up to it).
	MaxSize = 2 << 30
	// HashSize is the length of a file's hash and of each chunk's.
	HashSize = sha256.Size

	manifestVersion = 1
	maxChunks       = MaxSize / ChunkSize
	// maxManifestSize bounds an encoded manifest before it is parsed: the
	// hashes of the most chunks, with their tags, and the fixed fields.
	maxManifestSize = maxChunks*(HashSize+2) + 64
)

// Errors test with errors.Is.
var (
	// ErrManifest: a manifest that does not decode, does not match its
	// hash, or disagrees with the size its message gives.
	ErrManifest = errors.New("bad file manifest")
	// ErrChunk: a chunk whose bytes do not match the manifest.
	ErrChunk = errors.New("file chunk does not match its manifest")
	// ErrEmpty: a file with no bytes.
	ErrEmpty = errors.New("the file is empty")
	// ErrTooBig: a file over MaxSize.
	ErrTooBig = errors.New("the file is too big")
)

// Hash names a file: the SHA-256 of its encoded manifest.
type Hash [HashSize]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads a hash written by String.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("a file hash is %d hex digits, not %d", 2*HashSize, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("file hash: %w", err)
	}
	return h, nil
}

// Plan is a checked manifest: what a file's chunks must be.
type Plan struct {
	Hash   Hash
	Size   uint64
	Sealed bool
	// Encoded is the manifest as hashed: what is sent to those who ask.
	Encoded []byte
	chunks  [][HashSize]byte
}

// Chunks is how many chunks the file has.
func (p *Plan) Chunks() int { return len(p.chunks) }

// PlainLen is chunk i's length before encryption.
func (p *Plan) PlainLen(i int) int {
	if i == len(p.chunks)-1 {
		return int(p.Size - uint64(i)*ChunkSize)
	}
	return ChunkSize
}

// StoredLen is chunk i's length as stored and sent.
func (p *Plan) StoredLen(i int) int {
	if p.Sealed {
		return p.PlainLen(i) + Overhead
	}
	return p.PlainLen(i)
}

// StoredSize is the bytes the whole file takes as stored and sent.
func (p *Plan) StoredSize() int64 {
	if p.Sealed {
		return int64(p.Size) + int64(len(p.chunks))*Overhead
	}
	return int64(p.Size)
}

// Check says whether chunk i, as stored and sent, is the one the manifest
// lists.
func (p *Plan) Check(i int, chunk []byte) error {
	if i < 0 || i >= len(p.chunks) {
		return fmt.Errorf("%w: chunk %d of %d", ErrChunk, i, len(p.chunks))
	}
	if len(chunk) != p.StoredLen(i) {
		return fmt.Errorf("%w: chunk %d is %d bytes, not %d", ErrChunk, i, len(chunk), p.StoredLen(i))
	}
	if sha256.Sum256(chunk) != p.chunks[i] {
		return fmt.Errorf("%w: chunk %d", ErrChunk, i)
	}
	return nil
}

// chunksFor is how many chunks a file of size bytes has.
func chunksFor(size uint64) int { return int((size + ChunkSize - 1) / ChunkSize) }

// DecodeManifest checks an encoded manifest against the hash and size the
// file's message gives.
func DecodeManifest(encoded []byte, want Hash, size uint64) (*Plan, error) {
	if len(encoded) > maxManifestSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrManifest, len(encoded))
	}
	if sha256.Sum256(encoded) != want {
		return nil, fmt.Errorf("%w: it does not match the file's hash", ErrManifest)
	}
	var m Manifest
	if err := proto.Unmarshal(encoded, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	switch {
	case m.Version != manifestVersion:
		return nil, fmt.Errorf("%w: version %d", ErrManifest, m.Version)
	case m.ChunkSize != ChunkSize:
		return nil, fmt.Errorf("%w: chunks of %d bytes", ErrManifest, m.ChunkSize)
	case m.Size != size:
		return nil, fmt.Errorf("%w: %d bytes, the message says %d", ErrManifest, m.Size, size)
	case m.Size == 0:
		return nil, fmt.Errorf("%w: %w", ErrManifest, ErrEmpty)
	case m.Size > MaxSize:
		return nil, fmt.Errorf("%w: %w (%d bytes)", ErrManifest, ErrTooBig, m.Size)
	case len(m.Chunks) != chunksFor(m.Size):
		return nil, fmt.Errorf("%w: %d chunks for %d bytes", ErrManifest, len(m.Chunks), m.Size)
	}
	p := &Plan{Hash: want, Size: m.Size, Sealed: m.Sealed, Encoded: encoded, chunks: make([][HashSize]byte, len(m.Chunks))}
	for i, c := range m.Chunks {
		if len(c) != HashSize {
			return nil, fmt.Errorf("%w: chunk %d's hash is %d bytes", ErrManifest, i, len(c))
		}
		p.chunks[i] = [HashSize]byte(c)
	}
	return p, nil
}

// Cut reads a file to its end and cuts it into chunks, each sealed under
// key when key is not nil (a private room's file). It hands each chunk,
// as stored and sent, to emit, in order, and returns the file's plan.
func Cut(r io.Reader, key *Key, emit func(i int, chunk []byte) error) (*Plan, error) {
	var sealer *chunkSealer
	if key != nil {
		var err error
		if sealer, err = key.sealer(); err != nil {
			return nil, err
		}
	}
	m := &Manifest{Version: manifestVersion, ChunkSize: ChunkSize, Sealed: key != nil}
	// One chunk read ahead: sealing needs to know which chunk is the last.
	cur, next := make([]byte, ChunkSize), make([]byte, ChunkSize)
	n, err := readChunk(r, cur)
	if err != nil {
		return nil, err
	}
	for i := 0; n > 0; i++ {
		m.Size += uint64(n)
		if m.Size > MaxSize {
			return nil, ErrTooBig
		}
		following, err := readChunk(r, next)
		if err != nil {
			return nil, err
		}
		chunk := cur[:n]
		if sealer != nil {
			chunk = sealer.seal(i, following == 0, chunk)
		}
		sum := sha256.Sum256(chunk)
		m.Chunks = append(m.Chunks, sum[:])
		if err := emit(i, chunk); err != nil {
			return nil, err
		}
		cur, next, n = next, cur, following
	}
	if m.Size == 0 {
		return nil, ErrEmpty
	}
	encoded, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode the file manifest: %w", err)
	}
	return DecodeManifest(encoded, sha256.Sum256(encoded), m.Size)
}

// readChunk fills buf as far as the reader goes; 0 at the end.
func readChunk(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the file: %w", err)
	}
	return n, nil
}
