package p2p

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/libp2p/go-libp2p/p2p/transport/websocket"
	"github.com/multiformats/go-multiaddr"

	"parley/identity"
	"parley/roomkey"
	"parley/wire"
)

// History is what the node needs from the message store: whether a message
// is already kept, so a copy that arrives again is ignored, not re-delivered.
type History interface {
	Has(wire.MessageID) (bool, error)
}

// Batch is verified messages of one room that arrived together: what live
// gossip had queued up, or one frame of a history sync.
type Batch struct {
	Room     wire.RoomID
	Messages []*wire.Message
	// From is the peer that sent the first message.
	From peer.ID
	// Live marks messages that came by gossip as they were sent, not by
	// sync catching up.
	Live bool
}

// Handler receives batches of verified messages from other peers. It runs
// on a loop owned by the node: it should store the batch and return, and
// while it does, the next batch gathers.
type Handler func(Batch)

// Options configures a Node.
type Options struct {
	// Key is the node key; it is the host identity.
	Key crypto.PrivKey
	// ListenAddrs are multiaddrs to listen on; default: every interface,
	// TCP and QUIC, on ports the system picks.
	ListenAddrs []string
	// Mode is how far the node looks for peers.
	Mode Mode
	// History lets the validator ignore messages already stored.
	History History
	// AuthorRate and AuthorBurst limit each author's live messages per
	// room (messages per second, and how many may come at once); beyond
	// them messages are dropped before they are stored or forwarded.
	// Zero means DefaultAuthorRate and DefaultAuthorBurst; a negative
	// AuthorRate turns the limit off.
	AuthorRate  float64
	AuthorBurst int
	// PeerRate and PeerBurst limit the live messages each peer passes on
	// to us, all rooms together, whoever wrote them; PeerByteRate and
	// PeerByteBurst their bytes. Beyond them messages are dropped unread.
	// Zero means the Default values; a negative PeerRate turns them off.
	PeerRate      float64
	PeerBurst     int
	PeerByteRate  float64
	PeerByteBurst int
	// OnPeer, if set, is told when a peer connects or disconnects. It must
	// not block.
	OnPeer func(id peer.ID, connected bool)
	// OnRoomPeer, if set, is told when a peer subscribes to or leaves a
	// joined room's topic. It must not block.
	OnRoomPeer func(room wire.RoomID, id peer.ID, joined bool)
	// OnGossipRepaired, if set, is told of a member whose GossipSub streams
	// had to be reset, once gossip with it works again, with the rooms it
	// shares: messages published meanwhile may not have reached it, and
	// history sync carries them. It must not block.
	OnGossipRepaired func(id peer.ID, rooms []wire.RoomID)
	// Hello, if set, says what goes into the hello sent to each peer that
	// connects; the node adds the membership proofs, and tells the nearby
	// rooms only to peers found on this network.
	Hello func() HelloContent
	// OnHello, if set, receives each peer's checked hello.
	OnHello func(from peer.ID, h PeerHello)
	// Sync, if set, lets the node reconcile room histories with peers.
	Sync SyncSource
	// Profiles, if set, lets sync sessions carry the profiles of a room's
	// authors, so that names come with the history.
	Profiles ProfileSource
	// OnSync, if set, hears how sync sessions progress. It must not block.
	OnSync func(SyncProgress)
	// OnJoin, if set, answers private rooms' join requests; OnDirect, if
	// set, takes direct conversations offered (ask.go). OnDirect answers
	// nil to refuse, or any one byte to acknowledge.
	OnJoin   Answerer
	OnDirect Answerer
	// OnRemoval, if set, takes the removal a member tells of (ask.go);
	// any one byte acknowledges it.
	OnRemoval Answerer
	// Files, if set, serves files' chunks to members of the rooms that
	// name them (files.go).
	Files FileHolder
	// OnOutsider, if set, hears of a peer whose hello proves it holds a
	// private room's secret though the room's log does not list it (a
	// newcomer, or someone removed). It runs on the hello's goroutine.
	OnOutsider func(from peer.ID, room wire.RoomID)
	// Helper runs the node as a helper (internet mode only): publicly
	// reachable, a DHT server, an AutoNAT service and a relay.
	Helper bool
	// WSS, on a helper, adds a secure WebSocket listener, for members on
	// networks that let out only web traffic.
	WSS *WSS
	// TLSRoots are the certificate authorities secure WebSocket dials
	// trust; nil means the system's (on Linux SSL_CERT_FILE names them).
	TLSRoots *x509.CertPool
	// Bootstrap are helper nodes to start from in internet mode: the DHT
	// bootstraps from them and relays are picked among them.
	Bootstrap []peer.AddrInfo
	// Isolated keeps an internet-mode node off the local network: no mDNS
	// and no port mapping requests to the router (UPnP, NAT-PMP). Tests
	// that share a network with other machines set it.
	Isolated bool
	// OnReach, if set, is told when the node's reachability may have
	// changed (see Reachability). It must not block.
	OnReach func()
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock used to reject messages from the future; default time.Now.
	Now func() time.Time
}

