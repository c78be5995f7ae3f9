package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/wire"
)

// change signs a change of target by f's author.
func (f fixture) change(t testing.TB, time uint64, d wire.Draft) Item {
	t.Helper()
	d.Room, d.Time = f.room, time
	m, err := wire.Sign(f.key, d)
	if err != nil {
		t.Fatal(err)
	}
	return ItemOf(m)
}

func (f fixture) other(t testing.TB) fixture {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: key, room: f.room}
}

func put(t testing.TB, s *Store, items ...Item) []bool {
	t.Helper()
	added, err := s.Put(context.Background(), items...)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

// shown is what a room's view holds, in a form tests can compare: per
// entry its ID, whether it is a stub, and its changes' IDs.
type shown struct {
	id      wire.MessageID
	deleted bool
	changes []wire.MessageID
}

func viewOf(t testing.TB, s *Store, room wire.RoomID) []shown {
	t.Helper()
	items, err := s.Page(room, Position{}, After, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []shown
	for _, it := range items {
		e := shown{id: it.ID, deleted: it.Deleted}
		for _, c := range it.Changes {
			e.changes = append(e.changes, c.ID)
		}
		out = append(out, e)
	}
	return out
}

func hits(t testing.TB, s *Store, term string) []wire.MessageID {
	t.Helper()
	hs, err := s.Search(Searching{Term: term, Prefix: true, Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.MessageID
	for _, h := range hs {
		out = append(out, h.Target)
	}
	return out
}

func TestReactionsAndEditsAreFiledUnderTheirTarget(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	x := f.item(t, 10, "lunch at noon")
	react := f.other(t).change(t, 11, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "👍", On: true})
	edit := f.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "lunch at one"})
	put(t, s, x, react, edit)

	items, err := s.Page(f.room, Position{}, Before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != x.ID {
		t.Fatalf("the view shows %d entries; want only the message, not its changes", len(items))
	}
	got := items[0].Changes
	if len(got) != 2 || got[0].Kind != wire.Kind_KIND_REACTION || got[0].Emoji != "👍" || !got[0].On ||
		got[1].Kind != wire.Kind_KIND_EDIT || got[1].Text != "lunch at one" || got[1].Author != x.Author {
		t.Errorf("changes = %+v", got)
	}
	if n, _ := s.Count(f.room); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	if got := hits(t, s, "one"); !slices.Equal(got, []wire.MessageID{x.ID}) {
		t.Errorf("search for the edited word finds %v, want the message", got)
	}
}

func TestDeleteByTheAuthorRemovesTheText(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	x := f.item(t, 10, "my secret plan")
	edit := f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "my secret plan, revised"})
	react := f.other(t).change(t, 12, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "🎉", On: true})
	del := f.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	put(t, s, x, edit, react, del)

	for _, id := range []wire.MessageID{x.ID, edit.ID} {
		if env, err := s.Envelope(id); err != nil || env != nil {
			t.Errorf("Envelope(%s) = %d bytes, %v; want the text gone", id, len(env), err)
		}
	}
	if got := hits(t, s, "secret"); len(got) != 0 {
		t.Errorf("search still finds the deleted text: %v", got)
	}
	if got := hits(t, s, "revised"); len(got) != 0 {
		t.Errorf("search still finds the deleted edit: %v", got)
	}
	view := viewOf(t, s, f.room)
	if len(view) != 1 || view[0].id != x.ID || !view[0].deleted {
		t.Fatalf("view = %+v; want the stub in the message's place", view)
	}
	if !slices.Equal(view[0].changes, []wire.MessageID{react.ID}) {
		t.Errorf("changes of the stub = %v; want the reaction only", view[0].changes)
	}
	// A copy of the text from a peer that has not heard of the delete.
	if added := put(t, s, x); added[0] {
		t.Error("a deleted message was stored again")
	}
	if has, _ := s.Has(x.ID); !has {
		t.Error("Has forgets a deleted message: gossip would bring it back")
	}
}

