package private

import (
	"crypto/rand"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/memberlog"
	"parley/roomkey"
	"parley/seal"
	"parley/wire"
)

var clockNow atomic.Uint64

// clock rises at every reading, as the chat's clock does.
func clock() uint64 {
	for {
		last := clockNow.Load()
		next := max(last+1, wire.WallTime(time.Now()))
		if clockNow.CompareAndSwap(last, next) {
			return next
		}
	}
}

func newIdentity(t testing.TB) Identity {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	device, err := seal.NewDevice()
	if err != nil {
		t.Fatal(err)
	}
	return Identity{ID: id, Key: key, Device: device}
}

// member is one device's copy of the room, fed what others write.
type member struct {
	Identity
	room *Room
	// texts are what it opened, in the order it did.
	texts []string
}

// take hands the member envelopes as the network would: verified, then
// opened or added, what cannot be placed yet tried again after the rest.
func (m *member) take(t *testing.T, msgs ...*wire.Message) {
	t.Helper()
	var waiting []*wire.Message
	for _, msg := range msgs {
		waiting = append(waiting, outer(t, msg))
	}
	for progress := true; progress && len(waiting) > 0; {
		progress = false
		var still []*wire.Message
		for _, msg := range waiting {
			opened, err := m.room.Open(msg)
			if errors.Is(err, ErrNoKey) || errors.Is(err, ErrNotMember) {
				still = append(still, msg)
				continue
			}
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			progress = true
			if IsLogEvent(opened) {
				if _, err := m.room.Add(opened); err != nil {
					t.Fatalf("add: %v", err)
				}
			} else {
				m.texts = append(m.texts, opened.Text)
			}
		}
		waiting = still
	}
}

