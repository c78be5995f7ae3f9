package settings

import (
	"os"
	"path/filepath"
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
	if info.Mode().Perm() != 0o600 {
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
