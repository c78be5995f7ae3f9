// Package chat is Parley's product API: identity, rooms, messages, profiles
// and the events a UI listens to. It exposes no Wails or libp2p types.
package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/datadir"
	"parley/files"
	"parley/identity"
	"parley/lru"
	"parley/p2p"
	"parley/roomkey"
	"parley/seal"
	"parley/store"
	"parley/wire"
	"parley/workset"
)

// Options configures a Service.
type Options struct {
	// DataDir holds the key, database and settings; required.
	DataDir string
	// Network is how far the node looks for peers; defaults to p2p.ModeLAN.
	Network p2p.Mode
	// ListenAddrs are libp2p multiaddrs to listen on; default p2p.DefaultListenAddrs.
	ListenAddrs []string
	// Peers are multiaddrs (ending in /p2p/<id>) dialled at start.
	Peers []string
	// Bootstrap are helper nodes' multiaddrs (ending in /p2p/<id>): in
	// internet mode the DHT starts from them and relays are picked among
	// them.
	Bootstrap []string
	// Helper runs the node as a helper (internet mode): publicly reachable,
	// DHT server, AutoNAT service and relay for Parley peers.
	Helper bool
	// WSS, on a helper, adds a secure WebSocket listener (see p2p.WSS).
	WSS *p2p.WSS
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
	// Now is the wall clock; default time.Now.
	Now func() time.Time
	// RoomQuota caps the bytes of one room's history on this node; default
	// store.DefaultRoomQuota.
	RoomQuota int64

	// networkUp, if set, runs as soon as the network node exists: tests use
	// it to reach the node at its first moment.
	networkUp func()
	// inviterKeep, if set, replaces the day a link's inviter is redialled
	// (inviterKeep): tests shorten it.
	inviterKeep time.Duration
}

// Service owns one node's data dir, identity, store and network node.
type Service struct {
	opts Options
	dir  *datadir.Dir
	id   *identity.Identity
	// device is the key private rooms wrap their keys to (package seal);
	// deviceKey its public half signed, as hellos carry it.
	device    *seal.Device
	deviceKey *wire.DeviceKey
	store     *store.Store
	node      *p2p.Node
	clock     *wire.Clock
	log       *slog.Logger
	bus       *bus
	// sending holds a slot for each own message being signed and stored:
	// past saturation senders wait here (or get ErrBusy), not in memory.
	sending chan struct{}
	// privateRejected counts private rooms' messages refused since start;
	// filesRejected file manifests and chunks that did not check.
	privateRejected atomic.Int64
	filesRejected   atomic.Int64
	// held keeps files' holdings open while in use; fetches are the
	// files being fetched (under mu), at most fetchesAtOnce at a time
	// (fetchSlots); previews the window's previews of files (under mu).
	held       *heldFiles
	fetches    map[files.Hash]*fetchRun
	fetchSlots chan struct{}
	previews   *lru.Map[files.Hash, string]
	// fileLimits are the limits on files (under mu); storageMu orders
	// the changes to files' records, so the cap holds.
	fileLimits FileLimits
	storageMu  sync.Mutex
	// fullLogged is when each room was last logged as full (under mu).
	fullLogged map[wire.RoomID]time.Time

	ctx        context.Context
	stop       context.CancelFunc
	wg         sync.WaitGroup
	flush      *workset.Set[wire.RoomID] // rooms whose outbox should go out now
	remember   *workset.Set[peer.ID]     // peers met in a room, to save and keep
	remembered rememberTimes             // when each peer was last saved
	peerTimes  peerTimes                 // when peers connected in this run were last connected
	syncs      *workset.Set[syncRequest] // rooms and peers to sync with

	syncPeerMu sync.Mutex
	syncPeers  map[peer.ID]int // sessions running per peer

	readMu    sync.Mutex // serialises read-modify-write of room records
	mu        sync.Mutex
	names     map[peer.ID]string // display names from profiles
	myName    string
	myProfile []byte                               // our signed profile envelope, for hellos
	joined    map[wire.RoomID]string               // joined room -> name
	keys      map[wire.RoomID]roomkey.Room         // joined room -> its keys
	private   map[wire.RoomID]*privateRoom         // joined private room -> its log and keys
	devices   *lru.Map[peer.ID, seal.DevicePublic] // device keys peers' hellos named
	blocked   map[peer.ID]bool                     // people the user blocked
	told      *tellings                            // removed people told of it, when
	visible   map[wire.RoomID]bool                 // joined rooms visible on this network
	nearby    *lru.Map[peer.ID, *nearbyPeer]       // peers that said hello, with their public rooms
	away      map[peer.ID]bool                     // connected peers who said they are away
	amAway    bool
	typedAt   map[wire.RoomID]time.Time // when we last said we are typing, per room
	closeErr  error
	closed    bool
}

