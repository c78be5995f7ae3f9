package release_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wailsapp/wails/v2/pkg/buildassets"
)

// The other tests render the templates as this package understands Wails.
// This one has Wails' own code (the version go.mod pins) render them too and
// asserts the same bytes: a template that only this package's renderer
// accepts, or a change in Wails' template data, fails here.
func TestWailsRendersTheSame(t *testing.T) {
	p, err := loadProject(wailsJSON)
	if err != nil {
		t.Fatal(err)
	}
	// Wails reads build/darwin/<file> from the project's build directory
	// and, when one is missing, writes its own there: give it a copy.
	buildDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(buildDir, "darwin"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []string{infoPlist, infoDevPlist}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(buildDir, "darwin", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Wails' project type is internal to its module: make one by
	// reflection and fill it from the same JSON, with the same defaults.
	readFile := reflect.ValueOf(buildassets.ReadFileWithProjectData)
	projectType := readFile.Type().In(0)
	if projectType.Kind() != reflect.Pointer || projectType.Elem().Kind() != reflect.Struct {
		t.Fatalf("buildassets.ReadFileWithProjectData takes %v, not a pointer to Wails' project: update this test", projectType)
	}
	wp := reflect.New(projectType.Elem())
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, wp.Interface()); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"build:dir":`+string(mustJSON(t, buildDir))+`}`), wp.Interface()); err != nil {
		t.Fatal(err)
	}

	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out := readFile.Call([]reflect.Value{wp, reflect.ValueOf("darwin/" + filepath.Base(f))})
			if err, _ := out[1].Interface().(error); err != nil {
				t.Fatalf("Wails cannot render it: %v", err)
			}
			got := out[0].Bytes()
			want, err := render(f, p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Wails renders\n%s\nthis package\n%s", got, want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
