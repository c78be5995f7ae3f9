package chat

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"parley/datadir"
)

func TestOpenRefusesADataDirInUse(t *testing.T) {
	dir := t.TempDir()
	newNode(t, dir)
	_, err := Open(t.Context(), Options{DataDir: dir, Network: "off", ListenAddrs: loopback})
	if !errors.Is(err, datadir.ErrInUse) {
		t.Fatalf("second Open error = %v, want datadir.ErrInUse", err)
	}
}

func TestRestartKeepsIdentityRoomsAndHistory(t *testing.T) {
	dir := t.TempDir()
	a := openNode(t, dir)
	room, err := a.CreateRoom("Book club")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetName(t.Context(), "Ada"); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, text := range []string{"first", "second", "third"} {
		m, err := a.Send(t.Context(), room.ID, text)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m.ID)
	}
	me := a.Me()
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	b := newNode(t, dir)
	if got := b.Me(); got.PeerID != me.PeerID || got.Name != "Ada" {
		t.Errorf("after restart Me = %+v, want peer %s named Ada", got, me.PeerID)
	}
	rooms := b.Rooms()
	if len(rooms) != 1 || rooms[0].ID != room.ID || rooms[0].Name != room.Name {
		t.Fatalf("after restart Rooms = %+v, want [%+v]", rooms, room)
	}
	if rooms[0].Unread != 0 || rooms[0].LastRead != sent[2] || rooms[0].LastActivity == 0 {
		t.Errorf("own messages count as unread or activity is missing: %+v", rooms[0])
	}
	history, err := b.History(room.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(history); !equal(got, sent) {
		t.Errorf("after restart history = %v, want %v", got, sent)
	}
	if history[0].Text != "first" || !history[0].Mine || history[0].AuthorName != "Ada" {
		t.Errorf("first message after restart = %+v", history[0])
	}
}

func TestInputErrors(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("general")
	if err != nil {
		t.Fatal(err)
	}
	other := "0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"empty message", func() error { _, err := s.Send(t.Context(), room.ID, " \n\t"); return err }, ErrEmptyMessage},
		{"long message", func() error { _, err := s.Send(t.Context(), room.ID, string(make([]byte, 17<<10))); return err }, ErrTooLong},
		{"send to a room not joined", func() error { _, err := s.Send(t.Context(), other, "hi"); return err }, ErrNotJoined},
		{"bad room ID", func() error { _, err := s.JoinRoom("not-hex", ""); return err }, ErrBadRoomID},
		{"empty room name", func() error { _, err := s.CreateRoom("   "); return err }, ErrBadName},
		{"empty display name", func() error { _, err := s.SetName(t.Context(), ""); return err }, ErrBadName},
		{"unknown history cursor", func() error { _, err := s.History(room.ID, other, 10); return err }, ErrUnknownCursor},
		{"leave a room not joined", func() error { return s.LeaveRoom(other) }, ErrNotJoined},
		{"connect to garbage", func() error { return s.Connect(t.Context(), "not a multiaddr") }, ErrBadAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestHistoryPagesBackwards(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, _ := s.CreateRoom("paging")
	var sent []string
	for i := range 7 {
		m, err := s.Send(t.Context(), room.ID, string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m.ID)
	}
	last, _ := s.History(room.ID, "", 3)
	mid, _ := s.History(room.ID, last[0].ID, 3)
	first, _ := s.History(room.ID, mid[0].ID, 3)
	got := append(append(ids(first), ids(mid)...), ids(last)...)
	if !equal(got, sent) {
		t.Errorf("pages = %v, want %v", got, sent)
	}
}

func TestLeaveKeepsHistory(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, _ := s.CreateRoom("leaving")
	if _, err := s.Send(t.Context(), room.ID, "still here"); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveRoom(room.ID); err != nil {
		t.Fatal(err)
	}
	if len(s.Rooms()) != 0 {
		t.Errorf("Rooms after leave = %v", s.Rooms())
	}
	again, err := s.JoinRoom(room.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "leaving" {
		t.Errorf("rejoined room name = %q, want the old name", again.Name)
	}
	if h, _ := s.History(room.ID, "", 10); len(h) != 1 || h[0].Text != "still here" {
		t.Errorf("history after leave and rejoin = %+v", h)
	}
}

// What the user wrote is on the disk itself, past the OS's cache, by the
// time Send returns: it exists nowhere else yet.
func TestSendIsDurableBeforeItReturns(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("notes")
	if err != nil {
		t.Fatal(err)
	}
	before := s.store.DurableSyncs()
	if _, err := s.Send(t.Context(), room.ID, "remember the milk"); err != nil {
		t.Fatal(err)
	}
	if s.store.DurableSyncs() == before {
		t.Error("Send returned before its message was synced to disk")
	}
}

// Past what the node stores at once, a sender waits, then hears it is busy;
// nothing is half-sent.
func TestSendWaitsWhenEveryStoreSlotIsTaken(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("busy")
	if err != nil {
		t.Fatal(err)
	}
	for range maxSending {
		s.sending <- struct{}{}
	}
	defer func(d time.Duration) { sendWait = d }(sendWait)
	sendWait = 200 * time.Millisecond
	if _, err := s.Send(t.Context(), room.ID, "one too many"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Send with every slot taken: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Send(ctx, room.ID, "given up"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send whose caller gives up first: %v", err)
	}
	if n, _ := s.MessageCount(room.ID); n != 0 {
		t.Fatalf("%d messages stored by refused sends", n)
	}
	<-s.sending // one slot frees
	if _, err := s.Send(t.Context(), room.ID, "now there is room"); err != nil {
		t.Fatalf("Send once a slot is free: %v", err)
	}
}

// A room at its size limit still takes the user's own messages: the cap
// holds back what peers send, never what the user writes.
func TestSendToAFullRoomStillWorks(t *testing.T) {
	s, err := Open(t.Context(), Options{DataDir: t.TempDir(), Network: "off", ListenAddrs: loopback, RoomQuota: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	room, err := s.CreateRoom("small")
	if err != nil {
		t.Fatal(err)
	}
	const sends = 20 // 10 KB of text into a 4 KiB room
	for i := range sends {
		if _, err := s.Send(t.Context(), room.ID, strings.Repeat("x", 500)); err != nil {
			t.Fatalf("send %d into the full room: %v", i+1, err)
		}
	}
	if n, _ := s.MessageCount(room.ID); n != sends {
		t.Errorf("the room holds %d messages, want all %d", n, sends)
	}
}
