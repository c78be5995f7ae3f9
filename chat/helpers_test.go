package chat

import (
	"testing"

	"parley/wire"
)

func mustRoom(t *testing.T, id string) wire.RoomID {
	t.Helper()
	r, err := wire.ParseRoomID(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
