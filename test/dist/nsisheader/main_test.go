package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeInstaller compiles script with the real makensis, or skips the test
// where NSIS is not installed.
func makeInstaller(t *testing.T, script string) []byte {
	t.Helper()
	makensis, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt: nsis)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.nsi"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(makensis, "-V1", "t.nsi")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("makensis: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "t.exe"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const tinyScript = `Unicode true
OutFile "t.exe"
InstallDir "$PROGRAMFILES64\Tiny"
Section
  WriteRegStr HKLM "Software\Classes\tiny\shell\open\command" "" '"$INSTDIR\tiny.exe" "%1"'
  WriteRegStr HKLM "Software\Classes\tiny" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\tiny" "" "$PLUGINSDIR and $R3"
SectionEnd
`

func TestParse(t *testing.T) {
	data := makeInstaller(t, tinyScript)
	h, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := h.write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nstr \"$INSTDIR\\tiny.exe\" \"%1\"\n",
		"\nstr $PLUGINSDIR and $R3\n",
		// HKLM, key, value name "", data: one instruction.
		"|s:Software\\Classes\\tiny\\shell\\open\\command|0|s:\"$INSTDIR\\tiny.exe\" \"%1\"|",
		"|s:Software\\Classes\\tiny|s:URL Protocol|0|",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestParseRejects(t *testing.T) {
	lzma := makeInstaller(t, "SetCompressor /SOLID lzma\n"+tinyScript)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not an installer", []byte(strings.Repeat("MZ not NSIS ", 200)), "no NSIS header"},
		{"solid lzma", lzma, "inflate header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parse(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// FuzzDecode: no header makes the decoder panic or read out of bounds.
func FuzzDecode(f *testing.F) {
	seed := make([]byte, 4+8*8)
	seed = append(seed, []byte{'a', 0, 3, 0, 0x95, 0x80, 0, 0}...)
	for i, v := range []uint32{4, 0, 0, 0, 0, 0, 68, 4, 76, 0} {
		seed[4+4*i] = byte(v)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := decode(data)
		if err == nil {
			var out strings.Builder
			if err := h.write(&out); err != nil {
				t.Fatal(err)
			}
		}
	})
}
