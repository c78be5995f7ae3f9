package seal

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// DeviceKeySize is the size of a device's X25519 public key.
const DeviceKeySize = 32

// MaxWraps bounds the wraps one Keys message may carry: one per member
// device, so a room of 250 members with two devices each.
const MaxWraps = 500

// WrapSize is the size of a wrapped epoch key: HPKE's encapsulated X25519
// key, the key, and ChaCha20-Poly1305's tag.
const WrapSize = 32 + KeySize + 16

// DevicePublic is a device's X25519 public key: what epoch keys are
// wrapped to.
type DevicePublic [DeviceKeySize]byte

// Bytes is the key as the wire carries it.
func (p DevicePublic) Bytes() []byte { return p[:] }

// Device is this node's X25519 key pair for private rooms. It is kept
// apart from the node's Ed25519 key, which only signs.
type Device struct {
	priv *ecdh.PrivateKey
}

// NewDevice makes a fresh device key pair.
func NewDevice() (*Device, error) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make device key: %w", err)
	}
	return &Device{priv: priv}, nil
}

// LoadDevice reads a device key pair saved with Bytes.
func LoadDevice(b []byte) (*Device, error) {
	priv, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("read device key: %w", err)
	}
	return &Device{priv: priv}, nil
}

// Bytes is the private key, to be saved like the node key.
func (d *Device) Bytes() []byte { return d.priv.Bytes() }

// Public is the device's public key.
func (d *Device) Public() DevicePublic {
	var p DevicePublic
	copy(p[:], d.priv.PublicKey().Bytes())
	return p
}

const deviceContext = "parley device key v1"

// SignDevice has the node key vouch for a device key, for the hello.
func SignDevice(node crypto.PrivKey, pub DevicePublic) (*wire.DeviceKey, error) {
	sig, err := node.Sign(append([]byte(deviceContext), pub[:]...))
	if err != nil {
		return nil, fmt.Errorf("sign device key: %w", err)
	}
	return &wire.DeviceKey{Key: pub[:], Signature: sig}, nil
}

// VerifyDevice checks that node vouched for the device key and returns it.
func VerifyDevice(dk *wire.DeviceKey, node peer.ID) (DevicePublic, error) {
	var pub DevicePublic
	if len(dk.GetKey()) != DeviceKeySize {
		return pub, fmt.Errorf("%w: device key of %d bytes", ErrMalformed, len(dk.GetKey()))
	}
	nodeKey, err := node.ExtractPublicKey()
	if err != nil {
		return pub, fmt.Errorf("%w: peer ID holds no key: %w", ErrMalformed, err)
	}
	ok, err := nodeKey.Verify(append([]byte(deviceContext), dk.Key...), dk.GetSignature())
	if err != nil || !ok {
		return pub, fmt.Errorf("%w: device key not signed by %s", ErrMalformed, node)
	}
	copy(pub[:], dk.Key)
	return pub, nil
}

// HPKE suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
var (
	wrapKDF  = hpke.HKDFSHA256()
	wrapAEAD = hpke.ChaCha20Poly1305()
)

// wrapInfo binds a wrap to its room and epoch: a wrap copied into another
// room's or epoch's Keys does not unwrap.
func wrapInfo(room wire.RoomID, epoch uint32) []byte {
	info := append([]byte("parley epoch key v1"), room[:]...)
	return binary.BigEndian.AppendUint32(info, epoch)
}

// Wrap seals an epoch key to one device with HPKE.
func Wrap(k Key, to DevicePublic, room wire.RoomID, epoch uint32) ([]byte, error) {
	pub, err := ecdh.X25519().NewPublicKey(to[:])
	if err != nil {
		return nil, fmt.Errorf("wrap epoch key: %w", err)
	}
	hpub, err := hpke.NewDHKEMPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("wrap epoch key: %w", err)
	}
	wrapped, err := hpke.Seal(hpub, wrapKDF, wrapAEAD, wrapInfo(room, epoch), k[:])
	if err != nil {
		return nil, fmt.Errorf("wrap epoch key: %w", err)
	}
	return wrapped, nil
}

// Unwrap opens an epoch key wrapped to this device.
func (d *Device) Unwrap(wrapped []byte, room wire.RoomID, epoch uint32) (Key, error) {
	var k Key
	if len(wrapped) != WrapSize {
		return k, fmt.Errorf("%w: wrap of %d bytes", ErrMalformed, len(wrapped))
	}
	priv, err := hpke.NewDHKEMPrivateKey(d.priv)
	if err != nil {
		return k, fmt.Errorf("unwrap epoch key: %w", err)
	}
	plain, err := hpke.Open(priv, wrapKDF, wrapAEAD, wrapInfo(room, epoch), wrapped)
	if err != nil || len(plain) != KeySize {
		return k, ErrOpen
	}
	copy(k[:], plain)
	return k, nil
}
