package chat

import (
	"testing"
	"time"
)

// What the user wrote while nobody was there says so in the history, also
// after a restart, until a peer has had it; then it reads as sent. Others'
// messages and deleted ones carry no state.
func TestDeliveryStateLastsAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	a := openNode(t, dir)
	room, err := a.CreateRoom("alone")
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := a.Send(t.Context(), room.ID, "written alone")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := a.Send(t.Context(), room.ID, "deleted before anyone came")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Delete(t.Context(), room.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	a = newNode(t, dir)
	states := func(s *Service) map[string]string {
		h, err := s.History(room.ID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, m := range h {
			out[m.ID] = m.State
		}
		return out
	}
	if got := states(a); got[waiting.ID] != StateStored || got[gone.ID] != "" {
		t.Fatalf("after a restart alone: %v; want %s for the waiting message and none for the deleted one", got, StateStored)
	}
	if r := a.Rooms(); len(r) != 1 || r[0].Undelivered != 1 {
		t.Errorf("rooms after a restart alone: %+v; want 1 undelivered message (the deleted one is not)", r)
	}
	if hits, err := a.Search("alone", room.ID, 10); err != nil || len(hits) != 1 || hits[0].State != StateStored {
		t.Errorf("search finds %+v (%v); want the waiting message, stored", hits, err)
	}

	b := newNode(t, t.TempDir())
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	joinFrom(t, a, b, room.ID, "")
	eventually(t, 30*time.Second, "the waiting message reads as sent once the peer has it", func() bool {
		return states(a)[waiting.ID] == StateSent
	})
	if r := a.Rooms(); r[0].Undelivered != 0 {
		t.Errorf("rooms once the peer has it: %d undelivered", r[0].Undelivered)
	}
	eventually(t, 30*time.Second, "b has it, with no state: it is a's", func() bool {
		got, ok := states(b)[waiting.ID]
		return ok && got == ""
	})
}
