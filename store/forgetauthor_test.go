package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"parley/reconcile"
	"parley/wire"
)

// A room where a (f) and b write, react to and change each other's messages.
type forgetRoom struct {
	f, b                       fixture
	fText, fEdit, fReact, fDel Item
	fGone, fMeta               Item
	bText, bReact, bForgedEdit Item
}

func newForgetRoom(t *testing.T) forgetRoom {
	f := newFixture(t)
	b := f.other(t)
	r := forgetRoom{f: f, b: b}
	r.fText = f.item(t, 10, "spam spam spam")
	r.bText = b.item(t, 11, "a real question")
	r.fEdit = f.change(t, 12, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &r.fText.ID, Text: "more spam"})
	r.fReact = f.change(t, 13, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &r.bText.ID, Emoji: "💩", On: true})
	r.bReact = b.change(t, 14, wire.Draft{Kind: wire.Kind_KIND_REACTION, Target: &r.fText.ID, Emoji: "👎", On: true})
	r.fGone = f.item(t, 15, "deleted spam")
	r.fDel = f.change(t, 16, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &r.fGone.ID, TargetTime: r.fGone.Time})
	r.bForgedEdit = b.change(t, 17, wire.Draft{Kind: wire.Kind_KIND_EDIT, Target: &r.fText.ID, Text: "b's words"})
	r.fMeta = f.change(t, 18, wire.Draft{Kind: wire.Kind_KIND_ROOM_META, RoomName: ptr("spam room")})
	return r
}

func ptr[T any](v T) *T { return &v }

func (r forgetRoom) all() []Item {
	return []Item{r.fText, r.bText, r.fEdit, r.fReact, r.bReact, r.fGone, r.fDel, r.bForgedEdit, r.fMeta}
}

func (r forgetRoom) fMessages() []Item {
	return []Item{r.fText, r.fEdit, r.fReact, r.fDel, r.fMeta}
}

func TestForgetAuthorLeavesOnlyTheirPlaces(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	r := newForgetRoom(t)
	put(t, s, r.all()...)
	before, _ := s.Positions(r.f.room)
	author := r.fText.Author

	n, err := s.ForgetAuthor(t.Context(), r.f.room, author)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(r.fMessages()) {
		t.Errorf("ForgetAuthor dropped %d messages, want %d", n, len(r.fMessages()))
	}
	view := viewOf(t, s, r.f.room)
	if len(view) != 1 || view[0].id != r.bText.ID || len(view[0].changes) != 0 {
		t.Errorf("view = %+v; want b's message alone, without f's reaction", view)
	}
	for _, it := range r.fMessages() {
		if env, err := s.Envelope(it.ID); err != nil || env != nil {
			t.Errorf("%s of f's is still here: %d bytes, %v", it.Kind, len(env), err)
		}
		if has, _ := s.Has(it.ID); !has {
			t.Errorf("Has forgets f's %s: gossip would offer it again", it.Kind)
		}
	}
	if got := hits(t, s, "spam"); len(got) != 0 {
		t.Errorf("search finds f's words: %v", got)
	}
	// Sync compares the history's keys: f's places stay.
	if after, _ := s.Positions(r.f.room); !slices.Equal(after, before) {
		t.Errorf("history keys went from %d to %d", len(before), len(after))
	}
	if authors, _ := s.Authors(r.f.room); !slices.Equal(authors, []string{r.bText.Author}) {
		t.Errorf("Authors = %q, want b alone", authors)
	}
	if used, _ := s.AuthorUsage(r.f.room, author); used != 0 {
		t.Errorf("f still takes %d bytes", used)
	}

	// What f sends later, and copies of the old, are not stored: only
	// their places, so that sync does not offer them again.
	later := r.f.item(t, 30, "spam again")
	if added := put(t, s, later, r.fText); added[0] || added[1] {
		t.Errorf("added = %v after f was forgotten", added)
	}
	if view := viewOf(t, s, r.f.room); len(view) != 1 {
		t.Errorf("view shows %d entries after f wrote again", len(view))
	}
	if has, _ := s.Has(later.ID); !has {
		t.Error("a later message of f's is not remembered as had")
	}

	// The mark survives a restart.
	s.Close()
	s = openStore(t, dir)
	if forgotten, err := s.Forgotten(r.f.room, author); err != nil || !forgotten {
		t.Errorf("after a restart Forgotten = %v, %v", forgotten, err)
	}
	if added := put(t, s, r.f.item(t, 31, "spam after restart")); added[0] {
		t.Error("f's message was stored after a restart")
	}
	if forgotten, _ := s.Forgotten(r.f.room, r.bText.Author); forgotten {
		t.Error("b is forgotten too")
	}
	// Leaving the room forgets the mark with everything else.
	if err := s.DeleteRoom(r.f.room); err != nil {
		t.Fatal(err)
	}
	if forgotten, _ := s.Forgotten(r.f.room, author); forgotten {
		t.Error("the mark outlived DeleteRoom")
	}
}

