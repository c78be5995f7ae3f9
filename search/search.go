// Package search is Parley's full-text matching: how text splits into
// index terms, what a query means, and which parts of a text it matched.
// The index itself lives in the store, keyed by these terms.
package search

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what is indexed and asked: a message of 16 KiB cannot add
// thousands of keys, and a query stays cheap.
const (
	MaxTermSize     = 64  // bytes; longer words are not indexed
	MaxTermsPerText = 512 // distinct terms kept per text
	MaxQuerySize    = 512 // bytes
	MaxQueryParts   = 8   // words and phrases
)

// ErrEmptyQuery is returned for a query with nothing to look for.
var ErrEmptyQuery = errors.New("the search has no words")

// token is one word of a text and where it sits, in bytes.
type token struct {
	term       string
	start, end int
}

// tokens splits text into lower-case words of letters, digits and marks.
func tokens(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, token{term: strings.ToLower(text[start:i]), start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{term: strings.ToLower(text[start:]), start: start, end: len(text)})
	}
	return out
}

// Terms are the distinct index terms of a text, in the order they first
// appear.
func Terms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tokens(text) {
		if len(t.term) > MaxTermSize || seen[t.term] || !utf8.ValidString(t.term) {
			continue
		}
		seen[t.term] = true
		out = append(out, t.term)
		if len(out) == MaxTermsPerText {
			break
		}
	}
	return out
}

// Query is a parsed search: every word must begin some word of the text
// (`dec` finds "decide"), and every phrase must appear word for word.
type Query struct {
	Words   []string
	Phrases [][]string
}

// Parse reads a query: words, and "quoted phrases".
func Parse(q string) (Query, error) {
	if len(q) > MaxQuerySize {
		q = q[:MaxQuerySize]
	}
	var query Query
	for i, part := range strings.Split(q, `"`) {
		words := tokens(part)
		if i%2 == 1 && len(words) > 1 { // inside quotes
			phrase := make([]string, len(words))
			for j, w := range words {
				phrase[j] = w.term
			}
			query.Phrases = append(query.Phrases, phrase)
			continue
		}
		for _, w := range words {
			query.Words = append(query.Words, w.term)
		}
	}
	if len(query.Words)+len(query.Phrases) == 0 {
		return Query{}, ErrEmptyQuery
	}
	if len(query.Words) > MaxQueryParts {
		query.Words = query.Words[:MaxQueryParts]
	}
	if len(query.Phrases) > MaxQueryParts {
		query.Phrases = query.Phrases[:MaxQueryParts]
	}
	return query, nil
}

// Lookup is a term the index can be asked for: postings of the term
// itself (part of a phrase) or of every term it begins (a query word).
type Lookup struct {
	Term   string
	Prefix bool
}

// Lookups lists what the index could be asked for this query, one per
// word and phrase word: every match holds all of them, so the caller asks
// for the one with the fewest postings.
func (q Query) Lookups() []Lookup {
	var out []Lookup
	add := func(term string, prefix bool) {
		if len(term) > MaxTermSize {
			term, prefix = term[:MaxTermSize], true
		}
		out = append(out, Lookup{Term: term, Prefix: prefix})
	}
	for _, w := range q.Words {
		add(w, true)
	}
	for _, p := range q.Phrases {
		for _, w := range p {
			add(w, false)
		}
	}
	return out
}

// Range is a matched stretch of a text, in bytes.
type Range struct{ Start, End int }

// Match reports whether text satisfies the query, and where.
func (q Query) Match(text string) ([]Range, bool) {
	toks := tokens(text)
	var ranges []Range
	for _, w := range q.Words {
		found := false
		for _, t := range toks {
			if strings.HasPrefix(t.term, w) {
				ranges = append(ranges, Range{t.start, t.end}) // the whole word shows
				found = true
			}
		}
		if !found {
			return nil, false
		}
	}
	for _, p := range q.Phrases {
		found := false
		for i := 0; i+len(p) <= len(toks); i++ {
			if phraseAt(toks[i:], p) {
				ranges = append(ranges, Range{toks[i].start, toks[i+len(p)-1].end})
				found = true
			}
		}
		if !found {
			return nil, false
		}
	}
	return ranges, true
}

func phraseAt(toks []token, phrase []string) bool {
	for j, w := range phrase {
		if toks[j].term != w {
			return false
		}
	}
	return true
}
