//go:build !nowindow

package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

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

func TestParseXDisplay(t *testing.T) {
	tests := []struct {
		in     string
		host   string
		number int
		bad    bool
	}{
		{in: ":0", number: 0},
		{in: ":99.0", number: 99},
		{in: "unix:1", number: 1},
		{in: "localhost:10.0", host: "localhost", number: 10},
		{in: "tcp/example.lan:2", host: "example.lan", number: 2},
		{in: "nothing", bad: true},
		{in: ":x", bad: true},
		{in: ":-1", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := parseXDisplay(tc.in)
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want error %v", err, tc.bad)
			}
			if !tc.bad && (d.host != tc.host || d.number != tc.number) {
				t.Errorf("got host %q number %d, want %q %d", d.host, d.number, tc.host, tc.number)
			}
		})
	}
}

// startXvfb runs an Xvfb that requires the cookie in the Xauthority file
// it returns, and resets whenever its last client leaves (as under
// xvfb-run). It skips the test where Xvfb and xauth are not installed.
func startXvfb(t *testing.T) (display, authFile string) {
	t.Helper()
	xvfb, err1 := exec.LookPath("Xvfb")
	xauth, err2 := exec.LookPath("xauth")
	if err1 != nil || err2 != nil {
		t.Skip("needs Xvfb and xauth")
	}
	authFile = filepath.Join(t.TempDir(), "Xauthority")
	cookie := make([]byte, 16)
	rand.Read(cookie)
	// Xvfb picks a free display number and writes it to the pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(xvfb, "-displayfd", "3", "-nolisten", "tcp", "-auth", authFile, "-screen", "0", "640x480x24")
	cmd.ExtraFiles = []*os.File{w}
	// The file must exist when the server starts; the entry for the real
	// display number is added once Xvfb has said which it took.
	if out, err := exec.Command(xauth, "-f", authFile, "add", ":0", "MIT-MAGIC-COOKIE-1", hex.EncodeToString(cookie)).CombinedOutput(); err != nil {
		t.Fatalf("xauth: %v: %s", err, out)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display number: %v", err)
	}
	display = ":" + strings.TrimSpace(line)
	if out, err := exec.Command(xauth, "-f", authFile, "add", display, "MIT-MAGIC-COOKIE-1", hex.EncodeToString(cookie)).CombinedOutput(); err != nil {
		t.Fatalf("xauth: %v: %s", err, out)
	}
	return display, authFile
}

// Xvfb resets each time its last client leaves and drops connections that
// arrive meanwhile: a window started right after another closed failed to
// open about once in twenty. The display check rides out the reset and
// holds its connection, so the window's own connection (the second one
// here) always gets in.
func TestDisplayCheckHoldsTheServerForTheWindow(t *testing.T) {
	display, authFile := startXvfb(t)
	d, err := parseXDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	starts := 100
	if testing.Short() { // make test; make test-long starts a hundred
		starts = 30
	}
	failed := 0
	for range starts {
		held, err := waitForX(display, authFile, time.Now().Add(displayWait))
		if err != nil {
			t.Fatalf("display check: %v", err)
		}
		window, err := openX(d, authFile) // what GTK does next
		if err != nil {
			failed++
		} else {
			window.Close()
		}
		held.Close() // the window's last client leaves: the server resets
	}
	if failed > 0 {
		t.Errorf("%d of %d window connections failed after the display check", failed, starts)
	}
}

// Without the cookie the server refuses, and the check reports that
// instead of waiting; an unreachable display is reported after the wait.
func TestDisplayCheckReportsRefusalAndAbsence(t *testing.T) {
	display, _ := startXvfb(t)
	_, err := waitForX(display, filepath.Join(t.TempDir(), "none"), time.Now().Add(displayWait))
	var refused *xRefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.reason, "uthoriz") {
		t.Errorf("no cookie: err = %v, want the server's refusal", err)
	}

	_, err = waitForX(":987", "", time.Now().Add(200*time.Millisecond))
	if err == nil || err.Error() != "no display at :987 is reachable" {
		t.Errorf("absent display: err = %v", err)
	}
}

func TestDesktopWithoutDisplayFailsClearly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux needs DISPLAY or WAYLAND_DISPLAY")
	}
	cmd := parleyCmd(t, "--network", "off", "--data-dir", t.TempDir(), "--listen", "/ip4/127.0.0.1/tcp/0")
	cmd.Env = append(cmd.Env, "DISPLAY=", "WAYLAND_DISPLAY=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Fatalf("parley without a display: err = %v, want a non-zero exit", err)
	}
	if !strings.Contains(stderr.String(), "--headless") {
		t.Errorf("message %q does not point to --headless", stderr.String())
	}
}

// A display that does not exist gets one line saying what to do and a
// non-zero exit, not GTK's panic and a goroutine dump.
func TestDesktopWithUnreachableDisplayFailsClearly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is for Linux")
	}
	display := unusedDisplay(t)
	cmd := parleyCmd(t, "--network", "off", "--data-dir", t.TempDir(), "--listen", "/ip4/127.0.0.1/tcp/0")
	cmd.Env = append(cmd.Env, "DISPLAY="+display, "WAYLAND_DISPLAY=", "GDK_BACKEND=", "XDG_SESSION_TYPE=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Fatalf("parley with DISPLAY=%s: err = %v, want a non-zero exit", display, err)
	}
	out := stdout.String() + stderr.String()
	want := "Parley could not open a window: no display at " + display + " is reachable. Start it from a desktop session, or use --headless.\n"
	if out != want {
		t.Errorf("output = %q, want the one line %q", out, want)
	}
	for _, bad := range []string{"panic", "goroutine"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%s", bad, out)
		}
	}
	if took := time.Since(start); took > displayWait+5*time.Second {
		t.Errorf("took %v to give up on the display", took)
	}
}

// unusedDisplay is an X display name with no server behind it.
func unusedDisplay(t *testing.T) string {
	t.Helper()
	for n := 900; n < 1000; n++ {
		s := strconv.Itoa(n)
		if _, err := os.Stat("/tmp/.X11-unix/X" + s); err != nil {
			if _, err := os.Stat("/tmp/.X" + s + "-lock"); err != nil {
				return ":" + s
			}
		}
	}
	t.Skip("no unused display number between :900 and :999")
	return ""
}