// A member who forgot an author and one who did not have nothing to send
// each other: the forgotten messages' places count as had.
func TestSyncDoesNotOfferForgottenMessagesAgain(t *testing.T) {
	kept, forgot := openStore(t, t.TempDir()), openStore(t, t.TempDir())
	r := newForgetRoom(t)
	put(t, kept, r.all()...)
	put(t, forgot, r.all()...)
	if _, err := forgot.ForgetAuthor(t.Context(), r.f.room, r.fText.Author); err != nil {
		t.Fatal(err)
	}
	later := r.f.item(t, 40, "written after")
	put(t, kept, later)
	put(t, forgot, later) // as gossip or sync would bring it

	keptHas, forgotHas := reconcileStores(t, kept, forgot, r.f.room)
	if len(keptHas) != 0 || len(forgotHas) != 0 {
		t.Errorf("the stores would send %d and %d messages; want none", len(keptHas), len(forgotHas))
	}
	// And a forgotten message has no envelope to give a newcomer.
	if env, err := forgot.Envelope(later.ID); err != nil || env != nil {
		t.Errorf("Envelope of a forgotten message = %d bytes, %v", len(env), err)
	}
}

// reconcileStores runs a reconciliation of a room between two stores and
// returns what each would send the other.
func reconcileStores(t *testing.T, a, b *Store, room wire.RoomID) (aSends, bSends map[[wire.IDSize]byte]struct{}) {
	t.Helper()
	sa, sb := reconcile.New(a.Scan(room)), reconcile.New(b.Scan(room))
	frame, err := sa.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	sides := [2]*reconcile.Session{sb, sa}
	for turn := 0; !reconcile.Settled(frame); turn++ {
		if turn == 64 {
			t.Fatal("no agreement after 64 rounds")
		}
		if frame, err = sides[turn%2].Reply(frame); err != nil {
			t.Fatal(err)
		}
	}
	return sa.Have, sb.Have
}

