package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// aFile is a valid public room's File body.
func aFile() *File {
	return &File{Hash: bytes.Repeat([]byte{7}, FileHashSize), Name: "report.pdf", Size: 1 << 20, Mime: "application/pdf", Text: "the figures"}
}

func TestAFileMessageRoundTrips(t *testing.T) {
	key, room := newKey(t), newRoom(t)
	f := aFile()
	f.Name, f.Mime, f.Width, f.Height, f.Preview = "sunset.jpg", "image/jpeg", 4000, 3000, []byte{0xff, 0xd8, 0xff}
	sent, err := Sign(key, Draft{Room: room, Time: 1, Kind: Kind_KIND_FILE, File: f})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(sent.Raw, Check{Room: &room})
	if err != nil {
		t.Fatal(err)
	}
	g := got.File
	if got.Kind != Kind_KIND_FILE || g == nil || !bytes.Equal(g.Hash, f.Hash) || g.Name != "sunset.jpg" || g.Size != f.Size ||
		g.Mime != "image/jpeg" || g.Width != 4000 || g.Height != 3000 || !bytes.Equal(g.Preview, f.Preview) || g.Text != "the figures" {
		t.Fatalf("decoded %+v", g)
	}
}

func TestABadFileMessageIsRefused(t *testing.T) {
	key, room := newKey(t), newRoom(t)
	cases := []struct {
		name   string
		change func(f *File)
		want   error
	}{
		{"a short hash", func(f *File) { f.Hash = f.Hash[:8] }, ErrBadBody},
		{"empty", func(f *File) { f.Size = 0 }, ErrBadBody},
		{"over the most size", func(f *File) { f.Size = MaxFileSize + 1 }, ErrTooLarge},
		{"a path for a name", func(f *File) { f.Name = "../../.bashrc" }, ErrBadBody},
		{"a Windows path for a name", func(f *File) { f.Name = `C:\Users\ada\notes.txt` }, ErrBadBody},
		{"dot dot", func(f *File) { f.Name = ".." }, ErrBadBody},
		{"a name not cleaned", func(f *File) { f.Name = " report.pdf " }, ErrBadBody},
		{"a control character in the name", func(f *File) { f.Name = "a\u0000b" }, ErrBadBody},
		{"no name", func(f *File) { f.Name = "" }, ErrBadBody},
		{"a type with a newline", func(f *File) { f.Mime = "text/html\nx" }, ErrBadBody},
		{"a type too long", func(f *File) { f.Mime = strings.Repeat("a", MaxMimeSize+1) }, ErrBadBody},
		{"a width without a height", func(f *File) { f.Width = 10 }, ErrBadBody},
		{"an image too wide", func(f *File) { f.Width, f.Height = MaxImageSide+1, 1 }, ErrBadBody},
		{"a preview too big", func(f *File) { f.Preview = make([]byte, MaxPreviewSize+1) }, ErrTooLarge},
		{"a caption too long", func(f *File) { f.Text = strings.Repeat("a", MaxTextSize+1) }, ErrTooLarge},
		{"a key in a public room", func(f *File) { f.Key = make([]byte, FileKeySize) }, ErrBadBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := aFile()
			c.change(f)
			if _, err := Sign(key, Draft{Room: room, Time: 1, Kind: Kind_KIND_FILE, File: f}); !errors.Is(err, c.want) {
				t.Errorf("Sign = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := Sign(key, Draft{Room: room, Time: 1, Kind: Kind_KIND_FILE}); !errors.Is(err, ErrBadBody) {
		t.Errorf("a file message with no body: %v", err)
	}
}

func TestCleanFileNameKeepsANameAndRefusesAPath(t *testing.T) {
	if got, err := CleanFileName("  Quarterly report (final).pdf "); err != nil || got != "Quarterly report (final).pdf" {
		t.Errorf("CleanFileName = %q, %v", got, err)
	}
	for _, name := range []string{"a/b", `a\b`, ".", "..", "", "\u202e"} {
		if got, err := CleanFileName(name); err == nil {
			t.Errorf("CleanFileName(%q) = %q, want an error", name, got)
		}
	}
}
