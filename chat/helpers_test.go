package chat

import (
	"testing"

	"parley/roomkey"
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

// joinFrom has joiner join a room member is in, as a holder of its secret
// would (an invite link without the link's dialling): tests that set up
// their own connections use it.
func joinFrom(t *testing.T, member, joiner *Service, roomID, name string) Room {
	t.Helper()
	id := mustRoom(t, roomID)
	member.mu.Lock()
	keys, ok := member.keys[id]
	if name == "" {
		name = member.joined[id]
	}
	member.mu.Unlock()
	if !ok {
		t.Fatalf("joinFrom: the member is not in room %s", roomID)
	}
	room, err := joiner.join(keys, name, false)
	if err != nil {
		t.Fatal(err)
	}
	return room
}

// keysOf returns the keys of a room s is in.
func keysOf(t *testing.T, s *Service, roomID string) roomkey.Room {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	keys, ok := s.keys[mustRoom(t, roomID)]
	if !ok {
		t.Fatalf("not in room %s", roomID)
	}
	return keys
}
