//go:build !nowindow

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"
)

// The window needs a display. GTK panics when it cannot open one, so the
// desktop start checks first and says what to do in one line. The check
// also rides out a display server that is resetting: Xvfb (as xvfb-run
// starts it) resets whenever its last client leaves, and a connection that
// arrives during the reset is dropped, which made about one back-to-back
// start in twenty fail. The check retries through a reset and keeps its
// connection open until the window has its own, so the server has a client
// and cannot reset in between.

// displayWait bounds how long a start waits for a display that refuses or
// drops connections before giving up.
const displayWait = 3 * time.Second

// noWindowHint ends the message of a start that cannot show a window.
const noWindowHint = "Start it from a desktop session, or use --headless."

// openDisplay checks that the window will have a display and returns what
// to close once the window is up (nil when there is nothing to hold).
func openDisplay() (io.Closer, error) {
	if generatingBindings || goruntime.GOOS != "linux" {
		return nil, nil
	}
	display, wayland := os.Getenv("DISPLAY"), os.Getenv("WAYLAND_DISPLAY")
	if !usesX11() {
		if display == "" && wayland == "" {
			return nil, fmt.Errorf("Parley could not open a window: no display (DISPLAY and WAYLAND_DISPLAY are unset). %s", noWindowHint)
		}
		return nil, nil // GTK on Wayland; nothing to probe cheaply
	}
	if display == "" {
		return nil, fmt.Errorf("Parley could not open a window: no display (DISPLAY is unset). %s", noWindowHint)
	}
	conn, err := waitForX(display, xauthorityFile(), time.Now().Add(displayWait))
	var refused *xRefusedError
	if errors.As(err, &refused) {
		return nil, nil // reachable; GTK decides, and a failure is reported by runDesktop
	}
	if err != nil {
		return nil, fmt.Errorf("Parley could not open a window: %v. %s", err, noWindowHint)
	}
	return conn, nil
}

// usesX11 reports whether GTK will talk X11, by the rule Wails applies
// before starting GTK: GDK_BACKEND, else x11 unless the session is another
// type (Wayland).
func usesX11() bool {
	if b := os.Getenv("GDK_BACKEND"); b != "" {
		return b == "x11"
	}
	switch os.Getenv("XDG_SESSION_TYPE") {
	case "", "unspecified", "x11":
		return true
	}
	return false
}

// xauthorityFile is where X clients find their cookies.
func xauthorityFile() string {
	if f := os.Getenv("XAUTHORITY"); f != "" {
		return f
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".Xauthority")
	}
	return ""
}

// xDisplay is where a DISPLAY value points: a host ("" for this machine's
// Unix socket) and a display number.
type xDisplay struct {
	name   string // as given, for messages
	host   string
	number int
}

// parseXDisplay reads DISPLAY values such as ":0", ":99.0", "unix:1",
// "localhost:10.0" or "tcp/host:0".
func parseXDisplay(s string) (xDisplay, error) {
	d := xDisplay{name: s}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return d, fmt.Errorf("DISPLAY %q is not of the form host:number", s)
	}
	d.host = s[:i]
	if _, h, ok := strings.Cut(d.host, "/"); ok {
		d.host = h
	}
	if d.host == "unix" {
		d.host = ""
	}
	num, _, _ := strings.Cut(s[i+1:], ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > 65535-6000 {
		return d, fmt.Errorf("DISPLAY %q has no valid display number", s)
	}
	d.number = n
	return d, nil
}

// dial opens a connection to the display: the abstract and then the file
// Unix socket for a local display, TCP port 6000+n otherwise.
func (d xDisplay) dial(timeout time.Duration) (net.Conn, error) {
	if d.host != "" {
		return net.DialTimeout("tcp", net.JoinHostPort(d.host, strconv.Itoa(6000+d.number)), timeout)
	}
	path := "/tmp/.X11-unix/X" + strconv.Itoa(d.number)
	conn, err := net.DialTimeout("unix", "@"+path, timeout)
	if err == nil {
		return conn, nil
	}
	return net.DialTimeout("unix", path, timeout)
}

