package seal

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// SignMessage signs a private room's draft with the node key, its body
// sealed under k, the key of epoch.
func SignMessage(node crypto.PrivKey, k Key, epoch uint32, d wire.Draft) (*wire.Message, error) {
	return wire.SignSealed(node, d, epoch, func(author peer.ID, inner []byte) (*wire.Sealed, error) {
		return Seal(k, Context{Room: d.Room, Author: author, Time: d.Time, Epoch: epoch}, inner)
	})
}

// OpenMessage opens a verified KIND_SEALED message with k, the key of its
// epoch (m.Sealed.Epoch), into the message it holds.
func OpenMessage(k Key, m *wire.Message) (*wire.Message, error) {
	if m.Sealed == nil {
		return nil, fmt.Errorf("%w: %s message has no sealed body", ErrMalformed, m.Kind)
	}
	inner, err := Open(k, Context{Room: m.Room, Author: m.Author, Time: m.Time, Epoch: m.Sealed.Epoch}, m.Sealed)
	if err != nil {
		return nil, err
	}
	return m.Open(inner)
}
