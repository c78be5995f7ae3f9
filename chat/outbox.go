package chat

import (
	"parley/wire"
)

// outboxLoop publishes a room's waiting messages when a peer joins it. Own
// messages written while nobody was online are stored first and sent here,
// so nothing typed is lost. (Sync will also hand them to peers that missed
// them; the outbox makes the common case immediate.)
func (s *Service) outboxLoop() { s.flush.Serve(s.ctx, nil, s.flushOutbox) }

func (s *Service) flushOutbox(room wire.RoomID) {
	ids, err := s.store.Outbox(room)
	if err != nil {
		s.log.Error("read outbox failed", "room", room.String()[:8], "err", err)
		return
	}
	for _, id := range ids {
		if err := s.publishStored(room, id); err != nil {
			s.log.Warn("outbox publish failed", "room", room.String()[:8], "err", err)
			return // the next peer to join tries again
		}
		if err := s.store.RemoveFromOutbox(room, id); err != nil {
			s.log.Error("outbox update failed", "err", err)
			return
		}
		s.bus.publish(Event{Name: EventDelivered, Data: Delivered{ID: id.String(), Room: room.String()}})
	}
}

func (s *Service) publishStored(room wire.RoomID, id wire.MessageID) error {
	it, ok, err := s.store.Get(id)
	if err != nil || !ok || it.Envelope == nil {
		return err // a message gone from the history (deleted) has nothing to send
	}
	m, err := wire.Decode(it.Envelope, wire.Check{Room: &room})
	if err != nil {
		return err
	}
	return s.node.Publish(s.ctx, m)
}
