package chat

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"parley/files"
	"parley/settings"
	"parley/store"
)

// The disk files take: every file held here has a record (store.FileRecord)
// counting its bytes from the moment it is shared or its fetch starts.
// Over the cap, the least recently used files go, never one this node
// shared in the last keepOwnFor; when nothing can go, a fetch pauses
// (File.Full) and sharing is refused (ErrFilesCapReached).
const (
	defaultFilesCap = 5 << 30
	keepOwnFor      = 30 * 24 * time.Hour
	// useEvery: opening a file again within it does not rewrite its
	// record.
	useEvery = time.Hour
)

// Bounds on the limits a person may set, in MiB.
const (
	maxFileMiBLimit = files.MaxSize >> 20
	minCapMiB       = 64
	maxCapMiB       = 1 << 30 // a petabyte: no real bound, only sanity
)

// ErrFilesCapReached: files already take the space the cap allows, and
// none can go to make room.
var ErrFilesCapReached = errors.New("files take all the space allowed for them")

// ErrBadFileLimits: file limits out of their bounds.
var ErrBadFileLimits = errors.New("file limits out of bounds")

// FileLimits are the limits on files, in MiB (SetFileLimits).
type FileLimits struct {
	MaxFileMiB int `json:"maxFileMiB"`
	AutoMiB    int `json:"autoMiB"`
	CapMiB     int `json:"capMiB"`
}

// FilesUsage is the disk files take here (FilesUsage).
type FilesUsage struct {
	Used  int64 `json:"used"`
	Cap   int64 `json:"cap"`
	Files int   `json:"files"`
}

var defaultFileLimits = FileLimits{MaxFileMiB: defaultMaxFileSize >> 20, AutoMiB: defaultAutoFetchSize >> 20, CapMiB: defaultFilesCap >> 20}

func (l FileLimits) check() error {
	switch {
	case l.MaxFileMiB < 1 || l.MaxFileMiB > maxFileMiBLimit:
		return fmt.Errorf("%w: the largest file is 1 to %d MB, not %d", ErrBadFileLimits, maxFileMiBLimit, l.MaxFileMiB)
	case l.AutoMiB < 0 || l.AutoMiB > l.MaxFileMiB:
		return fmt.Errorf("%w: files downloaded by themselves are 0 to %d MB, not %d", ErrBadFileLimits, l.MaxFileMiB, l.AutoMiB)
	case l.CapMiB < max(minCapMiB, l.MaxFileMiB) || l.CapMiB > maxCapMiB:
		return fmt.Errorf("%w: the space for files must be at least %d MB, not %d", ErrBadFileLimits, max(minCapMiB, l.MaxFileMiB), l.CapMiB)
	}
	return nil
}

// loadFileLimits puts the saved limits in use; unusable ones are logged
// and the defaults used.
func (s *Service) loadFileLimits() {
	saved, ok, err := settings.LoadFiles(s.dir.Path)
	l := FileLimits(saved)
	if err == nil && ok {
		err = l.check()
	}
	if err != nil || !ok {
		if err != nil {
			s.log.Warn("saved file limits not used; using the defaults", "err", err)
		}
		l = defaultFileLimits
	}
	s.mu.Lock()
	s.fileLimits = l
	s.mu.Unlock()
}

func (s *Service) limits() FileLimits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fileLimits
}

// MaxFileSize is the largest file this node shares or fetches.
func (s *Service) MaxFileSize() int64 { return int64(s.limits().MaxFileMiB) << 20 }

func (s *Service) autoFetchSize() int64 { return int64(s.limits().AutoMiB) << 20 }

func (s *Service) filesCap() int64 { return int64(s.limits().CapMiB) << 20 }

// FileLimits returns the limits on files.
func (s *Service) FileLimits() FileLimits { return s.limits() }

// SetFileLimits sets and saves the limits on files: the largest file
// shared or fetched, the largest fetched by itself (0: none), and the
// space files may take, all in MiB. Lowering the cap makes room at once
// where it can.
func (s *Service) SetFileLimits(maxFileMiB, autoMiB, capMiB int) (FileLimits, error) {
	l := FileLimits{MaxFileMiB: maxFileMiB, AutoMiB: autoMiB, CapMiB: capMiB}
	if err := l.check(); err != nil {
		return FileLimits{}, err
	}
	if err := settings.Files(l).Save(s.dir.Path); err != nil {
		return FileLimits{}, err
	}
	s.mu.Lock()
	s.fileLimits = l
	s.mu.Unlock()
	if err := s.makeRoom(0, files.Hash{}); err != nil && !errors.Is(err, ErrFilesCapReached) {
		s.log.Warn("make room under the new cap failed", "err", err)
	}
	s.wakeAllFetches()
	return l, nil
}

