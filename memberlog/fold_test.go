package memberlog

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/seal"
	"parley/wire"
)

// person is someone in the tests' rooms: an identity, a device, and the
// head of its chain of events.
type person struct {
	name   string
	id     peer.ID
	device *seal.Device
	head   []byte
}

func newPerson(t testing.TB, name string) *person {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	d, err := seal.NewDevice()
	if err != nil {
		t.Fatal(err)
	}
	return &person{name: name, id: id, device: d}
}

func (p *person) pub() []byte { return p.device.Public().Bytes() }

// book writes a room's events, each a millisecond after the last unless
// told the time.
type book struct {
	t     testing.TB
	room  wire.RoomID
	clock uint64
	n     int
	// log is every event written, in the order written.
	log []Event
}

func newBook(t testing.TB) *book {
	room, _ := wire.NewRoomID()
	return &book{t: t, room: room, clock: wire.WallTime(time.Now().Add(-time.Hour))}
}

func (b *book) next() uint64 { b.clock += 1 << 16; return b.clock }

func (b *book) event(author *person, at uint64, m *wire.Member, k *wire.Keys) Event {
	b.n++
	id := wire.MessageID(sha256.Sum256(fmt.Appendf(nil, "event %d of %s", b.n, b.room)))
	if m != nil {
		m.Prev = author.head
	} else {
		k.Prev = author.head
	}
	author.head = id[:]
	e := Event{ID: id, Author: author.id, Time: at, Member: m, Keys: k}
	b.log = append(b.log, e)
	return e
}

func (b *book) member(author *person, m *wire.Member) Event { return b.event(author, b.next(), m, nil) }

// keys begins or extends an epoch: key wrapped for the devices of to.
func (b *book) keys(author *person, epoch uint32, key seal.Key, to ...*person) Event {
	return b.keysAt(author, b.next(), epoch, key, to...)
}

func (b *book) keysAt(author *person, at uint64, epoch uint32, key seal.Key, to ...*person) Event {
	b.t.Helper()
	k := &wire.Keys{Epoch: epoch, Check: check(key, b.room, epoch)}
	for _, p := range to {
		w, err := seal.Wrap(key, p.device.Public(), b.room, epoch)
		if err != nil {
			b.t.Fatal(err)
		}
		k.Wraps = append(k.Wraps, &wire.Wrap{Device: p.pub(), Wrapped: w})
	}
	return b.event(author, at, nil, k)
}

func check(k seal.Key, room wire.RoomID, epoch uint32) []byte {
	c := k.Check(room, epoch)
	return c[:]
}

func (b *book) create(owner *person) Event {
	return b.member(owner, &wire.Member{Action: wire.Member_ACTION_CREATE, Device: owner.pub()})
}

// invite makes an invitation; hours 0 never ends.
func (b *book) invite(by *person, hours int, uses uint32) (Event, seal.Invitation) {
	b.t.Helper()
	inv, err := seal.NewInvitation()
	if err != nil {
		b.t.Fatal(err)
	}
	m := &wire.Member{Action: wire.Member_ACTION_INVITE, InviteKey: inv.Public(), Uses: uses}
	at := b.next()
	if hours > 0 {
		m.Expires = uint64(wire.TimeOf(at).Add(time.Duration(hours) * time.Hour).UnixMilli())
	}
	return b.event(by, at, m, nil), inv
}

func (b *book) admit(by *person, invite Event, inv seal.Invitation, joiner *person) Event {
	return b.member(by, &wire.Member{Action: wire.Member_ACTION_ADMIT, Subject: []byte(joiner.id), Invite: invite.ID[:],
		Device: joiner.pub(), Proof: inv.Prove(b.room, joiner.id, joiner.device.Public())})
}

func (b *book) remove(by, who *person) Event {
	return b.removeAt(by, b.next(), who)
}

func (b *book) removeAt(by *person, at uint64, who *person) Event {
	return b.event(by, at, &wire.Member{Action: wire.Member_ACTION_REMOVE, Subject: []byte(who.id), Known: who.head}, nil)
}

