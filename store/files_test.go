package store

import (
	"bytes"
	"testing"

	"parley/wire"
)

func (f fixture) file(t testing.TB, time uint64, hash byte) Item {
	t.Helper()
	m, err := wire.Sign(f.key, wire.Draft{Room: f.room, Time: time, Kind: wire.Kind_KIND_FILE,
		File: &wire.File{Hash: bytes.Repeat([]byte{hash}, 32), Name: "notes.txt", Size: 5}})
	if err != nil {
		t.Fatal(err)
	}
	return ItemOf(m)
}

// A room names the files its messages share, and only those: what lets a
// file's chunks go to its members and no one else.
func TestARoomNamesTheFilesItsMessagesShare(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	other := newFixture(t)
	older, newer := f.file(t, 10, 1), f.file(t, 20, 1)
	put(t, s, newer, older, f.file(t, 15, 2), other.file(t, 30, 3))

	one, two, three := [32]byte(bytes.Repeat([]byte{1}, 32)), [32]byte(bytes.Repeat([]byte{2}, 32)), [32]byte(bytes.Repeat([]byte{3}, 32))
	for _, c := range []struct {
		room wire.RoomID
		hash [32]byte
		want bool
	}{{f.room, one, true}, {f.room, two, true}, {f.room, three, false}, {other.room, three, true}, {other.room, one, false}} {
		if got, err := s.NamesFile(c.room, c.hash); err != nil || got != c.want {
			t.Errorf("NamesFile(%x…, %x…) = %v, %v; want %v", c.room[:2], c.hash[:2], got, err, c.want)
		}
	}
	refs, err := s.FilesOf(f.room)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Hash != one || refs[0].ID != newer.ID || refs[1].Hash != two {
		t.Errorf("FilesOf = %+v; want one (by its newest message) and two", refs)
	}
	if err := s.DeleteRoom(f.room); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.NamesFile(f.room, one); got {
		t.Error("a deleted room still names its file")
	}
}

// A file message goes in the room's view like a text, its caption in the
// search index, and its author deletes it like a text; an edit never
// changes it.
func TestAFileMessageShowsAndIsDeletedLikeAText(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	m, err := wire.Sign(f.key, wire.Draft{Room: f.room, Time: 10, Kind: wire.Kind_KIND_FILE,
		File: &wire.File{Hash: bytes.Repeat([]byte{4}, 32), Name: "q3.pdf", Size: 5, Text: "quarterly figures"}})
	if err != nil {
		t.Fatal(err)
	}
	file := ItemOf(m)
	edit := f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &file.ID, Text: "changed"})
	put(t, s, file, edit)
	if view := viewOf(t, s, f.room); len(view) != 1 || view[0].id != file.ID || view[0].deleted || len(view[0].changes) != 0 {
		t.Fatalf("view = %+v; want the file, its edit not applied", view)
	}
	if err := s.flushIndex(); err != nil {
		t.Fatal(err)
	}
	if got := hits(t, s, "quarterly"); len(got) != 1 || got[0] != file.ID {
		t.Errorf("search for the caption finds %v", got)
	}
	put(t, s, f.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &file.ID, TargetTime: file.Time}))
	if view := viewOf(t, s, f.room); len(view) != 1 || !view[0].deleted {
		t.Fatalf("view = %+v; want the stub", view)
	}
	if got := hits(t, s, "quarterly"); len(got) != 0 {
		t.Errorf("search still finds the deleted file's caption: %v", got)
	}
	// Deleted, the message no longer names its file: its chunks go to no one.
	if named, err := s.NamesFile(f.room, [32]byte(bytes.Repeat([]byte{4}, 32))); err != nil || named {
		t.Errorf("after the delete the room names the file: %v, %v", named, err)
	}
}
