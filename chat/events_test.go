package chat

import (
	"fmt"
	"testing"
	"time"

	"parley/p2p"
	"parley/wire"
)

// A burst of gossip reaches the window message by message, however many
// came at once; a big frame from sync is one reload.
func TestGossipIsAnnouncedPerMessageAndSyncPerFrame(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("busy")
	if err != nil {
		t.Fatal(err)
	}
	id := mustRoom(t, room.ID)
	key := newKey(t)
	batch := func(from int) []*wire.Message {
		var ms []*wire.Message
		for i := from; i < from+40; i++ {
			m, err := wire.Sign(key, wire.Draft{Room: id, Time: s.clock.Now(), Kind: wire.Kind_KIND_TEXT, Text: fmt.Sprintf("line %d", i)})
			if err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	events, stop := s.Subscribe()
	defer stop()
	// counts reads the events of one batch: message events and how many
	// messages arrived events stood for.
	counts := func() (messages, arrivedEvents, arrivedCount int) {
		for {
			select {
			case e := <-events:
				switch d := e.Data.(type) {
				case Message:
					if e.Name == EventMessage && d.Room == room.ID {
						messages++
					}
				case Arrived:
					arrivedEvents++
					arrivedCount += d.Count
				}
				if messages+arrivedCount == 40 {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("after 10 s: %d message events, %d arrived events for %d", messages, arrivedEvents, arrivedCount)
			}
		}
	}

	s.receive(p2p.Batch{Room: id, Messages: batch(0), Live: true})
	if m, a, _ := counts(); m != 40 || a != 0 {
		t.Errorf("a gossip batch of 40: %d message events and %d arrived events; want 40 and 0", m, a)
	}
	s.receive(p2p.Batch{Room: id, Messages: batch(40)})
	if m, a, n := counts(); m != 0 || a != 1 || n != 40 {
		t.Errorf("a sync frame of 40: %d message events and %d arrived events for %d; want one arrived event for 40", m, a, n)
	}
}