func (b *book) role(by, who *person, r wire.Role) Event {
	return b.member(by, &wire.Member{Action: wire.Member_ACTION_ROLE, Subject: []byte(who.id), Role: r})
}

func newKey(t testing.TB) seal.Key {
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func roles(s *State, people ...*person) string {
	out := ""
	for _, p := range people {
		out += fmt.Sprintf("%s:%s ", p.name, s.Role(p.id))
	}
	return out
}

func refusedWith(t *testing.T, s *State, e Event, want error) {
	t.Helper()
	if err := s.Refused()[e.ID]; !errors.Is(err, want) {
		t.Errorf("event %s: refused with %v, want %v", e.Member.GetAction(), err, want)
	}
}

func TestAnInvitedPersonIsAdmittedAndGetsTheKeys(t *testing.T) {
	b := newBook(t)
	ada, bob, cy := newPerson(t, "ada"), newPerson(t, "bob"), newPerson(t, "cy")
	k0 := newKey(t)
	create := b.create(ada)
	epoch0 := b.keys(ada, 0, k0, ada)
	inv, invitation := b.invite(ada, 24, 0)
	admitBob := b.admit(ada, inv, invitation, bob)
	wrapBob := b.keys(ada, 0, k0, bob)
	// A plain member admits the next one with the same link.
	admitCy := b.admit(bob, inv, invitation, cy)
	wrapCy := b.keys(bob, 0, k0, cy)
	g := Genesis{Room: b.room, Founders: []peer.ID{ada.id}}
	s := Fold(g, []Event{wrapCy, admitCy, wrapBob, create, admitBob, epoch0, inv})

	if len(s.Refused()) != 0 {
		t.Fatalf("refused: %v", s.Refused())
	}
	if got := roles(s, ada, bob, cy); got != "ada:owner bob:member cy:member " {
		t.Errorf("roles: %s", got)
	}
	if d, ok := s.Device(cy.id); !ok || d != cy.device.Public() {
		t.Error("cy's device is not the one it joined with")
	}
	ep := s.Epoch(0)
	if s.Epochs() != 1 || ep == nil || !ep.Devices[bob.device.Public()] || !ep.Devices[cy.device.Public()] {
		t.Fatalf("epoch 0 = %+v", ep)
	}
	if s.Invite(inv.ID).Used != 2 {
		t.Errorf("the invitation was used %d times, want 2", s.Invite(inv.ID).Used)
	}
	if s.NeedsRotation() {
		t.Error("a rotation is asked for with nobody gone")
	}
}

func TestWhatEachRoleMayDo(t *testing.T) {
	b := newBook(t)
	ada, mod, bob, cy := newPerson(t, "ada"), newPerson(t, "mod"), newPerson(t, "bob"), newPerson(t, "cy")
	b.create(ada)
	inv, invitation := b.invite(ada, 0, 0)
	b.admit(ada, inv, invitation, mod)
	b.admit(ada, inv, invitation, bob)
	b.admit(ada, inv, invitation, cy)
	b.role(ada, mod, wire.Role_ROLE_MODERATOR)
	memberInvites, _ := b.invite(bob, 0, 0)
	memberRemoves := b.remove(bob, cy)
	memberAppoints := b.role(bob, cy, wire.Role_ROLE_MODERATOR)
	modRemovesOwner := b.remove(mod, ada)
	modAppoints := b.role(mod, bob, wire.Role_ROLE_MODERATOR)
	ownerLeaves := b.member(ada, &wire.Member{Action: wire.Member_ACTION_LEAVE})
	modRemovesMember := b.remove(mod, cy)
	cyAfterRemoval := b.member(cy, &wire.Member{Action: wire.Member_ACTION_LEAVE})
	// The owner hands over: ada is a moderator after it, mod the owner.
	b.role(ada, mod, wire.Role_ROLE_OWNER)
	adaNowRemovesBob := b.remove(ada, bob)

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, b.log)
	refusedWith(t, s, memberInvites, ErrForbidden)
	refusedWith(t, s, memberRemoves, ErrForbidden)
	refusedWith(t, s, memberAppoints, ErrForbidden)
	refusedWith(t, s, modRemovesOwner, ErrForbidden)
	refusedWith(t, s, modAppoints, ErrForbidden)
	refusedWith(t, s, ownerLeaves, ErrOwnerStays)
	refusedWith(t, s, cyAfterRemoval, ErrNotMember)
	if err := s.Refused()[modRemovesMember.ID]; err != nil {
		t.Errorf("a moderator removing a member: %v", err)
	}
	if err := s.Refused()[adaNowRemovesBob.ID]; err != nil {
		t.Errorf("a moderator (once the owner) removing a member: %v", err)
	}
	if got := roles(s, ada, mod, bob, cy); got != "ada:moderator mod:owner bob: cy: " {
		t.Errorf("roles: %s", got)
	}
	if !s.Removed(cy.id) || !s.Removed(bob.id) {
		t.Error("the removed are not listed as removed")
	}
	// The API asks the same questions before writing anything.
	if err := s.Allowed(ada.id, wire.Member_ACTION_REMOVE, mod.id); !errors.Is(err, ErrForbidden) {
		t.Errorf("a moderator removing the owner: %v", err)
	}
	if err := s.Allowed(bob.id, wire.Member_ACTION_INVITE, ""); !errors.Is(err, ErrNotMember) {
		t.Errorf("a removed member inviting: %v", err)
	}
	if err := s.Allowed(mod.id, wire.Member_ACTION_REMOVE, cy.id); !errors.Is(err, ErrNotMember) {
		t.Errorf("removing someone not in the room: %v", err)
	}
}

