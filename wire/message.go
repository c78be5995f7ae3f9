package wire

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

// Limits every message is checked against.
const (
	Version         = 1
	MaxEnvelopeSize = 64 << 10
	MaxTextSize     = 16 << 10
	MaxFutureSkew   = 5 * time.Minute
	// MaxEmojiChars and MaxEmojiSize bound a reaction: one character as
	// CleanName counts them (a flag or a family is one), a few bytes.
	MaxEmojiChars = 1
	MaxEmojiSize  = 64
	// MaxTopicChars bounds a room's topic line.
	MaxTopicChars = 250
	MaxTopicSize  = MaxTopicChars * MaxCharBytes
)

// signingContext is prepended to the payload before signing, so a Parley
// signature can never be replayed as a signature over anything else.
const signingContext = "parley/v1"

// Reasons Decode rejects a message; test with errors.Is.
var (
	ErrMalformed   = errors.New("malformed message")
	ErrVersion     = errors.New("unknown message version")
	ErrTooLarge    = errors.New("message too large")
	ErrBadBody     = errors.New("invalid message body")
	ErrUnknownKind = errors.New("unknown message kind")
	ErrSignature   = errors.New("bad signature")
	ErrWrongRoom   = errors.New("message for another room")
	ErrFuture      = errors.New("message time too far in the future")
)

// Message is a decoded, verified message.
type Message struct {
	ID      MessageID
	Room    RoomID
	Author  peer.ID
	Time    uint64 // hybrid logical clock reading
	Kind    Kind
	Text    string     // for KIND_TEXT
	Name    string     // for KIND_PROFILE, as CleanName gives it
	ReplyTo *MessageID // nil when not a reply
	// Target is the message a reaction, edit or delete changes.
	Target *MessageID
	// TargetTime is a delete's copy of its target's time.
	TargetTime uint64
	Emoji      string // for KIND_REACTION
	On         bool   // for KIND_REACTION: added, not taken back
	// RoomName, Topic and Nearby are what a KIND_ROOM_META sets; nil
	// leaves it.
	RoomName *string
	Topic    *string
	Nearby   *bool
	Away     bool // for KIND_PRESENCE
	// Sealed is a KIND_SEALED body not opened yet; Keys a KIND_KEYS
	// body; Member a KIND_MEMBER body, found only inside a sealed one.
	// Their form is checked by the packages that use them (seal,
	// memberlog), which know the limits.
	Sealed *Sealed
	Keys   *Keys
	Member *Member
	// File is a KIND_FILE body, checked by Decode (limits below).
	File *File
	// Epoch is the epoch of the key a message was sealed under; set on
	// an opened message (see Opened).
	Epoch  uint32
	Opened bool
	// Raw is the encoded envelope exactly as signed: what is stored and
	// forwarded, never re-encoded.
	Raw []byte
}

// Check is what Decode verifies beyond the signature and the limits.
type Check struct {
	// Room, when set, is the only room the message may belong to (the
	// room of the topic it arrived on).
	Room *RoomID
	// Now, when set, rejects times more than MaxFutureSkew after it. Left
	// zero for messages read back from disk, which were checked on arrival.
	Now time.Time
}

// Decode parses an envelope and verifies it: the one check that gossip, sync
// and disk reads all go through. Errors wrap one of the Err values above.
func Decode(raw []byte, check Check) (*Message, error) {
	return decode(raw, check, true)
}

// Parse decodes an envelope that was verified before, as Decode did when
// it arrived: it checks everything but the signature. For envelopes read
// back from the store only.
func Parse(raw []byte) (*Message, error) {
	return decode(raw, Check{}, false)
}

