package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/wire"
)

func newPeer(t testing.TB) (crypto.PrivKey, peer.ID) {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, id
}

func newKey(t testing.TB) Key {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedBodyOpensOnlyInItsOwnMessage(t *testing.T) {
	_, ada := newPeer(t)
	_, bob := newPeer(t)
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	k := newKey(t)
	c := Context{Room: room, Author: ada, Time: 1 << 20, Epoch: 3}
	inner := []byte("the body of a message")
	s, err := Seal(k, c, inner)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Ciphertext, inner) {
		t.Fatal("the ciphertext holds the body")
	}
	got, err := Open(k, c, s)
	if err != nil || !bytes.Equal(got, inner) {
		t.Fatalf("Open = %q, %v", got, err)
	}

	moved := []struct {
		name string
		c    Context
		k    Key
	}{
		{"another room", Context{Room: other, Author: ada, Time: c.Time, Epoch: 3}, k},
		{"another author", Context{Room: room, Author: bob, Time: c.Time, Epoch: 3}, k},
		{"another time", Context{Room: room, Author: ada, Time: c.Time + 1, Epoch: 3}, k},
		{"another key", c, newKey(t)},
	}
	for _, m := range moved {
		if _, err := Open(m.k, m.c, s); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", m.name, err)
		}
	}
	// The epoch is in the body and in the associated data: a body relabelled
	// to another epoch opens under neither key.
	relabelled := &wire.Sealed{Epoch: 4, Nonce: s.Nonce, Ciphertext: s.Ciphertext}
	if _, err := Open(k, Context{Room: room, Author: ada, Time: c.Time, Epoch: 4}, relabelled); !errors.Is(err, ErrOpen) {
		t.Errorf("relabelled epoch: err = %v, want ErrOpen", err)
	}
	if _, err := Open(k, c, relabelled); !errors.Is(err, ErrOpen) {
		t.Errorf("epoch mismatch: err = %v, want ErrOpen", err)
	}
	flipped := &wire.Sealed{Epoch: 3, Nonce: s.Nonce, Ciphertext: bytes.Clone(s.Ciphertext)}
	flipped.Ciphertext[0] ^= 1
	if _, err := Open(k, c, flipped); !errors.Is(err, ErrOpen) {
		t.Errorf("altered ciphertext: err = %v, want ErrOpen", err)
	}
	if _, err := Open(k, c, &wire.Sealed{Epoch: 3, Nonce: s.Nonce[:12], Ciphertext: s.Ciphertext}); !errors.Is(err, ErrMalformed) {
		t.Errorf("short nonce: err = %v, want ErrMalformed", err)
	}
}

func TestTwoSealsOfOneBodyDiffer(t *testing.T) {
	_, ada := newPeer(t)
	room, _ := wire.NewRoomID()
	k := newKey(t)
	c := Context{Room: room, Author: ada, Time: 7}
	a, _ := Seal(k, c, []byte("same"))
	b, _ := Seal(k, c, []byte("same"))
	if bytes.Equal(a.Nonce, b.Nonce) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("two seals share a nonce or a ciphertext")
	}
}

func TestAWrappedKeyOpensOnlyForItsDeviceRoomAndEpoch(t *testing.T) {
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	alice, err := NewDevice()
	if err != nil {
		t.Fatal(err)
	}
	mallory, _ := NewDevice()
	k := newKey(t)
	wrapped, err := Wrap(k, alice.Public(), room, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapped) != WrapSize {
		t.Errorf("wrap of %d bytes, want %d", len(wrapped), WrapSize)
	}
	got, err := alice.Unwrap(wrapped, room, 2)
	if err != nil || got != k {
		t.Fatalf("Unwrap = %x, %v", got, err)
	}
	if _, err := mallory.Unwrap(wrapped, room, 2); !errors.Is(err, ErrOpen) {
		t.Errorf("another device: err = %v, want ErrOpen", err)
	}
	if _, err := alice.Unwrap(wrapped, other, 2); !errors.Is(err, ErrOpen) {
		t.Errorf("another room: err = %v, want ErrOpen", err)
	}
	if _, err := alice.Unwrap(wrapped, room, 3); !errors.Is(err, ErrOpen) {
		t.Errorf("another epoch: err = %v, want ErrOpen", err)
	}
	if _, err := alice.Unwrap(wrapped[:40], room, 2); !errors.Is(err, ErrMalformed) {
		t.Errorf("short wrap: err = %v, want ErrMalformed", err)
	}

	// A device saved and read back is the same device.
	again, err := LoadDevice(alice.Bytes())
	if err != nil || again.Public() != alice.Public() {
		t.Fatalf("LoadDevice: %v", err)
	}
	if got, err := again.Unwrap(wrapped, room, 2); err != nil || got != k {
		t.Errorf("reloaded device: Unwrap = %v", err)
	}
}

