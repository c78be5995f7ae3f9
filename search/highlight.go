package search

import (
	"slices"
	"unicode/utf8"
)

// Part is a piece of a highlighted snippet; Match marks what the query
// matched.
type Part struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

// Context around the first match that a snippet keeps, in bytes.
const (
	snippetBefore = 60
	snippetAfter  = 180
)

// Highlight cuts a snippet of text around its first match and splits it
// into matched and unmatched parts. Cut ends are marked with "…".
func Highlight(text string, ranges []Range) []Part {
	ranges = merge(ranges)
	if len(ranges) == 0 {
		return []Part{{Text: cut(text, 0, snippetAfter)}}
	}
	from := runeStart(text, max(0, ranges[0].Start-snippetBefore))
	to := runeStart(text, min(len(text), ranges[0].End+snippetAfter))
	if to < len(text) && to < ranges[0].End {
		to = ranges[0].End
	}
	var parts []Part
	if from > 0 {
		parts = append(parts, Part{Text: "…"})
	}
	at := from
	for _, r := range ranges {
		if r.Start >= to {
			break
		}
		start, end := max(r.Start, at), min(r.End, to)
		if start > at {
			parts = appendText(parts, text[at:start], false)
		}
		if end > start {
			parts = appendText(parts, text[start:end], true)
		}
		at = max(at, end)
	}
	if at < to {
		parts = appendText(parts, text[at:to], false)
	}
	if to < len(text) {
		parts = appendText(parts, "…", false)
	}
	return parts
}

func appendText(parts []Part, s string, match bool) []Part {
	if n := len(parts); n > 0 && parts[n-1].Match == match {
		parts[n-1].Text += s
		return parts
	}
	return append(parts, Part{Text: s, Match: match})
}

// merge sorts ranges and joins those that overlap.
func merge(ranges []Range) []Range {
	ranges = slices.Clone(ranges)
	slices.SortFunc(ranges, func(a, b Range) int { return a.Start - b.Start })
	var out []Range
	for _, r := range ranges {
		if n := len(out); n > 0 && r.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

func cut(text string, from, n int) string {
	if len(text) <= n {
		return text
	}
	return text[from:runeStart(text, n)] + "…"
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
