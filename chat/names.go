package chat

import (
	"fmt"

	"parley/wire"
)

// cleanRoomName applies wire.CleanName, the rule peers check names against.
func cleanRoomName(name string) (string, error) {
	clean, err := wire.CleanName(name, MaxRoomNameLen)
	if err != nil {
		return "", fmt.Errorf("%w: a room name has 1 to %d characters, some visible, and no control characters (%w)", ErrBadName, MaxRoomNameLen, err)
	}
	return clean, nil
}

// cleanDisplayName is cleanRoomName for display names.
func cleanDisplayName(name string) (string, error) {
	clean, err := wire.CleanName(name, MaxNameLen)
	if err != nil {
		return "", fmt.Errorf("%w: a display name has 1 to %d characters, some visible, and no control characters (%w)", ErrBadName, MaxNameLen, err)
	}
	return clean, nil
}