func TestDeleteByAnotherAuthorChangesNothing(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	x := f.item(t, 10, "mine")
	forged := f.other(t).change(t, 11, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	put(t, s, x, forged)
	if env, _ := s.Envelope(x.ID); env == nil {
		t.Error("a delete by someone else removed the message")
	}
	if view := viewOf(t, s, f.room); len(view) != 1 || view[0].deleted {
		t.Errorf("view = %+v", view)
	}
}

// Every node must end with the same history and view whatever order the
// message and its changes reach it in. Each of the 720 orders plays in a
// room of its own in one store (a room's view and history depend on that
// room's messages only): opening a store per order took most of the time.
func TestChangesConvergeInAnyOrder(t *testing.T) {
	s := openStore(t, t.TempDir())
	ada, mallory := newFixture(t), newFixture(t)
	// The same six messages, signed for a room; described by their place
	// in the list, since the IDs differ from room to room.
	messages := func(room wire.RoomID) []Item {
		f, m := ada.in(room), mallory.in(room)
		x := f.item(t, 10, "original")
		y := f.item(t, 20, "kept")
		return []Item{x, y,
			f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "edited"}),
			m.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "👀", On: true}),
			m.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &y.ID, TargetTime: y.Time}), // forged
			f.change(t, 14, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time}),
		}
	}
	const edit = 2

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
		view := viewOf(t, s, room)
		history, err := s.Positions(room)
		if err != nil {
			t.Fatal(err)
		}
		got := describe(all, view, history)
		if i == 0 {
			want = got
			if len(view) != 2 || !view[0].deleted || view[1].deleted {
				t.Fatalf("view = %s; want x deleted and y kept", got)
			}
		} else if got != want {
			t.Fatalf("order %v: %s; the first order gave %s", order, got, want)
		}
		if env, _ := s.Envelope(all[edit].ID); env != nil {
			t.Fatalf("order %v: the deleted message's edit is kept", order)
		}
	}
}

// in is the same author writing in another room.
func (f fixture) in(room wire.RoomID) fixture { return fixture{key: f.key, room: room} }

