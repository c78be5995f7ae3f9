// Command peversion prints the version resource of a Windows executable:
// the fixed file and product versions and the strings of its first string
// table, one "key=value" line each, so scripts can check them exactly:
//
//	go run ./test/dist/peversion parley.exe
//	fixed.FileVersion=1.2.3.5
//	fixed.ProductVersion=1.2.3.5
//	CompanyName=Parley
//	ProductVersion=1.2.3+5.gabc1234
//	...
//
// It reads the RT_VERSION resource from the .rsrc section with debug/pe
// only, so it runs on any OS without Windows tools.
package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"unicode/utf16"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: peversion FILE.exe")
		os.Exit(2)
	}
	info, err := readFile(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "peversion: %v\n", err)
		os.Exit(1)
	}
	if err := info.write(os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "peversion: %v\n", err)
		os.Exit(1)
	}
}

// versionInfo is what a VS_VERSIONINFO resource says.
type versionInfo struct {
	FileVersion    [4]uint16
	ProductVersion [4]uint16
	// Strings holds the first StringFileInfo table (e.g. 040904b0).
	Strings map[string]string
}

func (v versionInfo) write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "fixed.FileVersion=%s\nfixed.ProductVersion=%s\n",
		dotted(v.FileVersion), dotted(v.ProductVersion)); err != nil {
		return err
	}
	keys := make([]string, 0, len(v.Strings))
	for k := range v.Strings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := fmt.Fprintf(w, "%s=%s\n", k, v.Strings[k]); err != nil {
			return err
		}
	}
	return nil
}

func dotted(v [4]uint16) string {
	return fmt.Sprintf("%d.%d.%d.%d", v[0], v[1], v[2], v[3])
}