func decode(raw []byte, check Check, verifySignature bool) (*Message, error) {
	if len(raw) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: envelope of %d bytes, limit %d", ErrTooLarge, len(raw), MaxEnvelopeSize)
	}
	var env Envelope
	if err := proto.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	if len(env.Payload) == 0 {
		return nil, fmt.Errorf("%w: no payload", ErrMalformed)
	}
	var p Payload
	if err := proto.Unmarshal(env.Payload, &p); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("%w: %d", ErrVersion, p.Version)
	}
	m := &Message{ID: IDOf(env.Payload), Time: p.Time, Kind: p.Kind, Raw: raw}
	if len(p.Room) != IDSize {
		return nil, fmt.Errorf("%w: room ID of %d bytes", ErrMalformed, len(p.Room))
	}
	copy(m.Room[:], p.Room)
	switch len(p.ReplyTo) {
	case 0:
	case IDSize:
		m.ReplyTo = new(MessageID)
		copy(m.ReplyTo[:], p.ReplyTo)
	default:
		return nil, fmt.Errorf("%w: reply_to of %d bytes", ErrMalformed, len(p.ReplyTo))
	}
	if check.Room != nil && *check.Room != m.Room {
		return nil, fmt.Errorf("%w: %s", ErrWrongRoom, m.Room)
	}
	if !check.Now.IsZero() && p.Time > WallTime(check.Now.Add(MaxFutureSkew)) {
		return nil, fmt.Errorf("%w: %s", ErrFuture, TimeOf(p.Time).UTC().Format(time.RFC3339))
	}
	author, key, err := authorOf(p.Author)
	if err == nil && verifySignature {
		err = verify(key, env.Payload, env.Signature)
	}
	if err != nil {
		return nil, err
	}
	m.Author = author
	if err := decodeBody(m, p.Body); err != nil {
		return nil, err
	}
	return m, nil
}

// authorOf reads the author's key (once: verify takes it as read).
func authorOf(authorKey []byte) (peer.ID, crypto.PubKey, error) {
	key, err := crypto.UnmarshalPublicKey(authorKey)
	if err != nil {
		return "", nil, fmt.Errorf("%w: author key: %w", ErrMalformed, err)
	}
	if key.Type() != crypto.Ed25519 {
		return "", nil, fmt.Errorf("%w: author key type %s", ErrMalformed, key.Type())
	}
	id, err := peer.IDFromPublicKey(key)
	if err != nil {
		return "", nil, fmt.Errorf("%w: author key: %w", ErrMalformed, err)
	}
	return id, key, nil
}

func verify(key crypto.PubKey, payload, signature []byte) error {
	ok, err := key.Verify(signedBytes(payload), signature)
	if err != nil || !ok {
		return ErrSignature
	}
	return nil
}

func decodeBody(m *Message, body []byte) error {
	pb, err := bodyOf(m.Kind)
	if err != nil {
		return err
	}
	if err := proto.Unmarshal(body, pb); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadBody, m.Kind, err)
	}
	var target []byte
	switch b := pb.(type) {
	case *Text:
		m.Text = b.Text
	case *Profile:
		m.Name = b.Name
	case *Reaction:
		target, m.Emoji, m.On = b.Target, b.Emoji, b.On
	case *Edit:
		target, m.Text = b.Target, b.Text
	case *Delete:
		target, m.TargetTime = b.Target, b.TargetTime
	case *RoomMeta:
		m.RoomName, m.Topic, m.Nearby = b.Name, b.Topic, b.Nearby
	case *Presence:
		m.Away = b.Away
	case *Sealed:
		m.Sealed = b
	case *Keys:
		m.Keys = b
	case *Member:
		m.Member = b
	case *File:
		m.File = b
	}
	if target != nil {
		if len(target) != IDSize {
			return fmt.Errorf("%w: target of %d bytes", ErrBadBody, len(target))
		}
		m.Target = new(MessageID)
		copy(m.Target[:], target)
	}
	return checkBody(m)
}

// bodyOf is an empty body message for a kind.
func bodyOf(k Kind) (proto.Message, error) {
	switch k {
	case Kind_KIND_TEXT:
		return &Text{}, nil
	case Kind_KIND_PROFILE:
		return &Profile{}, nil
	case Kind_KIND_REACTION:
		return &Reaction{}, nil
	case Kind_KIND_EDIT:
		return &Edit{}, nil
	case Kind_KIND_DELETE:
		return &Delete{}, nil
	case Kind_KIND_ROOM_META:
		return &RoomMeta{}, nil
	case Kind_KIND_TYPING:
		return &Typing{}, nil
	case Kind_KIND_PRESENCE:
		return &Presence{}, nil
	case Kind_KIND_SEALED:
		return &Sealed{}, nil
	case Kind_KIND_KEYS:
		return &Keys{}, nil
	case Kind_KIND_MEMBER:
		return &Member{}, nil
	case Kind_KIND_FILE:
		return &File{}, nil
	}
	return nil, fmt.Errorf("%w: %d", ErrUnknownKind, k)
}

