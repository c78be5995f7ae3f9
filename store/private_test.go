package store

import (
	"bytes"
	"testing"

	"parley/seal"
	"parley/wire"
)

// sealed signs a draft of f's room sealed under k, as a private room's
// member does.
func (f fixture) sealed(t testing.TB, k seal.Key, epoch uint32, time uint64, d wire.Draft) Item {
	t.Helper()
	d.Room, d.Time = f.room, time
	m, err := seal.SignMessage(f.key, k, epoch, d)
	if err != nil {
		t.Fatal(err)
	}
	return ItemOf(m)
}

func TestAPrivateRoomKeepsCiphertextAndShowsPlaintext(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutEpochKey(f.room, 0, k); err != nil {
		t.Fatal(err)
	}
	text := f.sealed(t, k, 0, 10, wire.Draft{Kind: wire.Kind_KIND_TEXT, Text: "quarterly figures"})
	edit := f.sealed(t, k, 0, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &text.ID, Text: "quarterly numbers"})
	leave := f.sealed(t, k, 0, 12, wire.Draft{Kind: wire.Kind_KIND_MEMBER, Member: &wire.Member{Action: wire.Member_ACTION_LEAVE}})
	keys := f.change(t, 9, wire.Draft{Kind: wire.Kind_KIND_KEYS, Keys: &wire.Keys{Epoch: 0}})
	put(t, s, text, edit, leave, keys)

	view := viewOf(t, s, f.room)
	if len(view) != 2 || view[0].id != text.ID || len(view[0].changes) != 1 || view[1].id != leave.ID {
		t.Fatalf("view = %+v; want the text with its edit, then the membership event", view)
	}
	if got := hits(t, s, "numbers"); len(got) != 1 || got[0] != text.ID {
		t.Errorf("search for the edited word finds %v", got)
	}
	items, err := s.Page(f.room, Position{}, After, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if bytes.Contains(it.Envelope, []byte("quarterly")) {
			t.Error("the history keeps the text in the clear")
		}
	}
	log, err := s.LogEvents(f.room)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].ID != keys.ID || log[1].ID != leave.ID {
		t.Errorf("log = %d events; want the keys, then the leave", len(log))
	}
	got, err := s.EpochKeys(f.room)
	if err != nil || len(got) != 1 || got[0] != k {
		t.Errorf("EpochKeys = %v, %v", got, err)
	}

	if err := s.DeleteRoom(f.room); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range [][]byte{roomPrefix(prefixLog, f.room), roomPrefix(prefixEpochKey, f.room), changePrefix(text.ID)} {
		if n := keysUnder(t, s, prefix...); n != 0 {
			t.Errorf("%d keys under %q are left", n, prefix)
		}
	}
	if got := hits(t, s, "quarterly"); len(got) != 0 {
		t.Errorf("search still finds %d messages of the deleted room", len(got))
	}
}
