package seal

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// SeedSize is the size of an invitation seed, which a private room's link
// carries next to the room secret.
const SeedSize = ed25519.SeedSize

// Invitation is the key pair an invitation seed yields. Its public half
// goes in the room's invite event; whoever holds the link can sign with
// the private half, which proves to any member that the joiner was given
// the link.
type Invitation struct {
	Seed [SeedSize]byte
	priv ed25519.PrivateKey
}

// NewInvitation makes an invitation with a fresh random seed.
func NewInvitation() (Invitation, error) {
	var seed [SeedSize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return Invitation{}, fmt.Errorf("make invitation: %w", err)
	}
	return InvitationFromSeed(seed), nil
}

// InvitationFromSeed is the invitation a link's seed stands for.
func InvitationFromSeed(seed [SeedSize]byte) Invitation {
	return Invitation{Seed: seed, priv: ed25519.NewKeyFromSeed(seed[:])}
}

// Public is the invitation's public key, as the invite event holds it.
func (inv Invitation) Public() ed25519.PublicKey {
	return inv.priv.Public().(ed25519.PublicKey)
}

// joinStatement is what a join proof signs: the room, the joiner and the
// device it asks keys for, so a proof is worth nothing for any other.
func joinStatement(room wire.RoomID, joiner peer.ID, device DevicePublic) []byte {
	b := append([]byte("parley join v1"), room[:]...)
	b = append(b, byte(len(joiner)))
	b = append(b, joiner...)
	return append(b, device[:]...)
}

// Prove signs the joiner's request to join with its device.
func (inv Invitation) Prove(room wire.RoomID, joiner peer.ID, device DevicePublic) []byte {
	return ed25519.Sign(inv.priv, joinStatement(room, joiner, device))
}

// VerifyJoin checks a join proof against the invite event's public key.
func VerifyJoin(invitePub []byte, room wire.RoomID, joiner peer.ID, device DevicePublic, proof []byte) error {
	if len(invitePub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: invitation key of %d bytes", ErrMalformed, len(invitePub))
	}
	if len(proof) != ed25519.SignatureSize {
		return fmt.Errorf("%w: join proof of %d bytes", ErrMalformed, len(proof))
	}
	if !ed25519.Verify(invitePub, joinStatement(room, joiner, device), proof) {
		return fmt.Errorf("%w: join proof not made with the invitation", ErrMalformed)
	}
	return nil
}