// Changes reports whether a kind changes another message (its Target).
func (k Kind) Changes() bool {
	return k == Kind_KIND_REACTION || k == Kind_KIND_EDIT || k == Kind_KIND_DELETE
}

// Ephemeral reports whether a kind is a passing signal: gossiped to those
// online, never stored or synced.
func (k Kind) Ephemeral() bool {
	return k == Kind_KIND_TYPING || k == Kind_KIND_PRESENCE
}

// checkBody enforces the per-kind limits, for signing and decoding alike,
// and puts a profile's name in the form CleanName gives. proto3 strings are
// already valid UTF-8 once unmarshalled, but Sign's input is not, hence the
// explicit check.
func checkBody(m *Message) error {
	if m.Kind.Changes() && m.Target == nil {
		return fmt.Errorf("%w: %s names no target", ErrBadBody, m.Kind)
	}
	switch m.Kind {
	case Kind_KIND_TEXT, Kind_KIND_EDIT:
		if len(m.Text) > MaxTextSize {
			return fmt.Errorf("%w: text of %d bytes, limit %d", ErrTooLarge, len(m.Text), MaxTextSize)
		}
		if !utf8.ValidString(m.Text) {
			return fmt.Errorf("%w: text is not UTF-8", ErrBadBody)
		}
	case Kind_KIND_REACTION:
		if len(m.Emoji) > MaxEmojiSize {
			return fmt.Errorf("%w: emoji of %d bytes, limit %d", ErrTooLarge, len(m.Emoji), MaxEmojiSize)
		}
		emoji, err := CleanName(m.Emoji, MaxEmojiChars)
		if err != nil || emoji != m.Emoji {
			return fmt.Errorf("%w: reaction is not one clean character", ErrBadBody)
		}
	case Kind_KIND_DELETE, Kind_KIND_TYPING, Kind_KIND_PRESENCE:
	case Kind_KIND_SEALED:
		if m.Opened {
			return fmt.Errorf("%w: a sealed body inside a sealed body", ErrBadBody)
		}
	case Kind_KIND_KEYS:
		if m.Opened {
			return fmt.Errorf("%w: keys are never sealed", ErrBadBody)
		}
	case Kind_KIND_MEMBER:
		if !m.Opened {
			return fmt.Errorf("%w: a membership event outside a sealed body", ErrBadBody)
		}
	case Kind_KIND_FILE:
		return checkFile(m)
	case Kind_KIND_ROOM_META:
		if m.RoomName == nil && m.Topic == nil && m.Nearby == nil {
			return fmt.Errorf("%w: room meta sets nothing", ErrBadBody)
		}
		if m.RoomName != nil {
			if len(*m.RoomName) > MaxRoomNameBytes {
				return fmt.Errorf("%w: room name of %d bytes", ErrTooLarge, len(*m.RoomName))
			}
			name, err := CleanName(*m.RoomName, MaxRoomNameChars)
			if err != nil {
				return fmt.Errorf("%w: room name: %w", ErrBadBody, err)
			}
			m.RoomName = &name
		}
		if m.Topic != nil && *m.Topic != "" {
			if len(*m.Topic) > MaxTopicSize {
				return fmt.Errorf("%w: topic of %d bytes", ErrTooLarge, len(*m.Topic))
			}
			topic, err := CleanName(*m.Topic, MaxTopicChars)
			if err != nil {
				return fmt.Errorf("%w: topic: %w", ErrBadBody, err)
			}
			m.Topic = &topic
		}
	case Kind_KIND_PROFILE:
		if len(m.Name) > MaxNameSize {
			return fmt.Errorf("%w: name of %d bytes, limit %d", ErrTooLarge, len(m.Name), MaxNameSize)
		}
		name, err := CleanName(m.Name, MaxNameChars)
		if err != nil {
			return fmt.Errorf("%w: profile: %w", ErrBadBody, err)
		}
		m.Name = name
	default:
		return fmt.Errorf("%w: %d", ErrUnknownKind, m.Kind)
	}
	return nil
}

func signedBytes(payload []byte) []byte {
	return append([]byte(signingContext), payload...)
}

// Draft is a message before it is signed: the fields of Message its
// kind uses.
type Draft struct {
	Room       RoomID
	Time       uint64
	Kind       Kind
	Text       string
	Name       string
	ReplyTo    *MessageID
	Target     *MessageID
	TargetTime uint64
	Emoji      string
	On         bool
	RoomName   *string
	Topic      *string
	Nearby     *bool
	Away       bool
	Keys       *Keys   // KIND_KEYS
	Member     *Member // KIND_MEMBER, sealed only
	File       *File   // KIND_FILE
}

