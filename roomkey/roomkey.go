// Package roomkey is a room's secret and what follows from it: the room ID,
// the GossipSub topic, the DHT rendezvous keys and the membership proofs.
// Knowing a room's ID gives none of the others; holding the secret gives
// them all. It knows no network.
package roomkey

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// SecretSize is the size of a room secret.
const SecretSize = 32

// ProofSize is the size of a membership proof: a truncated HMAC-SHA256,
// 128 bits, enough that guessing one is hopeless.
const ProofSize = 16

// Secret is a room's random secret: whoever holds it can read the room.
type Secret [SecretSize]byte

// Proof shows that a peer holds a room's secret; it is bound to the peer
// that made it and the peer it is for.
type Proof [ProofSize]byte

// Labels keep each derivation apart: a value derived for one use is useless
// for another.
const (
	labelID         = "parley room id v2"
	labelPrivateID  = "parley private room id v1"
	labelDirectID   = "parley direct room id v1"
	labelLegacy     = "parley legacy room secret v1"
	labelTopic      = "parley room topic v2"
	labelRendezvous = "parley room rendezvous v2"
	labelProof      = "parley room membership proof v2"
)

// Room is a room's keys, derived once from its secret.
type Room struct {
	// ID names the room in the store and the API.
	ID wire.RoomID
	// Secret is what an invite link carries.
	Secret Secret
	// Legacy is true for a room created before rooms had secrets: its
	// secret follows from its ID, so anyone who knows the ID can join.
	Legacy bool
	// Founders are set for a private room (its owner, first) and a direct
	// conversation (both people, in byte order): the ID commits to them, so
	// nobody can claim to have founded the room. An array keeps Room
	// comparable.
	Founders [2]peer.ID

	topic      string
	rendezvous [32]byte
	proof      [32]byte
}

// New makes a room with a fresh random secret.
func New() (Room, error) {
	var s Secret
	if _, err := rand.Read(s[:]); err != nil {
		return Room{}, fmt.Errorf("make room secret: %w", err)
	}
	return FromSecret(s), nil
}

// FromSecret derives a room's keys from its secret; the ID is SHA-256 of a
// label and the secret.
func FromSecret(s Secret) Room {
	r := Room{ID: sha256.Sum256(append([]byte(labelID+"\x00"), s[:]...)), Secret: s}
	r.derive()
	return r
}

// Private derives a private room's keys from its secret and its founder.
func Private(s Secret, founder peer.ID) Room {
	id := sha256.New()
	id.Write([]byte(labelPrivateID + "\x00"))
	id.Write(s[:])
	id.Write([]byte(founder))
	r := Room{ID: wire.RoomID(id.Sum(nil)), Secret: s, Founders: [2]peer.ID{founder}}
	r.derive()
	return r
}

// Direct derives the keys of a direct conversation between a and b: its ID
// follows from the two alone (either may start it, and both find the same
// room), its secret is the one the starter chose.
func Direct(a, b peer.ID, s Secret) Room {
	if b < a {
		a, b = b, a
	}
	r := Room{ID: DirectID(a, b), Secret: s, Founders: [2]peer.ID{a, b}}
	r.derive()
	return r
}

// DirectID is the ID of the direct conversation between a and b.
func DirectID(a, b peer.ID) wire.RoomID {
	if b < a {
		a, b = b, a
	}
	id := sha256.New()
	id.Write([]byte(labelDirectID + "\x00"))
	id.Write([]byte{byte(len(a))})
	id.Write([]byte(a))
	id.Write([]byte(b))
	return wire.RoomID(id.Sum(nil))
}

// FromLegacyID derives the keys of a room made before rooms had secrets:
// its ID stays, and its secret is derived from the ID.
func FromLegacyID(id wire.RoomID) Room {
	r := Room{ID: id, Legacy: true}
	copy(r.Secret[:], derive(id[:], labelLegacy, SecretSize))
	r.derive()
	return r
}

func (r *Room) derive() {
	sum := derive(r.Secret[:], labelTopic, 32)
	r.topic = "parley/2/room/" + hex.EncodeToString(sum)
	copy(r.rendezvous[:], derive(r.Secret[:], labelRendezvous, 32))
	copy(r.proof[:], derive(r.Secret[:], labelProof, 32))
}

func derive(secret []byte, label string, n int) []byte {
	// hkdf.Key fails only for outputs over 255 hash sizes; n is at most 32.
	out, _ := hkdf.Key(sha256.New, secret, nil, label, n)
	return out
}

// FounderList is the room's founders: none for a public room, one for a
// private room, two for a direct conversation.
func (r Room) FounderList() []peer.ID {
	var out []peer.ID
	for _, f := range r.Founders {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Topic is the GossipSub topic that carries the room's messages.
func (r Room) Topic() string { return r.topic }

// RendezvousKey is the DHT key under which the room's members meet on a
// given UTC day (YYYY-MM-DD): it changes every day and names no room.
func (r Room) RendezvousKey(day string) string {
	mac := hmac.New(sha256.New, r.rendezvous[:])
	mac.Write([]byte(day))
	return hex.EncodeToString(mac.Sum(nil))
}

// Proof is what prover shows verifier to count as a member: only holders
// of the secret can make it, and it is worth nothing to any other pair of
// peers, so a verifier cannot replay it to a third.
func (r Room) Proof(prover, verifier peer.ID) Proof {
	mac := hmac.New(sha256.New, r.proof[:])
	mac.Write([]byte(prover))
	mac.Write([]byte{0})
	mac.Write([]byte(verifier))
	var p Proof
	copy(p[:], mac.Sum(nil))
	return p
}

// Verify reports whether p is prover's proof of membership for verifier.
func (r Room) Verify(p Proof, prover, verifier peer.ID) bool {
	want := r.Proof(prover, verifier)
	return hmac.Equal(p[:], want[:])
}
