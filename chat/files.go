package chat

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"parley/files"
	"parley/wire"
)

// File is a shared file as the window shows it (Message.File).
type File struct {
	Hash   string `json:"hash"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Mime   string `json:"mime"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Preview is a data:image/jpeg URL: this node's own encoding of the
	// sender's preview; empty when there is none.
	Preview string `json:"preview,omitempty"`
	// State is one of the File states; Have how many of its bytes are
	// here.
	State string `json:"state"`
	Have  int64  `json:"have"`
	// Full: the fetch is paused because files take all the space allowed
	// for them. Removed: the file was here and was removed.
	Full    bool `json:"full,omitempty"`
	Removed bool `json:"removed,omitempty"`
}

// The states of a file on this node.
const (
	FileComplete = "complete"
	FileFetching = "fetching"
	// FilePaused: part of it is here and nothing is fetching the rest
	// (no member that holds it is online, or the fetch was cancelled).
	FilePaused = "paused"
	// FileMissing: nothing of it is here, and nothing is fetching it.
	FileMissing = "missing"
	// FileTooLarge: over this node's limit; it is never fetched.
	FileTooLarge = "tooLarge"
)

// File limits (docs/API.md): a file shared or fetched is at most
// MaxFileSize; one at most autoFetchSize is fetched as it is announced.
const (
	defaultMaxFileSize   = 100 << 20
	defaultAutoFetchSize = 10 << 20
	// previewFrom: images up to this size get a preview when shared (the
	// whole image is decoded in memory).
	previewFrom = 32 << 20
	// maxPreviews is how many cleaned previews are kept, by file.
	maxPreviews = 512
)

// filesRoot is where files are kept: <data-dir>/files.
func (s *Service) filesRoot() string { return filepath.Join(s.dir.Path, "files") }

// SendFile shares a file in a room: its bytes are cut into a holding of
// their own under the data dir (sealed under a key of the file's own in a
// private room), and a message naming the file goes to the room, whose
// members fetch it from whoever holds it. An image carries a preview.
func (s *Service) SendFile(ctx context.Context, roomID, name, caption string, r io.Reader) (Message, error) {
	defer s.answerRequest(roomID)
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return Message{}, err
	}
	clean, err := wire.CleanFileName(name)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrBadFileName, err)
	}
	if len(caption) > wire.MaxTextSize {
		return Message{}, fmt.Errorf("%w: a caption of %d bytes, at most %d", ErrTooLong, len(caption), wire.MaxTextSize)
	}
	var key *files.Key
	if s.privateRoom(id) != nil {
		k, err := files.NewKey()
		if err != nil {
			return Message{}, err
		}
		key = &k
	}
	limit := s.MaxFileSize()
	limited := &limitedReader{r: r, left: limit}
	h, err := files.Import(s.filesRoot(), limited, key)
	switch {
	case limited.over:
		return Message{}, &FileTooLargeError{Limit: limit}
	case errors.Is(err, files.ErrEmpty):
		return Message{}, ErrEmptyFile
	case err != nil:
		return Message{}, fmt.Errorf("keep the file: %w", err)
	}
	defer h.Close()
	plan := h.Plan()
	if err := s.holdFile(plan.Hash, plan.StoredSize(), true); err != nil {
		if errors.Is(err, ErrFilesCapReached) {
			_ = h.Close()
			s.dropUnrecorded(plan.Hash)
		}
		return Message{}, err
	}
	file := &wire.File{Hash: plan.Hash[:], Name: clean, Size: plan.Size, Text: caption}
	if key != nil {
		file.Key = key[:]
	}
	if err := describe(h, key, file); err != nil {
		return Message{}, err
	}
	msg, err := s.postOwn(ctx, wire.Draft{Room: id, Kind: wire.Kind_KIND_FILE, File: file})
	if err != nil {
		return Message{}, fmt.Errorf("share the file: %w", err)
	}
	return msg, nil
}

// describe fills in what a file message says of the bytes: the type they
// are, and for an image its size and preview.
func describe(h *files.Holding, key *files.Key, f *wire.File) error {
	r, err := files.NewReader(h, key)
	if err != nil {
		return err
	}
	head := make([]byte, 3<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read the file: %w", err)
	}
	f.Mime = files.DetectType(head[:n])
	if !strings.HasPrefix(f.Mime, "image/") || f.Size > previewFrom {
		return nil
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	whole, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read the file: %w", err)
	}
	preview, w, ht, err := files.Preview(whole)
	if err != nil {
		return nil // an image the window does not show: a file like any other
	}
	f.Preview, f.Width, f.Height = preview, uint32(w), uint32(ht)
	return nil
}

// limitedReader reads up to left bytes and notes whether there was more.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errFileTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

var errFileTooLarge = errors.New("over the file size limit")

// heldBytes is about how many bytes of a file of size held chunks are.
func heldBytes(held int, size int64) int64 { return min(int64(held)*files.ChunkSize, size) }

