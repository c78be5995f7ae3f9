package store

import (
	"fmt"
	"slices"
	"testing"

	"parley/wire"
)

// A room's helpers are replaced as a whole, kept apart from other rooms'
// and survive a reopen; setting none forgets them.
func TestRoomHelpers(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	design, ops := wire.RoomID{1}, wire.RoomID{2}
	h := func(id string) LinkHelper { return LinkHelper{ID: id, Addrs: []string{"/ip4/127.0.0.1/tcp/4001"}} }
	if err := s.SetRoomHelpers(design, []LinkHelper{h("h1"), h("h2")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoomHelpers(ops, []LinkHelper{h("h1")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoomHelpers(design, []LinkHelper{h("h3")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	list := func() []string {
		t.Helper()
		hs, err := s.LinkHelpers()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			out = append(out, fmt.Sprintf("%d:%s:%s", h.Room[0], h.ID, h.Addrs[0]))
		}
		return out
	}
	if got, want := list(), []string{"1:h3:/ip4/127.0.0.1/tcp/4001", "2:h1:/ip4/127.0.0.1/tcp/4001"}; !slices.Equal(got, want) {
		t.Errorf("helpers = %v; want %v", got, want)
	}
	if err := s.SetRoomHelpers(ops, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := list(), []string{"1:h3:/ip4/127.0.0.1/tcp/4001"}; !slices.Equal(got, want) {
		t.Errorf("after forgetting ops' helpers = %v; want %v", got, want)
	}
}

// Inviters come out due soonest first; past the bound the ones due soonest
// are forgotten and handed back; a new record replaces the old.
func TestLinkInviters(t *testing.T) {
	s := openStore(t, t.TempDir())
	for i, id := range []string{"a", "b", "c"} {
		dropped, err := s.PutLinkInviter(LinkInviter{ID: id, Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Until: int64(300 - i)}, 3)
		if err != nil || len(dropped) != 0 {
			t.Fatalf("put %s: dropped %v, %v", id, dropped, err)
		}
	}
	dropped, err := s.PutLinkInviter(LinkInviter{ID: "d", Until: 400}, 3)
	if err != nil || len(dropped) != 1 || dropped[0].ID != "c" {
		t.Fatalf("put past the bound dropped %+v, %v; want c, due soonest", dropped, err)
	}
	if _, err := s.PutLinkInviter(LinkInviter{ID: "b", Until: 500}, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLinkInviter("a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLinkInviter("never there"); err != nil {
		t.Errorf("forgetting an unknown inviter: %v", err)
	}
	got, err := s.LinkInviters()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, fmt.Sprintf("%s@%d", p.ID, p.Until))
	}
	if want := []string{"d@400", "b@500"}; !slices.Equal(ids, want) {
		t.Errorf("inviters = %v; want %v", ids, want)
	}
}
