package chat

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// Over the files cap the least recently used download goes, never a file
// this node shared lately; when nothing can go, sharing is refused and a
// fetch pauses until room is made.
func TestTheFilesCapTakesTheOldestDownloadsAndSparesOwnFiles(t *testing.T) {
	t.Parallel()
	nodes := connectedNodes(t, 2)
	a, b := nodes[0], nodes[1]
	room, err := a.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, nodes, room)
	b.mu.Lock()
	b.fileLimits.CapMiB = 3 // three 1 MiB files; below what SetFileLimits allows
	b.mu.Unlock()

	share := func(s *Service, name string) Message {
		t.Helper()
		m, err := s.SendFile(t.Context(), room.ID, name, "", bytes.NewReader(randomFile(t, 1<<20)))
		if err != nil {
			t.Fatalf("share %s: %v", name, err)
		}
		return m
	}
	state := func(hash string) *File {
		t.Helper()
		m, ok := fileShown(t, b, room.ID, hash)
		if !ok {
			return &File{}
		}
		return m.File
	}
	own := share(b, "mine.bin").File.Hash
	first := share(a, "first.bin").File.Hash
	waitComplete(t, b, room.ID, first)
	second := share(a, "second.bin").File.Hash
	waitComplete(t, b, room.ID, second)
	third := share(a, "third.bin").File.Hash
	waitComplete(t, b, room.ID, third)

	if f := state(first); f.State != FileMissing || !f.Removed {
		t.Errorf("the oldest download stays over the cap: %+v", f)
	}
	for _, h := range []string{own, second} {
		if f := state(h); f.State != FileComplete {
			t.Errorf("file %s went: %+v", h[:8], f)
		}
	}
	u, err := b.FilesUsage()
	if err != nil || u.Used != 3<<20 || u.Files != 3 || u.Cap != 3<<20 {
		t.Errorf("usage %+v, %v; want 3 files of 1 MiB under a cap of 3 MiB", u, err)
	}

	// Two more own files push out the two downloads; a third finds
	// nothing that may go.
	share(b, "mine2.bin")
	share(b, "mine3.bin")
	if _, err := b.SendFile(t.Context(), room.ID, "mine4.bin", "", bytes.NewReader(randomFile(t, 1<<20))); !errors.Is(err, ErrFilesCapReached) {
		t.Fatalf("a share with no room: %v", err)
	}
	if f := state(own); f.State != FileComplete {
		t.Errorf("own recent file went: %+v", f)
	}
	fourth := share(a, "fourth.bin").File.Hash
	eventually(t, 30*time.Second, "the fetch pauses, full", func() bool {
		f := state(fourth)
		return f.State == FilePaused && f.Full
	})

	// Removing a file by hand makes room: the paused fetch goes on.
	removed, err := b.RemoveFile(own)
	if err != nil || removed.State != FileMissing || !removed.Removed {
		t.Fatalf("remove: %+v, %v", removed, err)
	}
	waitComplete(t, b, room.ID, fourth)
	if got, err := b.Files(room.ID, -1); err != nil || len(got) != 1 {
		t.Errorf("a limit below 1 lists %d files (%v); want 1", len(got), err)
	}
	got, err := b.Files(room.ID, 10)
	if err != nil || len(got) != 7 || got[0].File.Hash != fourth || got[6].File.Hash != own {
		t.Errorf("b lists %d files (%v); want the 7 shared, newest first", len(got), err)
	}
}