func TestAnInvitationAdmitsOnlyWhileItHolds(t *testing.T) {
	b := newBook(t)
	ada, bob, cy, dee := newPerson(t, "ada"), newPerson(t, "bob"), newPerson(t, "cy"), newPerson(t, "dee")
	b.create(ada)
	once, onceKey := b.invite(ada, 0, 1)
	b.admit(ada, once, onceKey, bob)
	usedUp := b.admit(ada, once, onceKey, cy)
	hour, hourKey := b.invite(ada, 1, 0)
	b.clock += uint64(2*time.Hour/time.Millisecond) << 16
	expired := b.admit(ada, hour, hourKey, cy)
	revoked, revokedKey := b.invite(ada, 0, 0)
	b.member(ada, &wire.Member{Action: wire.Member_ACTION_REVOKE_INVITE, Invite: revoked.ID[:]})
	afterRevoke := b.admit(ada, revoked, revokedKey, cy)
	// A proof made with another link's invitation, or for another device.
	open, openKey := b.invite(ada, 0, 0)
	forged := b.admit(ada, open, onceKey, cy)
	otherDevice := b.member(ada, &wire.Member{Action: wire.Member_ACTION_ADMIT, Subject: []byte(dee.id), Invite: open.ID[:],
		Device: cy.pub(), Proof: openKey.Prove(b.room, dee.id, dee.device.Public())})
	// Removed, then back only by an invitation made after the removal.
	b.remove(ada, bob)
	oldLink := b.admit(ada, open, openKey, bob)
	fresh, freshKey := b.invite(ada, 0, 0)
	newLink := b.admit(ada, fresh, freshKey, bob)

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, b.log)
	for name, e := range map[string]Event{"used up": usedUp, "expired": expired, "revoked": afterRevoke,
		"another link's proof": forged, "a proof for another device": otherDevice, "a link from before the removal": oldLink} {
		if err := s.Refused()[e.ID]; !errors.Is(err, ErrInvite) {
			t.Errorf("%s: refused with %v, want ErrInvite", name, err)
		}
	}
	if err := s.Refused()[newLink.ID]; err != nil || s.Role(bob.id) != Member || s.Removed(bob.id) {
		t.Errorf("back with a new link: %v, role %q", err, s.Role(bob.id))
	}
	if s.Role(cy.id) != None || s.Role(dee.id) != None {
		t.Error("someone got in without a good invitation")
	}
}

