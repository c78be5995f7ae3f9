package instance

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestSecondStartActivatesTheFirst(t *testing.T) {
	dir := t.TempDir()
	activated := make(chan string, 1)
	l, err := Listen(t.Context(), dir, func(link string) { activated <- link }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A plain second start, then one given an invite link to open.
	for _, link := range []string{"", "parley://join/" + strings.Repeat("A", 1400)} {
		if err := Activate(dir, link); err != nil {
			t.Fatalf("Activate: %v", err)
		}
		select {
		case got := <-activated:
			if got != link {
				t.Fatalf("the running instance got link %.40q, want %.40q", got, link)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the running instance was not activated")
		}
	}
	if err := Activate(dir, "parley://join/a\nactivate"); err == nil {
		t.Error("a link of two lines was sent")
	}
}

func TestActivateWithNobodyRunningFails(t *testing.T) {
	if err := Activate(t.TempDir(), ""); err == nil {
		t.Fatal("Activate succeeded with no instance running")
	}
}
