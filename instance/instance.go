// Package instance lets a second start of the desktop app hand over to the
// one already running on the same data dir: it asks the first to bring its
// window to the front, then exits.
package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// socketName is the Unix socket in the data dir the running instance
// listens on. (Unix sockets also exist on Windows 10 and later.)
const socketName = "parley.sock"

// A request is one line: "activate", then optionally a space and an
// invite link the second start was given, to be opened by the first.
const activate = "activate"

// maxRequest bounds a request line: an invite link is at most 1,500 bytes.
const maxRequest = 2048

// Listener is the running instance's end.
type Listener struct {
	ln     net.Listener
	wg     sync.WaitGroup
	path   string
	closed chan struct{}
	once   sync.Once
}

// Listen answers activation requests by calling onActivate with the link
// the second start was given ("" for none), until Close or until ctx ends. The caller must hold the data dir lock: a socket file
// left by a crashed process is removed here.
func Listen(ctx context.Context, dir string, onActivate func(link string), log *slog.Logger) (*Listener, error) {
	path := filepath.Join(dir, socketName)
	_ = os.Remove(path) // stale from a process that was killed; we hold the lock
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen for second starts on %s: %w", path, err)
	}
	l := &Listener{ln: ln, path: path, closed: make(chan struct{})}
	l.wg.Add(2)
	go func() {
		defer l.wg.Done()
		select {
		case <-ctx.Done():
			ln.Close()
		case <-l.closed:
		}
	}()
	go func() {
		defer l.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReaderSize(io.LimitReader(conn, maxRequest), maxRequest).ReadString('\n')
			conn.Close()
			if err != nil {
				continue // cut short or too long: not from a Parley
			}
			verb, link, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
			if verb == activate {
				log.Info("second start: bringing the window forward", "link", link != "")
				onActivate(link)
			}
		}
	}()
	return l, nil
}

// Close stops listening and waits for the listener's goroutines.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	err := l.ln.Close()
	l.wg.Wait()
	_ = os.Remove(l.path)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Activate asks the instance running on dir to show its window and, if
// link is not empty, to open that invite link.
func Activate(dir, link string) error {
	if strings.ContainsAny(link, "\r\n") || len(link) > maxRequest-len(activate)-2 {
		return errors.New("reach the running Parley: the link is not one line of at most 2 KiB")
	}
	req := activate
	if link != "" {
		req += " " + link
	}
	conn, err := net.DialTimeout("unix", filepath.Join(dir, socketName), 2*time.Second)
	if err != nil {
		return fmt.Errorf("reach the running Parley: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(req + "\n")); err != nil {
		return fmt.Errorf("reach the running Parley: %w", err)
	}
	return nil
}