// Me describes the local user.
type Me struct {
	// PeerID is the full libp2p peer ID, the user's stable identity.
	PeerID string `json:"peerId"`
	// ShortID is the fingerprint shown next to the display name.
	ShortID string `json:"shortId"`
	// Name is the display name; empty until the user sets one.
	Name string `json:"name"`
	// Addrs are multiaddrs another node can dial to reach this one.
	Addrs []string `json:"addrs"`
}

// Open takes the data dir (failing with datadir.ErrInUse if another process
// holds it), loads or creates the identity, opens the store, starts the
// network node and rejoins the rooms joined before. The service lives until
// Close or until ctx ends.
func Open(ctx context.Context, opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("open chat service: no data dir given")
	}
	if opts.Network == "" {
		opts.Network = p2p.ModeLAN
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir, err := datadir.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Service{
		opts: opts, dir: dir,
		clock:      wire.NewClock(opts.Now),
		log:        opts.Logger.With("component", "chat"),
		bus:        newBus(),
		sending:    make(chan struct{}, maxSending),
		fullLogged: map[wire.RoomID]time.Time{},
		names:      map[peer.ID]string{},
		joined:     map[wire.RoomID]string{},
		keys:       map[wire.RoomID]roomkey.Room{},
		private:    map[wire.RoomID]*privateRoom{},
		devices:    lru.New[peer.ID, seal.DevicePublic](maxDevices, nil),
		blocked:    map[peer.ID]bool{},
		told:       newTellings(),
		visible:    map[wire.RoomID]bool{},
		nearby:     lru.New[peer.ID, *nearbyPeer](maxNearby, nil),
		away:       map[peer.ID]bool{},
		typedAt:    map[wire.RoomID]time.Time{},
		flush:      workset.New[wire.RoomID](),
		remember:   workset.New[peer.ID](),
		syncs:      workset.New[syncRequest](),
		fetches:    map[files.Hash]*fetchRun{},
		fetchSlots: make(chan struct{}, fetchesAtOnce),
		previews:   lru.New[files.Hash, string](maxPreviews, nil),

		syncPeers: map[peer.ID]int{},
	}
	s.ctx, s.stop = context.WithCancel(ctx)
	if err := s.start(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.log.Info("service opened", "peer", identity.ShortID(s.id.ID), "network", opts.Network, "addrs", s.node.Addrs())
	return s, nil
}

func (s *Service) start() error {
	var err error
	if s.id, err = identity.LoadOrCreate(s.dir.Path); err != nil {
		return err
	}
	if s.device, err = identity.LoadOrCreateDevice(s.dir.Path); err != nil {
		return err
	}
	if s.deviceKey, err = seal.SignDevice(s.id.Key, s.device.Public()); err != nil {
		return err
	}
	if s.store, err = store.Open(filepath.Join(s.dir.Path, "store"), store.Options{Logger: s.opts.Logger, RoomQuota: s.opts.RoomQuota}); err != nil {
		return err
	}
	// Everything a peer's hello or sync may read is loaded before the
	// network starts: its handlers run from the first connection on.
	if err := s.loadProfiles(); err != nil {
		return err
	}
	if err := s.loadBlocked(); err != nil {
		return err
	}
	rooms, err := s.loadJoinedRooms()
	if err != nil {
		return err
	}
	bootstrap, err := addrInfos(s.opts.Bootstrap)
	if err != nil {
		return err
	}
	s.loadProxy()
	s.loadFileLimits()
	s.held = newHeldFiles(s.filesRoot())
	s.node, err = p2p.New(s.ctx, p2p.Options{
		Key:         s.id.Key,
		ListenAddrs: s.opts.ListenAddrs,
		Mode:        s.opts.Network,
		Helper:      s.opts.Helper,
		WSS:         s.opts.WSS,
		Bootstrap:   bootstrap,
		OnReach:     func() { s.bus.publish(Event{Name: EventStatus}) },
		History:     s.store,
		OnPeer:      s.onPeer,
		OnRoomPeer:  s.onRoomPeer,
		OnGossipRepaired: func(p peer.ID, rooms []wire.RoomID) {
			for _, room := range rooms {
				s.requestSync(room, p)
			}
		},
		Sync:       s.store, // Scan and Envelope
		Profiles:   s.store, // the names that travel with a room's history
		OnSync:     s.onSync,
		OnJoin:     s.answerJoin,
		OnDirect:   s.answerDirect,
		OnRemoval:  s.answerRemoval,
		OnOutsider: s.onOutsider,
		Files:      s.serveFile,
		Hello:      s.helloContent,
		OnHello:    s.receiveHello,
		Logger:     s.opts.Logger,
		Now:        s.opts.Now,
	})
	if err != nil {
		return err
	}
	if s.opts.networkUp != nil {
		s.opts.networkUp()
	}
	for _, keys := range rooms {
		if pr := s.privateRoom(keys.ID); pr != nil {
			s.admit(keys.ID, pr)
		}
		if err := s.node.Join(keys, s.receive); err != nil {
			return err
		}
	}
	s.wg.Go(s.outboxLoop)
	s.wg.Go(s.syncLoop)
	s.wg.Go(s.rememberLoop)
	s.wg.Go(s.lastSeenLoop)
	s.wg.Go(s.nearbyLoop)
	if err := s.keepKnownPeers(); err != nil {
		return err
	}
	s.wg.Go(func() {
		s.recordHeldFiles()
		s.resumeFetches()
	})
	s.restoreHelpers()
	s.restoreInviters()
	s.resumeJoins()
	s.resumeOffers()
	for _, addr := range s.opts.Peers {
		s.wg.Go(func() { s.dialAtStart(addr) })
	}
	return nil
}

// dialAtStart connects to a peer named on the command line. A peer that is
// not up yet is no error: it will dial us when it starts, if it knows us.
func (s *Service) dialAtStart(addr string) {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if err := s.node.Connect(ctx, addr); err != nil {
		s.log.Warn("dial failed", "addr", addr, "err", err)
	}
}

// Me returns the local user's identity.
func (s *Service) Me() Me {
	s.mu.Lock()
	name := s.myName
	s.mu.Unlock()
	return Me{PeerID: s.id.ID.String(), ShortID: identity.ShortID(s.id.ID), Name: name, Addrs: s.node.Addrs()}
}

// DataDir is the absolute path of the data dir in use.
func (s *Service) DataDir() string { return s.dir.Path }

// Network is the network mode the service was opened with.
func (s *Service) Network() p2p.Mode { return s.opts.Network }

// Connect dials a peer given as a multiaddr ending in /p2p/<peer ID>.
func (s *Service) Connect(ctx context.Context, addr string) error {
	err := s.node.Connect(ctx, addr)
	if err == nil || errors.Is(err, ErrBadAddress) || errors.Is(err, ErrOwnAddress) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrConnect, err)
}

// Close stops the network node, then the store, then releases the data dir.
// It is safe to call more than once.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	s.closed = true
	s.mu.Unlock()

	s.stop()
	s.wg.Wait()
	var errs []error
	if s.node != nil {
		errs = append(errs, s.node.Close())
	}
	if s.held != nil {
		errs = append(errs, s.held.close()) // after the node: no stream serves a file now
	}
	if s.store != nil {
		s.saveLastSeen() // those connected until now were seen now
		errs = append(errs, s.store.Close())
	}
	s.bus.close()
	errs = append(errs, s.dir.Close())
	s.closeErr = errors.Join(errs...)
	if s.closeErr != nil {
		s.closeErr = fmt.Errorf("close chat service: %w", s.closeErr)
	}
	s.log.Info("service closed")
	return s.closeErr
}

// addrInfos reads multiaddrs ending in /p2p/<id>.
func addrInfos(addrs []string) ([]peer.AddrInfo, error) {
	out := make([]peer.AddrInfo, 0, len(addrs))
	for _, a := range addrs {
		info, err := peer.AddrInfoFromString(a)
		if err != nil {
			return nil, fmt.Errorf("bootstrap address %q: %w", a, err)
		}
		out = append(out, *info)
	}
	return out, nil
}
