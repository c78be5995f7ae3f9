package chat

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"parley/files"
)

func randomFile(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// fileShown finds a file message a node's history shows, by hash.
func fileShown(t *testing.T, s *Service, room, hash string) (Message, bool) {
	t.Helper()
	for _, m := range fullHistory(t, s, room) {
		if m.Kind == KindFile && m.File != nil && m.File.Hash == hash {
			return m, true
		}
	}
	return Message{}, false
}

// readWhole reads a complete file through OpenFile.
func readWhole(t *testing.T, s *Service, hash string) []byte {
	t.Helper()
	f, _, err := s.OpenFile(hash)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func waitComplete(t *testing.T, s *Service, room, hash string) {
	t.Helper()
	eventually(t, 60*time.Second, "the file is complete on the node", func() bool {
		m, ok := fileShown(t, s, room, hash)
		return ok && m.File.State == FileComplete
	})
}

// A file shared in a room: every member online fetches it by itself (it
// is small) and reads the same bytes; its caption shows as the text.
func TestAFileSharedInARoomReachesAMemberWhole(t *testing.T) {
	t.Parallel()
	nodes := connectedNodes(t, 2)
	a, b := nodes[0], nodes[1]
	room, err := a.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, nodes, room)
	data := randomFile(t, 3<<20+123)
	msg, err := a.SendFile(t.Context(), room.ID, " plan.bin ", "the plan", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f := msg.File
	if msg.Kind != KindFile || msg.Text != "the plan" || f == nil || f.Name != "plan.bin" || f.Size != int64(len(data)) ||
		f.State != FileComplete || f.Mime != "application/octet-stream" {
		t.Fatalf("shared %+v with file %+v", msg, f)
	}
	waitComplete(t, b, room.ID, f.Hash)
	if got := readWhole(t, b, f.Hash); !bytes.Equal(got, data) {
		t.Fatal("the member reads other bytes")
	}
	if _, err := a.SendFile(t.Context(), room.ID, "../etc/passwd", "", bytes.NewReader(data[:10])); !errors.Is(err, ErrBadFileName) {
		t.Errorf("a path for a name: %v", err)
	}
	if _, err := a.SendFile(t.Context(), room.ID, "empty.txt", "", bytes.NewReader(nil)); !errors.Is(err, ErrEmptyFile) {
		t.Errorf("an empty file: %v", err)
	}
	if _, err := a.FetchFile("00"); !errors.Is(err, ErrUnknownFile) {
		t.Errorf("a file no room names: %v", err)
	}
}

// A member offline when a big file was shared gets it later from another
// member, the sender gone: big files are fetched when asked for.
func TestAMemberOfflineGetsAFileLaterFromAnotherMember(t *testing.T) {
	t.Parallel()
	dirA, dirB, dirC := t.TempDir(), t.TempDir(), t.TempDir()
	a, b, c := openNode(t, dirA), newNode(t, dirB), openNode(t, dirC)
	for _, n := range []*Service{b, c} {
		if err := a.Connect(t.Context(), n.Me().Addrs[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Connect(t.Context(), c.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	room, err := a.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, []*Service{a, b, c}, room)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	data := randomFile(t, 20<<20)
	msg, err := a.SendFile(t.Context(), room.ID, "recording.bin", "", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	hash := msg.File.Hash
	eventually(t, 30*time.Second, "b hears of the file", func() bool {
		m, ok := fileShown(t, b, room.ID, hash)
		return ok && m.File.State == FileMissing // over the size fetched by itself
	})
	if _, err := b.FetchFile(hash); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, b, room.ID, hash)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	c = newNode(t, dirC)
	if err := c.Connect(t.Context(), b.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "c's history brings the file's message", func() bool {
		_, ok := fileShown(t, c, room.ID, hash)
		return ok
	})
	if _, err := c.FetchFile(hash); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, room.ID, hash)
	if got := readWhole(t, c, hash); !bytes.Equal(got, data) {
		t.Fatal("c reads other bytes")
	}
}

// In a private room a file is sealed under a key of its own: members read
// it, and no member's disk holds its bytes in the clear.
func TestAPrivateRoomsFileIsSealedOnEveryDisk(t *testing.T) {
	t.Parallel()
	ada, bob := newNode(t, t.TempDir()), newNode(t, t.TempDir())
	room := board(t, ada, bob)
	data := append([]byte("THE SECRET PLAN "), randomFile(t, 300<<10)...)
	msg, err := ada.SendFile(t.Context(), room.ID, "plan.txt", "", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	waitComplete(t, bob, room.ID, msg.File.Hash)
	if got := readWhole(t, bob, msg.File.Hash); !bytes.Equal(got, data) {
		t.Fatal("the member reads other bytes")
	}
	for _, s := range []*Service{ada, bob} {
		held, err := os.ReadFile(filepath.Join(s.filesRoot(), msg.File.Hash, "data"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(held, []byte("THE SECRET PLAN")) {
			t.Error("a disk holds the file in the clear")
		}
	}
}

// A fetch cut off by the member's node closing goes on where it stopped
// once the node starts again, by itself, from the chunks its bitmap marks.
func TestAFetchCutByARestartGoesOnFromWhereItStopped(t *testing.T) {
	t.Parallel()
	dirB := t.TempDir()
	a, b := newNode(t, t.TempDir()), openNode(t, dirB)
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	room, err := a.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, []*Service{a, b}, room)
	data := randomFile(t, 64<<20)
	msg, err := a.SendFile(t.Context(), room.ID, "video.bin", "", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := files.ParseHash(msg.File.Hash)
	if err != nil {
		t.Fatal(err)
	}
	events, unsubscribe := b.Subscribe()
	eventually(t, 30*time.Second, "b hears of the file", func() bool {
		_, ok := fileShown(t, b, room.ID, msg.File.Hash)
		return ok
	})
	if _, err := b.FetchFile(msg.File.Hash); err != nil {
		t.Fatal(err)
	}
	// The node closes as soon as the first chunks are in: 256 chunks
	// cannot all land meanwhile.
	deadline := time.After(60 * time.Second)
	for started := false; !started; {
		select {
		case ev := <-events:
			p, ok := ev.Data.(FileProgress)
			started = ok && p.Hash == msg.File.Hash && p.Have > 0
		case <-deadline:
			t.Fatal("the fetch never began")
		}
	}
	unsubscribe()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	held, chunks, err := files.Peek(filepath.Join(dirB, "files"), hash)
	if err != nil || held == 0 || held == chunks {
		t.Fatalf("after the close b holds %d of %d chunks (%v); want some, not all", held, chunks, err)
	}

	b = newNode(t, dirB)
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, b, room.ID, msg.File.Hash)
	if got := readWhole(t, b, msg.File.Hash); !bytes.Equal(got, data) {
		t.Fatal("b reads other bytes")
	}
}
