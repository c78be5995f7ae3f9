package store

import (
	"slices"
	"testing"

	"parley/wire"
)

// removal is a delete by someone whose role lets it take anyone's message.
func (f fixture) removal(t testing.TB, time uint64, target Item) Item {
	t.Helper()
	it := f.change(t, time, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &target.ID, TargetTime: target.Time})
	it.Redacts = true
	return it
}

func TestARemovalTakesAnyonesTextWithItsEdits(t *testing.T) {
	s, ada := openStore(t, t.TempDir()), newFixture(t)
	mod, mallory := ada.other(t), ada.other(t)
	x := ada.item(t, 10, "an unkind remark")
	edit := ada.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "an unkind remark, louder"})
	react := mallory.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "😮", On: true})
	removal := mod.removal(t, 13, x)
	put(t, s, x, edit, react, removal)

	for _, id := range []wire.MessageID{x.ID, edit.ID} {
		if env, err := s.Envelope(id); err != nil || env != nil {
			t.Errorf("Envelope(%s) = %d bytes, %v; want the text gone", id, len(env), err)
		}
	}
	if got := hits(t, s, "unkind"); len(got) != 0 {
		t.Errorf("search still finds the removed text: %v", got)
	}
	items, err := s.Page(ada.room, Position{}, After, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !items[0].Deleted || items[0].Author != x.Author || items[0].RemovedBy != removal.Author {
		t.Fatalf("view = %+v; want the stub naming its author and who removed it", items)
	}
	if len(items[0].Changes) != 1 || items[0].Changes[0].ID != react.ID {
		t.Errorf("changes of the stub = %+v; want the reaction only", items[0].Changes)
	}
	late := ada.change(t, 14, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "put back"})
	if added := put(t, s, x, late); added[0] || added[1] {
		t.Errorf("stored after the removal: the text %v, a new edit %v", added[0], added[1])
	}
}

// A delete of someone else's message is a removal only when the caller
// says its author has the role: without, it changes nothing (see
// TestDeleteByAnotherAuthorChangesNothing), and one from another room
// takes nothing here.
func TestARemovalFromAnotherRoomTakesNothing(t *testing.T) {
	s, ada := openStore(t, t.TempDir()), newFixture(t)
	other, err := wire.NewRoomID()
	if err != nil {
		t.Fatal(err)
	}
	x := ada.item(t, 10, "stays")
	put(t, s, x, ada.other(t).in(other).removal(t, 11, x))
	if env, _ := s.Envelope(x.ID); env == nil {
		t.Error("a removal sent in another room took the message")
	}
}

// Every node ends with the same history and view whatever order a
// removal, its target and the target's changes come in.
func TestRemovalsConvergeInAnyOrder(t *testing.T) {
	s := openStore(t, t.TempDir())
	ada, mallory, mod := newFixture(t), newFixture(t), newFixture(t)
	messages := func(room wire.RoomID) []Item {
		a, m, o := ada.in(room), mallory.in(room), mod.in(room)
		x := a.item(t, 10, "removed")
		y := a.item(t, 20, "kept")
		return []Item{x, y,
			a.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "edited"}),
			m.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "forged"}),
			m.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "👀", On: true}),
			o.removal(t, 14, x),
		}
	}
	var want string
	for i, order := range permutations(6) {
		room, err := wire.NewRoomID()
		if err != nil {
			t.Fatal(err)
		}
		all := messages(room)
		for _, j := range order {
			put(t, s, all[j])
		}
		items, err := s.Page(room, Position{}, After, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || !items[0].Deleted || items[0].Author != all[0].Author || items[0].RemovedBy != all[5].Author {
			t.Fatalf("order %v: view = %+v; want x removed, naming its author and remover", order, items)
		}
		history, err := s.Positions(room)
		if err != nil {
			t.Fatal(err)
		}
		got := describe(all, viewOf(t, s, room), history)
		if i == 0 {
			want = got
		} else if got != want {
			t.Fatalf("order %v: %s; the first order gave %s", order, got, want)
		}
		for _, edit := range []int{2, 3} {
			if env, _ := s.Envelope(all[edit].ID); env != nil {
				t.Fatalf("order %v: edit %d of the removed message is kept", order, edit)
			}
		}
		if got := hits(t, s, "edited"); slices.Contains(got, all[0].ID) {
			t.Fatalf("order %v: search finds the removed message's edit", order)
		}
	}
}
