package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Import cuts a file the user shares into a holding in a folder of its
// own under root, named by its hash, sealed under key when key is not nil.
// The chunks go to a staging folder first (the hash is known only at the
// end), which becomes the holding's in one rename; a file already held
// there is kept as it is.
func Import(root string, r io.Reader, key *Key) (*Holding, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("make the files folder: %w", err)
	}
	staging, err := os.MkdirTemp(root, ".import-")
	if err != nil {
		return nil, fmt.Errorf("make a staging folder: %w", err)
	}
	defer os.RemoveAll(staging) // gone once renamed; emptied on failure
	data, err := os.OpenFile(filepath.Join(staging, dataFile), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("stage the file: %w", err)
	}
	stride := int64(ChunkSize)
	if key != nil {
		stride += Overhead
	}
	plan, err := Cut(r, key, func(i int, chunk []byte) error {
		_, err := data.WriteAt(chunk, int64(i)*stride)
		return err
	})
	if err := errors.Join(err, data.Close()); err != nil {
		return nil, fmt.Errorf("stage the file: %w", err)
	}
	bitmap := make([]byte, (plan.Chunks()+7)/8)
	for i := range plan.Chunks() {
		bitmap[i/8] |= 1 << (i % 8)
	}
	if err := os.WriteFile(filepath.Join(staging, bitmapFile), bitmap, 0o600); err != nil {
		return nil, fmt.Errorf("stage the file: %w", err)
	}
	if err := os.WriteFile(filepath.Join(staging, manifestFile), plan.Encoded, 0o600); err != nil {
		return nil, fmt.Errorf("stage the file: %w", err)
	}
	dir := filepath.Join(root, plan.Hash.String())
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		return fillFrom(dir, plan, filepath.Join(staging, dataFile), stride)
	}
	if err := os.RemoveAll(dir); err != nil { // a folder left without its manifest
		return nil, fmt.Errorf("keep the file: %w", err)
	}
	if err := os.Rename(staging, dir); err != nil {
		return nil, fmt.Errorf("keep the file: %w", err)
	}
	return OpenHolding(dir, plan)
}

// fillFrom opens the holding already in dir (the same file, shared or
// fetched before) and puts in it the chunks it lacks from a staged copy.
func fillFrom(dir string, plan *Plan, staged string, stride int64) (*Holding, error) {
	h, err := OpenHolding(dir, plan)
	if err != nil {
		return nil, err
	}
	missing := h.Missing()
	if len(missing) == 0 {
		return h, nil
	}
	f, err := os.Open(staged)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("read the staged file: %w", err), h.Close())
	}
	defer f.Close()
	for _, i := range missing {
		chunk := make([]byte, plan.StoredLen(i))
		if _, err := f.ReadAt(chunk, int64(i)*stride); err != nil {
			return nil, errors.Join(fmt.Errorf("read the staged file: %w", err), h.Close())
		}
		if _, err := h.Put(i, chunk); err != nil {
			return nil, errors.Join(err, h.Close())
		}
	}
	return h, nil
}
