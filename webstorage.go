//go:build !nowindow

package main

import (
	"os"
	"path/filepath"
	"runtime"
)

// webStorageDir is where the window's web storage (theme, drafts, the
// first-run answer, WebKit's caches) lives: inside the data dir, so that
// two data dirs on one computer do not share or overwrite each other's.
func webStorageDir(dataDir string) string { return filepath.Join(dataDir, "webview") }

// keepWebStorageIn points WebKitGTK's storage at dir. It has no setting
// for that through Wails: it derives the place from XDG_DATA_HOME and
// XDG_CACHE_HOME when the window's web view is made. The returned
// function puts the user's own values back once the window is up, so the
// programs Parley starts (the browser for a link) see the user's.
// Elsewhere it does nothing: Windows takes the place as a Wails option,
// and macOS keeps web storage per app.
func keepWebStorageIn(dir string) (restore func()) {
	if runtime.GOOS != "linux" {
		return func() {}
	}
	vars := []string{"XDG_DATA_HOME", "XDG_CACHE_HOME"}
	saved := make(map[string]*string, len(vars))
	for _, v := range vars {
		if old, ok := os.LookupEnv(v); ok {
			saved[v] = &old
		} else {
			saved[v] = nil
		}
	}
	os.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	return func() {
		for v, old := range saved {
			if old == nil {
				os.Unsetenv(v)
			} else {
				os.Setenv(v, *old)
			}
		}
	}
}
