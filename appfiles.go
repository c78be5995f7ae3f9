//go:build !nowindow

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pkg/browser"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"parley/chat"
	"parley/usererr"
)

// Files in the desktop window: what the person picks or drops arrives as
// paths (never as bytes across the bindings), is shared from disk, and a
// file saved or opened is copied out of Parley's own folder first.

// LocalFile is a file on this computer, picked or dropped to be shared.
type LocalFile struct {
	Path string `json:"path"`
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// localFileError: a path the window gave that cannot be shared, said in
// one sentence.
func localFileError(path string, err error) error {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usererr.Answer{Code: "localFile", Message: fmt.Sprintf("%s is no longer there; pick it again.", name), Status: http.StatusBadRequest}
	case errors.Is(err, errFolder):
		return usererr.Answer{Code: "localFile", Message: fmt.Sprintf("%s is a folder; share the files in it instead.", name), Status: http.StatusBadRequest}
	}
	return usererr.Answer{Code: "localFile", Message: fmt.Sprintf("Parley could not read %s; check that you may open it.", name), Status: http.StatusBadRequest}
}

var errFolder = errors.New("a folder")

func statLocal(path string) (LocalFile, error) {
	info, err := os.Stat(path)
	if err == nil && !info.Mode().IsRegular() {
		err = errFolder
	}
	if err != nil {
		return LocalFile{}, localFileError(path, err)
	}
	return LocalFile{Path: path, Name: filepath.Base(path), Size: info.Size()}, nil
}

// PickFiles asks the person for files to share; none when they cancel.
func (a *App) PickFiles() ([]LocalFile, error) {
	paths, err := runtime.OpenMultipleFilesDialog(a.ctx, runtime.OpenDialogOptions{Title: "Share files"})
	if err != nil {
		return nil, a.userError("PickFiles", err)
	}
	return a.LocalFiles(paths)
}

// LocalFiles describes files dropped on the window (paths from the drop).
func (a *App) LocalFiles(paths []string) ([]LocalFile, error) {
	out := make([]LocalFile, 0, len(paths))
	for _, p := range paths {
		f, err := statLocal(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// ShareFile shares a file on this computer in a room, with an optional
// caption; one over the limit is refused before a byte is read.
func (a *App) ShareFile(roomID, path, caption string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	local, err := statLocal(path)
	if err != nil {
		return chat.Message{}, err
	}
	if limit := a.svc.MaxFileSize(); local.Size > limit {
		return chat.Message{}, a.userError("ShareFile", &chat.FileTooLargeError{Size: local.Size, Limit: limit})
	}
	f, err := os.Open(path)
	if err != nil {
		return chat.Message{}, localFileError(path, err)
	}
	defer f.Close()
	msg, err := a.svc.SendFile(a.ctx, roomID, local.Name, caption, f)
	return msg, a.userError("ShareFile", err)
}

// SaveFileAs asks where to save a complete file and copies it there; it
// returns the path, or "" when the person cancelled.
func (a *App) SaveFileAs(hash string) (string, error) {
	if a.svc == nil {
		return "", errNoService
	}
	f, _, err := a.svc.OpenFile(hash)
	if err != nil {
		return "", a.userError("SaveFileAs", err)
	}
	defer f.Close()
	path, err := runtime.SaveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Save file", DefaultFilename: f.Name})
	if err != nil || path == "" {
		return "", a.userError("SaveFileAs", err)
	}
	if err := copyOut(f, path); err != nil {
		return "", a.userError("SaveFileAs", err)
	}
	return path, nil
}

// OpenWithSystem opens a complete file in the program the system chooses
// for it, from a copy under the data dir (the window asks first for
// programs and scripts).
func (a *App) OpenWithSystem(hash string) error {
	if a.svc == nil {
		return errNoService
	}
	f, view, err := a.svc.OpenFile(hash)
	if err != nil {
		return a.userError("OpenWithSystem", err)
	}
	defer f.Close()
	path := filepath.Join(a.svc.DataDir(), "opened", view.Hash[:16], view.Name)
	if info, err := os.Stat(path); err != nil || info.Size() != view.Size {
		if err := copyOut(f, path); err != nil {
			return a.userError("OpenWithSystem", err)
		}
	}
	return a.userError("OpenWithSystem", browser.OpenFile(path))
}

// copyOut writes a file's bytes to path, whole or not at all.
func copyOut(r io.Reader, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("make the folder to save into: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".parley-*")
	if err != nil {
		return fmt.Errorf("save the file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("save the file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the file: %w", err)
	}
	return nil
}
