package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"parley/wire"
)

// photo is a noisy image, hard to compress, as a photo is.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x + r.IntN(64)), uint8(y + r.IntN(64)), uint8(r.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAnImageGetsASmallPreviewAndItsSize(t *testing.T) {
	prev, w, h, err := Preview(photo(t, 1200, 600))
	if err != nil {
		t.Fatal(err)
	}
	if w != 1200 || h != 600 || len(prev) > wire.MaxPreviewSize {
		t.Fatalf("preview of %d bytes for %dx%d", len(prev), w, h)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(prev))
	if err != nil || cfg.Width != PreviewSide || cfg.Height != PreviewSide/2 {
		t.Fatalf("the preview is %+v, %v; want a %dx%d JPEG", cfg, err, PreviewSide, PreviewSide/2)
	}
	// What a receiver shows is its own encoding of the preview.
	clean, err := CleanPreview(prev)
	if err != nil || len(clean) == 0 {
		t.Fatalf("CleanPreview: %v", err)
	}
}

func TestWhatIsNotAShownImageIsRefused(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`)
	if _, _, err := DecodeImage(svg); !errors.Is(err, ErrNotImage) {
		t.Errorf("an SVG decodes: %v", err)
	}
	if _, _, _, err := Preview([]byte("%PDF-1.7 not an image")); !errors.Is(err, ErrNotImage) {
		t.Errorf("a PDF gets a preview: %v", err)
	}
	// A PNG whose header claims 100,000 x 100,000 pixels is refused before
	// anything is decoded.
	if _, _, err := DecodeImage(claimSize(t, photo(t, 4, 4), 100_000, 100_000)); !errors.Is(err, ErrNotImage) {
		t.Errorf("a 10-gigapixel image decodes: %v", err)
	}
	// A preview must be a small JPEG.
	if _, err := CleanPreview(photo(t, 8, 8)); !errors.Is(err, ErrNotImage) {
		t.Errorf("a PNG preview: %v", err)
	}
	var big bytes.Buffer
	if err := jpeg.Encode(&big, image.NewGray(image.Rect(0, 0, 400, 10)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := CleanPreview(big.Bytes()); !errors.Is(err, ErrNotImage) {
		t.Errorf("a preview 400 pixels wide: %v", err)
	}
}

func TestTheTypeComesFromTheBytesNotTheName(t *testing.T) {
	for _, c := range []struct {
		bytes []byte
		want  string
	}{
		{[]byte("%PDF-1.7\n%âãÏÓ\n"), "application/pdf"},
		{photo(t, 2, 2), "image/png"},
		{[]byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "text/html"},
	} {
		if got := DetectType(c.bytes); !strings.HasPrefix(got, c.want) {
			t.Errorf("DetectType = %q, want %s", got, c.want)
		}
	}
}

// claimSize rewrites a PNG's header to claim other dimensions.
func claimSize(t *testing.T, p []byte, w, h uint32) []byte {
	t.Helper()
	out := bytes.Clone(p)
	// Signature (8), then the IHDR chunk: length (4), type (4), data (13), CRC (4).
	ihdr := out[12 : 12+4+13]
	if string(ihdr[:4]) != "IHDR" {
		t.Fatal("no IHDR where expected")
	}
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	binary.BigEndian.PutUint32(out[12+4+13:], crc32.ChecksumIEEE(ihdr))
	return out
}
