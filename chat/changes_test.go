package chat

import (
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/store"
	"parley/wire"
)

// shownAs reduces a room's history to what a user sees of each entry.
type shownAs struct {
	id, text  string
	edited    bool
	deleted   bool
	reactions string
}

func seen(t *testing.T, s *Service, room string) []shownAs {
	t.Helper()
	var out []shownAs
	for _, m := range fullHistory(t, s, room) {
		e := shownAs{id: m.ID, text: m.Text, edited: m.Edited, deleted: m.Deleted}
		for _, r := range m.Reactions {
			e.reactions += r.Emoji + string(rune('0'+r.Count))
		}
		out = append(out, e)
	}
	return out
}

func TestMessageActionsReachEveryMember(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, err := a.CreateRoom("actions")
	if err != nil {
		t.Fatal(err)
	}
	joinAll(t, net, room)
	ctx := t.Context()

	first, err := a.Send(ctx, room.ID, "lunch at noon?")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "b has the message", func() bool { return len(fullHistory(t, b, room.ID)) == 1 })
	if _, err := b.React(ctx, room.ID, first.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.React(ctx, room.ID, first.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	edited, err := a.Edit(ctx, room.ID, first.ID, "lunch at one?")
	if err != nil {
		t.Fatal(err)
	}
	if !edited.Edited || edited.Text != "lunch at one?" {
		t.Errorf("Edit returned %+v", edited)
	}
	eventually(t, 10*time.Second, "b has the edit", func() bool {
		h := fullHistory(t, b, room.ID)
		return len(h) == 1 && h[0].Edited
	})
	reply, err := b.Reply(ctx, room.ID, first.ID, "works for me")
	if err != nil {
		t.Fatal(err)
	}
	if reply.ReplyPreview == nil || reply.ReplyPreview.Text != "lunch at one?" {
		t.Errorf("reply preview = %+v", reply.ReplyPreview)
	}
	doomed, err := b.Send(ctx, room.ID, "oops, wrong room")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Delete(ctx, room.ID, doomed.ID); err != nil {
		t.Fatal(err)
	}

	want := []shownAs{
		{id: first.ID, text: "lunch at one?", edited: true, reactions: "👍2"},
		{id: reply.ID, text: "works for me"},
		{id: doomed.ID, deleted: true},
	}
	for name, s := range map[string]*Service{"a": a, "b": b} {
		eventually(t, 15*time.Second, name+" shows every action", func() bool { return slices.Equal(seen(t, s, room.ID), want) })
	}

	// Taking a reaction back is the same call again.
	if m, err := b.React(ctx, room.ID, first.ID, "👍"); err != nil || len(m.Reactions) != 1 || m.Reactions[0].Count != 1 || m.Reactions[0].Mine {
		t.Errorf("toggled reaction = %+v, %v", m.Reactions, err)
	}
	// Only the author may edit or delete.
	if _, err := b.Edit(ctx, room.ID, first.ID, "mine now"); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("editing someone else's message: %v, want ErrNotAuthor", err)
	}
	if _, err := b.Delete(ctx, room.ID, first.ID); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("deleting someone else's message: %v, want ErrNotAuthor", err)
	}
	if _, err := b.Edit(ctx, room.ID, doomed.ID, "back"); !errors.Is(err, ErrMessageDeleted) {
		t.Errorf("editing a deleted message: %v, want ErrMessageDeleted", err)
	}
	// The deleted text is gone from b's store, not only hidden.
	id, _ := wire.ParseMessageID(doomed.ID)
	if env, err := b.store.Envelope(id); err != nil || env != nil {
		t.Errorf("deleted message still stored: %d bytes, %v", len(env), err)
	}
}