func TestKeysFromTheWrongPeopleOrForTheWrongEpochAreRefused(t *testing.T) {
	b := newBook(t)
	ada, bob := newPerson(t, "ada"), newPerson(t, "bob")
	k0 := newKey(t)
	b.create(ada)
	b.keys(ada, 0, k0, ada)
	inv, invitation := b.invite(ada, 0, 0)
	b.admit(ada, inv, invitation, bob)
	b.keys(ada, 0, k0, bob)
	memberRotates := b.keys(bob, 1, newKey(t), ada, bob)
	skipsAnEpoch := b.keys(ada, 2, newKey(t), ada, bob)
	anotherKeyForZero := b.keys(bob, 0, newKey(t), bob)
	b.keys(ada, 1, newKey(t), ada, bob)

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, b.log)
	refusedWith(t, s, memberRotates, ErrForbidden)
	refusedWith(t, s, skipsAnEpoch, ErrEpoch)
	refusedWith(t, s, anotherKeyForZero, ErrEpoch)
	if s.Epochs() != 2 || s.Epoch(0).Check != k0.Check(b.room, 0) {
		t.Errorf("%d epochs; epoch 0 has another key", s.Epochs())
	}
}

// Two moderators each remove a member at the same moment and each begins
// an epoch for the others. Every order of arrival gives one membership,
// the earlier rotation wins, and since it was wrapped for a device the
// other removal took out, a rotation is asked for until a third one.
func TestConcurrentRemovalsConvergeAndEndInAKeyNoRemovedDeviceHolds(t *testing.T) {
	b := newBook(t)
	ada, m1, m2, x, y := newPerson(t, "ada"), newPerson(t, "m1"), newPerson(t, "m2"), newPerson(t, "x"), newPerson(t, "y")
	b.create(ada)
	b.keys(ada, 0, newKey(t), ada)
	inv, invitation := b.invite(ada, 0, 0)
	for _, p := range []*person{m1, m2, x, y} {
		b.admit(ada, inv, invitation, p)
	}
	b.role(ada, m1, wire.Role_ROLE_MODERATOR)
	b.role(ada, m2, wire.Role_ROLE_MODERATOR)
	at := b.next()
	b.removeAt(m1, at, x)
	b.removeAt(m2, at, y)
	// Each wraps epoch 1 for those it believes remain.
	b.keysAt(m1, at+1, 1, newKey(t), ada, m1, m2, y)
	b.keysAt(m2, at+2, 1, newKey(t), ada, m1, m2, x)
	g := Genesis{Room: b.room, Founders: []peer.ID{ada.id}}

	events := slices.Clone(b.log)
	want := Fold(g, events)
	if got := roles(want, ada, m1, m2, x, y); got != "ada:owner m1:moderator m2:moderator x: y: " {
		t.Fatalf("roles: %s", got)
	}
	if !want.NeedsRotation() {
		t.Fatal("epoch 1 went to y, removed, and no rotation is asked for")
	}
	// Any order of arrival: the same state (checked on every rotation of
	// the list, and reversed).
	for i := range events {
		order := append(append([]Event{}, events[i:]...), events[:i]...)
		for _, o := range [][]Event{order, reversed(order)} {
			s := Fold(g, o)
			if roles(s, ada, m1, m2, x, y) != roles(want, ada, m1, m2, x, y) || s.Epochs() != want.Epochs() ||
				s.Epoch(1).Check != want.Epoch(1).Check || s.NeedsRotation() != want.NeedsRotation() {
				t.Fatalf("arrival order %d gave another state", i)
			}
		}
	}
	final := newKey(t)
	b.keys(ada, 2, final, ada, m1, m2)
	s := Fold(g, b.log)
	if s.NeedsRotation() || s.Epochs() != 3 {
		t.Fatalf("after the third rotation: needs another %v, %d epochs", s.NeedsRotation(), s.Epochs())
	}
	for _, gone := range []*person{x, y} {
		if s.Epoch(2).Devices[gone.device.Public()] {
			t.Errorf("%s's device holds the final key", gone.name)
		}
	}
}

