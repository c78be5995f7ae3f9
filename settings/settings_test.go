package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(dir); err != nil || s != Default() {
		t.Fatalf("first Load = %+v, %v; want defaults", s, err)
	}
	want := Settings{Version: Version, Window: Window{Width: 900, Height: 700, X: 40, Y: 30, Placed: true}}
	if err := want.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
	}
	info, _ := os.Stat(filepath.Join(dir, FileName))
	// (Unix permission bits; Windows keeps the file in the user's profile.)
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %o", info.Mode().Perm())
	}
}

func TestBadFilesFallBackToDefaults(t *testing.T) {
	tests := map[string]string{
		"garbage":       "{not json",
		"tiny window":   `{"version":1,"window":{"width":10,"height":10}}`,
		"far away":      `{"version":1,"window":{"width":800,"height":600,"x":99999999,"y":0}}`,
		"future schema": `{"version":99,"window":{"width":800,"height":600}}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600)
			s, err := Load(dir)
			if err == nil {
				t.Error("no error for a bad file")
			}
			if s != Default() {
				t.Errorf("Load = %+v, want defaults", s)
			}
		})
	}
}

// Two saves at shutdown (the close button and SIGTERM) once raced through
// one temporary name and lost the file. Many concurrent saves must each
// succeed, a reader must always find a whole file, and no temporary file
// may be left behind.
func TestConcurrentSavesKeepAWholeFile(t *testing.T) {
	dir := t.TempDir()
	const savers, rounds = 16, 25
	valid := map[Window]bool{}
	for i := range savers {
		valid[Window{Width: 500 + i, Height: 400 + i, X: i, Y: i, Placed: true}] = true
	}

	stop := make(chan struct{})
	readErrs := make(chan error, 1)
	go func() {
		defer close(readErrs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(filepath.Join(dir, FileName))
			if errors.Is(err, fs.ErrNotExist) {
				continue // before the first save
			}
			if err != nil {
				readErrs <- err
				return
			}
			var s Settings
			if err := json.Unmarshal(data, &s); err != nil || !valid[s.Window] {
				readErrs <- fmt.Errorf("read a torn or unknown file (%v): %q", err, data)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, savers*rounds)
	for i := range savers {
		wg.Go(func() {
			s := Settings{Version: Version, Window: Window{Width: 500 + i, Height: 400 + i, X: i, Y: i, Placed: true}}
			for range rounds {
				if err := s.Save(dir); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := <-readErrs; err != nil {
		t.Error(err)
	}

	got, err := Load(dir)
	if err != nil || !valid[got.Window] {
		t.Errorf("after the saves Load = %+v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left in the data dir: %v, want only %s", names, FileName)
	}
}