// Edits, deletes and reactions made while a member was offline reach it
// through sync, and both end with the same view.
func TestChangesConvergeAcrossAnOfflinePeriod(t *testing.T) {
	a := newNode(t, t.TempDir())
	bDir := t.TempDir()
	b := openNode(t, bDir)
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	room, _ := a.CreateRoom("offline")
	joinAll(t, []*Service{a, b}, room)
	ctx := t.Context()
	keep, _ := a.Send(ctx, room.ID, "the plan: ship friday")
	drop, _ := a.Send(ctx, room.ID, "my password is hunter2")
	// b answers what it has seen, so its answer sorts after both (within
	// one millisecond only what b has received orders it).
	eventually(t, 10*time.Second, "b has a's two messages", func() bool {
		return len(fullHistory(t, b, room.ID)) == 2
	})
	theirs, _ := b.Send(ctx, room.ID, "sounds good")
	eventually(t, 10*time.Second, "both have three messages", func() bool {
		return len(fullHistory(t, a, room.ID)) == 3 && len(fullHistory(t, b, room.ID)) == 3
	})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := a.Edit(ctx, room.ID, keep.ID, "the plan: ship monday"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Delete(ctx, room.ID, drop.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.React(ctx, room.ID, theirs.ID, "🎉"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RenameRoom(ctx, room.ID, "offline, renamed"); err != nil {
		t.Fatal(err)
	}

	b = newNode(t, bDir)
	if err := b.Connect(t.Context(), a.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	want := seen(t, a, room.ID)
	eventually(t, 30*time.Second, "b shows what a changed while it was away", func() bool {
		return slices.Equal(seen(t, b, room.ID), want)
	})
	if want[1].id != drop.ID || !want[1].deleted || want[0].text != "the plan: ship monday" {
		t.Fatalf("a's view = %+v", want)
	}
	eventually(t, 10*time.Second, "b has the room's new name", func() bool {
		rooms := b.Rooms()
		return len(rooms) == 1 && rooms[0].Name == "offline, renamed"
	})
	id, _ := wire.ParseMessageID(drop.ID)
	if env, err := b.store.Envelope(id); err != nil || env != nil {
		t.Errorf("the deleted text survived on b: %d bytes, %v", len(env), err)
	}
	if hits, err := b.Search("hunter2", "", 10); err != nil || len(hits) != 0 {
		t.Errorf("search on b finds the deleted text: %v, %v", hits, err)
	}
}

// An edit or delete signed by someone who did not write the message is
// kept but never applied, whether it came with its target or apart, in
// either order: both members end with the same history and the original
// text. A genuine edit that comes before its message applies once the
// message comes.
func TestForgedChangesAreKeptButNotApplied(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("forgery")
	joinAll(t, net, room)
	roomID := mustRoom(t, room.ID)
	ctx := t.Context()
	// b holds what a member who is not online now wrote, and what others
	// forged of it (put in its store directly, as a modified node would),
	// and offers it to a by sync.
	author, mallory := newKey(t), newKey(t)
	now := wire.WallTime(time.Now())
	sign := func(key crypto.PrivKey, d wire.Draft) *wire.Message {
		t.Helper()
		d.Room = roomID
		m, err := wire.Sign(key, d)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	offer := func(ms ...*wire.Message) {
		t.Helper()
		for _, m := range ms {
			if _, err := b.store.Put(ctx, store.ItemOf(m)); err != nil {
				t.Fatal(err)
			}
		}
		a.requestSync(roomID, b.id.ID)
		eventually(t, 20*time.Second, "a has what b offered", func() bool {
			for _, m := range ms {
				if has, _ := a.store.Has(m.ID); !has {
					return false
				}
			}
			return true
		})
	}
	for i, c := range []struct {
		name        string
		changeFirst bool
		kind        wire.Kind
	}{
		{"edit after its target", false, wire.Kind_KIND_EDIT},
		{"edit before its target", true, wire.Kind_KIND_EDIT},
		{"delete after its target", false, wire.Kind_KIND_DELETE},
		{"delete before its target", true, wire.Kind_KIND_DELETE},
	} {
		t.Run(c.name, func(t *testing.T) {
			// One sync frame brings both; the change sorts first or second.
			at, changeAt := now+uint64(10*i)+2, now+uint64(10*i)+3
			if c.changeFirst {
				at, changeAt = changeAt, at
			}
			target := sign(author, wire.Draft{Time: at, Kind: wire.Kind_KIND_TEXT, Text: "original words " + c.name})
			forged := sign(mallory, wire.Draft{Time: changeAt, Kind: c.kind, Target: &target.ID, TargetTime: target.Time, Text: "put in their mouth"})
			offer(target, forged)
			for name, s := range map[string]*Service{"a": a, "b": b} {
				msg, ok, err := s.message(roomID, target.ID)
				if err != nil || !ok || msg.Text != target.Text || msg.Edited || msg.Deleted {
					t.Errorf("%s shows %+v, %v, %v; want the original text", name, msg, ok, err)
				}
				if env, _ := s.store.Envelope(forged.ID); env == nil {
					t.Errorf("%s does not keep the forged %s", name, c.kind)
				}
			}
		})
	}
	// a counts what it kept but did not apply (b counted them as they
	// were put in its store).
	if n := a.Status().Rejected; n != 4 {
		t.Errorf("a's status counts %d rejected changes, want the 4 forgeries", n)
	}
	t.Run("genuine edit before its target", func(t *testing.T) {
		target := sign(author, wire.Draft{Time: now + 100, Kind: wire.Kind_KIND_TEXT, Text: "lunch at noon"})
		edit := sign(author, wire.Draft{Time: now + 101, Kind: wire.Kind_KIND_EDIT, Target: &target.ID, Text: "lunch at one"})
		offer(edit)
		offer(target)
		if msg, ok, _ := a.message(roomID, target.ID); !ok || msg.Text != "lunch at one" || !msg.Edited {
			t.Errorf("a shows %+v; want the edit applied", msg)
		}
		if hits, err := a.Search("one", room.ID, 10); err != nil || len(hits) != 1 || hits[0].ID != target.ID.String() {
			t.Errorf("search for the edited word on a = %v, %v", hits, err)
		}
	})
}

func newKey(t *testing.T) crypto.PrivKey {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSearchFindsMessagesAsTheyReadNow(t *testing.T) {
	s := newNode(t, t.TempDir())
	ctx := t.Context()
	plans, _ := s.CreateRoom("plans")
	other, _ := s.CreateRoom("other")
	old, _ := s.Send(ctx, plans.ID, "We decided to ship on Friday")
	s.Send(ctx, other.ID, "Decision pending in the other room")
	typo, _ := s.Send(ctx, plans.ID, "relase notes are done")
	s.Edit(ctx, plans.ID, typo.ID, "release notes are done")
	gone, _ := s.Send(ctx, plans.ID, "decimate this message")
	s.Delete(ctx, plans.ID, gone.ID)

	texts := func(ms []Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return out
	}
	cases := []struct {
		query, room string
		want        []string
	}{
		{"deci", "", []string{"Decision pending in the other room", "We decided to ship on Friday"}},
		{"deci", plans.ID, []string{"We decided to ship on Friday"}},
		{`"ship on friday"`, "", []string{"We decided to ship on Friday"}},
		{`"ship friday"`, "", nil},
		{"release", "", []string{"release notes are done"}},
		{"relase", "", nil},
	}
	for _, c := range cases {
		got, err := s.Search(c.query, c.room, 10)
		if err != nil {
			t.Fatalf("Search(%q): %v", c.query, err)
		}
		if !slices.Equal(texts(got), c.want) {
			t.Errorf("Search(%q, room %v) = %q, want %q", c.query, c.room != "", texts(got), c.want)
		}
	}
	got, _ := s.Search("decided", "", 1)
	if len(got) != 1 || got[0].ID != old.ID || got[0].Room != plans.ID {
		t.Fatalf("result = %+v", got)
	}
	var matched string
	for _, p := range got[0].Highlight {
		if p.Match {
			matched += p.Text
		}
	}
	if matched != "decided" {
		t.Errorf("highlighted %q, want %q", matched, "decided")
	}
	if _, err := s.Search("  ", "", 10); !errors.Is(err, ErrBadQuery) {
		t.Errorf("empty search: %v", err)
	}
}

func TestRoomNameConvergesOnTheNewestRename(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("first")
	joinAll(t, net, room)
	ctx := t.Context()
	if _, err := a.RenameRoom(ctx, room.ID, "from a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RenameRoom(ctx, room.ID, "from b"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetTopic(ctx, room.ID, "what this room is for"); err != nil {
		t.Fatal(err)
	}
	if r := b.Rooms(); r[0].Unread != 0 {
		t.Errorf("b's own rename and topic count as %d unread", r[0].Unread)
	}
	for name, s := range map[string]*Service{"a": a, "b": b} {
		eventually(t, 10*time.Second, name+" names the room after the newest rename", func() bool {
			r := s.Rooms()
			return len(r) == 1 && r[0].Name == "from b" && r[0].Topic == "what this room is for"
		})
	}
	events := 0
	for _, m := range fullHistory(t, a, room.ID) {
		if m.Kind == KindRoomName || m.Kind == KindRoomTopic {
			events++
		}
	}
	if events != 3 {
		t.Errorf("a's room shows %d rename and topic lines, want 3", events)
	}
}

func TestTypingAndPresenceReachOnlineMembers(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	room, _ := a.CreateRoom("signals")
	joinAll(t, net, room)
	events, stop := b.Subscribe()
	defer stop()
	// Typing is never stored nor synced: it reaches b only once a's
	// GossipSub has b on the topic, which can come after both show online.
	id := mustRoom(t, room.ID)
	eventually(t, 10*time.Second, "a's gossip reaches b", func() bool { return a.node.Hears(id, b.id.ID) })
	if err := a.Typing(t.Context(), room.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for typing := false; !typing; {
		select {
		case e := <-events:
			if ty, ok := e.Data.(Typing); ok && ty.Room == room.ID && ty.PeerID == a.Me().PeerID {
				typing = true
			}
		case <-deadline:
			t.Fatal("b was not told a is typing")
		}
	}
	if err := a.SetAway(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	presenceOf := func(s *Service, peerID string) string {
		members, _ := s.Members(room.ID)
		for _, m := range members {
			if m.PeerID == peerID {
				return m.Presence
			}
		}
		return ""
	}
	eventually(t, 10*time.Second, "b shows a away", func() bool { return presenceOf(b, a.Me().PeerID) == PresenceAway })
	a.SetAway(t.Context(), false)
	eventually(t, 10*time.Second, "b shows a back", func() bool { return presenceOf(b, a.Me().PeerID) == PresenceOnline })
	if n, _ := b.MessageCount(room.ID); n != 0 {
		t.Errorf("signals were stored: %d messages", n)
	}
}

func TestNotifySettingAndDeletedHistory(t *testing.T) {
	dir := t.TempDir()
	s := openNode(t, dir)
	room, _ := s.CreateRoom("quiet")
	if _, err := s.SetNotify(room.ID, "loud"); !errors.Is(err, ErrBadNotify) {
		t.Errorf("SetNotify(loud) = %v", err)
	}
	if r, err := s.SetNotify(room.ID, NotifyMentions); err != nil || r.Notify != NotifyMentions {
		t.Fatalf("SetNotify = %+v, %v", r, err)
	}
	s.Send(t.Context(), room.ID, "a secret to forget")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = newNode(t, dir)
	link, err := s.Invite(t.Context(), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.NotifyLevel(room.ID); got != NotifyMentions {
		t.Errorf("after a restart the room notifies %q", got)
	}
	if err := s.DeleteRoomHistory(room.ID); err != nil {
		t.Fatal(err)
	}
	if len(s.Rooms()) != 0 {
		t.Error("the room is still listed")
	}
	if hits, _ := s.Search("secret", "", 10); len(hits) != 0 {
		t.Error("search still finds the deleted history")
	}
	if _, err := s.JoinRoom(room.ID, ""); !errors.Is(err, ErrNeedInvite) {
		t.Errorf("rejoined by ID after its history and secret were deleted: %v", err)
	}
	if again, err := s.JoinRoom(link, ""); err != nil || again.Notify != NotifyAll || again.Unread != 0 {
		t.Errorf("joined again: %+v, %v; want a fresh room", again, err)
	}
}

func TestMentions(t *testing.T) {
	cases := []struct {
		text, name string
		want       bool
	}{
		{"hi @Ada, look", "Ada", true},
		{"hi @ada", "Ada", true},
		{"hi @Adam", "Ada", false},
		{"mail ada@example.org", "Ada", false},
		{"@Ada Lovelace", "Ada Lovelace", true},
		{"@Ada", "", false},
		{"@Zoë!", "zoë", true},
	}
	for _, c := range cases {
		if got := mentions(c.text, c.name); got != c.want {
			t.Errorf("mentions(%q, %q) = %v", c.text, c.name, got)
		}
	}
}

func TestUnreadMentionsAreCounted(t *testing.T) {
	net := connectedNodes(t, 2)
	a, b := net[0], net[1]
	if _, err := b.SetName(t.Context(), "Bea"); err != nil {
		t.Fatal(err)
	}
	room, _ := a.CreateRoom("mentions")
	joinAll(t, net, room)
	a.Send(t.Context(), room.ID, "hello all")
	a.Send(t.Context(), room.ID, "@Bea can you look?")
	a.Send(t.Context(), room.ID, "@bea and again")
	eventually(t, 10*time.Second, "b counts two unread mentions", func() bool {
		r := b.Rooms()
		return len(r) == 1 && r[0].Unread == 3 && r[0].Mentions == 2
	})
	last := fullHistory(t, b, room.ID)[2]
	if err := b.MarkRead(room.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.Rooms(); r[0].Mentions != 0 {
		t.Errorf("read mentions still counted: %d", r[0].Mentions)
	}
}
