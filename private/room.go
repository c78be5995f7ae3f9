// Package private keeps one private room as this device holds it
// (docs/SECURITY.md): its membership log, folded; the epoch keys this
// device made or unwrapped; and the events a member writes. It seals what
// the user says and opens what members said. It knows no network and no
// store: the caller keeps and sends what it returns.
package private

import (
	"errors"
	"fmt"
	"sync"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/memberlog"
	"parley/seal"
	"parley/wire"
)

// Why a message cannot be taken in; test with errors.Is.
var (
	// ErrNoKey: the key of the message's epoch is not here, or not yet.
	ErrNoKey = errors.New("the key of this epoch is not here")
	// ErrNotMember: the author is not a member as far as the log here
	// goes, or wrote after leaving.
	ErrNotMember = errors.New("the author is not a member of the room")
	// ErrUnsealed: a private room's message that should be sealed is not.
	ErrUnsealed = errors.New("a private room's message in the clear")
)

// maxKeysPerEpoch bounds the keys kept for one epoch: one counts, the
// others are the losing halves of rotations made at once.
const maxKeysPerEpoch = 4

// EpochKey is one epoch's key.
type EpochKey struct {
	Epoch uint32
	Key   seal.Key
}

// Identity is what a member writes and unwraps with: its node key and
// its device key.
type Identity struct {
	ID     peer.ID
	Key    crypto.PrivKey
	Device *seal.Device
}

// Room is one private room. Its methods are safe to call from several
// goroutines.
type Room struct {
	genesis memberlog.Genesis
	me      Identity
	// clock gives the time of each event this device writes: a hybrid
	// logical clock reading, rising at each call.
	clock func() uint64

	mu     sync.Mutex
	events map[wire.MessageID]memberlog.Event
	state  *memberlog.State
	// keys are the epoch keys this device made or unwrapped, by epoch and
	// check value: a key counts once the log's epoch has its check.
	keys  map[uint32]map[[seal.CheckSize]byte]seal.Key
	fresh []EpochKey // learned since Fresh was called last
}

// New is a room with an empty log, to be filled with AddKey and Add.
func New(g memberlog.Genesis, me Identity, clock func() uint64) *Room {
	return &Room{
		genesis: g, me: me, clock: clock,
		events: map[wire.MessageID]memberlog.Event{},
		state:  memberlog.Fold(g, nil),
		keys:   map[uint32]map[[seal.CheckSize]byte]seal.Key{},
	}
}

// Create founds a room: its first key, and the events that make the
// founder its owner and hand the key to the founder's device. The caller
// keeps the key (Fresh) and the events.
func Create(g memberlog.Genesis, me Identity, clock func() uint64) (*Room, []*wire.Message, error) {
	r := New(g, me, clock)
	k, err := seal.NewKey()
	if err != nil {
		return nil, nil, err
	}
	r.learn(0, k)
	keys, err := r.keysEvent(0, k, []seal.DevicePublic{me.Device.Public()})
	if err != nil {
		return nil, nil, err
	}
	create, err := r.write(&wire.Member{Action: wire.Member_ACTION_CREATE, Device: me.Device.Public().Bytes()})
	if err != nil {
		return nil, nil, err
	}
	return r, []*wire.Message{keys, create}, nil
}

// Genesis is what the room's ID commits to.
func (r *Room) Genesis() memberlog.Genesis { return r.genesis }

// State is the folded log as it stands.
func (r *Room) State() *memberlog.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// AddKey takes a key this device kept before.
func (r *Room) AddKey(epoch uint32, k seal.Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.remember(epoch, k)
}

// Fresh returns the keys learned since it was called last: the caller
// keeps them before anything sealed under them.
func (r *Room) Fresh() []EpochKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.fresh
	r.fresh = nil
	return out
}

func (r *Room) learn(epoch uint32, k seal.Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.remember(epoch, k) {
		r.fresh = append(r.fresh, EpochKey{epoch, k})
	}
}

func (r *Room) remember(epoch uint32, k seal.Key) bool {
	check := k.Check(r.genesis.Room, epoch)
	held := r.keys[epoch]
	if held == nil {
		held = map[[seal.CheckSize]byte]seal.Key{}
		r.keys[epoch] = held
	}
	if _, ok := held[check]; ok || len(held) >= maxKeysPerEpoch {
		return false
	}
	held[check] = k
	return true
}

// keyLocked is the key of an epoch the log has begun, if this device
// holds it.
func (r *Room) keyLocked(epoch uint32) (seal.Key, error) {
	ep := r.state.Epoch(epoch)
	if ep == nil {
		return seal.Key{}, fmt.Errorf("%w: epoch %d has not begun here", ErrNoKey, epoch)
	}
	k, ok := r.keys[epoch][ep.Check]
	if !ok {
		return seal.Key{}, fmt.Errorf("%w: epoch %d", ErrNoKey, epoch)
	}
	return k, nil
}