func readFile(path string) (versionInfo, error) {
	f, err := pe.Open(path)
	if err != nil {
		return versionInfo{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	info, err := read(f)
	if err != nil {
		return versionInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

const (
	rtVersion         = 16
	fixedInfoLen      = 52
	fixedSignature    = 0xFEEF04BD
	dataIsDirectory   = 0x80000000
	resourceDirLen    = 16
	resourceEntryLen  = 8
	resourceDataEntry = 16
)

var errNoVersion = errors.New("no version resource (RT_VERSION)")

// read finds the first RT_VERSION resource in f's .rsrc section and
// parses it.
func read(f *pe.File) (versionInfo, error) {
	sec := f.Section(".rsrc")
	if sec == nil {
		return versionInfo{}, errors.New("no .rsrc section")
	}
	rsrc, err := sec.Data()
	if err != nil {
		return versionInfo{}, fmt.Errorf("read .rsrc: %w", err)
	}
	// Three levels: type, name, language. Take the first of each below
	// RT_VERSION: an executable has one version resource.
	off, err := findEntry(rsrc, 0, rtVersion)
	if err != nil {
		return versionInfo{}, err
	}
	for level := 0; level < 2; level++ {
		if off&dataIsDirectory == 0 {
			return versionInfo{}, errors.New("malformed resource tree: data where a directory belongs")
		}
		if off, err = findEntry(rsrc, off&^dataIsDirectory, -1); err != nil {
			return versionInfo{}, err
		}
	}
	if off&dataIsDirectory != 0 {
		return versionInfo{}, errors.New("malformed resource tree: directory where data belongs")
	}
	if uint64(off)+resourceDataEntry > uint64(len(rsrc)) {
		return versionInfo{}, errors.New("resource data entry beyond .rsrc")
	}
	rva := binary.LittleEndian.Uint32(rsrc[off:])
	size := binary.LittleEndian.Uint32(rsrc[off+4:])
	// The data entry holds an address in the loaded image: make it an
	// offset into the section.
	if rva < sec.VirtualAddress || uint64(rva-sec.VirtualAddress)+uint64(size) > uint64(len(rsrc)) {
		return versionInfo{}, fmt.Errorf("version resource at %#x+%d lies outside .rsrc", rva, size)
	}
	start := rva - sec.VirtualAddress
	return parse(rsrc[start : start+size])
}

// findEntry returns the OffsetToData of the entry with the given integer
// id (or of the first entry when id < 0) in the resource directory at dir.
func findEntry(rsrc []byte, dir uint32, id int) (uint32, error) {
	if uint64(dir)+resourceDirLen > uint64(len(rsrc)) {
		return 0, errors.New("resource directory beyond .rsrc")
	}
	named := int(binary.LittleEndian.Uint16(rsrc[dir+12:]))
	ids := int(binary.LittleEndian.Uint16(rsrc[dir+14:]))
	for i := 0; i < named+ids; i++ {
		e := uint64(dir) + resourceDirLen + uint64(i)*resourceEntryLen
		if e+resourceEntryLen > uint64(len(rsrc)) {
			return 0, errors.New("resource directory entry beyond .rsrc")
		}
		name := binary.LittleEndian.Uint32(rsrc[e:])
		data := binary.LittleEndian.Uint32(rsrc[e+4:])
		if id < 0 || (i >= named && name == uint32(id)) {
			return data, nil
		}
	}
	if id == rtVersion {
		return 0, errNoVersion
	}
	return 0, errors.New("empty resource directory")
}

// block is one node of a version resource: wLength, wValueLength, wType,
// a NUL-terminated UTF-16 key, padding to 32 bits, the value, padding, then
// child blocks up to wLength. Offsets are from the start of the resource,
// which is 32-bit aligned.
type block struct {
	key      string
	value    []byte // raw value bytes
	text     bool   // wType 1: value is UTF-16 text
	children []byte // child blocks, from a 32-bit boundary
	base     int    // offset of children within the resource, for alignment
}

func align4(n int) int { return (n + 3) &^ 3 }

// readBlock reads the block starting at data[off:].
func readBlock(data []byte, off int) (block, int, error) {
	if off+6 > len(data) {
		return block{}, 0, errors.New("truncated version block header")
	}
	length := int(binary.LittleEndian.Uint16(data[off:]))
	valueLen := int(binary.LittleEndian.Uint16(data[off+2:]))
	typ := binary.LittleEndian.Uint16(data[off+4:])
	end := off + length
	if length < 6 || end > len(data) {
		return block{}, 0, fmt.Errorf("version block length %d at %d runs past the resource (%d bytes)", length, off, len(data))
	}
	key, p, err := readString(data[:end], off+6)
	if err != nil {
		return block{}, 0, err
	}
	p = align4(p)
	b := block{key: key, text: typ == 1}
	if typ == 1 {
		// Text lengths count UTF-16 units, but some tools write bytes:
		// a text value never runs past its block.
		valueLen = min(valueLen*2, max(end-p, 0))
	}
	if valueLen > 0 {
		if p+valueLen > end {
			return block{}, 0, fmt.Errorf("value of %q runs past its block", key)
		}
		b.value = data[p : p+valueLen]
		p = align4(p + valueLen)
	}
	if p < end {
		b.children = data[p:end]
		b.base = p
	}
	return b, align4(end), nil
}

// readString reads a NUL-terminated UTF-16LE string at data[off:].
func readString(data []byte, off int) (string, int, error) {
	var units []uint16
	for p := off; p+1 < len(data); p += 2 {
		u := binary.LittleEndian.Uint16(data[p:])
		if u == 0 {
			return string(utf16.Decode(units)), p + 2, nil
		}
		units = append(units, u)
	}
	return "", 0, fmt.Errorf("unterminated string at %d", off)
}

// eachChild calls fn for each child block of b within data.
func eachChild(data []byte, b block, fn func(block) error) error {
	if b.children == nil {
		return nil
	}
	end := b.base + len(b.children)
	for p := b.base; p < end; {
		c, next, err := readBlock(data[:end], p)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		p = next
	}
	return nil
}

// parse reads a VS_VERSIONINFO resource.
func parse(data []byte) (versionInfo, error) {
	root, _, err := readBlock(data, 0)
	if err != nil {
		return versionInfo{}, err
	}
	if root.key != "VS_VERSION_INFO" {
		return versionInfo{}, fmt.Errorf("version resource starts with %q, not VS_VERSION_INFO", root.key)
	}
	if len(root.value) < fixedInfoLen {
		return versionInfo{}, fmt.Errorf("fixed file info is %d bytes, want %d", len(root.value), fixedInfoLen)
	}
	fixed := root.value
	if sig := binary.LittleEndian.Uint32(fixed); sig != fixedSignature {
		return versionInfo{}, fmt.Errorf("fixed file info signature %#x, want %#x", sig, fixedSignature)
	}
	u16 := func(off int) uint16 { return binary.LittleEndian.Uint16(fixed[off:]) }
	info := versionInfo{
		// Each version is two DWORDs, most significant first, each holding
		// two numbers (high word first).
		FileVersion:    [4]uint16{u16(10), u16(8), u16(14), u16(12)},
		ProductVersion: [4]uint16{u16(18), u16(16), u16(22), u16(20)},
	}
	err = eachChild(data, root, func(sfi block) error {
		if sfi.key != "StringFileInfo" || info.Strings != nil {
			return nil // VarFileInfo, or a second string table
		}
		return eachChild(data, sfi, func(table block) error {
			if info.Strings != nil {
				return nil
			}
			info.Strings = map[string]string{}
			return eachChild(data, table, func(s block) error {
				if !s.text && len(s.value) > 0 {
					return fmt.Errorf("string %q is not text", s.key)
				}
				units := make([]uint16, 0, len(s.value)/2)
				for i := 0; i+1 < len(s.value); i += 2 {
					units = append(units, binary.LittleEndian.Uint16(s.value[i:]))
				}
				// Values usually end in NUL, which is not part of the text.
				for len(units) > 0 && units[len(units)-1] == 0 {
					units = units[:len(units)-1]
				}
				info.Strings[s.key] = string(utf16.Decode(units))
				return nil
			})
		})
	})
	if err != nil {
		return versionInfo{}, err
	}
	return info, nil
}
