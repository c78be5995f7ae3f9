package chat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

func cleanRoomName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxRoomNameLen || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: a room name has 1 to %d characters", ErrBadName, MaxRoomNameLen)
	}
	return name, nil
}
