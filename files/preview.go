package files

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // images the window shows: PNG, JPEG, GIF and WebP only
	"image/jpeg"
	_ "image/png"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"parley/wire"
)

// What the window may show of a file's bytes: only images of these
// formats, and only after they decode. Everything else is offered for
// saving.
const (
	// PreviewSide is the longest side of the preview a file message
	// carries.
	PreviewSide = 320
	// MaxPixels bounds an image decoded at all, checked from its header
	// before decoding.
	MaxPixels = 50_000_000
)

// ErrNotImage: bytes that are not an image the window shows, or one too
// large to decode.
var ErrNotImage = errors.New("not an image Parley shows")

var shownFormats = map[string]bool{"png": true, "jpeg": true, "gif": true, "webp": true}

// DetectType is the media type of a file from its first bytes (at most
// 3 KiB are read), never from its name.
func DetectType(head []byte) string { return mimetype.Detect(head).String() }

// DecodeImage decodes an image the window may show, its size checked from
// its header first. It returns the image and its format's name.
func DecodeImage(b []byte) (image.Image, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotImage, err)
	}
	if !shownFormats[format] {
		return nil, "", fmt.Errorf("%w: %s", ErrNotImage, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, "", fmt.Errorf("%w: %dx%d", ErrNotImage, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotImage, err)
	}
	return img, format, nil
}

// Preview makes the small JPEG a file message carries for an image: the
// image scaled to fit PreviewSide, at most wire.MaxPreviewSize bytes. It
// returns the preview and the image's own width and height.
func Preview(b []byte) (preview []byte, width, height int, err error) {
	img, _, err := DecodeImage(b)
	if err != nil {
		return nil, 0, 0, err
	}
	width, height = img.Bounds().Dx(), img.Bounds().Dy()
	for side := PreviewSide; side >= 32; side /= 2 {
		small := fit(img, side)
		for quality := 75; quality >= 30; quality -= 15 {
			var out bytes.Buffer
			if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: quality}); err != nil {
				return nil, 0, 0, fmt.Errorf("encode the preview: %w", err)
			}
			if out.Len() <= wire.MaxPreviewSize {
				return out.Bytes(), width, height, nil
			}
		}
	}
	return nil, 0, 0, fmt.Errorf("%w: no preview fits %d bytes", ErrNotImage, wire.MaxPreviewSize)
}

// CleanPreview decodes a preview a peer sent and encodes it again: what
// the window shows is this node's own JPEG, never the peer's bytes.
func CleanPreview(b []byte) ([]byte, error) {
	if len(b) > wire.MaxPreviewSize {
		return nil, fmt.Errorf("%w: a preview of %d bytes", ErrNotImage, len(b))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotImage, err)
	}
	if format != "jpeg" || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > PreviewSide || cfg.Height > PreviewSide {
		return nil, fmt.Errorf("%w: a %s preview of %dx%d", ErrNotImage, format, cfg.Width, cfg.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotImage, err)
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode the preview: %w", err)
	}
	return out.Bytes(), nil
}

// fit scales an image down to fit a square of side, keeping its shape.
func fit(img image.Image, side int) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}
