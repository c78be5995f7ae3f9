package wire

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Name limits, counted in characters as CleanName counts them: a base rune
// with the runes that attach to it (combining marks, variation selectors,
// skin tones, tag runes, and whatever follows a zero-width joiner), so an
// emoji sequence such as 👨‍👩‍👧‍👦 is one character.
const (
	MaxNameChars     = 40 // display names
	MaxRoomNameChars = 80 // room names
	// MaxCharBytes is the byte budget per character: the longest emoji
	// sequences (a kiss or couple with two skin tones, 35 bytes of UTF-8)
	// fit, so a name of emoji alone reaches its character limit first.
	MaxCharBytes = 36
	// MaxAttached bounds the runes attached to one base rune: more than any
	// emoji sequence or script needs, few enough that stacked marks
	// ("Zalgo" text) cannot smear over the rest of the screen.
	MaxAttached = 12
	// MaxNameSize and MaxRoomNameBytes bound names in bytes, checked before
	// any other work.
	MaxNameSize      = MaxNameChars * MaxCharBytes     // 1440
	MaxRoomNameBytes = MaxRoomNameChars * MaxCharBytes // 2880
)

// ErrBadName is wrapped by every error CleanName returns.
var ErrBadName = errors.New("bad name")

// CleanName is the one rule for display names and room names, applied when
// a name is set here and when one arrives from a peer. It normalises the name
// to NFC and trims surrounding spaces, then refuses it if it is not UTF-8, is
// empty, has more than maxChars characters (or maxChars*MaxCharBytes bytes),
// holds a control character, a line or paragraph separator, a bidirectional
// embedding, override or isolate (they reorder the text around them), an
// invisible filler or spacer (U+200B, U+2060, U+FEFF, U+00AD, U+3164 and
// the like), a noncharacter, more than MaxAttached runes attached to one
// character, or nothing visible at all. Joiners, variation selectors and
// bidi marks stay allowed inside a name: emoji and many scripts need them.
func CleanName(s string, maxChars int) (string, error) {
	maxBytes := maxChars * MaxCharBytes
	if len(s) > maxBytes {
		return "", fmt.Errorf("%w: %d bytes, limit %d", ErrBadName, len(s), maxBytes)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not UTF-8", ErrBadName)
	}
	s = strings.TrimFunc(norm.NFC.String(s), isBlank)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrBadName)
	}
	if len(s) > maxBytes { // NFC may lengthen a few strings
		return "", fmt.Errorf("%w: %d bytes, limit %d", ErrBadName, len(s), maxBytes)
	}
	var (
		chars, attached int
		visible         bool
		prev            rune = -1
		joined          bool // the previous rune was a zero-width joiner
		pairOpen        bool // an unpaired regional indicator starts this character
	)
	for _, r := range s {
		if reason := forbidden(r); reason != "" {
			return "", fmt.Errorf("%w: %s %U", ErrBadName, reason, r)
		}
		if prev >= 0 && (joined || attaches(r, prev) || (pairOpen && isRegional(r))) {
			attached++
			if attached > MaxAttached {
				return "", fmt.Errorf("%w: more than %d marks or joined runes on one character", ErrBadName, MaxAttached)
			}
			pairOpen = false
		} else {
			chars++
			attached = 0
			pairOpen = isRegional(r)
		}
		joined = r == zwj
		prev = r
		if !visible && isVisible(r) {
			visible = true
		}
	}
	if chars > maxChars {
		return "", fmt.Errorf("%w: %d characters, limit %d", ErrBadName, chars, maxChars)
	}
	if !visible {
		return "", fmt.Errorf("%w: nothing visible", ErrBadName)
	}
	return s, nil
}

const (
	zwj          = '\u200D'
	brailleBlank = '\u2800'
)

// forbidden says why a rune may not appear in a name, or "" if it may.
func forbidden(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "control character"
	case r == '\u2028' || r == '\u2029':
		return "line separator"
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return "bidirectional control"
	case r >= '\u206A' && r <= '\u206F', r >= '\uFFF9' && r <= '\uFFFB':
		return "format control"
	case isFiller(r):
		return "invisible character"
	case unicode.Is(unicode.Noncharacter_Code_Point, r):
		return "noncharacter"
	}
	return ""
}

// isFiller reports the invisible runes that have no use in a name but to
// pad or fake one: zero-width space and word joiner, byte order mark, soft
// hyphen, invisible math operators, Mongolian vowel separator, Hangul
// fillers.
func isFiller(r rune) bool {
	switch r {
	case '\u200B', '\u2060', '\uFEFF', '\u00AD', '\u180E',
		'\u115F', '\u1160', '\u3164', '\uFFA0':
		return true
	}
	return r >= '\u2061' && r <= '\u2064'
}

// attaches reports whether r belongs to the character before it rather than
// starting a new one.
func attaches(r, prev rune) bool {
	switch {
	case unicode.IsMark(r): // combining marks, variation selectors, keycaps
		return true
	case r == zwj || r == '\u200C':
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin tones
		return true
	case r >= 0xE0020 && r <= 0xE007F: // tag runes of subdivision flags
		return true
	case unicode.Is(unicode.Cf, r): // bidi marks and other format runes
		return true
	case isHangulJamo(r) && isHangulJamo(prev): // archaic syllables NFC leaves apart
		return true
	}
	return false
}

func isHangulJamo(r rune) bool {
	return (r >= 0x1100 && r <= 0x11FF) || (r >= 0xA960 && r <= 0xA97F) || (r >= 0xD7B0 && r <= 0xD7FF)
}

// isRegional reports the regional indicator letters; two make a flag.
func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isBlank reports what is trimmed from both ends: spaces and the blank
// Braille pattern, which renders as one.
func isBlank(r rune) bool { return unicode.IsSpace(r) || r == brailleBlank }

// isVisible reports a rune that draws something by itself: a letter, digit,
// punctuation or symbol that is neither blank nor default-ignorable.
func isVisible(r rune) bool {
	if r == brailleBlank || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) {
		return false
	}
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
}