// DefaultListenAddrs listen on all interfaces, TCP and QUIC.
var DefaultListenAddrs = []string{
	"/ip4/0.0.0.0/tcp/0",
	"/ip4/0.0.0.0/udp/0/quic-v1",
	"/ip6/::/tcp/0",
	"/ip6/::/udp/0/quic-v1",
}

// gossipProtocols are the GossipSub versions spoken; see New.
var gossipProtocols = []protocol.ID{pubsub.GossipSubID_v13, pubsub.GossipSubID_v12, pubsub.GossipSubID_v11}

// Queue sizes well above GossipSub's defaults (32), which drop messages
// under bursts; sync, not gossip, is what makes history complete.
const (
	outboundQueueSize = 4096
	validateQueueSize = 4096
	subscriptionBuf   = 4096
)

// Node is a libp2p host with one GossipSub topic per joined room: the host,
// the trust policy every service asks, and the services, each with its own
// state and lock, wired together by New. docs/ARCHITECTURE.md draws them.
type Node struct {
	host host.Host
	ps   *pubsub.PubSub
	opts Options
	log  *slog.Logger
	ctx  context.Context // ends at Close
	stop context.CancelFunc
	// run owns the services' goroutines; streams the stream handlers,
	// which run on libp2p's goroutines (Close waits for them: a sync
	// handler reads the store, which closes after the node).
	run, streams group

	trust   *trust     // what each peer is to us, and what it may do
	gate    *gater     // the address policy, on every dial
	helpers *helperSet // helper nodes: relays and DHT seeds

	rooms      *roomService       // joined rooms: topics, validator, loops
	repair     *gossipRepair      // peers GossipSub lost, made to announce again
	limits     *limitService      // flood limits and bad-input counts
	hello      *helloService      // what each peer hears of us, and we of it
	sync       *syncServer        // history sessions, both ways
	keep       *keeper            // kept peers, redials, mDNS discovery
	reach      *reachService      // reachability, hole punches, moves off relays
	punch      *punchService      // hole punches tried again for relayed members
	relays     *relayWatch        // relays in use, pinged; a silent one is cut
	rendezvous *rendezvousService // the DHT and rooms' meeting keys; internet mode only
	relay      *helperRelay       // a helper's relay; helpers only
	wss        *wssListener       // a helper's secure WebSocket listener, if any
	dialed     *wssMemory         // helpers reached over WSS, dialled that way first
}