func (m *member) say(t *testing.T, text string) *wire.Message {
	t.Helper()
	msg, err := m.room.Seal(wire.Draft{Time: clock(), Kind: wire.Kind_KIND_TEXT, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func found(t testing.TB) (*member, []*wire.Message) {
	t.Helper()
	ada := &member{Identity: newIdentity(t)}
	secret, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	keys := roomkey.Private(secret.Secret, ada.ID)
	room, log, err := Create(memberlog.Genesis{Room: keys.ID, Founders: []peer.ID{ada.ID}}, ada.Identity, clock)
	if err != nil {
		t.Fatal(err)
	}
	ada.room = room
	return ada, log
}

// join has a newcomer ask admin to let it in with an invitation.
func join(t *testing.T, admin *member, inv seal.Invitation, log []*wire.Message) (*member, []*wire.Message) {
	t.Helper()
	m := &member{Identity: newIdentity(t)}
	m.room = New(admin.room.Genesis(), m.Identity, clock)
	g := admin.room.Genesis()
	j := &seal.Join{Room: g.Room, Joiner: m.ID, InviteKey: inv.Public(), Device: m.Device.Public(), Proof: inv.Prove(g.Room, m.ID, m.Device.Public())}
	admitted, err := admin.room.Admit(j)
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, admitted...)
	m.take(t, log...)
	if role := m.room.State().Role(m.ID); role != memberlog.Member {
		t.Fatalf("the joiner's own copy of the log gives it role %v", role)
	}
	return m, log
}

// Create, invite, admit, chat, remove: the joiner reads what was said
// before it came; the removed member opens nothing said after, while
// the others read on.
func TestMembersReadWhatTheLogLetsThemRead(t *testing.T) {
	ada, log := found(t)
	if len(ada.room.Fresh()) != 1 {
		t.Fatal("the founder's first key is not handed out to be kept")
	}
	before := ada.say(t, "before anyone came")
	invite, inv, err := ada.room.Invite(time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, invite)
	bob, log := join(t, ada, inv, log)
	cat, log := join(t, ada, inv, log)
	bob.take(t, log...)
	bob.take(t, before)
	cat.take(t, before)
	if len(bob.texts) != 1 || len(cat.texts) != 1 {
		t.Fatalf("joiners read %q and %q of the history", bob.texts, cat.texts)
	}
	hi := bob.say(t, "hi from bob")
	ada.take(t, hi)
	cat.take(t, hi)
	if ada.texts[len(ada.texts)-1] != "hi from bob" || cat.texts[len(cat.texts)-1] != "hi from bob" {
		t.Fatal("the members do not read what bob said")
	}

	removal, err := ada.room.Remove(bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	bob.take(t, removal...)
	cat.take(t, removal...)
	if bob.room.State().Role(bob.ID) != memberlog.None || !bob.room.State().Removed(bob.ID) {
		t.Fatal("bob's copy of the log does not say it was removed")
	}
	after := ada.say(t, "after bob left")
	if _, err := bob.room.Open(outer(t, after)); !errors.Is(err, ErrNoKey) {
		t.Fatalf("the removed member opens what was said after: %v", err)
	}
	cat.take(t, after)
	if cat.texts[len(cat.texts)-1] != "after bob left" {
		t.Fatal("a remaining member does not read on after the rotation")
	}
	// What bob writes now, under the old key and dated after its removal,
	// is refused by the others.
	late, err := seal.SignMessage(bob.Key, bobOldKey(t, bob), 0, wire.Draft{Room: ada.room.Genesis().Room, Time: clock(), Kind: wire.Kind_KIND_TEXT, Text: "still here"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.room.Open(outer(t, late)); !errors.Is(err, ErrNotMember) {
		t.Fatalf("a message of the removed member dated after its removal: %v", err)
	}
}

// outer is a message as it arrives: sealed, verified.
func outer(t *testing.T, msg *wire.Message) *wire.Message {
	t.Helper()
	m, err := wire.Decode(msg.Raw, wire.Check{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bobOldKey(t *testing.T, m *member) seal.Key {
	t.Helper()
	m.room.mu.Lock()
	defer m.room.mu.Unlock()
	k, err := m.room.keyLocked(0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A plain member may not invite, remove or begin an epoch; an invitation
// that is revoked, expired or used up lets no one in.
func TestRolesAndInvitationsAreKept(t *testing.T) {
	ada, log := found(t)
	open, inv, err := ada.room.Invite(time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	bob, log := join(t, ada, inv, append(log, open))
	if _, _, err := bob.room.Invite(time.Time{}, 0); !errors.Is(err, memberlog.ErrForbidden) {
		t.Errorf("a member invites: %v", err)
	}
	if _, err := bob.room.Remove(ada.ID); !errors.Is(err, memberlog.ErrForbidden) {
		t.Errorf("a member removes the owner: %v", err)
	}
	if _, err := bob.room.Rotate(); !errors.Is(err, memberlog.ErrForbidden) {
		t.Errorf("a member begins an epoch: %v", err)
	}

	once, onceInv, _ := ada.room.Invite(time.Time{}, 1)
	expired, expiredInv, _ := ada.room.Invite(time.Now().Add(-time.Minute), 0)
	revoked, revokedInv, _ := ada.room.Invite(time.Time{}, 0)
	revocation, err := ada.room.RevokeInvite(revoked.ID)
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, once, expired, revoked, revocation)
	_, log = join(t, ada, onceInv, log)
	for inv, want := range map[*seal.Invitation]error{&onceInv: ErrInviteUsedUp, &expiredInv: ErrInviteExpired, &revokedInv: ErrInviteRevoked} {
		stranger := newIdentity(t)
		g := ada.room.Genesis()
		j := &seal.Join{Room: g.Room, Joiner: stranger.ID, InviteKey: inv.Public(), Device: stranger.Device.Public(), Proof: inv.Prove(g.Room, stranger.ID, stranger.Device.Public())}
		if _, err := ada.room.Admit(j); !errors.Is(err, want) {
			t.Errorf("admit with an invitation that should say %v: %v", want, err)
		}
	}

	// The owner hands over; the new owner appoints a moderator, who may
	// then invite.
	handover, err := ada.room.SetRole(bob.ID, wire.Role_ROLE_OWNER)
	if err != nil {
		t.Fatal(err)
	}
	bob.take(t, handover)
	if bob.room.State().Role(bob.ID) != memberlog.Owner || ada.room.State().Role(ada.ID) != memberlog.Moderator {
		t.Fatal("ownership was not handed over")
	}
	if _, _, err := ada.room.Invite(time.Time{}, 0); err != nil {
		t.Errorf("a moderator may invite: %v", err)
	}
	_ = log
}

// Two moderators each remove someone at once, each unaware of the other:
// once every member has every event, all agree on who is in, and after
// the rotation the log then calls for, the final key is held by no
// removed device.
func TestConcurrentRemovalsConverge(t *testing.T) {
	ada, log := found(t)
	invite, inv, err := ada.room.Invite(time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, invite)
	var ms []*member
	for range 4 {
		var m *member
		m, log = join(t, ada, inv, log)
		ms = append(ms, m)
	}
	bob, cat, dan, eve := ms[0], ms[1], ms[2], ms[3]
	for _, mod := range []*member{bob, cat} {
		promote, err := ada.room.SetRole(mod.ID, wire.Role_ROLE_MODERATOR)
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, promote)
	}
	everyone := []*member{ada, bob, cat, dan, eve}
	for _, m := range everyone {
		m.take(t, log...)
	}
	byBob, err := bob.room.Remove(dan.ID)
	if err != nil {
		t.Fatal(err)
	}
	byCat, err := cat.room.Remove(eve.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range everyone {
		m.take(t, append(byBob, byCat...)...)
	}
	rotation, err := ada.room.RotateIfNeeded()
	if err != nil || rotation == nil {
		t.Fatalf("the owner does not rotate after two removals at once: %v, %v", rotation, err)
	}
	for _, m := range everyone {
		m.take(t, rotation)
	}
	want := ada.room.State().Members()
	if len(want) != 3 {
		t.Fatalf("members after the removals: %v", want)
	}
	for _, m := range []*member{bob, cat} {
		if got := m.room.State().Members(); len(got) != len(want) || got[dan.ID] != memberlog.None || got[eve.ID] != memberlog.None {
			t.Errorf("a moderator's copy of the log has %v", got)
		}
		if m.room.State().NeedsRotation() {
			t.Error("the log still calls for a rotation")
		}
	}
	final := ada.say(t, "only the three of us")
	for _, m := range []*member{bob, cat} {
		if _, err := m.room.Open(outer(t, final)); err != nil {
			t.Errorf("a member cannot open the final epoch: %v", err)
		}
	}
	for _, m := range []*member{dan, eve} {
		if _, err := m.room.Open(outer(t, final)); !errors.Is(err, ErrNoKey) {
			t.Errorf("a removed member opens the final epoch: %v", err)
		}
	}
}

// A plain member's keys event beginning an epoch does not count: no one
// takes its key, so what is sealed under it opens nowhere.
func TestAMembersOwnEpochOpensNothing(t *testing.T) {
	ada, log := found(t)
	invite, inv, _ := ada.room.Invite(time.Time{}, 0)
	bob, log := join(t, ada, inv, append(log, invite))
	cat, log := join(t, ada, inv, log)
	bob.take(t, log...)
	k, _ := seal.NewKey()
	state := bob.room.State()
	epoch := uint32(state.Epochs())
	bob.room.learn(epoch, k)
	forged, err := bob.room.keysEvent(epoch, k, []seal.DevicePublic{bob.Device.Public(), cat.Device.Public()})
	if err == nil {
		t.Fatal("the member's own epoch counted in its own log")
	}
	cat.take(t, forged)
	if err := cat.room.State().Refused()[forged.ID]; !errors.Is(err, memberlog.ErrForbidden) {
		t.Fatalf("the forged epoch: %v", err)
	}
	msg, err := seal.SignMessage(bob.Key, k, epoch, wire.Draft{Room: ada.room.Genesis().Room, Time: clock(), Kind: wire.Kind_KIND_TEXT, Text: "trust me"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.room.Open(outer(t, msg)); !errors.Is(err, ErrNoKey) {
		t.Fatalf("a message under the forged epoch: %v", err)
	}
}

// In a direct conversation the first key is wrapped for the other's
// device before the log names it: that is no reason to rotate; and a key
// begun while a member's device was unknown is handed to it once known.
func TestADirectConversationHandsEveryKeyToBoth(t *testing.T) {
	ada, bob := &member{Identity: newIdentity(t)}, &member{Identity: newIdentity(t)}
	secret, _ := roomkey.New()
	keys := roomkey.Direct(ada.ID, bob.ID, secret.Secret)
	g := memberlog.Genesis{Room: keys.ID, Founders: keys.FounderList()}
	room, log, err := Create(g, ada.Identity, clock)
	if err != nil {
		t.Fatal(err)
	}
	ada.room = room
	wraps, err := ada.room.WrapFor(bob.Device.Public())
	if err != nil || len(wraps) != 1 {
		t.Fatalf("wrap for the other's device: %d, %v", len(wraps), err)
	}
	if ada.room.State().NeedsRotation() {
		t.Fatal("a wrap for the other's device, before its creation event, calls for a rotation")
	}
	// A rotation now (the other's device still unknown) leaves it out...
	rotation, err := ada.room.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	bob.room = New(g, bob.Identity, clock)
	bob.take(t, append(append(log, wraps...), rotation)...)
	founded, err := bob.room.Found()
	if err != nil || founded == nil {
		t.Fatalf("the other's creation: %v", err)
	}
	ada.take(t, founded)
	// ... and once its device is known, the owner hands it the key.
	handed, err := ada.room.HandOutKeys()
	if err != nil || len(handed) != 1 {
		t.Fatalf("hand out keys: %d, %v", len(handed), err)
	}
	bob.take(t, handed...)
	if _, err := bob.room.Open(outer(t, ada.say(t, "under epoch 1"))); err != nil {
		t.Fatalf("the other opens the newest epoch: %v", err)
	}
	if more, _ := ada.room.HandOutKeys(); len(more) != 0 {
		t.Error("keys handed out twice")
	}
}
