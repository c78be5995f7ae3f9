// Package instance lets a second start of the desktop app hand over to the
// one already running on the same data dir: it asks the first to bring its
// window to the front, then exits.
package instance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// socketName is the Unix socket in the data dir the running instance
// listens on. (Unix sockets also exist on Windows 10 and later.)
const socketName = "parley.sock"

const activate = "activate\n"

// Listener is the running instance's end.
type Listener struct {
	ln     net.Listener
	wg     sync.WaitGroup
	path   string
	closed chan struct{}
	once   sync.Once
}

// Listen answers activation requests by calling onActivate, until Close or
// until ctx ends. The caller must hold the data dir lock: a socket file
// left by a crashed process is removed here.
func Listen(ctx context.Context, dir string, onActivate func(), log *slog.Logger) (*Listener, error) {
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
			buf := make([]byte, len(activate))
			_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
			n, _ := conn.Read(buf)
			conn.Close()
			if string(buf[:n]) == activate {
				log.Info("second start: bringing the window forward")
				onActivate()
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

// Activate asks the instance running on dir to show its window.
func Activate(dir string) error {
	conn, err := net.DialTimeout("unix", filepath.Join(dir, socketName), 2*time.Second)
	if err != nil {
		return fmt.Errorf("reach the running Parley: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(activate)); err != nil {
		return fmt.Errorf("reach the running Parley: %w", err)
	}
	return nil
}