// New starts a host listening on opts.ListenAddrs, a GossipSub router, and
// the services that make up a node, each wired to what it needs here. The
// node lives until Close or until ctx ends.
func New(ctx context.Context, opts Options) (*Node, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	n := &Node{
		opts: opts, ctx: ctx, stop: stop,
		log:     opts.Logger.With("component", "p2p"),
		helpers: newHelperSet(),
	}
	n.limits = newLimitService(opts, n.log)
	n.gate = newGater(n.log, opts.Bootstrap)
	n.repair = newGossipRepair(ctx, &n.run, n.log, opts.OnGossipRepaired)
	n.reach = newReachService(ctx, &n.run, n.log)
	n.punch = newPunchService(ctx, &n.run, n.log)
	n.relays = newRelayWatch(ctx, &n.run, n.log)
	n.reach.onReach, n.reach.moved = opts.OnReach, n.repair.check
	n.dialed = newWSSMemory()
	extra := append(n.reachOptions(), libp2p.SwarmOpts(swarm.WithDialRanker(n.dialed.rank)))
	var serveTLS *tls.Config
	if opts.WSS != nil {
		var wssOpts []libp2p.Option
		if n.wss, wssOpts, err = opts.WSS.options(opts.ListenAddrs, opts.Now); err != nil {
			stop()
			return nil, fmt.Errorf("start node: %w", err)
		}
		serveTLS = n.wss.tls
		extra = append(extra, wssOpts...)
	}
	extra = append(extra, transports(serveTLS, opts.TLSRoots))
	if n.host, err = newHost(opts, n.gate, extra); err != nil {
		stop()
		return nil, fmt.Errorf("start node: %w", err)
	}
	h := n.host
	n.trust = newTrust(h.ID())
	n.keep = newKeeper(ctx, h, n.trust, &n.run, n.log)
	n.keep.isHelper, n.keep.foundOnLAN = n.helpers.has, n.markLAN
	n.reach.newRelays = func() { // called only once reach starts, after rooms exist
		n.keep.wakeRedials()
		n.rooms.rendezvousNow()
	}
	n.hello = newHelloService(ctx, h, n.trust, &n.run, opts, n.proven, n.limits.reject)
	n.gate.start(h, n.trust, n.isConnected)
	if n.ps, err = newGossipSub(ctx, gossipHost{Host: h, ctx: ctx, trust: n.trust}, n.trust, n.limits.score); err != nil {
		stop()
		return nil, errors.Join(fmt.Errorf("start node: gossipsub: %w", err), h.Close())
	}
	if opts.Mode == ModeInternet {
		if err := n.startInternet(); err != nil {
			stop()
			return nil, errors.Join(err, h.Close())
		}
	}
	n.rooms = &roomService{
		ctx: ctx, self: h.ID(), ps: n.ps, trust: n.trust, run: &n.run, hello: n.hello,
		resetGossip: n.repair.resetGossipStreams,
		lostMember:  n.repair.reannounceLater,
		limits:      n.limits,
		history:     opts.History,
		now:         opts.Now,
		onRoomPeer:  opts.OnRoomPeer,
		connected:   func(p peer.ID) bool { return h.Network().Connectedness(p) == network.Connected },
		log:         n.log,
		rooms:       map[wire.RoomID]*room{},
	}
	if n.rendezvous != nil {
		n.rooms.rendezvous = n.rendezvous.run
	}
	n.sync = newSyncServer(ctx, h, n.trust, n.rooms, n.limits.reject, opts)

	// Everything is wired: start serving.
	if err := n.repair.start(h, n.trust, n.rooms.joinedTopics, n.limits.graylisted); err != nil {
		stop()
		return nil, errors.Join(fmt.Errorf("start node: %w", err), h.Close())
	}
	n.hello.start(n.counted)
	h.SetStreamHandler(syncProtocol, n.counted(n.sync.handleSync))
	if opts.OnJoin != nil {
		h.SetStreamHandler(joinProtocol, n.counted(newAskServer(opts.OnJoin, MaxJoinRequest, MaxJoinAnswer).serve))
	}
	if opts.OnRemoval != nil {
		h.SetStreamHandler(removalProtocol, n.counted(newAskServer(opts.OnRemoval, wire.MaxEnvelopeSize, 1).serve))
	}
	if opts.OnDirect != nil {
		h.SetStreamHandler(directProtocol, n.counted(newAskServer(opts.OnDirect, MaxDirectOffer, 1).serve))
	}
	if opts.Files != nil {
		h.SetStreamHandler(filesProtocol, n.counted(newFileServer(opts.Files, n.trust).serve))
	}
	h.Network().Notify(&network.NotifyBundle{ConnectedF: n.connected, DisconnectedF: n.disconnected})
	n.reach.start(h)
	if opts.Mode == ModeInternet && !opts.Helper {
		n.punch.start(h, func(p peer.ID) bool { return len(n.trust.memberRooms(p)) > 0 })
		n.relays.start(h, func() []peer.ID { return relaysInUse(h, n.reach.Reachability().Relays) })
	}
	if n.wss != nil {
		if err := n.wss.start(ctx, h, &n.run); err != nil {
			stop()
			return nil, errors.Join(fmt.Errorf("start node: %w", err), h.Close())
		}
	}
	n.AddHelpers(opts.Bootstrap...)
	n.keep.start(opts.Mode == ModeLAN || opts.Mode == ModeInternet && !opts.Isolated)
	n.log.Info("node started", "peer", identity.ShortID(h.ID()), "mode", opts.Mode, "helper", opts.Helper, "addrs", h.Addrs())
	return n, nil
}

