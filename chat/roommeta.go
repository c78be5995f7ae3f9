package chat

import (
	"context"
	"fmt"
	"strings"

	"parley/store"
	"parley/wire"
)

// Notification levels of a room.
const (
	NotifyAll      = "all"
	NotifyMentions = "mentions"
	NotifyNone     = "none"
)

// MaxTopicLen is the longest room topic, in characters.
const MaxTopicLen = wire.MaxTopicChars

// RenameRoom renames a room for everyone in it: the rename is a signed
// message of the room, and the newest rename wins everywhere.
func (s *Service) RenameRoom(ctx context.Context, roomID, name string) (Room, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Room{}, err
	}
	if name, err = cleanRoomName(name); err != nil {
		return Room{}, err
	}
	return s.sendRoomMeta(ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_ROOM_META, RoomName: &name})
}

// SetTopic sets the line that says what a room is for; empty clears it.
func (s *Service) SetTopic(ctx context.Context, roomID, topic string) (Room, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Room{}, err
	}
	if topic = strings.TrimSpace(topic); topic != "" {
		clean, err := wire.CleanName(topic, MaxTopicLen)
		if err != nil {
			return Room{}, fmt.Errorf("%w: a topic has up to %d characters and no control characters (%w)", ErrBadName, MaxTopicLen, err)
		}
		topic = clean
	}
	return s.sendRoomMeta(ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_ROOM_META, Topic: &topic})
}

// SetRoomNearby makes a room visible on this network, or invite-only
// again, for everyone in it: like a rename, it is a signed message of the
// room, and the newest one wins. While it is on, each member's node tells
// the peers it finds on its local network the room's name and what they
// need to join it.
func (s *Service) SetRoomNearby(ctx context.Context, roomID string, on bool) (Room, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Room{}, err
	}
	return s.sendRoomMeta(ctx, wire.Draft{Room: room, Kind: wire.Kind_KIND_ROOM_META, Nearby: &on})
}

func (s *Service) sendRoomMeta(ctx context.Context, d wire.Draft) (Room, error) {
	if err := s.mayChangeRoom(d); err != nil {
		return Room{}, err
	}
	m, _, err := s.publishOwn(ctx, d)
	if err != nil {
		return Room{}, fmt.Errorf("change room: %w", err)
	}
	s.applyRoomMeta(m)
	// What you did yourself you have seen.
	if err := s.markRead(d.Room, store.Position{Time: m.Time, ID: m.ID}); err != nil {
		s.log.Warn("mark read failed", "room", d.Room.String()[:8], "err", err)
	}
	s.bus.publish(Event{Name: EventMessage, Data: s.view(m, nil)})
	return s.roomView(d.Room, s.roomName(d.Room)), nil
}

// applyRoomMeta keeps a room's name or topic if the message is newer than
// the one that set it last (last writer wins, by time then ID).
func (s *Service) applyRoomMeta(m *wire.Message) {
	if !s.roomMetaCounts(m) {
		return
	}
	pos := store.Position{Time: m.Time, ID: m.ID}
	s.readMu.Lock()
	rec, ok, err := s.store.Room(m.Room)
	changed := false
	if err == nil && ok {
		if m.RoomName != nil && positionLess(rec.NameSetAt, pos) {
			rec.Name, rec.NameSetAt, rec.Placeholder = *m.RoomName, pos, false
			changed = true
		}
		if m.Topic != nil && positionLess(rec.TopicSetAt, pos) {
			rec.Topic, rec.TopicSetAt = *m.Topic, pos
			changed = true
		}
		if m.Nearby != nil && positionLess(rec.NearbySetAt, pos) {
			rec.Nearby, rec.NearbySetAt = *m.Nearby, pos
			changed = true
		}
		if changed {
			rec.ID = m.Room
			err = s.store.PutRoom(rec)
		}
	}
	s.readMu.Unlock()
	if err != nil {
		s.log.Error("room change not kept", "room", m.Room.String()[:8], "err", err)
		return
	}
	if !changed {
		return
	}
	s.mu.Lock()
	_, joined := s.joined[m.Room]
	visible := joined && rec.Joined && s.visible[m.Room]
	if joined && rec.Joined {
		s.joined[m.Room] = rec.Name
		s.visible[m.Room] = rec.Nearby
	}
	s.mu.Unlock()
	s.bus.publish(Event{Name: EventRooms})
	if m.Nearby != nil || m.RoomName != nil && visible {
		s.node.HelloAll() // what peers on this network see changed
	}
}

func (s *Service) roomName(id wire.RoomID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.joined[id]
}

// SetNotify sets when a room notifies the user: all, mentions or none.
// It is this node's setting only.
func (s *Service) SetNotify(roomID, level string) (Room, error) {
	room, err := s.joinedRoom(roomID)
	if err != nil {
		return Room{}, err
	}
	switch level {
	case NotifyAll, NotifyMentions, NotifyNone:
	default:
		return Room{}, ErrBadNotify
	}
	s.readMu.Lock()
	rec, _, err := s.store.Room(room)
	if err == nil {
		rec.ID, rec.Notify = room, level
		if level == NotifyAll {
			rec.Notify = ""
		}
		err = s.store.PutRoom(rec)
	}
	s.readMu.Unlock()
	if err != nil {
		return Room{}, err
	}
	s.bus.publish(Event{Name: EventRooms})
	return s.roomView(room, s.roomName(room)), nil
}

// NotifyLevel is when a joined room notifies: NotifyAll, NotifyMentions
// or NotifyNone.
func (s *Service) NotifyLevel(roomID string) string {
	room, err := parseRoom(roomID)
	if err != nil {
		return NotifyAll
	}
	rec, ok, err := s.store.Room(room)
	if err != nil || !ok || rec.Notify == "" {
		return NotifyAll
	}
	return rec.Notify
}

// DeleteRoomHistory leaves a room and deletes its history from this node.
// Other members keep theirs; joining again brings it back through sync.
func (s *Service) DeleteRoomHistory(roomID string) error {
	room, err := parseRoom(roomID)
	if err != nil {
		return err
	}
	if _, err := s.joinedRoom(roomID); err == nil {
		if err := s.LeaveRoom(roomID); err != nil {
			return err
		}
	}
	s.readMu.Lock()
	err = s.store.DeleteRoom(room)
	s.readMu.Unlock()
	if err != nil {
		return err
	}
	s.bus.publish(Event{Name: EventRooms})
	return nil
}
