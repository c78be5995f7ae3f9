package chat

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"parley/store"
	"parley/wire"
)

// MaxRoomNameLen is the longest room name, in characters.
const MaxRoomNameLen = 80

// Room is a room the user has joined.
type Room struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateRoom makes a new public room with a random ID and joins it.
func (s *Service) CreateRoom(name string) (Room, error) {
	name, err := cleanRoomName(name)
	if err != nil {
		return Room{}, err
	}
	id, err := wire.NewRoomID()
	if err != nil {
		return Room{}, fmt.Errorf("create room: %w", err)
	}
	return s.join(id, name)
}

// JoinRoom joins a room by its ID. name is how the room shows here; empty
// keeps the name it had, or a short form of the ID.
func (s *Service) JoinRoom(roomID, name string) (Room, error) {
	id, err := parseRoom(roomID)
	if err != nil {
		return Room{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = "Room " + roomID[:8]
		if rec, ok, err := s.store.Room(id); err == nil && ok && rec.Name != "" {
			name = rec.Name
		}
	}
	if name, err = cleanRoomName(name); err != nil {
		return Room{}, err
	}
	return s.join(id, name)
}

func (s *Service) join(id wire.RoomID, name string) (Room, error) {
	if err := s.store.PutRoom(store.Room{ID: id, Name: name, Joined: true}); err != nil {
		return Room{}, err
	}
	if err := s.node.Join(id, s.receive); err != nil {
		return Room{}, err
	}
	s.mu.Lock()
	s.joined[id] = name
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventRooms})
	s.node.HelloAll() // our public rooms changed
	return Room{ID: id.String(), Name: name}, nil
}

// LeaveRoom unsubscribes from a room. Its history stays on disk.
func (s *Service) LeaveRoom(roomID string) error {
	id, err := s.joinedRoom(roomID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	name := s.joined[id]
	delete(s.joined, id)
	s.mu.Unlock()
	if err := s.store.PutRoom(store.Room{ID: id, Name: name, Joined: false}); err != nil {
		return err
	}
	if err := s.node.Leave(id); err != nil {
		return err
	}
	s.bus.publish(Event{Name: EventRooms})
	s.node.HelloAll()
	return nil
}

// Rooms lists the joined rooms by name.
func (s *Service) Rooms() []Room {
	s.mu.Lock()
	rooms := make([]Room, 0, len(s.joined))
	for id, name := range s.joined {
		rooms = append(rooms, Room{ID: id.String(), Name: name})
	}
	s.mu.Unlock()
	slices.SortFunc(rooms, func(a, b Room) int {
		return cmpFirst(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return rooms
}

func (s *Service) rejoinRooms() error {
	rooms, err := s.store.Rooms()
	if err != nil {
		return err
	}
	for _, r := range rooms {
		if !r.Joined {
			continue
		}
		if err := s.node.Join(r.ID, s.receive); err != nil {
			return err
		}
		s.joined[r.ID] = r.Name
	}
	return nil
}

func (s *Service) joinedRoom(roomID string) (wire.RoomID, error) {
	id, err := parseRoom(roomID)
	if err != nil {
		return id, err
	}
	s.mu.Lock()
	_, ok := s.joined[id]
	s.mu.Unlock()
	if !ok {
		return id, ErrNotJoined
	}
	return id, nil
}

func parseRoom(roomID string) (wire.RoomID, error) {
	id, err := wire.ParseRoomID(strings.TrimSpace(roomID))
	if err != nil {
		return id, fmt.Errorf("%w: %w", ErrBadRoomID, err)
	}
	return id, nil
}

func cleanRoomName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxRoomNameLen || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: a room name has 1 to %d characters", ErrBadName, MaxRoomNameLen)
	}
	return name, nil
}

func cmpFirst(cmps ...int) int {
	for _, c := range cmps {
		if c != 0 {
			return c
		}
	}
	return 0
}