// withDefaults checks the options and fills in what was left out.
func (opts Options) withDefaults() (Options, error) {
	if opts.Key == nil {
		return opts, errors.New("no key")
	}
	if opts.Helper && opts.Mode != ModeInternet {
		return opts, errors.New("a helper needs the internet network mode")
	}
	if len(opts.ListenAddrs) == 0 {
		opts.ListenAddrs = DefaultListenAddrs
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AuthorRate == 0 {
		opts.AuthorRate = DefaultAuthorRate
	}
	if opts.AuthorBurst <= 0 {
		opts.AuthorBurst = DefaultAuthorBurst
	}
	if opts.PeerRate == 0 {
		opts.PeerRate = DefaultPeerRate
	}
	if opts.PeerBurst <= 0 {
		opts.PeerBurst = DefaultPeerBurst
	}
	if opts.PeerByteRate <= 0 {
		opts.PeerByteRate = DefaultPeerByteRate
	}
	if opts.PeerByteBurst <= 0 {
		opts.PeerByteBurst = DefaultPeerByteBurst
	}
	return opts, nil
}

// transports are the ones Parley speaks: QUIC, TCP and WebSocket (secure
// WebSocket to helpers on networks that let only web traffic out), served
// with serveTLS when the node has a WSS listener. Naming them leaves out
// the WebTransport and WebRTC transports libp2p would add: Parley never
// listens on them.
func transports(serveTLS *tls.Config, roots *x509.CertPool) libp2p.Option {
	wsOpts := []interface{}{}
	if serveTLS != nil {
		wsOpts = append(wsOpts, websocket.WithTLSConfig(serveTLS))
	}
	if roots != nil {
		wsOpts = append(wsOpts, websocket.WithTLSClientConfig(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	}
	return libp2p.ChainOptions(
		libp2p.Transport(quic.NewTransport),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(websocket.New, wsOpts...),
	)
}

// newHost starts the libp2p host: the node key, the listen addresses, the
// connection and resource managers, the address policy on every dial, and
// what internet mode adds (extra).
func newHost(opts Options, gate *gater, extra []libp2p.Option) (host.Host, error) {
	cm, err := connmgr.NewConnManager(64, 256, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("connection manager: %w", err)
	}
	rm, err := resourceManager(opts.Helper)
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(append([]libp2p.Option{
		libp2p.Identity(opts.Key),
		libp2p.ListenAddrStrings(opts.ListenAddrs...),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionGater(gate),
	}, extra...)...)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("listen on %v: %w", opts.ListenAddrs, err), rm.Close())
	}
	return h, nil
}

// newGossipSub starts the GossipSub router, with the trust policy deciding
// whose subscriptions count and who is meshed, and score adding the node's
// own judgement of each peer.
func newGossipSub(ctx context.Context, h host.Host, t *trust, score func(peer.ID) float64) (*pubsub.PubSub, error) {
	return pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(MessageID),
		// A room's topic counts a peer as subscribed, and meshes, gossips
		// and serves it, only once it proved membership (trust.go): our
		// own messages, flooded to every subscriber, reach members only.
		pubsub.WithSubscriptionFilter(t),
		pubsub.WithPeerFilter(t.mayGossip),
		// Our own messages go to every subscribed peer, not only to the
		// mesh: in this release flood publishing is off by default, and a
		// message sent before the first heartbeat builds the mesh is lost.
		pubsub.WithFloodPublish(true),
		// GossipSub only: the floodsub protocol sends every message to
		// every subscriber, past the peer filter.
		pubsub.WithGossipSubProtocols(gossipProtocols, pubsub.GossipSubDefaultFeatures),
		pubsub.WithPeerScore(peerScoreParams(score), peerScoreThresholds()),
		pubsub.WithPeerOutboundQueueSize(outboundQueueSize),
		pubsub.WithValidateQueueSize(validateQueueSize),
		pubsub.WithMaxMessageSize(wire.MaxEnvelopeSize+4<<10),
		pubsub.WithGossipSubParams(meshParams()),
	)
}