// describe writes a view and a history with each message named by its
// place in all, so that rooms holding the same messages compare equal.
func describe(all []Item, view []shown, history []Position) string {
	place := func(id wire.MessageID) int {
		return slices.IndexFunc(all, func(it Item) bool { return it.ID == id })
	}
	var b strings.Builder
	b.WriteString("view")
	for _, e := range view {
		fmt.Fprintf(&b, " %d(deleted %v, changes", place(e.id), e.deleted)
		for _, c := range e.changes {
			fmt.Fprintf(&b, " %d", place(c))
		}
		b.WriteString(")")
	}
	b.WriteString("; history")
	for _, p := range history {
		fmt.Fprintf(&b, " %d@%d", place(p.ID), p.Time)
	}
	return b.String()
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(slices.Clone(p[:i]), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func TestAForgedDeleteBeforeItsTargetDoesNotHideIt(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	x := f.item(t, 10, "real")
	forged := f.other(t).change(t, 11, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	put(t, s, forged)
	if view := viewOf(t, s, f.room); len(view) != 1 || !view[0].deleted {
		t.Fatalf("before its target: view = %+v, want a stub", view)
	}
	if added := put(t, s, x); !added[0] {
		t.Fatal("the message was refused because of someone else's delete")
	}
	if view := viewOf(t, s, f.room); len(view) != 1 || view[0].deleted {
		t.Errorf("view = %+v, want the message shown", view)
	}
}

func TestSearchFiltersByRoomAndPrefix(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	g := newFixture(t)
	a := f.item(t, 10, "Decision: ship friday")
	b := g.item(t, 20, "we decided")
	put(t, s, a, b)
	// Postings come term by term ("decided" before "decision").
	if got := hits(t, s, "deci"); !slices.Equal(got, []wire.MessageID{b.ID, a.ID}) {
		t.Errorf("prefix hits = %v", got)
	}
	whole, err := s.Search(Searching{Term: "decided", Max: 10, Room: &g.room})
	if err != nil || len(whole) != 1 || whole[0].Target != b.ID || whole[0].Room != g.room || whole[0].Time != 20 {
		t.Errorf("whole-term hits in one room = %+v, %v", whole, err)
	}
}

func TestDeleteRoomLeavesNothingOfIt(t *testing.T) {
	s, f := openStore(t, t.TempDir()), newFixture(t)
	other := newFixture(t)
	x := f.item(t, 10, "bye now")
	never := f.item(t, 1, "never arrives")
	put(t, s, x,
		f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "bye all"}),
		f.other(t).change(t, 14, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "forged"}),
		f.change(t, 15, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &never.ID, Emoji: "👋", On: true}),
		f.item(t, 12, "deleted later"),
		other.item(t, 13, "bye from elsewhere"))
	if _, err := s.ForgetAuthor(t.Context(), f.room, "someone"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRoom(Room{ID: f.room, Name: "r", Joined: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRoom(f.room); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(f.room); n != 0 {
		t.Errorf("Count = %d after DeleteRoom", n)
	}
	if pos, _ := s.Positions(f.room); len(pos) != 0 {
		t.Errorf("history keeps %d messages", len(pos))
	}
	if got := hits(t, s, "bye"); len(got) != 1 {
		t.Errorf("search finds %d messages; want only the other room's", len(got))
	}
	if _, ok, _ := s.Room(f.room); ok {
		t.Error("the room record is still there")
	}
	if has, _ := s.Has(x.ID); has {
		t.Error("the message is still indexed")
	}
	for _, prefix := range [][]byte{
		changePrefix(x.ID), forgedPrefix(x.ID), awaitedKey(never.ID),
		roomPrefix(prefixUsage, f.room), usageKey(f.room), roomPrefix(prefixAuthor, f.room),
	} {
		if n := keysUnder(t, s, prefix...); n != 0 {
			t.Errorf("%d keys under %q are left", n, prefix)
		}
	}
}

// A store written before views and search (layout 1: history and index
// only) opens with its messages shown and searchable.
func TestOpenMigratesTheFirstLayout(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	s := openStore(t, dir)
	x := f.item(t, 10, "written by the first release")
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(messageKey(x.Room, x.Position), x.Envelope); err != nil {
			return err
		}
		if err := txn.Set(indexKey(x.ID), binary.BigEndian.AppendUint64(x.Room[:], x.Time)); err != nil {
			return err
		}
		return txn.Delete(schemaKey)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openStore(t, dir)
	if view := viewOf(t, s, f.room); len(view) != 1 || view[0].id != x.ID {
		t.Errorf("view after migration = %+v", view)
	}
	if got := hits(t, s, "release"); !slices.Equal(got, []wire.MessageID{x.ID}) {
		t.Errorf("search after migration = %v", got)
	}
	if it, ok, err := s.Get(x.ID); err != nil || !ok || it.Envelope == nil {
		t.Errorf("Get after migration = %v %v", ok, err)
	}
}

func FuzzDecodeChange(f *testing.F) {
	target := wire.IDOf([]byte("target"))
	pos := Position{Time: 42, ID: wire.IDOf([]byte("change"))}
	for _, it := range []Item{
		{Kind: wire.Kind_KIND_REACTION, Author: "author", Emoji: "👍", On: true},
		{Kind: wire.Kind_KIND_EDIT, Author: "author", Text: "new text"},
	} {
		f.Add(changeKey(target, pos), encodeChange(it))
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, k, v []byte) {
		c, err := decodeChange(k, v)
		if err != nil {
			return
		}
		it := Item{Kind: c.Kind, Room: c.Room, Author: c.Author, Emoji: c.Emoji, On: c.On, Text: c.Text}
		again, err := decodeChange(k, encodeChange(it))
		if err != nil || again != c {
			t.Fatalf("change %+v encodes to something that reads back as %+v, %v", c, again, err)
		}
	})
}

// A change signed by someone who did not write its target is kept (every
// member then holds the same history, and sync stops offering it) but
// never applied, whichever of the two arrives first, alone or together.
func TestAForgedChangeIsKeptButNeverApplied(t *testing.T) {
	f := newFixture(t)
	mallory := f.other(t)
	x := f.item(t, 10, "original words")
	forgedEdit := mallory.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "words put in their mouth"})
	forgedDelete := mallory.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	elsewhere := newFixture(t)
	otherRoom := elsewhere.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "👀", On: true})

	for _, forged := range []Item{forgedEdit, forgedDelete} {
		cases := []struct {
			name    string
			batches [][]Item
		}{
			{"target first", [][]Item{{x}, {forged}}},
			{"change first", [][]Item{{forged}, {x}}},
			{"one batch, target first", [][]Item{{x, forged}}},
			{"one batch, change first", [][]Item{{forged, x}}},
		}
		for _, c := range cases {
			t.Run(forged.Kind.String()+"/"+c.name, func(t *testing.T) {
				s := openStore(t, t.TempDir())
				for _, b := range c.batches {
					put(t, s, b...)
				}
				view := viewOf(t, s, f.room)
				if len(view) != 1 || view[0].id != x.ID || view[0].deleted || len(view[0].changes) != 0 {
					t.Errorf("view = %+v; want the message as written, nothing applied", view)
				}
				if env, err := s.Envelope(forged.ID); err != nil || env == nil {
					t.Errorf("the forged change is not kept: %v", err)
				}
				if env, err := s.Envelope(x.ID); err != nil || env == nil {
					t.Errorf("the message was removed: %v", err)
				}
				if pos, _ := s.Positions(f.room); len(pos) != 2 {
					t.Errorf("history holds %d messages, want the message and the change", len(pos))
				}
				if got := hits(t, s, "mouth"); len(got) != 0 {
					t.Errorf("search finds the forged edit's words: %v", got)
				}
				if n := s.ForgedChanges(); n != 1 {
					t.Errorf("ForgedChanges = %d, want 1", n)
				}
			})
		}
	}
	t.Run("reaction from another room", func(t *testing.T) {
		for _, order := range [][]Item{{x, otherRoom}, {otherRoom, x}} {
			s := openStore(t, t.TempDir())
			put(t, s, order...)
			if view := viewOf(t, s, f.room); len(view) != 1 || len(view[0].changes) != 0 {
				t.Errorf("view = %+v; want no reaction", view)
			}
			if has, _ := s.Has(otherRoom.ID); !has {
				t.Error("the reaction is not kept")
			}
		}
	})
}

