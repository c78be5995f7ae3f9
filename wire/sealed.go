package wire

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

// Sealer encrypts an encoded Inner for a message of author; the seal
// package provides it, bound to an epoch key.
type Sealer func(author peer.ID, inner []byte) (*Sealed, error)

// SignSealed signs a draft of a private room: its kind, body and reply
// target go inside a Sealed body made by seal, under the outer kind
// KIND_SEALED. The same limits apply as for Sign; the returned message is
// the opened one (Kind the draft's, Opened set), with the sealed
// envelope as Raw.
func SignSealed(key crypto.PrivKey, d Draft, epoch uint32, seal Sealer) (*Message, error) {
	if !sealable(d.Kind) {
		return nil, fmt.Errorf("sign sealed message: %w: %s is never sealed", ErrBadBody, d.Kind)
	}
	m := d.message()
	m.Opened, m.Epoch = true, epoch
	body, err := encodeBody(m)
	if err != nil {
		return nil, fmt.Errorf("sign sealed message: %w", err)
	}
	inner := &Inner{Kind: d.Kind, Body: body}
	if d.ReplyTo != nil {
		inner.ReplyTo = d.ReplyTo[:]
	}
	innerBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(inner)
	if err != nil {
		return nil, fmt.Errorf("sign sealed message: encode inner: %w", err)
	}
	author, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sign sealed message: %w", err)
	}
	sealed, err := seal(author, innerBytes)
	if err != nil {
		return nil, fmt.Errorf("sign sealed message: %w", err)
	}
	if sealed.Epoch != epoch {
		return nil, fmt.Errorf("sign sealed message: sealed under epoch %d, not %d", sealed.Epoch, epoch)
	}
	outerBody, err := proto.MarshalOptions{Deterministic: true}.Marshal(sealed)
	if err != nil {
		return nil, fmt.Errorf("sign sealed message: encode sealed body: %w", err)
	}
	outer := &Message{Room: m.Room, Time: m.Time, Kind: Kind_KIND_SEALED}
	if _, err := signPayload(key, outer, outerBody, nil); err != nil {
		return nil, err
	}
	m.ID, m.Raw, m.Author = outer.ID, outer.Raw, outer.Author
	return m, nil
}

// sealable reports whether a kind may travel inside a sealed body:
// everything a member says in a private room. Profiles are a person's,
// not a room's, and keys must be read before anything can be opened.
func sealable(k Kind) bool {
	switch k {
	case Kind_KIND_TEXT, Kind_KIND_REACTION, Kind_KIND_EDIT, Kind_KIND_DELETE,
		Kind_KIND_ROOM_META, Kind_KIND_TYPING, Kind_KIND_PRESENCE, Kind_KIND_MEMBER, Kind_KIND_FILE:
		return true
	}
	return false
}

// Open returns the message a KIND_SEALED one holds, given its Inner as the
// seal package decrypted it: the inner kind, body and reply target checked
// as Decode checks a public message's; ID, room, author, time and Raw (the
// sealed envelope) kept; Opened and Epoch set.
func (m *Message) Open(inner []byte) (*Message, error) {
	if m.Kind != Kind_KIND_SEALED || m.Sealed == nil {
		return nil, fmt.Errorf("%w: %s is not sealed", ErrBadBody, m.Kind)
	}
	var in Inner
	if err := proto.Unmarshal(inner, &in); err != nil {
		return nil, fmt.Errorf("%w: inner: %w", ErrMalformed, err)
	}
	if !sealable(in.Kind) {
		return nil, fmt.Errorf("%w: %s inside a sealed body", ErrBadBody, in.Kind)
	}
	out := &Message{ID: m.ID, Room: m.Room, Author: m.Author, Time: m.Time, Kind: in.Kind, Raw: m.Raw, Epoch: m.Sealed.Epoch, Opened: true}
	switch len(in.ReplyTo) {
	case 0:
	case IDSize:
		out.ReplyTo = new(MessageID)
		copy(out.ReplyTo[:], in.ReplyTo)
	default:
		return nil, fmt.Errorf("%w: reply_to of %d bytes", ErrMalformed, len(in.ReplyTo))
	}
	if err := decodeBody(out, in.Body); err != nil {
		return nil, err
	}
	return out, nil
}
