package main

import (
	"strings"
	"testing"

	"parley/chat"
)

func TestNotificationText(t *testing.T) {
	m := chat.Message{AuthorName: "Ada", AuthorShort: "abcd1234", Text: strings.Repeat("é", 200)}
	title, body := notification(m, 1, plainNotification)
	if title != "Ada (abcd1234)" || len([]rune(body)) != 141 || !strings.HasSuffix(body, "…") {
		t.Errorf("one message: %q / %q", title, body)
	}
	m.AuthorName = ""
	title, body = notification(m, 3, plainNotification)
	if title != "3 new messages in Parley" || !strings.HasPrefix(body, "Someone: ") {
		t.Errorf("three messages: %q / %q", title, body)
	}
}

// Peer text goes to notifiers that interpret it: freedesktop servers read
// a subset of HTML, Windows builds toast XML and, as a fallback, a
// PowerShell script. What a peer writes must show as text, never as markup
// or code.
func TestNotificationEscapesPeerText(t *testing.T) {
	tests := []struct {
		name        string
		author      string
		text        string
		count       int
		style       notificationStyle
		title, body string
	}{
		{
			name: "markup in the body", author: "Ada", text: `<b>bold</b> & <img src=x onerror=alert(1)> <a href="https://evil.example">link</a>`,
			count: 1, style: markupNotification,
			title: "Ada (abcd1234)",
			body:  `&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; &lt;a href="https://evil.example"&gt;link&lt;/a&gt;`,
		},
		{
			name: "markup in the name", author: "<i>Eve</i> & co", text: "hi",
			count: 1, style: markupNotification,
			title: "&lt;i&gt;Eve&lt;/i&gt; &amp; co (abcd1234)", body: "hi",
		},
		{
			name: "markup in the name of a batch", author: "<u>Eve</u>", text: "a &lt; b",
			count: 2, style: markupNotification,
			title: "2 new messages in Parley", body: "&lt;u&gt;Eve&lt;/u&gt;: a &amp;lt; b",
		},
		{
			name: "entity and numeric reference stay text", author: "Ada", text: "&amp; &#60;b&#62;",
			count: 1, style: markupNotification,
			title: "Ada (abcd1234)", body: "&amp;amp; &amp;#60;b&amp;#62;",
		},
		{
			name: "control and bidi characters", author: "Ad\u202Ea", text: "line one\nline two\r\t\x00end",
			count: 1, style: markupNotification,
			title: "Ada (abcd1234)", body: "line one line two   end",
		},
		{
			name: "CDATA end and PowerShell on Windows", author: "$(calc)", text: "]]><image src='http://x/y.png'/> `$env:USERPROFILE ${x}",
			count: 1, style: toastNotification,
			title: "\uFF04(calc) (abcd1234)", body: "]] ><image src='http://x/y.png'/> \u02CB\uFF04env:USERPROFILE \uFF04{x}",
		},
		{
			name: "plain on macOS", author: "<b>A</b>", text: `say "hi" & <b>bye</b>`,
			count: 1, style: plainNotification,
			title: "<b>A</b> (abcd1234)", body: `say "hi" & <b>bye</b>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := chat.Message{AuthorName: tc.author, AuthorShort: "abcd1234", Text: tc.text}
			title, body := notification(m, tc.count, tc.style)
			if title != tc.title {
				t.Errorf("title = %q, want %q", title, tc.title)
			}
			if body != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
		})
	}
}

// A long message is cut before escaping, so an entity is never cut in half.
func TestNotificationCutsBeforeEscaping(t *testing.T) {
	m := chat.Message{AuthorName: "Ada", AuthorShort: "abcd1234", Text: strings.Repeat("<", 200)}
	_, body := notification(m, 1, markupNotification)
	want := strings.Repeat("&lt;", maxNotificationText) + "…"
	if body != want {
		t.Errorf("body = %q, want %d escaped characters and an ellipsis", body, maxNotificationText)
	}
}