// Sign encodes and signs a draft with the author's key. It applies the same
// limits Decode does, so what Sign returns every peer accepts.
func Sign(key crypto.PrivKey, d Draft) (*Message, error) {
	if d.Kind == Kind_KIND_SEALED || d.Kind == Kind_KIND_MEMBER {
		return nil, fmt.Errorf("sign message: %w: %s is made by SignSealed", ErrBadBody, d.Kind)
	}
	m := d.message()
	body, err := encodeBody(m)
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	var replyTo []byte
	if d.ReplyTo != nil {
		replyTo = d.ReplyTo[:]
	}
	return signPayload(key, m, body, replyTo)
}

// message is the Message a draft becomes, before it is signed.
func (d Draft) message() *Message {
	return &Message{
		Room: d.Room, Time: d.Time, Kind: d.Kind, Text: d.Text, Name: d.Name, ReplyTo: d.ReplyTo,
		Target: d.Target, TargetTime: d.TargetTime, Emoji: d.Emoji, On: d.On,
		RoomName: d.RoomName, Topic: d.Topic, Nearby: d.Nearby, Away: d.Away,
		Keys: d.Keys, Member: d.Member, File: d.File,
	}
}

// encodeBody checks a message's fields against the limits of its kind and
// encodes its body.
func encodeBody(m *Message) ([]byte, error) {
	if err := checkBody(m); err != nil {
		return nil, err
	}
	body, err := bodyOf(m.Kind)
	if err != nil {
		return nil, err
	}
	var target []byte
	if m.Target != nil {
		target = m.Target[:]
	}
	switch b := body.(type) {
	case *Text:
		b.Text = m.Text
	case *Profile:
		b.Name = m.Name
	case *Reaction:
		b.Target, b.Emoji, b.On = target, m.Emoji, m.On
	case *Edit:
		b.Target, b.Text = target, m.Text
	case *Delete:
		b.Target, b.TargetTime = target, m.TargetTime
	case *RoomMeta:
		b.Name, b.Topic, b.Nearby = m.RoomName, m.Topic, m.Nearby
	case *Presence:
		b.Away = m.Away
	case *Sealed:
		if m.Sealed == nil {
			return nil, fmt.Errorf("%w: sealed message without its body", ErrBadBody)
		}
		body = m.Sealed
	case *Keys:
		if m.Keys == nil {
			return nil, fmt.Errorf("%w: keys message without its body", ErrBadBody)
		}
		body = m.Keys
	case *File:
		if m.File == nil {
			return nil, fmt.Errorf("%w: file message without its body", ErrBadBody)
		}
		body = m.File
	case *Member:
		if m.Member == nil {
			return nil, fmt.Errorf("%w: membership event without its body", ErrBadBody)
		}
		body = m.Member
	}
	bodyBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return bodyBytes, nil
}

// signPayload wraps an encoded body in a payload and an envelope signed
// with key, and completes m with what that gives it.
func signPayload(key crypto.PrivKey, m *Message, body, replyTo []byte) (*Message, error) {
	authorKey, err := crypto.MarshalPublicKey(key.GetPublic())
	if err != nil {
		return nil, fmt.Errorf("sign message: encode author key: %w", err)
	}
	p := &Payload{Version: Version, Room: m.Room[:], Author: authorKey, Time: m.Time, Kind: m.Kind, Body: body, ReplyTo: replyTo}
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("sign message: encode payload: %w", err)
	}
	sig, err := key.Sign(signedBytes(payload))
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	raw, err := proto.Marshal(&Envelope{Payload: payload, Signature: sig})
	if err != nil {
		return nil, fmt.Errorf("sign message: encode envelope: %w", err)
	}
	if len(raw) > MaxEnvelopeSize {
		return nil, fmt.Errorf("sign message: %w: envelope of %d bytes", ErrTooLarge, len(raw))
	}
	m.ID = IDOf(payload)
	m.Raw = raw
	m.Author, err = peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	return m, nil
}

// PayloadOf returns the payload bytes of an encoded envelope, unverified. It
// serves the GossipSub message-ID function, which runs before validation.
func PayloadOf(raw []byte) ([]byte, error) {
	var env Envelope
	if err := proto.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	return env.Payload, nil
}