// meshParams sizes GossipSub's mesh for rooms of tens of members, where
// our own messages are flooded to every subscribed neighbour anyway: 3
// peers a room (2-4) instead of 6 (5-12). Measured with 10, 50 and 100
// members (docs/BENCHMARKS.md): everything delivered with each; CPU per
// delivery 0.82-0.98x, p99 at 50 members 30-42 ms against 34-107, at 100
// 0.19-1.2 s against 0.83-1.65 s. GossipSub takes one degree for all
// topics, so rooms of every size share it. No quota of outbound peers in
// the mesh (Dout 0, which must stay under D/2): only members proven to
// the trust policy are meshed, whoever dialled whom.
func meshParams() pubsub.GossipSubParams {
	p := pubsub.DefaultGossipSubParams()
	p.D, p.Dlo, p.Dhi, p.Dscore, p.Dout = 3, 2, 4, 2, 0
	return p
}

// connected runs on libp2p's goroutine for each new connection. Every new
// connection hears our hello: a second one may come from the peer
// restarted, while the connection of its killed process lingers until its
// idle timeout, and the new process has heard nothing from us. Only the
// first connection is news otherwise, but a direct one next to a relayed
// one should take over its traffic.
func (n *Node) connected(net network.Network, c network.Conn) {
	n.Hello(c.RemotePeer())
	if transportOf(c.RemoteMultiaddr()) == "wss" && !isRelayed(c.RemoteMultiaddr()) && n.helpers.has(c.RemotePeer()) {
		n.dialed.remember(c.RemoteMultiaddr())
	}
	if len(net.ConnsToPeer(c.RemotePeer())) > 1 {
		if n.reach.directAlongsideRelay(c) {
			n.reach.preferDirect(c.RemotePeer())
		}
		return
	}
	if n.helpers.has(c.RemotePeer()) {
		// A helper is back: the members only its relay reaches may be
		// reachable again, and their redials need not wait out a backoff.
		n.keep.wakeRedials()
	}
	if n.opts.OnPeer != nil {
		n.opts.OnPeer(c.RemotePeer(), true)
	}
}

// disconnected runs on libp2p's goroutine for each connection that closes.
func (n *Node) disconnected(net network.Network, c network.Conn) {
	// Another connection to the same peer may remain; GossipSub may have
	// lost the peer with this one.
	if net.Connectedness(c.RemotePeer()) == network.Connected {
		n.repair.check(c.RemotePeer())
		n.punch.relayed(c.RemotePeer()) // the direct one may be what closed
		return
	}
	n.reach.forget(c.RemotePeer())
	n.punch.forget(c.RemotePeer())
	n.trust.gone(c.RemotePeer())
	n.keep.lostPeer(c.RemotePeer())
	if n.opts.OnPeer != nil {
		n.opts.OnPeer(c.RemotePeer(), false)
	}
}

// counted wraps a stream handler so that Close waits for it; a stream that
// opens while the node closes is reset.
func (n *Node) counted(h network.StreamHandler) network.StreamHandler {
	return func(s network.Stream) {
		if !n.streams.enter() {
			s.Reset()
			return
		}
		defer n.streams.leave()
		h(s)
	}
}

// MessageID is the GossipSub message ID: SHA-256 of the whole envelope,
// signature included. GossipSub marks an ID seen before the validator runs,
// so an ID of the payload alone would let a copy with a broken signature,
// arriving first, hide the real message until sync brings it. (The store
// and sync key messages by the payload's hash, wire.IDOf; a valid payload
// has one valid signature.) Exported for test tools that join a room as
// peers.
func MessageID(m *pubsubpb.Message) string {
	sum := sha256.Sum256(m.Data)
	return string(sum[:])
}

