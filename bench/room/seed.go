package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"parley/wire"
)

// seedStore fills a data dir under root with the room and msgs signed
// messages from a few made-up authors, using the test/seedroom tool, and
// returns the room's ID and the store's directory. Every member starts
// with a copy of that store: the room is joined and its history held
// before the first connection, as in a room that has been going for a while.
func seedStore(ctx context.Context, seedroom, root string, msgs int) (room, storeDir string, err error) {
	dir := filepath.Join(root, "seed")
	cmd := exec.CommandContext(ctx, seedroom, "--data-dir", dir, "--room", roomName, "--n", strconv.Itoa(msgs))
	out, err := cmd.Output()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", "", fmt.Errorf("seed %d messages: %w", msgs, err)
	}
	room = strings.TrimSpace(string(out))
	if _, err := wire.ParseRoomID(room); err != nil {
		return "", "", fmt.Errorf("seed %d messages: seedroom printed %q, not a room ID", msgs, room)
	}
	return room, filepath.Join(dir, "store"), nil
}
