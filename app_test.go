//go:build !nowindow

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"unicode"

	"parley/chat"
	"parley/settings"
	"parley/usererr"
)

// Each error the service can give for a user's mistake has its own
// sentence; anything else gets the generic one. None carries the detail
// of the error it came from.
func TestUserMessages(t *testing.T) {
	// Wrapped the way the service and its packages wrap them, with detail
	// that must stay in the log.
	detail := "/root/.config/Parley/store/000001.vlog /ip4/10.1.2.3/tcp/4001/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo badger"
	tests := []struct {
		name string
		err  error
		want string // a word the sentence must hold
	}{
		{"not joined", fmt.Errorf("history of %s: %w (%s)", "ab12", chat.ErrNotJoined, detail), "join it first"},
		{"bad room ID", fmt.Errorf("%w: %w", chat.ErrBadRoomID, errors.New("encoding/hex: invalid byte "+detail)), "room ID"},
		{"empty message", chat.ErrEmptyMessage, "empty"},
		{"too long", fmt.Errorf("%w: 20000 bytes, at most 16384 (%s)", chat.ErrTooLong, detail), "too long"},
		{"bad name", fmt.Errorf("%w: a display name has 1 to 40 characters (%s)", chat.ErrBadName, detail), "1 to 40 characters"},
		{"connect", fmt.Errorf("%w: %w", chat.ErrConnect, errors.New("failed to dial "+detail)), "connect"},
		{"unknown cursor", fmt.Errorf("%w: %w", chat.ErrUnknownCursor, errors.New("Key not found "+detail)), "reopen the room"},
		{"store failure", fmt.Errorf("store put: %w", &fs.PathError{Op: "write", Path: "/root/.config/Parley/store/000001.vlog", Err: errors.New("badger: no space left on device")}), "Something went wrong"},
		{"no service", errNoService, "Something went wrong"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			a := newApp(nil, settings.Default(), slog.New(slog.NewTextHandler(&logs, nil)))
			got := a.userError("Send", tc.err)
			if got == nil {
				t.Fatal("userError returned nil for an error")
			}
			msg := got.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
			if strings.Count(msg, ". ")+strings.Count(msg, "\n") > 0 || !strings.HasSuffix(msg, ".") || !unicode.IsUpper([]rune(msg)[0]) {
				t.Errorf("message %q is not one sentence", msg)
			}
			for _, leak := range []string{"badger", "/root", ".vlog", "/ip4", "10.1.2.3", "12D3Koo", "store put", "hex", "Key not found", "16384"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q leaks %q", msg, leak)
				}
			}
			// The full error, with its detail, is in the log instead.
			if !strings.Contains(logs.String(), "method=Send") || !strings.Contains(logs.String(), tail(tc.err.Error(), 12)) {
				t.Errorf("log does not carry the error: %s", logs.String())
			}
			if other, dup := seen[msg]; dup && msg != usererr.Internal.Message {
				t.Errorf("%s and %s get the same message", tc.name, other)
			}
			seen[msg] = tc.name
		})
	}
	if a := newApp(nil, settings.Default(), slog.New(slog.DiscardHandler)); a.userError("Send", nil) != nil {
		t.Error("userError(nil) is not nil")
	}
}

// A bound method on a real service gives the window the sentence, not the
// service's error text.
func TestBoundMethodsReturnUserMessages(t *testing.T) {
	svc, err := chat.Open(t.Context(), chat.Options{DataDir: t.TempDir(), Network: "off", ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	var logs bytes.Buffer
	a := newApp(svc, settings.Default(), slog.New(slog.NewTextHandler(&logs, nil)))
	a.ctx = t.Context()

	room := strings.Repeat("ab", 32)
	if _, err := a.Send(room, "hello"); err == nil || err.Error() != usererr.Of(chat.ErrNotJoined).Message {
		t.Errorf("Send to a room not joined: %v", err)
	}
	if _, err := a.JoinRoom("not-a-room", "x"); err == nil || err.Error() != usererr.Of(chat.ErrBadRoomID).Message {
		t.Errorf("JoinRoom with a bad ID: %v", err)
	}
	if err := a.Connect("/ip4/127.0.0.1/tcp/1"); err == nil || err.Error() != usererr.Of(chat.ErrBadAddress).Message {
		t.Errorf("Connect to an address without a peer ID: %v", err)
	}
	if _, err := a.SetName(strings.Repeat("n", 100)); err == nil || err.Error() != usererr.Of(chat.ErrBadName).Message {
		t.Errorf("SetName too long: %v", err)
	}
	if !strings.Contains(logs.String(), "method=Connect") || !strings.Contains(logs.String(), chat.ErrBadAddress.Error()) {
		t.Errorf("the log lacks the detail of the failed Connect:\n%s", logs.String())
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string { return s[max(0, len(s)-n):] }