// An author with more messages than one step reads is forgotten in
// several steps, with the room's tally given back.
func TestForgetAuthorWorksThroughABigRoom(t *testing.T) {
	f := newFixture(t)
	b := f.other(t)
	var spam, kept []Item
	var spamBytes int64
	for i := range forgetScanKeys + 500 {
		it := f.item(t, uint64(2*i+1), fmt.Sprintf("spam %d", i))
		spam, spamBytes = append(spam, it), spamBytes+int64(len(it.Envelope))
		if i%10 == 0 {
			kept = append(kept, b.item(t, uint64(2*i+2), fmt.Sprintf("kept %d", i)))
		}
	}
	var keptBytes int64
	for _, it := range kept {
		keptBytes += int64(len(it.Envelope))
	}
	// The room is full to the byte: after forgetting, b's next message fits.
	s, err := Open(t.TempDir(), Options{RoomQuota: spamBytes + keptBytes, AuthorShare: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := 0; i < len(spam); i += 512 {
		put(t, s, spam[i:min(i+512, len(spam))]...)
	}
	put(t, s, kept...)
	next := b.item(t, 1<<40, "room again")
	if _, err := s.Put(t.Context(), next); !errors.Is(err, ErrRoomFull) {
		t.Fatalf("Put into the full room: %v", err)
	}
	if used, _ := s.AuthorUsage(f.room, spam[0].Author); used != spamBytes {
		t.Errorf("f's tally is %d bytes, want %d", used, spamBytes)
	}

	n, err := s.ForgetAuthor(t.Context(), f.room, spam[0].Author)
	if err != nil || n != len(spam) {
		t.Fatalf("ForgetAuthor = %d, %v; want %d", n, err, len(spam))
	}
	if c, _ := s.Count(f.room); c != len(kept) {
		t.Errorf("the room shows %d messages, want b's %d", c, len(kept))
	}
	if got := hits(t, s, "spam"); len(got) != 0 {
		t.Errorf("search finds %d of f's messages", len(got))
	}
	if added := put(t, s, next); !added[0] {
		t.Error("the room is still full after forgetting f")
	}
	if used, _ := s.AuthorUsage(f.room, kept[0].Author); used != keptBytes+int64(len(next.Envelope)) {
		t.Errorf("b's tally is %d bytes, want %d", used, keptBytes+int64(len(next.Envelope)))
	}
}

// A delete that named a message not here leaves a stub; if its author is
// forgotten the stub goes, unless another member's delete put one there.
func TestForgetAuthorTakesTheirGuessesAway(t *testing.T) {
	f := newFixture(t)
	x := f.item(t, 10, "never arrives")
	cases := []struct {
		name      string
		others    bool
		wantStubs int
	}{
		{"alone", false, 0},
		{"with another member's delete", true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, t.TempDir())
			mallory := f.other(t).change(t, 11, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
			eve := f.other(t).change(t, 12, wire.Draft{Kind: wire.Kind_KIND_DELETE, Target: &x.ID, TargetTime: x.Time})
			put(t, s, mallory)
			if c.others {
				put(t, s, eve)
			}
			if _, err := s.ForgetAuthor(t.Context(), f.room, mallory.Author); err != nil {
				t.Fatal(err)
			}
			items, err := s.Page(f.room, Position{}, After, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != c.wantStubs {
				t.Fatalf("view holds %d stubs, want %d", len(items), c.wantStubs)
			}
			if c.wantStubs == 1 && items[0].Author != eve.Author {
				t.Error("the stub still names the forgotten author")
			}
		})
	}
}

// Each author's tally counts the envelopes of their messages in a room,
// survives a restart and leaves refused messages out.
func TestAuthorTalliesCountWhatTheyStored(t *testing.T) {
	dir, f := t.TempDir(), newFixture(t)
	b := f.other(t)
	a1, a2, b1 := f.item(t, 10, "one"), f.item(t, 11, "two"), b.item(t, 12, "three")
	quota := int64(len(a1.Envelope) + len(a2.Envelope) + len(b1.Envelope))
	opts := Options{RoomQuota: quota, AuthorShare: -1}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, a1, a2, b1, a1)
	if _, err := s.Put(t.Context(), b.item(t, 13, "over the cap")); !errors.Is(err, ErrRoomFull) {
		t.Fatalf("Put past the cap: %v", err)
	}
	s.Close()
	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, c := range []struct {
		name   string
		author string
		want   int64
	}{
		{"a", a1.Author, int64(len(a1.Envelope) + len(a2.Envelope))},
		{"b", b1.Author, int64(len(b1.Envelope))},
		{"nobody", "nobody", 0},
	} {
		if got, err := s.AuthorUsage(f.room, c.author); err != nil || got != c.want {
			t.Errorf("%s's tally = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}