func reversed(events []Event) []Event {
	out := make([]Event, len(events))
	for i, e := range events {
		out[len(events)-1-i] = e
	}
	return out
}

// A removed moderator still holds the room's old keys and can date an
// event back to when it was one: only the events its remover knew count.
func TestARemovedModeratorCannotWriteIntoThePast(t *testing.T) {
	b := newBook(t)
	ada, mod, bob, sock := newPerson(t, "ada"), newPerson(t, "mod"), newPerson(t, "bob"), newPerson(t, "sock")
	b.create(ada)
	inv, invitation := b.invite(ada, 0, 0)
	b.admit(ada, inv, invitation, mod)
	b.role(ada, mod, wire.Role_ROLE_MODERATOR)
	// Before the removal the moderator admits bob: the remover knows it.
	b.admit(mod, inv, invitation, bob)
	backdateTo := b.next()
	b.clock += 3 << 16 // room for two events before the removal
	removal := b.remove(ada, mod)
	// After it, the moderator writes an invitation and admits a second
	// identity of its own, both dated before the removal, chained on.
	b.clock = backdateTo
	sockInv, sockKey := b.invite(mod, 0, 0)
	sockIn := b.admit(mod, sockInv, sockKey, sock)
	if !sockIn.before(removal) {
		t.Fatal("the test did not date the events back")
	}

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, b.log)
	refusedWith(t, s, sockInv, ErrUnknown)
	refusedWith(t, s, sockIn, ErrUnknown)
	if got := roles(s, ada, mod, bob, sock); got != "ada:owner mod: bob:member sock: " {
		t.Errorf("roles: %s", got)
	}
}

func TestADirectConversationHasTwoOwnersAndNoInvitations(t *testing.T) {
	b := newBook(t)
	ada, bob, eve := newPerson(t, "ada"), newPerson(t, "bob"), newPerson(t, "eve")
	b.create(ada)
	b.create(bob)
	b.keys(ada, 0, newKey(t), ada, bob)
	inv, invitation := b.invite(ada, 0, 0)
	eveIn := b.admit(ada, inv, invitation, eve)
	removeBob := b.remove(ada, bob)
	eveCreates := b.create(eve)

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id, bob.id}}, b.log)
	refusedWith(t, s, inv, ErrForbidden)
	refusedWith(t, s, eveIn, ErrForbidden)
	refusedWith(t, s, removeBob, ErrForbidden)
	refusedWith(t, s, eveCreates, ErrNotMember)
	if got := roles(s, ada, bob, eve); got != "ada:owner bob:owner eve: " {
		t.Errorf("roles: %s", got)
	}
	if err := s.Allowed(bob.id, wire.Member_ACTION_LEAVE, ""); err != nil {
		t.Errorf("leaving a direct conversation: %v", err)
	}
}