// xRefusedError is a display server that answered and said no.
type xRefusedError struct{ reason string }

func (e *xRefusedError) Error() string { return e.reason }

// waitForX connects to display until the X server accepts the connection
// or the deadline passes; it returns the open connection. A server that
// answers and refuses (say, for a cookie this check could not find) gives
// an *xRefusedError at once: it is there, and GTK, with Xlib's own rules,
// may still get in.
func waitForX(display, authFile string, deadline time.Time) (net.Conn, error) {
	d, err := parseXDisplay(display)
	if err != nil {
		return nil, err
	}
	for {
		conn, err := openX(d, authFile)
		var refused *xRefusedError
		switch {
		case err == nil:
			return conn, nil
		case errors.As(err, &refused):
			return nil, err
		case time.Now().After(deadline):
			return nil, fmt.Errorf("no display at %s is reachable", display)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openX connects to the display and completes the X11 connection setup,
// with the display's cookie when authFile has one.
func openX(d xDisplay, authFile string) (net.Conn, error) {
	conn, err := d.dial(time.Second)
	if err != nil {
		return nil, err
	}
	if err := xSetup(conn, d, authFile); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// xSetup sends the connection setup request and reads the server's answer.
func xSetup(conn net.Conn, d xDisplay, authFile string) error {
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	defer conn.SetDeadline(time.Time{})
	name, data := xCookie(authFile, d, conn.RemoteAddr())
	pad := func(n int) int { return (4 - n%4) % 4 }
	req := []byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(req[6:], uint16(len(name)))
	binary.LittleEndian.PutUint16(req[8:], uint16(len(data)))
	req = append(req, name...)
	req = append(req, make([]byte, pad(len(name)))...)
	req = append(req, data...)
	req = append(req, make([]byte, pad(len(data)))...)
	if _, err := conn.Write(req); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return err // dropped, as during a server reset
	}
	more := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(conn, more); err != nil {
		return err
	}
	switch head[0] {
	case 1:
		return nil
	case 0:
		reason := more[:min(int(head[1]), len(more))]
		return &xRefusedError{reason: strings.Join(strings.Fields(string(reason)), " ")}
	default:
		return &xRefusedError{reason: "the server asks for another authentication"}
	}
}

// xCookie finds the MIT-MAGIC-COOKIE-1 for the display in an Xauthority
// file: an entry for this display number, or for any, whose address is
// this host (a local display), the server's IPv4 address (a remote one) or
// any host. None gives an empty name and data.
func xCookie(authFile string, d xDisplay, remote net.Addr) (name, data []byte) {
	const (
		familyInternet = 0
		familyLocal    = 256
		familyWild     = 65535
		magicCookie    = "MIT-MAGIC-COOKIE-1"
	)
	raw, err := os.ReadFile(authFile)
	if err != nil {
		return nil, nil
	}
	hostname, _ := os.Hostname()
	number := strconv.Itoa(d.number)
	field := func() ([]byte, bool) {
		if len(raw) < 2 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(raw))
		if len(raw) < 2+n {
			return nil, false
		}
		f := raw[2 : 2+n]
		raw = raw[2+n:]
		return f, true
	}
	for len(raw) >= 2 {
		family := binary.BigEndian.Uint16(raw)
		raw = raw[2:]
		addr, ok1 := field()
		num, ok2 := field()
		proto, ok3 := field()
		cookie, ok4 := field()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, nil
		}
		if string(proto) != magicCookie || (len(num) > 0 && string(num) != number) {
			continue
		}
		local := d.host == "" || d.host == "localhost" || d.host == hostname
		var ip net.IP
		if tcp, ok := remote.(*net.TCPAddr); ok {
			ip = tcp.IP.To4()
		}
		switch {
		case family == familyWild,
			family == familyLocal && local && string(addr) == hostname,
			family == familyInternet && !local && ip != nil && net.IP(addr).Equal(ip):
			return proto, cookie
		}
	}
	return nil, nil
}
