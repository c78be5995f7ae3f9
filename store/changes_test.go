package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
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
// message and its changes reach it in.
func TestChangesConvergeInAnyOrder(t *testing.T) {
	f := newFixture(t)
	mallory := f.other(t)
	x := f.item(t, 10, "original")
	y := f.item(t, 20, "kept")
	edit := f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "edited"})
	react := mallory.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &x.ID, Emoji: "👀", On: true})
	forged := mallory.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &y.ID, TargetTime: y.Time})
	del := f.change(t, 14, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
	all := []Item{x, y, edit, react, forged, del}

	var want []shown
	var wantHistory []Position
	for i, order := range permutations(len(all)) {
		s := openStore(t, t.TempDir())
		for _, j := range order {
			put(t, s, all[j])
		}
		view := viewOf(t, s, f.room)
		history, err := s.Positions(f.room)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want, wantHistory = view, history
			if len(view) != 2 || !view[0].deleted || view[1].deleted {
				t.Fatalf("view = %+v; want x deleted and y kept", view)
			}
		} else if !equalViews(view, want) || !slices.Equal(history, wantHistory) {
			t.Fatalf("order %v: view %+v, history %d entries; first order gave %+v, %d", order, view, len(history), want, len(wantHistory))
		}
		if env, _ := s.Envelope(edit.ID); env != nil {
			t.Fatalf("order %v: the deleted message's edit is kept", order)
		}
		s.Close()
	}
}

func equalViews(a, b []shown) bool {
	return slices.EqualFunc(a, b, func(x, y shown) bool {
		return x.id == y.id && x.deleted == y.deleted && slices.Equal(x.changes, y.changes)
	})
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
	put(t, s, x,
		f.change(t, 11, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &x.ID, Text: "bye all"}),
		f.item(t, 12, "deleted later"),
		other.item(t, 13, "bye from elsewhere"))
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
