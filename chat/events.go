package chat

import "sync"

// Event names.
const (
	// EventMessage: a message was added to a room (Data: Message).
	EventMessage = "message"
	// EventChanged: an existing message changed: a reaction, an edit, a
	// delete (Data: Message, as it is now).
	EventChanged = "changed"
	// EventTyping: someone is typing in a room (Data: Typing). Never stored.
	EventTyping = "typing"
	// EventArrived: many messages were added to a room at once, by history
	// sync or a burst of gossip; reload the room (Data: Arrived).
	EventArrived = "arrived"
	// EventRooms: the list of joined rooms changed (Data: nil).
	EventRooms = "rooms"
	// EventMembers: members or their connection state changed (Data: nil).
	EventMembers = "members"
	// EventProfile: a display name changed (Data: Profile).
	EventProfile = "profile"
	// EventNearby: a nearby peer, its rooms or its connection changed (Data: nil).
	EventNearby = "nearby"
	// EventDelivered: a message that waited in the outbox went out (Data: Delivered).
	EventDelivered = "delivered"
	// EventSync: a history sync with a peer progressed (Data: SyncProgress).
	EventSync = "sync"
	// EventStatus: how this node is reachable may have changed (Data: nil).
	EventStatus = "status"
	// EventJoinRefused: a member turned away the user's request to join a
	// private room by link (Data: JoinRefused).
	EventJoinRefused = "joinRefused"
	// EventLagged: this subscriber fell behind and missed events; reload
	// what is on screen from the service (Data: nil).
	EventLagged = "lagged"
)

// Event is a change a UI may want to show.
type Event struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

// subscriberBuffer is how many events a slow subscriber may fall behind by
// before it is told it lagged. Events only announce changes: everything
// they carry is in the store, so a lagging UI reloads instead.
const subscriberBuffer = 1024

// bus fans events out to subscribers without ever blocking the publisher.
type bus struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	ch     chan Event
	lagged bool
}

func newBus() *bus { return &bus{subs: map[*subscriber]struct{}{}} }

func (b *bus) publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.lagged {
			select {
			case s.ch <- Event{Name: EventLagged}:
				s.lagged = false
			default:
				continue
			}
		}
		select {
		case s.ch <- e:
		default:
			s.lagged = true
		}
	}
}

func (b *bus) subscribe() (<-chan Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &subscriber{ch: make(chan Event, subscriberBuffer)}
	if b.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	b.subs[s] = struct{}{}
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := b.subs[s]; ok {
				delete(b.subs, s)
				close(s.ch)
			}
		})
	}
}

func (b *bus) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		close(s.ch)
		delete(b.subs, s)
	}
}

// Subscribe returns a channel of events and a function that ends the
// subscription. The channel is closed when either is called or the service
// closes. A subscriber that does not keep up receives EventLagged.
func (s *Service) Subscribe() (<-chan Event, func()) { return s.bus.subscribe() }