// FilesUsage says how much disk the files held here take, against the cap.
func (s *Service) FilesUsage() (FilesUsage, error) {
	records, err := s.store.FileRecords()
	if err != nil {
		return FilesUsage{}, err
	}
	u := FilesUsage{Cap: s.filesCap()}
	for _, r := range records {
		if !r.Removed {
			u.Used += r.Stored
			u.Files++
		}
	}
	return u, nil
}

// holdFile counts a file's bytes against the cap before they are written
// (a share, or a fetch starting), making room if it must.
func (s *Service) holdFile(hash files.Hash, stored int64, sent bool) error {
	s.storageMu.Lock()
	defer s.storageMu.Unlock()
	r, ok, err := s.store.FileRecordOf(hash)
	if err != nil {
		return err
	}
	if ok && !r.Removed && r.Stored >= stored {
		if sent && r.Sent.IsZero() {
			r.Sent = time.Now()
			return s.store.PutFileRecord(r)
		}
		return nil
	}
	if err := s.makeRoomLocked(stored-max(r.Stored, 0), hash); err != nil {
		return err
	}
	r = store.FileRecord{Hash: hash, Stored: stored, LastUse: time.Now(), Sent: r.Sent}
	if sent {
		r.Sent = r.LastUse
	}
	return s.store.PutFileRecord(r)
}

// usedFile notes that a file was opened or fetched whole here, for the
// least-recently-used order.
func (s *Service) usedFile(hash files.Hash) {
	s.storageMu.Lock()
	defer s.storageMu.Unlock()
	r, ok, err := s.store.FileRecordOf(hash)
	if err != nil || !ok || r.Removed || time.Since(r.LastUse) < useEvery {
		return
	}
	r.LastUse = time.Now()
	if err := s.store.PutFileRecord(r); err != nil {
		s.log.Warn("note a file's use failed", "err", err)
	}
}

func (s *Service) makeRoom(need int64, keep files.Hash) error {
	s.storageMu.Lock()
	defer s.storageMu.Unlock()
	return s.makeRoomLocked(need, keep)
}

// makeRoomLocked removes the least recently used files until need more
// bytes fit under the cap, sparing keep, what is in use, and what this
// node shared lately.
func (s *Service) makeRoomLocked(need int64, keep files.Hash) error {
	records, err := s.store.FileRecords()
	if err != nil {
		return err
	}
	var used int64
	var goable []store.FileRecord
	for _, r := range records {
		if r.Removed {
			continue
		}
		used += r.Stored
		if r.Hash != keep && time.Since(r.Sent) > keepOwnFor && s.fetchOf(r.Hash) == nil {
			goable = append(goable, r)
		}
	}
	limit := s.filesCap()
	if used+need <= limit {
		return nil
	}
	slices.SortFunc(goable, func(a, b store.FileRecord) int { return a.LastUse.Compare(b.LastUse) })
	for _, r := range goable {
		if used+need <= limit {
			break
		}
		removed, err := s.removeHeld(r, false)
		if err != nil {
			return err
		}
		if removed {
			s.log.Info("file removed to make room", "file", files.Hash(r.Hash).String()[:8], "bytes", r.Stored)
			used -= r.Stored
		}
	}
	if used+need > limit {
		return ErrFilesCapReached
	}
	return nil
}

// removeHeld removes a file's bytes from the disk and marks its record
// removed; one in use is removed only when forced.
func (s *Service) removeHeld(r store.FileRecord, force bool) (bool, error) {
	dir := filepath.Join(s.filesRoot(), files.Hash(r.Hash).String())
	if removed, err := s.held.remove(r.Hash, force, func() error { return os.RemoveAll(dir) }); !removed {
		return false, err
	}
	r.Stored, r.Removed = 0, true
	return true, s.store.PutFileRecord(r)
}