// ID is the node's peer ID.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Addrs are the node's listen addresses, each ending in /p2p/<peer ID> so
// that another node can dial it.
func (n *Node) Addrs() []string {
	full, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()})
	if err != nil {
		return nil
	}
	out := make([]string, len(full))
	for i, a := range full {
		out[i] = a.String()
	}
	return out
}

// Errors of Connect for an address that names no other peer.
var (
	ErrBadAddress = errors.New("not a peer address ending in /p2p/<peer ID>")
	ErrOwnAddress = errors.New("that is this node's own address")
)

// Connect dials a peer given as a multiaddr ending in /p2p/<peer ID>.
func (n *Node) Connect(ctx context.Context, addr string) error {
	ma, err := multiaddr.NewMultiaddr(addr)
	if err != nil {
		return fmt.Errorf("connect: %w: %w", ErrBadAddress, err)
	}
	info, err := peer.AddrInfoFromP2pAddr(ma)
	if err != nil {
		return fmt.Errorf("connect: %w: %w", ErrBadAddress, err)
	}
	if info.ID == n.host.ID() {
		return ErrOwnAddress
	}
	n.gate.markExplicit(info.ID) // named by the user: any address may be dialled
	return n.ConnectInfo(ctx, *info)
}

// ConnectInfo dials a peer at the given addresses.
func (n *Node) ConnectInfo(ctx context.Context, info peer.AddrInfo) error {
	if info.ID == n.host.ID() {
		return fmt.Errorf("connect to %s: that is this node", identity.ShortID(info.ID))
	}
	if err := n.host.Connect(ctx, info); err != nil {
		return fmt.Errorf("connect to %s: %w", identity.ShortID(info.ID), err)
	}
	return nil
}

// Connectedness says whether there is a connection to a peer.
func (n *Node) Connectedness(id peer.ID) network.Connectedness {
	return n.host.Network().Connectedness(id)
}

// ConnectedPeers lists the peers with an open connection.
func (n *Node) ConnectedPeers() []peer.ID { return n.host.Network().Peers() }

// Close leaves every room and stops the host.
func (n *Node) Close() error {
	errs := []error{n.rooms.close()}
	n.streams.close()
	n.stop()
	n.run.stop()
	if n.rendezvous != nil {
		errs = append(errs, n.rendezvous.close())
	}
	if err := n.host.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close host: %w", err))
	}
	n.streams.wait() // their streams are reset by now, so they end soon
	return errors.Join(errs...)
}

// Disconnect closes every connection to a peer.
func (n *Node) Disconnect(id peer.ID) error {
	if err := n.host.Network().ClosePeer(id); err != nil {
		return fmt.Errorf("disconnect %s: %w", identity.ShortID(id), err)
	}
	return nil
}

// Sync reconciles a joined room with a peer; messages received go through
// the room's handler like gossip. It returns when both sides have sent
// what the other lacked.
func (n *Node) Sync(ctx context.Context, p peer.ID, room wire.RoomID) error {
	return n.sync.Sync(ctx, p, room)
}

// SetSyncObserver adds a second listener to sync progress, for tests and
// benchmarks that measure sessions.
func (n *Node) SetSyncObserver(fn func(SyncProgress)) { n.sync.setObserver(fn) }

// Hello queues a hello for a peer. It never blocks and never drops one: a
// peer queued twice before its turn gets one hello, with what is newest.
func (n *Node) Hello(p peer.ID) { n.hello.Hello(p) }

// HelloAll queues a hello for every connected peer.
func (n *Node) HelloAll() { n.hello.HelloAll() }

// Reachability reports how others can reach this node.
func (n *Node) Reachability() Reachability { return n.reach.Reachability() }

// Via says how we are connected to a peer: ViaLocal, ViaLAN, ViaDirect,
// ViaHolePunched or ViaRelayed, the best of its connections; "" when not
// connected.
func (n *Node) Via(id peer.ID) string { return n.reach.Via(id) }

