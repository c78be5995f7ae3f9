//go:build nowindow

package main

import (
	"fmt"
	"io"
	"log/slog"
)

// hasWindow: this build has no window; it runs headless by default.
const hasWindow = false

func runWindow(_ flags, _ *slog.Logger, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "parley: this build of Parley has no window (it is made for servers and helper nodes); run it without --headless=false, or install the desktop app")
	return 2
}