// RemoveFile removes a file's bytes from this computer; its messages stay,
// and FetchFile gets it again.
func (s *Service) RemoveFile(hash string) (File, error) {
	room, m, err := s.fileNamed(hash)
	if err != nil {
		return File{}, err
	}
	h := files.Hash(m.File.Hash)
	if run := s.fetchOf(h); run != nil {
		run.cancel()
		<-run.done
	}
	s.storageMu.Lock()
	r, ok, err := s.store.FileRecordOf(h)
	if err == nil {
		if !ok {
			r = store.FileRecord{Hash: h}
		}
		_, err = s.removeHeld(r, true)
	}
	s.storageMu.Unlock()
	if err != nil {
		return File{}, fmt.Errorf("remove the file: %w", err)
	}
	s.wakeAllFetches()
	view := *s.fileView(m)
	s.bus.publish(Event{Name: EventFile, Data: FileProgress{Hash: view.Hash, Room: room.String(), State: view.State, Size: view.Size, Removed: view.Removed}})
	return view, nil
}

// RemoveFilesOlderThan removes the files fetched here (not those this
// node shared in the last 30 days) last used more than days ago, and says
// how many went and the bytes freed.
func (s *Service) RemoveFilesOlderThan(days int) (RemovedFiles, error) {
	if days < 0 {
		return RemovedFiles{}, fmt.Errorf("%w: give an age of 0 days or more, not %d", ErrBadFileLimits, days)
	}
	s.storageMu.Lock()
	defer s.storageMu.Unlock()
	records, err := s.store.FileRecords()
	if err != nil {
		return RemovedFiles{}, err
	}
	before := time.Now().Add(-time.Duration(days) * 24 * time.Hour)
	var out RemovedFiles
	for _, r := range records {
		if r.Removed || !r.LastUse.Before(before) || time.Since(r.Sent) <= keepOwnFor || s.fetchOf(r.Hash) != nil {
			continue
		}
		removed, err := s.removeHeld(r, false)
		if err != nil {
			return out, fmt.Errorf("remove old files: %w", err)
		}
		if removed {
			out.Files++
			out.Freed += r.Stored
		}
	}
	return out, nil
}

// RemovedFiles is what RemoveFilesOlderThan removed.
type RemovedFiles struct {
	Files int   `json:"files"`
	Freed int64 `json:"freed"`
}

// fileRemoved says whether a file was here and was removed.
func (s *Service) fileRemoved(hash files.Hash) bool {
	r, ok, err := s.store.FileRecordOf(hash)
	return err == nil && ok && r.Removed
}

// recordHeldFiles gives every holding on disk without a record one (files
// held before records were kept, or whose record was lost), so the cap
// counts them.
func (s *Service) recordHeldFiles() {
	entries, err := os.ReadDir(s.filesRoot())
	if err != nil {
		return // no files yet
	}
	for _, e := range entries {
		hash, err := files.ParseHash(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		if _, ok, err := s.store.FileRecordOf(hash); err != nil || ok {
			continue
		}
		plan, err := files.ReadPlan(s.filesRoot(), hash)
		if err != nil {
			continue
		}
		if err := s.store.PutFileRecord(store.FileRecord{Hash: hash, Stored: plan.StoredSize(), LastUse: time.Now()}); err != nil {
			s.log.Warn("record a held file failed", "err", err)
		}
	}
}

// dropUnrecorded removes a file's folder when no record counts it (a
// share refused for want of room).
func (s *Service) dropUnrecorded(hash files.Hash) {
	if _, ok, err := s.store.FileRecordOf(hash); err == nil && !ok {
		dir := filepath.Join(s.filesRoot(), hash.String())
		if _, err := s.held.remove(hash, false, func() error { return os.RemoveAll(dir) }); err != nil {
			s.log.Warn("remove a refused file failed", "err", err)
		}
	}
}

// MaxFilesPage caps Files.
const MaxFilesPage = 200

// Files lists the file messages of a room, newest first (one for each file
// the room names: its newest message).
func (s *Service) Files(roomID string, limit int) ([]Message, error) {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return nil, err
	}
	refs, err := s.store.FilesOf(id)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(refs, func(a, b store.FileRef) int { return b.Position.Compare(a.Position) })
	limit = min(max(limit, 1), MaxFilesPage)
	out := make([]Message, 0, min(len(refs), limit))
	for _, ref := range refs {
		if len(out) == limit {
			break
		}
		if m, ok := s.fileMessage(id, ref); ok {
			out = append(out, s.view(m, nil))
		}
	}
	return s.withStates(id, out), nil
}