// Path says how a connected peer is reached: Via, and the transport of
// that connection ("quic", "tcp", "wss", "ws").
func (n *Node) Path(id peer.ID) (via, transport string) { return n.reach.Path(id) }

// Join subscribes to a room's topic. Every valid message from a member is
// passed to deliver, in arrival order, on a read loop owned by the node.
// Joining a room twice is a no-op.
func (n *Node) Join(keys roomkey.Room, deliver Handler) error { return n.rooms.Join(keys, deliver) }

// Leave unsubscribes from a room's topic.
func (n *Node) Leave(id wire.RoomID) error { return n.rooms.Leave(id) }

// Publish sends a message, already signed and stored, to the room's peers.
func (n *Node) Publish(ctx context.Context, m *wire.Message) error { return n.rooms.Publish(ctx, m) }

// RoomPeers lists the connected peers in a room: proven members,
// subscribed to its topic.
func (n *Node) RoomPeers(id wire.RoomID) []peer.ID { return n.rooms.RoomPeers(id) }

// Hears reports whether what is published in the room now goes to the peer.
func (n *Node) Hears(id wire.RoomID, p peer.ID) bool { return n.rooms.Hears(id, p) }

// proven takes in what a peer's hello proved: the rooms it became or
// stopped being a member of, and whether it must announce its
// subscriptions again.
func (n *Node) proven(from peer.ID, joined, left []wire.RoomID, reannounce bool) {
	if reannounce {
		// Its subscription came before its proof and was dropped.
		n.repair.reannounceLater(from)
	}
	for _, room := range joined {
		n.rooms.reportMembers(room, []peer.ID{from}, true)
	}
	for _, room := range left {
		n.rooms.reportMembers(room, []peer.ID{from}, false)
	}
	if len(joined) > 0 {
		n.repair.check(from)
		n.repair.reannounceLater(from) // if its subscriptions do not follow soon
		n.punch.relayed(from)          // a member now: worth a direct connection
	}
}

// Keep makes the node stay connected to a peer: it is dialled now if not
// connected, and redialled with backoff after every drop, until Forget or
// Close, whatever the network mode. addrs are where it was last seen.
// Keeping a peer again makes it the most recently kept. A new peer past
// MaxKept takes the place of the least recently kept one, preferring one
// that is neither connected nor a helper; Keep returns the peer it stopped
// keeping, or "" if none.
func (n *Node) Keep(id peer.ID, addrs []multiaddr.Multiaddr) (dropped peer.ID) {
	return n.keep.Keep(id, addrs)
}

// Forget stops keeping a peer.
func (n *Node) Forget(id peer.ID) { n.keep.Forget(id) }

// PeerAddrs lists where a peer can be dialled, as far as the node knows.
// For a connected peer it first waits (within ctx) until the peer has said
// where it listens: an inbound connection alone shows only its source port.
func (n *Node) PeerAddrs(ctx context.Context, id peer.ID) []multiaddr.Multiaddr {
	if ids, ok := n.host.(interface{ IDService() identify.IDService }); ok {
		for _, c := range n.host.Network().ConnsToPeer(id) {
			select {
			case <-ids.IDService().IdentifyWait(c):
			case <-ctx.Done():
			}
		}
	}
	return n.host.Peerstore().Addrs(id)
}

// markLAN records a peer found by mDNS. If it is connected already, it
// hears our nearby rooms now, and we look again at what it said of its own.
func (n *Node) markLAN(id peer.ID) {
	if !n.trust.markLAN(id, n.isConnected) || !n.isConnected(id) {
		return
	}
	n.Hello(id)
	if h := n.trust.lastHello(id); h != nil {
		n.hello.tell(id, h)
	}
}

// FoundOnLAN reports whether a peer was discovered by mDNS.
func (n *Node) FoundOnLAN(id peer.ID) bool { return n.trust.foundOnLAN(id) }

// MDNSRunning reports whether mDNS is announcing and listening now.
func (n *Node) MDNSRunning() bool { return n.keep.mdnsRunning.Load() }

// MDNSStarted reports whether the node runs mDNS discovery at all.
func (n *Node) MDNSStarted() bool { return n.keep.mdnsStarted }
