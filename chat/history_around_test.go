package chat

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// aroundRoom is a room of ten own messages sent a minute apart, an hour
// ago, with a reply, a reaction, an edit and a delete among them: every
// field History fills in.
func aroundRoom(t *testing.T) (*Service, string, []Message) {
	t.Helper()
	clock := &testClock{now: time.Now().Add(-time.Hour).Truncate(time.Minute)}
	s := openWith(t, Options{DataDir: t.TempDir(), Now: clock.Now})
	room, err := s.CreateRoom("dates")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var sent []Message
	for i := range 10 {
		clock.add(time.Minute)
		var m Message
		if i == 3 {
			m, err = s.Reply(ctx, room.ID, sent[1].ID, "an answer")
		} else {
			m, err = s.Send(ctx, room.ID, fmt.Sprintf("message %d", i))
		}
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m)
	}
	clock.add(time.Minute)
	if _, err := s.React(ctx, room.ID, sent[2].ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Edit(ctx, room.ID, sent[4].ID, "changed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, room.ID, sent[5].ID); err != nil {
		t.Fatal(err)
	}
	// The room as History shows it: what HistoryAround must agree with.
	all, err := s.History(room.ID, "", MaxHistoryPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 10 {
		t.Fatalf("History shows %d entries, want the 10 messages", len(all))
	}
	return s, room.ID, all
}

func TestHistoryAroundJumpsToADate(t *testing.T) {
	s, room, all := aroundRoom(t)
	first, last := all[0].SentAt, all[9].SentAt
	tests := []struct {
		name  string
		at    int64
		limit int
		want  []Message
	}{
		{"before the first message: the room's start", first - time.Hour.Milliseconds(), 4, all[:4]},
		{"at the start of time", 0, 4, all[:4]},
		{"after the last message: the room's end", last + 1, 4, all[6:]},
		{"at the end of the year 9999", MaxJumpTime, 4, all[6:]},
		{"exactly on a message: half before, it and what follows", all[5].SentAt, 4, all[3:7]},
		{"just before a message: the same page", all[5].SentAt - 1, 4, all[3:7]},
		{"just after a message: it falls in the earlier half", all[5].SentAt + 1, 4, all[4:8]},
		{"odd limit: the later half takes the extra one", all[5].SentAt, 5, all[3:8]},
		{"limit 1: the message at that time", all[5].SentAt, 1, all[5:6]},
		{"limit 1 after the last: the last", last + 1, 1, all[9:]},
		{"near the end: earlier messages fill the page", all[8].SentAt, 6, all[4:]},
		{"near the start: later messages fill the page", all[1].SentAt, 6, all[:6]},
		{"a page larger than the room: all of it", all[5].SentAt, MaxHistoryPage, all},
		{"a limit over the page size: clamped", all[5].SentAt, MaxHistoryPage + 1, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.HistoryAround(room, tc.at, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("HistoryAround(%d, %d) = %v, want %v", tc.at, tc.limit, texts(got), texts(tc.want))
			}
		})
	}
}

// Whatever the time and the limit, the page is the run of the room's
// messages, as History shows them, that puts limit/2 before the time when
// the room allows it.
func TestHistoryAroundAgreesWithHistoryEverywhere(t *testing.T) {
	s, room, all := aroundRoom(t)
	var times []int64
	for _, m := range all {
		times = append(times, m.SentAt-1, m.SentAt, m.SentAt+1)
	}
	for _, at := range times {
		for limit := 1; limit <= 12; limit++ {
			got, err := s.HistoryAround(room, at, limit)
			if err != nil {
				t.Fatal(err)
			}
			if want := window(all, at, limit); !reflect.DeepEqual(got, want) {
				t.Fatalf("HistoryAround(%d, %d) = %v, want %v", at, limit, texts(got), texts(want))
			}
		}
	}
}

// window is the run of limit messages of all that starts limit/2 before
// the first sent at or after at, moved to fit within all.
func window(all []Message, at int64, limit int) []Message {
	i := len(all)
	for j, m := range all {
		if m.SentAt >= at {
			i = j
			break
		}
	}
	start := max(0, min(i-limit/2, len(all)-limit))
	return all[start:min(len(all), start+limit)]
}

func texts(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%q@%d", m.Text, m.SentAt)
	}
	return out
}

// The page carries what History carries: delivery states, reactions,
// edits, stubs and reply quotes.
func TestHistoryAroundShowsMessagesAsHistoryDoes(t *testing.T) {
	s, room, all := aroundRoom(t)
	got, err := s.HistoryAround(room, all[4].SentAt, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("got %d messages, want 6", len(got))
	}
	byID := map[string]Message{}
	for _, m := range got {
		byID[m.ID] = m
	}
	if m := byID[all[2].ID]; len(m.Reactions) != 1 || m.Reactions[0].Emoji != "👍" {
		t.Errorf("reacted message = %+v, want its 👍", m)
	}
	if m := byID[all[3].ID]; m.ReplyPreview == nil || m.ReplyPreview.ID != all[1].ID {
		t.Errorf("reply = %+v, want a quote of %s", m, all[1].ID)
	}
	if m := byID[all[4].ID]; !m.Edited || m.Text != "changed" || m.State != StateStored {
		t.Errorf("edited message = %+v, want edited, its new text, stored", m)
	}
	if m := byID[all[5].ID]; !m.Deleted || m.Text != "" || m.State != "" {
		t.Errorf("deleted message = %+v, want a stub with no state", m)
	}
}

func TestHistoryAroundOfAnEmptyRoom(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("quiet")
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int64{0, time.Now().UnixMilli(), MaxJumpTime} {
		got, err := s.HistoryAround(room.ID, at, 50)
		if err != nil || len(got) != 0 {
			t.Errorf("HistoryAround(%d) = %v, %v; want nothing, no error", at, got, err)
		}
	}
}

func TestHistoryAroundRefusesBadInput(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("general")
	if err != nil {
		t.Fatal(err)
	}
	other := "0000000000000000000000000000000000000000000000000000000000000000"
	now := time.Now().UnixMilli()
	tests := []struct {
		name string
		room string
		at   int64
		want error
	}{
		{"a time before 1970", room.ID, -1, ErrBadTime},
		{"a time after the year 9999", room.ID, MaxJumpTime + 1, ErrBadTime},
		{"the largest time", room.ID, 1<<63 - 1, ErrBadTime},
		{"a room not joined", other, now, ErrNotJoined},
		{"a malformed room ID", "not-hex", now, ErrBadRoomID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.HistoryAround(tc.room, tc.at, 10); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

// In a big room a jump lands on the right messages, not near them.
func TestHistoryAroundInALongHistory(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("long")
	if err != nil {
		t.Fatal(err)
	}
	roomID := mustRoom(t, room.ID)
	const n, target = 2000, 1234
	start := uint64(time.Now().Add(-time.Hour).UnixMilli()) << 16
	ids := seedMessages(t, s, roomID, n, "seeded", start) // one a millisecond
	got, err := s.HistoryAround(room.ID, int64(start>>16)+target, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 || got[0].ID != ids[target-50] || got[50].ID != ids[target] || got[99].ID != ids[target+49] {
		t.Fatalf("page around message %d = %d messages from %q to %q", target, len(got), got[0].Text, got[len(got)-1].Text)
	}
}
