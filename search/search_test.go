package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerms(t *testing.T) {
	got := Terms("Decide the plan, DECIDE it: café 42 and the 2nd plan")
	want := []string{"decide", "the", "plan", "it", "café", "42", "and", "2nd"}
	if !slices.Equal(got, want) {
		t.Errorf("Terms = %q, want %q", got, want)
	}
	if got := Terms(strings.Repeat("x", MaxTermSize+1) + " ok"); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("an over-long word is indexed: %q", got)
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		query, text string
		match       bool
	}{
		{"dec", "We decided on Tuesday", true},
		{"DEC tues", "We decided on Tuesday", true},
		{"cided", "We decided on Tuesday", false},
		{"dec friday", "We decided on Tuesday", false},
		{`"decided on"`, "We decided on Tuesday", true},
		{`"on decided"`, "We decided on Tuesday", false},
		{`"decided on" we`, "We decided on Tuesday", true},
		{"café", "Meet at the CAFÉ", true},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := Parse(c.query)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := q.Match(c.text); ok != c.match {
				t.Errorf("Match(%q) = %v, want %v", c.text, ok, c.match)
			}
		})
	}
}

func TestParseRefusesAnEmptyQuery(t *testing.T) {
	for _, q := range []string{"", "  ", `""`, "!?"} {
		if _, err := Parse(q); err != ErrEmptyQuery {
			t.Errorf("Parse(%q) = %v, want ErrEmptyQuery", q, err)
		}
	}
}

func TestLookups(t *testing.T) {
	q, _ := Parse(`go "release plan" decision`)
	want := []Lookup{{"go", true}, {"decision", true}, {"release", false}, {"plan", false}}
	if got := q.Lookups(); !slices.Equal(got, want) {
		t.Errorf("Lookups = %v, want %v", got, want)
	}
}

func TestHighlight(t *testing.T) {
	q, _ := Parse("dec")
	text := strings.Repeat("filler words here ", 10) + "and then we decided to ship " + strings.Repeat("more text ", 30)
	ranges, ok := q.Match(text)
	if !ok {
		t.Fatal("no match")
	}
	parts := Highlight(text, ranges)
	if !strings.HasPrefix(parts[0].Text, "…") || !strings.HasSuffix(parts[len(parts)-1].Text, "…") {
		t.Errorf("cut ends are not marked: %v", parts)
	}
	var matched []string
	for _, p := range parts {
		if p.Match {
			matched = append(matched, p.Text)
		}
	}
	if !slices.Equal(matched, []string{"decided"}) {
		t.Errorf("matched parts = %q, want the whole word [decided]", matched)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`dec "release plan"`, "We decided on the release plan")
	f.Add(`"`, "")
	f.Add("é\u0301", "e\u0301é")
	f.Fuzz(func(t *testing.T, query, text string) {
		q, err := Parse(query)
		if err != nil {
			return
		}
		ranges, ok := q.Match(text)
		if !ok {
			return
		}
		var b strings.Builder
		for _, p := range Highlight(text, ranges) {
			b.WriteString(strings.Trim(p.Text, "…"))
		}
		if utf8.ValidString(text) && !utf8.ValidString(b.String()) {
			t.Errorf("highlight of valid text is not UTF-8: %q", b.String())
		}
		for _, r := range ranges {
			if r.Start < 0 || r.End > len(text) || r.Start > r.End {
				t.Fatalf("range %v outside text of %d bytes", r, len(text))
			}
		}
	})
}
