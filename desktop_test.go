package main

import (
	"strings"
	"testing"

	"parley/chat"
)

func TestNotificationText(t *testing.T) {
	m := chat.Message{AuthorName: "Ada", AuthorShort: "abcd1234", Text: strings.Repeat("é", 200)}
	title, body := notification(m, 1)
	if title != "Ada (abcd1234)" || len([]rune(body)) != 141 || !strings.HasSuffix(body, "…") {
		t.Errorf("one message: %q / %q", title, body)
	}
	m.AuthorName = ""
	title, body = notification(m, 3)
	if title != "3 new messages in Parley" || !strings.HasPrefix(body, "Someone: ") {
		t.Errorf("three messages: %q / %q", title, body)
	}
}
