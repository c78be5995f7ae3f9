// Command nsisheader prints what an NSIS installer will do, as compiled into
// it: the strings of its script and its instructions, so a test can check
// the built installer rather than the script it came from.
//
//	go run ./test/dist/nsisheader installer.exe
//	str Software\Classes\parley\shell\open\command
//	op51 0|s:Software\Classes\parley\shell\open\command|0|s:"$INSTDIR\parley.exe" "%1"|1|1
//
// Each "op<N>" line is one instruction: its opcode and six parameters, a
// parameter shown as s:<text> where it is the offset of a string (other
// than the empty one at 0), else as a number. The header does not say which
// parameters are strings, so a small number (a flag, a registry type) may
// show as the string that happens to sit at that offset: match a whole
// instruction, not one parameter. Variables inside strings are shown by
// name ($INSTDIR). Only Unicode installers whose header is not
// solid and compressed with zlib (NSIS's default) are read; others fail.
package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf16"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: nsisheader INSTALLER.exe")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "nsisheader: %v\n", err)
		os.Exit(1)
	}
	h, err := parse(data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nsisheader: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if err := h.write(os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "nsisheader: %v\n", err)
		os.Exit(1)
	}
}

// header is the part of an installer that holds its compiled script.
type header struct {
	strings []string          // in table order
	at      map[uint32]string // string by offset (in UTF-16 units)
	entries []entry
}

type entry struct {
	op     uint32
	params [6]uint32
}

const (
	firstHeaderLen = 28
	signature      = 0xDEADBEEF
	magic          = "NullsoftInst"
	compressedBit  = 0x80000000
	// The header starts with flags, then eight {offset, count} blocks:
	// pages, sections, entries, strings, language tables, ...
	blockEntries = 2
	blockStrings = 3
	blockLangs   = 4
	entryLen     = 28 // opcode and six parameters
)

// parse finds the first header (on a 512-byte boundary after the stub),
// inflates the header after it and reads its strings and instructions.
func parse(data []byte) (header, error) {
	for off := 0; off+firstHeaderLen+4 <= len(data); off += 512 {
		if binary.LittleEndian.Uint32(data[off+4:]) != signature || string(data[off+8:off+20]) != magic {
			continue
		}
		size := binary.LittleEndian.Uint32(data[off+20:])
		raw, err := headerBytes(data[off+firstHeaderLen:], size)
		if err != nil {
			return header{}, err
		}
		return decode(raw)
	}
	return header{}, errors.New("no NSIS header found: not an NSIS installer")
}

func headerBytes(data []byte, size uint32) ([]byte, error) {
	n := binary.LittleEndian.Uint32(data)
	body := data[4:]
	if uint64(n&^compressedBit) > uint64(len(body)) {
		return nil, errors.New("header block runs past the file")
	}
	body = body[:n&^compressedBit]
	if n&compressedBit == 0 {
		return body, nil
	}
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(body)), int64(size)+1))
	if err != nil {
		return nil, fmt.Errorf("inflate header (only zlib, non-solid installers can be read): %w", err)
	}
	if uint32(len(out)) != size {
		return nil, fmt.Errorf("header is %d bytes, the installer says %d", len(out), size)
	}
	return out, nil
}

func decode(h []byte) (header, error) {
	block := func(i int) (uint32, uint32) {
		return binary.LittleEndian.Uint32(h[4+8*i:]), binary.LittleEndian.Uint32(h[8+8*i:])
	}
	if len(h) < 4+8*8 {
		return header{}, errors.New("header too short")
	}
	strStart, _ := block(blockStrings)
	strEnd, _ := block(blockLangs)
	entStart, entCount := block(blockEntries)
	if strStart > strEnd || uint64(strEnd) > uint64(len(h)) || (strEnd-strStart)%2 != 0 {
		return header{}, errors.New("string table out of bounds (not a Unicode installer?)")
	}
	if uint64(entStart)+uint64(entCount)*entryLen > uint64(len(h)) {
		return header{}, errors.New("instructions out of bounds")
	}
	out := header{at: map[uint32]string{}}
	var units []uint16
	first := uint32(0)
	for p := strStart; p < strEnd; p += 2 {
		u := binary.LittleEndian.Uint16(h[p:])
		if u != 0 {
			units = append(units, u)
			continue
		}
		s := render(units)
		out.strings = append(out.strings, s)
		out.at[first] = s
		units, first = nil, (p+2-strStart)/2
	}
	for i := uint32(0); i < entCount; i++ {
		b := h[entStart+i*entryLen:]
		e := entry{op: binary.LittleEndian.Uint32(b)}
		for j := range e.params {
			e.params[j] = binary.LittleEndian.Uint32(b[4+4*j:])
		}
		out.entries = append(out.entries, e)
	}
	return out, nil
}

// NSIS 3 Unicode strings mark variables, shell folders and language
// strings with a code unit below 0x20 followed by one unit holding a
// number, 7 bits in each byte.
const (
	codeLang  = 1
	codeShell = 2
	codeVar   = 3
	codeSkip  = 4
)

var varNames = []string{
	"$0", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9",
	"$R0", "$R1", "$R2", "$R3", "$R4", "$R5", "$R6", "$R7", "$R8", "$R9",
	"$CMDLINE", "$INSTDIR", "$OUTDIR", "$EXEDIR", "$LANGUAGE", "$TEMP",
	"$PLUGINSDIR", "$EXEPATH", "$EXEFILE", "$HWNDPARENT", "$_CLICK", "$_OUTDIR",
}

func render(units []uint16) string {
	var b strings.Builder
	for i := 0; i < len(units); i++ {
		u := units[i]
		if u > codeSkip || u == 0 || i+1 == len(units) {
			b.WriteString(string(utf16.Decode(units[i : i+1])))
			continue
		}
		i++
		arg := units[i]
		n := int(arg&0x7f) | int(arg>>8&0x7f)<<7
		switch u {
		case codeVar:
			if n < len(varNames) {
				b.WriteString(varNames[n])
			} else {
				fmt.Fprintf(&b, "$var%d", n)
			}
		case codeShell:
			fmt.Fprintf(&b, "$shell(%#04x)", arg)
		case codeLang:
			fmt.Fprintf(&b, "$(lang%d)", n)
		case codeSkip:
			b.WriteString(string(utf16.Decode([]uint16{arg})))
		}
	}
	return b.String()
}

// oneLine keeps each string on its own line.
var oneLine = strings.NewReplacer("\\n", "\\\\n", "\n", "\\n", "\r", "\\r")

func (h header) write(w io.Writer) error {
	for _, s := range h.strings {
		if _, err := fmt.Fprintf(w, "str %s\n", oneLine.Replace(s)); err != nil {
			return err
		}
	}
	for _, e := range h.entries {
		parts := make([]string, len(e.params))
		for j, p := range e.params {
			if s, ok := h.at[p]; ok && p != 0 {
				parts[j] = "s:" + oneLine.Replace(s)
			} else {
				parts[j] = fmt.Sprint(p)
			}
		}
		if _, err := fmt.Fprintf(w, "op%d %s\n", e.op, strings.Join(parts, "|")); err != nil {
			return err
		}
	}
	return nil
}
