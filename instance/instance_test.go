package instance

import (
	"log/slog"
	"testing"
	"time"
)

func TestSecondStartActivatesTheFirst(t *testing.T) {
	dir := t.TempDir()
	activated := make(chan struct{}, 1)
	l, err := Listen(t.Context(), dir, func() { activated <- struct{}{} }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := Activate(dir); err != nil {
		t.Fatalf("Activate: %v", err)
	}
	select {
	case <-activated:
	case <-time.After(5 * time.Second):
		t.Fatal("the running instance was not activated")
	}
}

func TestActivateWithNobodyRunningFails(t *testing.T) {
	if err := Activate(t.TempDir()); err == nil {
		t.Fatal("Activate succeeded with no instance running")
	}
}
