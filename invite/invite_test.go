package invite

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"

	"parley/roomkey"
	"parley/seal"
	"parley/wire"
)

func testPeer(t testing.TB) peer.ID {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func testLink(t testing.TB, addrs int) Link {
	t.Helper()
	room, err := roomkey.New()
	if err != nil {
		t.Fatal(err)
	}
	l := Link{Room: room, Name: "Book club 📚", Inviter: testPeer(t)}
	for i := range addrs {
		l.Addrs = append(l.Addrs, multiaddr.StringCast(fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", 4000+i)))
	}
	helper := testPeer(t)
	l.Helpers = []multiaddr.Multiaddr{multiaddr.StringCast("/ip6/3fff::1/tcp/4001/p2p/" + helper.String())}
	return l
}

func TestLinkRoundTrip(t *testing.T) {
	l := testLink(t, 3)
	link, err := Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, Prefix) || len(link) > MaxLinkLen {
		t.Fatalf("link %q (%d characters)", link, len(link))
	}
	got, err := Parse("  " + link + "\n") // as pasted
	if err != nil {
		t.Fatal(err)
	}
	if got.Room != l.Room || got.Name != l.Name || got.Inviter != l.Inviter || len(got.Addrs) != 3 || len(got.Helpers) != 1 {
		t.Fatalf("parsed %+v, want %+v", got, l)
	}
	for i := range l.Addrs {
		if !got.Addrs[i].Equal(l.Addrs[i]) {
			t.Errorf("address %d: %s, want %s", i, got.Addrs[i], l.Addrs[i])
		}
	}
	t.Logf("an invite with 3 addresses and a helper: %d characters", len(link))

	// A legacy room travels as its ID, and comes back legacy.
	l.Room = roomkey.FromLegacyID(l.Room.ID)
	link, err = Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Parse(link); err != nil || got.Room != l.Room || !got.Room.Legacy {
		t.Fatalf("legacy room: parsed %+v, %v", got.Room, err)
	}
}

// Addresses past what fits are left out, last first: the link stays short
// enough for a chat message or a QR code.
func TestEncodeDropsTheLastAddressesToFit(t *testing.T) {
	l := testLink(t, 8)
	long := strings.Repeat("a", 60)
	for i := range l.Addrs {
		l.Addrs[i] = multiaddr.StringCast(fmt.Sprintf("/dns4/%s%d.example/tcp/4001", long, i))
	}
	l.Name = strings.Repeat("🇫🇷", wire.MaxRoomNameChars)
	link, err := Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	if len(link) > MaxLinkLen {
		t.Fatalf("link of %d characters", len(link))
	}
	got, err := Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Addrs) == 0 || len(got.Addrs) >= 8 || !got.Addrs[0].Equal(l.Addrs[0]) {
		t.Errorf("kept %d addresses, the first %v", len(got.Addrs), got.Addrs)
	}
}

func TestBadLinksGetAClearError(t *testing.T) {
	good, err := Encode(testLink(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	payload := func(in *Invite) string { return payload(t, in) }
	room, _ := wire.NewRoomID()
	secret := make([]byte, roomkey.SecretSize)
	inviter := []byte(testPeer(t))
	for _, tc := range []struct {
		name, link string
		want       error
	}{
		{"empty", "", ErrNotInvite},
		{"a room ID", room.String(), ErrNotInvite},
		{"a web address", "https://example.com/join/abc", ErrNotInvite},
		{"truncated", good[:len(good)-7], ErrMalformed},
		{"cut to the prefix", Prefix, ErrMalformed},
		{"not base64", Prefix + "***", ErrMalformed},
		{"too long", Prefix + strings.Repeat("A", MaxLinkLen), ErrTooLong},
		{"newer version", payload(&Invite{Version: PrivateVersion + 1, Secret: secret, Name: "x", Inviter: inviter}), ErrVersion},
		{"a link of the first version", payload(&Invite{Version: 1, Room: room[:], Name: "x", Inviter: inviter}), ErrOld},
		{"no version", payload(&Invite{Secret: secret, Name: "x", Inviter: inviter}), ErrMalformed},
		{"no secret", payload(&Invite{Version: 2, Name: "x", Inviter: inviter}), ErrMalformed},
		{"short secret", payload(&Invite{Version: 2, Secret: secret[:31], Name: "x", Inviter: inviter}), ErrMalformed},
		{"short legacy room", payload(&Invite{Version: 2, Room: room[:31], Name: "x", Inviter: inviter}), ErrMalformed},
		{"legacy room and secret", payload(&Invite{Version: 2, Room: room[:], Secret: secret, Name: "x", Inviter: inviter}), ErrMalformed},
		{"no name", payload(&Invite{Version: 2, Secret: secret, Inviter: inviter}), ErrMalformed},
		{"bidi override in the name", payload(&Invite{Version: 2, Secret: secret, Name: "evil\u202e", Inviter: inviter}), ErrMalformed},
		{"no inviter", payload(&Invite{Version: 2, Secret: secret, Name: "x"}), ErrMalformed},
		{"garbage address", payload(&Invite{Version: 2, Secret: secret, Name: "x", Inviter: inviter, Addrs: [][]byte{{0xff, 0xff}}}), ErrMalformed},
		{"helper without peer ID", payload(&Invite{Version: 2, Secret: secret, Name: "x", Inviter: inviter, Helpers: [][]byte{multiaddr.StringCast("/ip4/127.0.0.1/tcp/1").Bytes()}}), ErrMalformed},
		{"too many addresses", payload(&Invite{Version: 2, Secret: secret, Name: "x", Inviter: inviter, Addrs: make([][]byte, maxAddrs+1)}), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.link)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse: %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
		})
	}
}

// FuzzParse: no input makes Parse panic, and what it accepts encodes again
// to a link that parses the same.
func FuzzParse(f *testing.F) {
	for _, addrs := range []int{0, 1, 8} {
		link, err := Encode(testLink(f, addrs))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(link)
		f.Add(link[:len(link)/2])
	}
	private := testLink(f, 1)
	private.Room = roomkey.Private(private.Room.Secret, private.Inviter)
	private.Invitation = &Invitation{Seed: [32]byte{9}, Expires: time.UnixMilli(1_800_000_000_000)}
	if link, err := Encode(private); err == nil {
		f.Add(link)
	}
	f.Add(Prefix)
	f.Add("parley://join/AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Encode(l)
		if err != nil {
			t.Fatalf("accepted %q but cannot write it again: %v", s, err)
		}
		back, err := Parse(again)
		if err != nil || back.Room != l.Room || back.Name != l.Name || back.Inviter != l.Inviter || len(back.Addrs) != len(l.Addrs) ||
			(back.Invitation == nil) != (l.Invitation == nil) || (l.Invitation != nil && *back.Invitation != *l.Invitation) {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
	})
}

func TestAPrivateRoomsLinkCarriesItsInvitation(t *testing.T) {
	l := testLink(t, 2)
	founder := testPeer(t)
	l.Room = roomkey.Private(l.Room.Secret, founder)
	if _, err := Encode(l); err == nil {
		t.Fatal("a private room's link was written without an invitation")
	}
	inv, err := seal.NewInvitation()
	if err != nil {
		t.Fatal(err)
	}
	expires := time.UnixMilli(time.Now().Add(24 * time.Hour).UnixMilli())
	l.Invitation = &Invitation{Seed: inv.Seed, Expires: expires}
	link, err := Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if got.Room != l.Room || got.Invitation == nil || got.Invitation.Seed != inv.Seed || !got.Invitation.Expires.Equal(expires) {
		t.Errorf("read back %+v, invitation %+v", got.Room, got.Invitation)
	}
	// An invitation that never ends, and a link that claims another
	// founder: another room, which no member holds.
	l.Invitation.Expires = time.Time{}
	raw, _ := Encode(l)
	if got, _ := Parse(raw); got.Invitation == nil || !got.Invitation.Expires.IsZero() {
		t.Errorf("an invitation that never ends reads back as %+v", got.Invitation)
	}
	if roomkey.Private(l.Room.Secret, testPeer(t)).ID == l.Room.ID {
		t.Error("another founder names the same room")
	}
	direct := l
	direct.Room = roomkey.Direct(founder, testPeer(t), l.Room.Secret)
	if _, err := Encode(direct); err == nil {
		t.Error("a link was written to a direct conversation")
	}
}

func TestPrivateFieldsInAPublicLinkAreRefused(t *testing.T) {
	secret := make([]byte, roomkey.SecretSize)
	inviter := []byte(testPeer(t))
	for name, in := range map[string]*Invite{
		"a seed in a version 2 link":     {Version: Version, Secret: secret, Name: "x", Inviter: inviter, Seed: make([]byte, 32)},
		"a founder in a version 2 link":  {Version: Version, Secret: secret, Name: "x", Inviter: inviter, Founder: inviter},
		"a private link with no seed":    {Version: PrivateVersion, Secret: secret, Name: "x", Inviter: inviter, Founder: inviter},
		"a private link with no founder": {Version: PrivateVersion, Secret: secret, Name: "x", Inviter: inviter, Seed: make([]byte, 32)},
	} {
		if _, err := Parse(payload(t, in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// payload writes an Invite as a link, whatever it holds.
func payload(t *testing.T, in *Invite) string {
	t.Helper()
	raw, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(raw)
}