// Open takes in a verified message of the room: a sealed one comes back
// opened; a keys event or a profile as it is. A message whose epoch key
// is not here (ErrNoKey) or whose author the log does not list yet
// (ErrNotMember) may take in once more of the log arrives: the caller
// holds it for a while and tries again. Other errors refuse it.
func (r *Room) Open(m *wire.Message) (*wire.Message, error) {
	switch m.Kind {
	case wire.Kind_KIND_KEYS, wire.Kind_KIND_PROFILE:
		return m, nil
	case wire.Kind_KIND_SEALED:
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsealed, m.Kind)
	}
	r.mu.Lock()
	k, err := r.keyLocked(m.Sealed.GetEpoch())
	state := r.state
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	opened, err := seal.OpenMessage(k, m)
	if err != nil {
		return nil, err
	}
	if opened.Kind == wire.Kind_KIND_MEMBER {
		// Whether its author may do what it says is the fold's call,
		// made in (time, ID) order whatever the order of arrival.
		return opened, nil
	}
	if state.Role(m.Author) == memberlog.None {
		if at, ok := state.DepartedAt(m.Author); !ok || m.Time >= at {
			return nil, fmt.Errorf("%w: %s", ErrNotMember, m.Author)
		}
	}
	return opened, nil
}

// IsLogEvent reports whether an opened message belongs to the log (Add
// takes it).
func IsLogEvent(m *wire.Message) bool {
	return m.Kind == wire.Kind_KIND_KEYS || m.Kind == wire.Kind_KIND_MEMBER
}

// Add takes a log event in: a keys event, or an opened membership event.
// It reports whether the event is new. Every well-formed event is kept,
// whoever wrote it: the fold decides, in (time, ID) order, which count.
func (r *Room) Add(m *wire.Message) (bool, error) {
	ev := memberlog.Event{ID: m.ID, Author: m.Author, Time: m.Time}
	switch {
	case m.Kind == wire.Kind_KIND_KEYS && m.Keys != nil:
		if err := memberlog.CheckKeys(m.Keys); err != nil {
			return false, err
		}
		ev.Keys = m.Keys
	case m.Kind == wire.Kind_KIND_MEMBER && m.Member != nil && m.Opened:
		if err := memberlog.CheckMember(m.Member); err != nil {
			return false, err
		}
		ev.Member = m.Member
	default:
		return false, fmt.Errorf("%w: %s is not a log event", memberlog.ErrMalformed, m.Kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.events[m.ID]; ok {
		return false, nil
	}
	if ev.Keys != nil {
		r.unwrapLocked(ev.Keys)
	}
	r.events[m.ID] = ev
	r.refoldLocked()
	return true, nil
}

// unwrapLocked learns the key a keys event wrapped for this device, if
// it is the key its check value names.
func (r *Room) unwrapLocked(k *wire.Keys) {
	mine := r.me.Device.Public()
	for _, w := range k.Wraps {
		if seal.DevicePublic(w.Device) != mine {
			continue
		}
		key, err := r.me.Device.Unwrap(w.Wrapped, r.genesis.Room, k.Epoch)
		if err != nil || key.Check(r.genesis.Room, k.Epoch) != [seal.CheckSize]byte(k.Check) {
			return
		}
		if r.remember(k.Epoch, key) {
			r.fresh = append(r.fresh, EpochKey{k.Epoch, key})
		}
		return
	}
}

func (r *Room) refoldLocked() {
	events := make([]memberlog.Event, 0, len(r.events))
	for _, e := range r.events {
		events = append(events, e)
	}
	r.state = memberlog.Fold(r.genesis, events)
}

// Seal signs what the user says in the room, sealed under the newest
// epoch whose key this device holds (a newer one not handed to it yet
// would leave it mute): only while the log lists the user.
func (r *Room) Seal(d wire.Draft) (*wire.Message, error) {
	r.mu.Lock()
	var k seal.Key
	epoch := uint32(0)
	err := fmt.Errorf("%w: no epoch of the room has a key here", ErrNoKey)
	if r.state.Role(r.me.ID) == memberlog.None {
		err = fmt.Errorf("%w: the log does not list this device's identity", ErrNotMember)
	} else {
		for n := r.state.Epochs() - 1; n >= 0 && err != nil; n-- {
			epoch = uint32(n)
			k, err = r.keyLocked(epoch)
		}
	}
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	d.Room = r.genesis.Room
	return seal.SignMessage(r.me.Key, k, epoch, d)
}
