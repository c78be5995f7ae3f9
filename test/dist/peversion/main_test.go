package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// The fixtures are built here, byte by byte, from the layout Windows
// documents: VS_VERSIONINFO inside a three-level resource tree inside the
// .rsrc section of a minimal PE32+ file.

// verBlock is a version resource node to encode.
type verBlock struct {
	key      string
	fixed    []byte // binary value (VS_FIXEDFILEINFO)
	text     *string
	children []verBlock
}

func utf16z(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(b, 0, 0)
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// encode writes the block; it starts on a 32-bit boundary, as each block
// does within the resource.
func (v verBlock) encode() []byte {
	b := make([]byte, 6)
	b = pad4(append(b, utf16z(v.key)...))
	valueLen, typ := 0, uint16(0)
	switch {
	case v.fixed != nil:
		valueLen = len(v.fixed)
		b = pad4(append(b, v.fixed...))
	case v.text != nil:
		t := utf16z(*v.text)
		valueLen, typ = len(t)/2, 1
		b = append(b, t...)
	default:
		typ = 1 // StringFileInfo and string tables say text, with no value
	}
	for _, c := range v.children {
		b = append(pad4(b), c.encode()...)
	}
	binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
	binary.LittleEndian.PutUint16(b[2:], uint16(valueLen))
	binary.LittleEndian.PutUint16(b[4:], typ)
	return b
}

func fixedInfo(file, product [4]uint16) []byte {
	b := binary.LittleEndian.AppendUint32(nil, fixedSignature)
	b = binary.LittleEndian.AppendUint32(b, 0x00010000) // structure version 1.0
	for _, v := range [][4]uint16{file, product} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v[0])<<16|uint32(v[1]))
		b = binary.LittleEndian.AppendUint32(b, uint32(v[2])<<16|uint32(v[3]))
	}
	return append(b, make([]byte, fixedInfoLen-len(b))...) // flags, OS, type, date
}

func str(s string) *string { return &s }

func versionResource(file, product [4]uint16, strs [][2]string) []byte {
	var table []verBlock
	for _, kv := range strs {
		table = append(table, verBlock{key: kv[0], text: str(kv[1])})
	}
	translation := binary.LittleEndian.AppendUint32(nil, 0x04b00409)
	return verBlock{key: "VS_VERSION_INFO", fixed: fixedInfo(file, product), children: []verBlock{
		{key: "StringFileInfo", children: []verBlock{{key: "040904b0", children: table}}},
		{key: "VarFileInfo", children: []verBlock{{key: "Translation", fixed: translation}}},
	}}.encode()
}

const sectionRVA = 0x1000

// rsrcSection lays out a resource tree with an icon group (type 14) ahead
// of one RT_VERSION resource, as real executables have.
func rsrcSection(version []byte) []byte {
	dir := func(b []byte, ids ...[2]uint32) []byte {
		b = append(b, make([]byte, 12)...)
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(ids)))
		for _, e := range ids {
			b = binary.LittleEndian.AppendUint32(b, e[0])
			b = binary.LittleEndian.AppendUint32(b, e[1])
		}
		return b
	}
	// Offsets: root 0 (2 entries, 32 bytes), version name dir 32, version
	// language dir 56, icon name dir 80, icon data 104, version data 120,
	// icon bytes 136, version bytes 144.
	var b []byte
	b = dir(b, [2]uint32{14, dataIsDirectory | 80}, [2]uint32{rtVersion, dataIsDirectory | 32})
	b = dir(b, [2]uint32{1, dataIsDirectory | 56})
	b = dir(b, [2]uint32{0x409, 120})
	b = dir(b, [2]uint32{1, 104})
	entry := func(b []byte, off, size uint32) []byte {
		b = binary.LittleEndian.AppendUint32(b, sectionRVA+off)
		b = binary.LittleEndian.AppendUint32(b, size)
		return append(b, make([]byte, 8)...)
	}
	b = entry(b, 136, 8)
	b = entry(b, 144, uint32(len(version)))
	b = append(b, "ICONDATA"...)
	return append(b, version...)
}

