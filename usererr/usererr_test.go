package usererr

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"parley/chat"
	"parley/invite"
)

// Every answer is one sentence for a person, with a code a script can
// match; two codes never share a sentence, and a code always gets the same
// status.
func TestEveryAnswerIsOneSentenceWithACode(t *testing.T) {
	sentences := map[string]string{}
	statuses := map[string]int{}
	all := append([]Answer{Internal}, func() []Answer {
		out := make([]Answer, len(answers))
		for i, a := range answers {
			out[i] = a.Answer
		}
		return out
	}()...)
	for _, a := range all {
		msg := a.Message
		if a.Code == "" || strings.ContainsAny(a.Code, " -_") || !unicode.IsLower([]rune(a.Code)[0]) {
			t.Errorf("%q: code %q is not one lower camel case word", msg, a.Code)
		}
		if strings.Count(msg, ". ")+strings.Count(msg, "\n") > 0 || !strings.HasSuffix(msg, ".") || !unicode.IsUpper([]rune(msg)[0]) {
			t.Errorf("%q is not one sentence", msg)
		}
		if a.Status < 400 || a.Status > 599 {
			t.Errorf("%s: status %d is not an error", a.Code, a.Status)
		}
		if other, ok := sentences[msg]; ok && other != a.Code {
			t.Errorf("%s and %s share the sentence %q", a.Code, other, msg)
		}
		sentences[msg] = a.Code
		if s, ok := statuses[a.Code]; ok && s != a.Status {
			t.Errorf("%s answers with both %d and %d", a.Code, s, a.Status)
		}
		statuses[a.Code] = a.Status
	}
}

// A wrapped error finds its own answer, the most specific one first; an
// error the table does not know is the node's fault.
func TestOfFindsTheMostSpecificAnswer(t *testing.T) {
	tests := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("%w: %w", chat.ErrBadInvite, fmt.Errorf("decode: %w", invite.ErrVersion)), "newerLink"},
		{fmt.Errorf("%w: %w", chat.ErrBadInvite, invite.ErrMalformed), "badLink"},
		{fmt.Errorf("%w: proto: cannot parse invalid wire-format data", chat.ErrBadInvite), "badLink"},
		{fmt.Errorf("history of ab12: %w", chat.ErrNotJoined), "notJoined"},
		{fmt.Errorf("send: %w", BadArgs("Argument 1 is null; give a value.")), "badArgs"},
		{errors.New("badger: no space left on device"), "internal"},
	}
	for _, tc := range tests {
		got := Of(tc.err)
		if got.Code != tc.code {
			t.Errorf("Of(%v) = %s, want %s", tc.err, got.Code, tc.code)
		}
		if strings.Contains(got.Message, "proto") || strings.Contains(got.Message, "badger") {
			t.Errorf("Of(%v) carries the error's detail: %q", tc.err, got.Message)
		}
	}
	if Of(chat.ErrNeedInvite).Status != http.StatusForbidden {
		t.Error("a bare room ID is not answered with 403")
	}
}
