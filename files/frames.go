package files

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"parley/wire"
)

// Bounds of /parley/files/1's frames: an ask is a few dozen bytes; a part
// carries at most one chunk, one manifest or one bitmap.
const (
	MaxAskChunks = 16
	MaxAskSize   = 512
	MaxPartSize  = maxManifestSize + 64
	maxHaveSize  = (maxChunks + 7) / 8
)

// ErrFrame: a transfer frame that does not decode or breaks a bound.
var ErrFrame = errors.New("bad file transfer frame")

// DecodeAsk reads an ask from a peer.
func DecodeAsk(b []byte) (*Ask, Hash, wire.RoomID, error) {
	var (
		a    Ask
		hash Hash
		room wire.RoomID
	)
	if len(b) > MaxAskSize {
		return nil, hash, room, fmt.Errorf("%w: ask of %d bytes", ErrFrame, len(b))
	}
	if err := proto.Unmarshal(b, &a); err != nil {
		return nil, hash, room, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	switch {
	case len(a.Hash) != HashSize:
		return nil, hash, room, fmt.Errorf("%w: hash of %d bytes", ErrFrame, len(a.Hash))
	case len(a.Room) != wire.IDSize:
		return nil, hash, room, fmt.Errorf("%w: room of %d bytes", ErrFrame, len(a.Room))
	case len(a.Chunks) > MaxAskChunks:
		return nil, hash, room, fmt.Errorf("%w: %d chunks asked, at most %d", ErrFrame, len(a.Chunks), MaxAskChunks)
	case !a.Manifest && !a.Have && len(a.Chunks) == 0:
		return nil, hash, room, fmt.Errorf("%w: an ask for nothing", ErrFrame)
	}
	for _, c := range a.Chunks {
		if c >= maxChunks {
			return nil, hash, room, fmt.Errorf("%w: chunk %d", ErrFrame, c)
		}
	}
	return &a, Hash(a.Hash), wire.RoomID(a.Room), nil
}

// DecodePart reads a part a peer answered with: exactly one of a
// manifest, a bitmap or a chunk (or word that a chunk is missing).
func DecodePart(b []byte) (*Part, error) {
	if len(b) > MaxPartSize {
		return nil, fmt.Errorf("%w: part of %d bytes", ErrFrame, len(b))
	}
	var p Part
	if err := proto.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	kinds := 0
	for _, set := range []bool{len(p.Manifest) > 0, len(p.Have) > 0, len(p.Chunk) > 0, p.Missing} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		return nil, fmt.Errorf("%w: a part with %d kinds of content", ErrFrame, kinds)
	case len(p.Manifest) > maxManifestSize:
		return nil, fmt.Errorf("%w: manifest of %d bytes", ErrFrame, len(p.Manifest))
	case len(p.Have) > maxHaveSize:
		return nil, fmt.Errorf("%w: bitmap of %d bytes", ErrFrame, len(p.Have))
	case len(p.Chunk) > ChunkSize+Overhead:
		return nil, fmt.Errorf("%w: chunk of %d bytes", ErrFrame, len(p.Chunk))
	case p.Index >= maxChunks:
		return nil, fmt.Errorf("%w: chunk %d", ErrFrame, p.Index)
	}
	return &p, nil
}