// peFile wraps a section into a minimal PE32+ image.
func peFile(name string, section []byte) []byte {
	var buf bytes.Buffer
	dos := make([]byte, 64)
	copy(dos, "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], 64)
	buf.Write(dos)
	buf.WriteString("PE\x00\x00")
	opt := pe.OptionalHeader64{Magic: 0x20b, SectionAlignment: 0x1000, FileAlignment: 0x200, NumberOfRvaAndSizes: 16}
	optSize := binary.Size(opt)
	must(binary.Write(&buf, binary.LittleEndian, pe.FileHeader{
		Machine: pe.IMAGE_FILE_MACHINE_AMD64, NumberOfSections: 1, SizeOfOptionalHeader: uint16(optSize),
	}))
	must(binary.Write(&buf, binary.LittleEndian, opt))
	var sh pe.SectionHeader32
	copy(sh.Name[:], name)
	sh.VirtualAddress = sectionRVA
	sh.VirtualSize = uint32(len(section))
	sh.SizeOfRawData = uint32(len(section))
	sh.PointerToRawData = 0x200
	must(binary.Write(&buf, binary.LittleEndian, sh))
	buf.Write(make([]byte, 0x200-buf.Len()))
	buf.Write(section)
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func readBytes(t *testing.T, image []byte) (versionInfo, error) {
	t.Helper()
	f, err := pe.NewFile(bytes.NewReader(image))
	if err != nil {
		t.Fatalf("debug/pe rejects the fixture: %v", err)
	}
	return read(f)
}

func TestRead(t *testing.T) {
	strs := [][2]string{
		{"CompanyName", "Parley"},
		{"ProductName", "Parley"},
		{"ProductVersion", "1.2.3+45.gabc1234.dirty"},
		{"LegalCopyright", "Copyright © 2026"},
		{"Comments", ""},
	}
	image := peFile(".rsrc", rsrcSection(versionResource([4]uint16{1, 2, 3, 45}, [4]uint16{1, 2, 3, 46}, strs)))
	info, err := readBytes(t, image)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	must(info.write(&out))
	want := `fixed.FileVersion=1.2.3.45
fixed.ProductVersion=1.2.3.46
Comments=
CompanyName=Parley
LegalCopyright=Copyright © 2026
ProductName=Parley
ProductVersion=1.2.3+45.gabc1234.dirty
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestReadRejects(t *testing.T) {
	good := versionResource([4]uint16{1, 0, 0, 0}, [4]uint16{1, 0, 0, 0}, [][2]string{{"ProductVersion", "1.0.0"}})
	badSignature := bytes.Clone(good)
	sig := bytes.Index(badSignature, binary.LittleEndian.AppendUint32(nil, fixedSignature))
	badSignature[sig] ^= 0xff
	tooLong := bytes.Clone(good)
	binary.LittleEndian.PutUint16(tooLong, uint16(len(good)+4))
	wrongKey := verBlock{key: "VS_VERSION_INFX", fixed: fixedInfo([4]uint16{}, [4]uint16{})}.encode()

	cases := []struct {
		name  string
		image []byte
		want  string
	}{
		{"no rsrc section", peFile(".text", rsrcSection(good)), "no .rsrc section"},
		{"no version resource", peFile(".rsrc", func() []byte {
			s := rsrcSection(good)
			binary.LittleEndian.PutUint32(s[24:], 24) // RT_VERSION's id becomes RT_HTML
			return s
		}()), "no version resource"},
		{"bad signature", peFile(".rsrc", rsrcSection(badSignature)), "signature"},
		{"block longer than resource", peFile(".rsrc", rsrcSection(tooLong)), "runs past"},
		{"wrong root key", peFile(".rsrc", rsrcSection(wrongKey)), "not VS_VERSION_INFO"},
		{"truncated", peFile(".rsrc", rsrcSection(good[:4])), "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readBytes(t, tc.image)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestMakensis reads the version resource of a tiny installer made by the
// real makensis, when it is installed: another producer than the fixture.
func TestMakensis(t *testing.T) {
	makensis, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt: nsis)")
	}
	dir := t.TempDir()
	script := `Unicode true
OutFile "tiny.exe"
VIProductVersion "4.5.6.7"
VIFileVersion "4.5.6.8"
VIAddVersionKey "ProductName" "Tiny"
VIAddVersionKey "ProductVersion" "4.5.6-rc.1+7.gabc"
VIAddVersionKey "FileVersion" "4.5.6.8"
Section
SectionEnd
`
	if err := os.WriteFile(filepath.Join(dir, "tiny.nsi"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(makensis, "-V1", "tiny.nsi")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("makensis: %v\n%s", err, out)
	}
	info, err := readFile(filepath.Join(dir, "tiny.exe"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dotted(info.FileVersion); got != "4.5.6.8" {
		t.Errorf("file version %s, want 4.5.6.8", got)
	}
	if got := dotted(info.ProductVersion); got != "4.5.6.7" {
		t.Errorf("product version %s, want 4.5.6.7", got)
	}
	if got := info.Strings["ProductVersion"]; got != "4.5.6-rc.1+7.gabc" {
		t.Errorf("ProductVersion string %q, want 4.5.6-rc.1+7.gabc", got)
	}
	if got := info.Strings["ProductName"]; got != "Tiny" {
		t.Errorf("ProductName %q, want Tiny", got)
	}
}

// FuzzParse: no input makes the parser panic or read out of bounds.
func FuzzParse(f *testing.F) {
	f.Add(versionResource([4]uint16{1, 2, 3, 4}, [4]uint16{1, 2, 3, 4}, [][2]string{{"ProductVersion", "1.2.3"}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := parse(data)
		if err == nil && info.Strings == nil && len(data) < fixedInfoLen {
			t.Fatalf("parsed %d bytes, shorter than the fixed info alone", len(data))
		}
	})
}