// A genuine edit that arrives before its target applies once the target
// comes, in a later batch or the same one; its words are then found.
func TestAnEditBeforeItsTargetAppliesWhenItComes(t *testing.T) {
	f := newFixture(t)
	x := f.item(t, 10, "lunch at noon")
	edit := f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "lunch at one"})
	for _, c := range []struct {
		name    string
		batches [][]Item
	}{
		{"later batch", [][]Item{{edit}, {x}}},
		{"same batch", [][]Item{{edit, x}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, t.TempDir())
			for i, b := range c.batches {
				if i > 0 {
					if got := hits(t, s, "one"); len(got) != 0 {
						t.Errorf("before its target the edit is found: %v", got)
					}
				}
				put(t, s, b...)
			}
			view := viewOf(t, s, f.room)
			if len(view) != 1 || !slices.Equal(view[0].changes, []wire.MessageID{edit.ID}) {
				t.Errorf("view = %+v; want the message with its edit", view)
			}
			if got := hits(t, s, "one"); !slices.Equal(got, []wire.MessageID{x.ID}) {
				t.Errorf("search for the edited word finds %v, want the message", got)
			}
		})
	}
}

// Whatever order they come in, a message, its author's edit, and another
// member's forged edit and forged delete leave the same history, view and
// search on every node: the forged delete applies to nothing, but takes
// back its own author's edit.
func TestForgeriesConvergeInAnyOrder(t *testing.T) {
	f := newFixture(t)
	mallory := f.other(t)
	x := f.item(t, 10, "first words")
	edit := f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "second words"})
	forgedEdit := mallory.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "stolen words"})
	forgedDelete := mallory.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time + 5})
	all := []Item{x, edit, forgedEdit, forgedDelete}
	wantHistory := []Position{x.Position, edit.Position, forgedDelete.Position}
	for _, order := range permutations(len(all)) {
		for _, batched := range []bool{false, true} {
			s := openStore(t, t.TempDir())
			if batched {
				var items []Item
				for _, j := range order {
					items = append(items, all[j])
				}
				put(t, s, items...)
			} else {
				for _, j := range order {
					put(t, s, all[j])
				}
			}
			view := viewOf(t, s, f.room)
			history, _ := s.Positions(f.room)
			if len(view) != 1 || view[0].deleted || !slices.Equal(view[0].changes, []wire.MessageID{edit.ID}) ||
				!slices.Equal(history, wantHistory) {
				t.Fatalf("order %v (one batch: %v): view %+v, history %v; want the message with its author's edit", order, batched, view, history)
			}
			if got := hits(t, s, "words"); !slices.Equal(got, []wire.MessageID{x.ID, x.ID}) {
				t.Fatalf("order %v (one batch: %v): search finds %v; want the text and its edit", order, batched, got)
			}
			if got := hits(t, s, "stolen"); len(got) != 0 {
				t.Fatalf("order %v (one batch: %v): search finds the forged edit", order, batched)
			}
			s.Close()
		}
	}
}

// A delete sent in another room than its target's applies to nothing,
// whichever comes first.
func TestADeleteFromAnotherRoomDoesNotApply(t *testing.T) {
	f := newFixture(t)
	x := f.item(t, 10, "stays")
	elsewhere := fixture{key: f.key, room: newFixture(t).room}
	del := elsewhere.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	for _, order := range [][]Item{{x, del}, {del, x}} {
		s := openStore(t, t.TempDir())
		for _, it := range order {
			put(t, s, it)
		}
		if view := viewOf(t, s, f.room); len(view) != 1 || view[0].deleted {
			t.Errorf("delete first: %v: view = %+v; want the message shown", order[0].ID == del.ID, view)
		}
		if view := viewOf(t, s, elsewhere.room); len(view) != 0 {
			t.Errorf("delete first: %v: the other room shows %+v", order[0].ID == del.ID, view)
		}
		if n := s.ForgedChanges(); n != 1 {
			t.Errorf("delete first: %v: ForgedChanges = %d, want 1", order[0].ID == del.ID, n)
		}
	}
}