// fileView is a file message's file as the window shows it.
func (s *Service) fileView(m *wire.Message) *File {
	f := m.File
	hash := files.Hash(f.Hash)
	v := &File{Hash: hash.String(), Name: f.Name, Size: int64(f.Size), Mime: f.Mime, Width: int(f.Width), Height: int(f.Height)}
	v.Preview = s.previewOf(hash, f.Preview)
	v.State, v.Have = s.fileState(hash, int64(f.Size))
	if run := s.fetchOf(hash); run != nil {
		v.Full = run.isFull()
	}
	v.Removed = v.State == FileMissing && s.fileRemoved(hash)
	return v
}

// previewOf is the data URL of this node's encoding of a file's preview.
func (s *Service) previewOf(hash files.Hash, sent []byte) string {
	if len(sent) == 0 {
		return ""
	}
	s.mu.Lock()
	url, ok := s.previews.Get(hash)
	s.mu.Unlock()
	if ok {
		return url
	}
	clean, err := files.CleanPreview(sent)
	if err == nil {
		url = "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(clean)
	}
	s.mu.Lock()
	s.previews.Add(hash, url, nil) // "" too: a preview that does not decode is not tried again
	s.mu.Unlock()
	return url
}

// fileState says how much of a file is here and what is happening to it.
func (s *Service) fileState(hash files.Hash, size int64) (string, int64) {
	if run := s.fetchOf(hash); run != nil {
		if run.isFull() {
			return FilePaused, run.have()
		}
		return FileFetching, run.have()
	}
	held, chunks, err := files.Peek(s.filesRoot(), hash)
	switch {
	case err == nil && held == chunks:
		return FileComplete, size
	case size > s.MaxFileSize():
		return FileTooLarge, 0
	case err != nil || held == 0:
		return FileMissing, 0
	}
	return FilePaused, heldBytes(held, size)
}

// FileTooLargeError: a file over this node's limit.
type FileTooLargeError struct{ Size, Limit int64 }

func (e *FileTooLargeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("this file is %s; the limit is %s", megabytes(e.Size), megabytes(e.Limit))
	}
	return fmt.Sprintf("this file is over the limit of %s", megabytes(e.Limit))
}

// megabytes writes a size as people read it in a file manager: MB of
// 1,048,576 bytes, rounded.
func megabytes(n int64) string { return fmt.Sprintf("%d MB", (n+1<<19)>>20) }

// fileNamed finds a joined room naming a file, and the message that does.
func (s *Service) fileNamed(hashID string) (wire.RoomID, *wire.Message, error) {
	hash, err := files.ParseHash(hashID)
	if err != nil {
		return wire.RoomID{}, nil, fmt.Errorf("%w: %w", ErrUnknownFile, err)
	}
	for _, room := range s.joinedIDs() {
		ref, ok, err := s.store.FileIn(room, hash)
		if err != nil {
			return room, nil, err
		}
		if !ok {
			continue
		}
		if m, ok := s.fileMessage(room, ref); ok {
			return room, m, nil
		}
	}
	return wire.RoomID{}, nil, ErrUnknownFile
}

// FetchFile starts fetching a file a joined room names (or goes on with
// it), whatever its size within the limit, and returns it as it is now.
func (s *Service) FetchFile(hash string) (File, error) {
	room, m, err := s.fileNamed(hash)
	if err != nil {
		return File{}, err
	}
	s.fetchFile(room, m)
	return *s.fileView(m), nil
}

// CancelFetch stops fetching a file; what is here stays, and a later
// FetchFile goes on from it.
func (s *Service) CancelFetch(hash string) (File, error) {
	_, m, err := s.fileNamed(hash)
	if err != nil {
		return File{}, err
	}
	if run := s.fetchOf(files.Hash(m.File.Hash)); run != nil {
		run.cancel()
	}
	return *s.fileView(m), nil
}

// OpenedFile is a complete file to read: the bytes as shared, and what the
// message says of them.
type OpenedFile struct {
	*files.Reader
	File
	release func()
}

// Close lets the file's holding go.
func (f *OpenedFile) Close() error { f.release(); return nil }

// ErrFileNotHere: a file not complete on this node yet.
var ErrFileNotHere = errors.New("the file is not here yet")

// OpenFile opens a complete file a joined room names, to read it; for one
// not complete here it starts the fetch and answers ErrFileNotHere with
// the file as it is now.
func (s *Service) OpenFile(hash string) (*OpenedFile, File, error) {
	room, m, err := s.fileNamed(hash)
	if err != nil {
		return nil, File{}, err
	}
	view := *s.fileView(m)
	if view.State != FileComplete {
		s.fetchFile(room, m)
		return nil, *s.fileView(m), ErrFileNotHere
	}
	h, release, err := s.held.acquire(files.Hash(m.File.Hash), nil)
	if err != nil {
		return nil, view, err
	}
	s.usedFile(files.Hash(m.File.Hash))
	var key *files.Key
	if len(m.File.Key) == wire.FileKeySize {
		key = (*files.Key)(m.File.Key)
	}
	r, err := files.NewReader(h, key)
	if err != nil {
		release()
		return nil, view, err
	}
	return &OpenedFile{Reader: r, File: view, release: release}, view, nil
}