func TestMalformedEventsAreRefusedByForm(t *testing.T) {
	bad := []*wire.Member{
		{Action: wire.Member_ACTION_CREATE, Device: []byte{1}},
		{Action: wire.Member_ACTION_INVITE, InviteKey: make([]byte, 32), Uses: MaxInviteUses + 1},
		{Action: wire.Member_ACTION_ADMIT, Subject: []byte("nobody"), Invite: make([]byte, 32), Device: make([]byte, 32), Proof: make([]byte, 64)},
		{Action: wire.Member_ACTION_ROLE, Subject: []byte("x")},
		{Action: wire.Member_ACTION_LEAVE, Known: make([]byte, 32)},
		{Action: wire.Member_ACTION_LEAVE, Prev: []byte{1, 2}},
		{Action: 99},
	}
	for _, m := range bad {
		if err := CheckMember(m); !errors.Is(err, ErrMalformed) {
			t.Errorf("%v: err = %v", m, err)
		}
	}
	if err := CheckKeys(&wire.Keys{Check: make([]byte, 16)}); !errors.Is(err, ErrMalformed) {
		t.Errorf("keys with no wraps: %v", err)
	}
	w := &wire.Wrap{Device: make([]byte, 32), Wrapped: make([]byte, seal.WrapSize)}
	if err := CheckKeys(&wire.Keys{Check: make([]byte, 16), Wraps: []*wire.Wrap{w, w}}); !errors.Is(err, ErrMalformed) {
		t.Errorf("two wraps for one device: %v", err)
	}
	many := &wire.Keys{Check: make([]byte, 16)}
	for i := range seal.MaxWraps + 1 {
		d := make([]byte, 32)
		d[0], d[1] = byte(i), byte(i>>8)
		many.Wraps = append(many.Wraps, &wire.Wrap{Device: d, Wrapped: make([]byte, seal.WrapSize)})
	}
	if err := CheckKeys(many); !errors.Is(err, ErrMalformed) {
		t.Errorf("%d wraps: %v", len(many.Wraps), err)
	}
}

// Fold takes events as they come, some malformed: those are refused, the
// rest fold as if they were not there.
func TestMalformedEventsInTheLogAreRefusedNotFatal(t *testing.T) {
	b := newBook(t)
	ada, bob := newPerson(t, "ada"), newPerson(t, "bob")
	create := b.create(ada)
	inv, invitation := b.invite(ada, 0, 0)
	admit := b.admit(ada, inv, invitation, bob)
	broken := b.member(bob, &wire.Member{Action: wire.Member_ACTION_LEAVE})
	broken.Member.Prev = []byte{1, 2, 3}
	noKeys := Event{ID: wire.MessageID{9}, Author: ada.id, Time: b.next(), Keys: &wire.Keys{Epoch: 0, Check: []byte{1}}}
	empty := Event{ID: wire.MessageID{8}, Author: ada.id, Time: b.next()}
	removal := b.remove(ada, bob)
	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, []Event{create, inv, admit, broken, noKeys, empty, removal})
	for _, e := range []Event{broken, noKeys, empty} {
		if err := s.Refused()[e.ID]; !errors.Is(err, ErrMalformed) {
			t.Errorf("a malformed event: %v", err)
		}
	}
	if s.Role(bob.id) != None || !s.Removed(bob.id) || s.Role(ada.id) != Owner {
		t.Errorf("roles: %s", roles(s, ada, bob))
	}
}

// An act that is not a log event, such as a moderator removing a message,
// is judged by the role its author held when it was written, not now.
func TestRoleAtIsTheRoleHeldThen(t *testing.T) {
	b := newBook(t)
	ada, mod := newPerson(t, "ada"), newPerson(t, "mod")
	b.create(ada)
	inv, invitation := b.invite(ada, 0, 0)
	admitted := b.admit(ada, inv, invitation, mod)
	appointed := b.role(ada, mod, wire.Role_ROLE_MODERATOR)
	demoted := b.role(ada, mod, wire.Role_ROLE_MEMBER)
	removed := b.remove(ada, mod)

	s := Fold(Genesis{Room: b.room, Founders: []peer.ID{ada.id}}, b.log)
	for _, c := range []struct {
		at   uint64
		want Role
	}{
		{admitted.Time - 1, None},
		{admitted.Time, Member},
		{appointed.Time + 1, Moderator},
		{demoted.Time, Member},
		{removed.Time + 1, None},
	} {
		if got := s.RoleAt(mod.id, c.at); got != c.want {
			t.Errorf("mod's role at %d: %s, want %s", c.at, got, c.want)
		}
	}
	if got := s.RoleAt(ada.id, 0); got != Owner {
		t.Errorf("the founder's role from the start: %s", got)
	}
}
