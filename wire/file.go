package wire

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of a KIND_FILE body.
const (
	// MaxFileSize is the largest file any node takes (package files
	// holds the same figure).
	MaxFileSize      = 2 << 30
	MaxFileNameChars = 255
	MaxFileNameBytes = MaxFileNameChars * MaxCharBytes
	MaxMimeSize      = 127
	// MaxImageSide bounds an image's width and height as a message gives
	// them; what is decoded is bounded again by its pixels.
	MaxImageSide   = 100_000
	MaxPreviewSize = 8 << 10
	FileHashSize   = 32
	FileKeySize    = 32
)

// CleanFileName is a file's name as a message may carry it: cleaned like a
// display name, with no path (no separator, not "." or "..").
func CleanFileName(name string) (string, error) {
	clean, err := CleanName(name, MaxFileNameChars)
	if err != nil {
		return "", fmt.Errorf("file name: %w", err)
	}
	if strings.ContainsAny(clean, `/\`) || clean == "." || clean == ".." {
		return "", fmt.Errorf("file name: %w: a path, not a name", ErrBadName)
	}
	return clean, nil
}

// checkFile enforces a KIND_FILE body's limits. The key is there exactly
// when the message was sealed: a private room's file is encrypted, a
// public room's never is.
func checkFile(m *Message) error {
	f := m.File
	if f == nil {
		return fmt.Errorf("%w: file message without its body", ErrBadBody)
	}
	switch {
	case len(f.Hash) != FileHashSize:
		return fmt.Errorf("%w: file hash of %d bytes", ErrBadBody, len(f.Hash))
	case f.Size == 0:
		return fmt.Errorf("%w: an empty file", ErrBadBody)
	case f.Size > MaxFileSize:
		return fmt.Errorf("%w: file of %d bytes, limit %d", ErrTooLarge, f.Size, MaxFileSize)
	case len(f.Mime) > MaxMimeSize || !printableASCII(f.Mime):
		return fmt.Errorf("%w: file type %q", ErrBadBody, f.Mime)
	case f.Width > MaxImageSide || f.Height > MaxImageSide || (f.Width == 0) != (f.Height == 0):
		return fmt.Errorf("%w: image of %dx%d", ErrBadBody, f.Width, f.Height)
	case len(f.Preview) > MaxPreviewSize:
		return fmt.Errorf("%w: preview of %d bytes, limit %d", ErrTooLarge, len(f.Preview), MaxPreviewSize)
	case len(f.Text) > MaxTextSize:
		return fmt.Errorf("%w: caption of %d bytes, limit %d", ErrTooLarge, len(f.Text), MaxTextSize)
	case !utf8.ValidString(f.Text):
		return fmt.Errorf("%w: caption is not UTF-8", ErrBadBody)
	case m.Opened && len(f.Key) != FileKeySize:
		return fmt.Errorf("%w: a sealed file's key of %d bytes", ErrBadBody, len(f.Key))
	case !m.Opened && len(f.Key) != 0:
		return fmt.Errorf("%w: a file key outside a sealed body", ErrBadBody)
	}
	if len(f.Name) > MaxFileNameBytes {
		return fmt.Errorf("%w: file name of %d bytes", ErrTooLarge, len(f.Name))
	}
	if clean, err := CleanFileName(f.Name); err != nil || clean != f.Name {
		return fmt.Errorf("%w: file name %q is not a clean name", ErrBadBody, f.Name)
	}
	m.Text = f.Text // the caption: what search finds and the window shows
	return nil
}

func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
