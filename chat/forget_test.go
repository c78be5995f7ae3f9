package chat

import (
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

func TestForgetAuthorDropsTheirMessagesForGood(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("spam")
	joinAll(t, net, room)
	roomID := mustRoom(t, room.ID)
	ctx := t.Context()
	mine, _ := a.Send(ctx, room.ID, "a question")
	eventually(t, 10*time.Second, "b has a's message", func() bool { return len(fullHistory(t, b, room.ID)) == 1 })
	spam, _ := b.Send(ctx, room.ID, "buy now")
	if _, err := b.React(ctx, room.ID, mine.ID, "💸"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "a has b's message and reaction", func() bool {
		h := fullHistory(t, a, room.ID)
		return len(h) == 2 && len(h[0].Reactions) == 1
	})

	events, stop := a.Subscribe()
	defer stop()
	if err := a.ForgetAuthor(room.ID, b.Me().PeerID); err != nil {
		t.Fatal(err)
	}
	if h := fullHistory(t, a, room.ID); len(h) != 1 || h[0].ID != mine.ID || len(h[0].Reactions) != 0 {
		t.Errorf("a shows %+v; want its own message alone, without b's reaction", h)
	}
	if hits, _ := a.Search("buy", room.ID, 10); len(hits) != 0 {
		t.Errorf("search on a finds b's words: %+v", hits)
	}
	reloaded := false
	for !reloaded {
		select {
		case e := <-events:
			if got, ok := e.Data.(Arrived); ok && got.Room == room.ID {
				reloaded = true
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a was not told to reload the room")
		}
	}
	// b's copy is untouched.
	if h := fullHistory(t, b, room.ID); len(h) != 2 {
		t.Errorf("b shows %d messages, want 2", len(h))
	}

	// What b writes later reaches a, and is not kept.
	later, _ := b.Send(ctx, room.ID, "buy more")
	laterID, _ := wire.ParseMessageID(later.ID)
	eventually(t, 10*time.Second, "a has had b's later message", func() bool {
		has, _ := a.store.Has(laterID)
		return has
	})
	if h := fullHistory(t, a, room.ID); len(h) != 1 {
		t.Errorf("a shows %d messages after b wrote again, want 1", len(h))
	}
	// Sync offers none of b's messages again: a counts them as had. (Were
	// it to, every session with b would bring them, to be dropped again.)
	for len(events) > 0 {
		<-events
	}
	eventually(t, 20*time.Second, "a syncs the room with b", func() bool { return a.node.Sync(ctx, b.id.ID, roomID) == nil })
	for len(events) > 0 {
		if p, ok := (<-events).Data.(SyncProgress); ok && p.PeerID == b.Me().PeerID && p.Total > 0 {
			t.Errorf("b offered %d messages by sync after a forgot it", p.Total)
		}
	}
	spamID, _ := wire.ParseMessageID(spam.ID)
	if env, _ := a.store.Envelope(spamID); env != nil {
		t.Error("b's message came back")
	}
}

func TestForgetAuthorRefusesWhatItCannotDo(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, _ := s.CreateRoom("mine")
	other, err := peer.IDFromPrivateKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	notJoined, _ := wire.NewRoomID()
	cases := []struct {
		name, room, peer string
		want             error
	}{
		{"room not joined", notJoined.String(), other.String(), ErrNotJoined},
		{"not a peer ID", room.ID, "bob", ErrBadPeerID},
		{"the user", room.ID, s.Me().PeerID, ErrForgetSelf},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.ForgetAuthor(c.room, c.peer); !errors.Is(err, c.want) {
				t.Errorf("ForgetAuthor = %v, want %v", err, c.want)
			}
		})
	}
	if err := s.ForgetAuthor(room.ID, other.String()); err != nil {
		t.Errorf("forgetting someone who never wrote: %v", err)
	}
}
