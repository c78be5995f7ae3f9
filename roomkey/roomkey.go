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