func TestTheKeyCheckNamesOneKeyForOneEpoch(t *testing.T) {
	room, _ := wire.NewRoomID()
	k := newKey(t)
	if k.Check(room, 1) == newKey(t).Check(room, 1) {
		t.Error("two keys share a check")
	}
	if k.Check(room, 1) == k.Check(room, 2) {
		t.Error("two epochs share a check")
	}
	if k.Check(room, 1) != k.Check(room, 1) {
		t.Error("the check is not a function of key, room and epoch")
	}
}

func TestADeviceKeyIsVouchedForByItsNode(t *testing.T) {
	adaKey, ada := newPeer(t)
	_, bob := newPeer(t)
	d, _ := NewDevice()
	dk, err := SignDevice(adaKey, d.Public())
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := VerifyDevice(dk, ada); err != nil || pub != d.Public() {
		t.Fatalf("VerifyDevice = %x, %v", pub, err)
	}
	if _, err := VerifyDevice(dk, bob); !errors.Is(err, ErrMalformed) {
		t.Errorf("claimed by another node: err = %v", err)
	}
	other, _ := NewDevice()
	swapped := &wire.DeviceKey{Key: other.Public().Bytes(), Signature: dk.Signature}
	if _, err := VerifyDevice(swapped, ada); !errors.Is(err, ErrMalformed) {
		t.Errorf("another key under the signature: err = %v", err)
	}
	if _, err := VerifyDevice(&wire.DeviceKey{Key: dk.Key[:31], Signature: dk.Signature}, ada); !errors.Is(err, ErrMalformed) {
		t.Errorf("short key: err = %v", err)
	}
}

func TestAJoinProofHoldsForOneRoomJoinerAndDevice(t *testing.T) {
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	_, bob := newPeer(t)
	_, eve := newPeer(t)
	d, _ := NewDevice()
	e, _ := NewDevice()
	inv, err := NewInvitation()
	if err != nil {
		t.Fatal(err)
	}
	proof := inv.Prove(room, bob, d.Public())
	if err := VerifyJoin(inv.Public(), room, bob, d.Public(), proof); err != nil {
		t.Fatalf("VerifyJoin: %v", err)
	}
	// The seed in a link gives the same invitation.
	if again := InvitationFromSeed(inv.Seed); !again.Public().Equal(inv.Public()) {
		t.Error("the seed does not give the invitation back")
	}
	cases := []struct {
		name   string
		room   wire.RoomID
		joiner peer.ID
		device DevicePublic
		pub    []byte
	}{
		{"another room", other, bob, d.Public(), inv.Public()},
		{"another joiner", room, eve, d.Public(), inv.Public()},
		{"another device", room, bob, e.Public(), inv.Public()},
	}
	stranger, _ := NewInvitation()
	cases = append(cases, struct {
		name   string
		room   wire.RoomID
		joiner peer.ID
		device DevicePublic
		pub    []byte
	}{"another invitation", room, bob, d.Public(), stranger.Public()})
	for _, c := range cases {
		if err := VerifyJoin(c.pub, c.room, c.joiner, c.device, proof); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

func TestAJoinRequestIsCheckedAgainstItsPeer(t *testing.T) {
	bobKey, bob := newPeer(t)
	_, eve := newPeer(t)
	room, _ := wire.NewRoomID()
	d, _ := NewDevice()
	inv, _ := NewInvitation()
	dk, _ := SignDevice(bobKey, d.Public())
	req := &wire.JoinRequest{Room: room[:], InviteKey: inv.Public(), Device: dk, Proof: inv.Prove(room, bob, d.Public())}
	raw, _ := proto.Marshal(req)
	j, err := DecodeJoin(raw, bob)
	if err != nil || j.Room != room || j.Device != d.Public() || j.Joiner != bob {
		t.Fatalf("DecodeJoin = %+v, %v", j, err)
	}
	// The same request replayed by another peer: its node key does not
	// vouch for the device, nor was the proof made for it.
	if _, err := DecodeJoin(raw, eve); !errors.Is(err, ErrMalformed) {
		t.Errorf("replayed by another peer: %v", err)
	}
	req.Proof = inv.Prove(room, eve, d.Public())
	raw, _ = proto.Marshal(req)
	if _, err := DecodeJoin(raw, bob); !errors.Is(err, ErrMalformed) {
		t.Errorf("a proof made for another joiner: %v", err)
	}
	if _, err := DecodeJoin(make([]byte, MaxJoinRequest+1), bob); !errors.Is(err, ErrMalformed) {
		t.Errorf("an oversized request: %v", err)
	}
}
