// Command stranger is what anyone can do who dials a Parley member without
// sharing a room with it (test/netns/stranger.sh). It is a plain libp2p
// host with a key of its own, GossipSub as Parley configures it and a client
// of Parley's DHT. Given a room's ID and name, as if read off a screenshot
// of Connection details, it
//
//   - dials the members it is given and keeps every hello they send it: no
//     hello may carry nearby rooms, a profile, or any 8-byte run of the
//     room's ID (raw or hex), its name, or the other strings it is told to
//     look for; it answers with a hello of proofs made from the ID alone;
//   - reads the GossipSub subscriptions the members announce, subscribes to
//     every topic it saw and listens (while the test makes the members
//     chat): no message may reach it, and the members may neither graft it
//     nor gossip to it; it publishes a signed message of its own there,
//     which the test checks no member stored;
//   - asks each member for a sync of the room by its ID: the member must
//     refuse (reset the stream or never answer);
//   - looks up, on Parley's DHT through the helper, the rendezvous keys one
//     could derive from the ID alone (the ID itself as a namespace, the
//     rendezvous scheme before room secrets, the keys of a legacy room with
//     that ID): no provider may answer. As a control, the key derived from
//     the room's secret (from the invite link, used for nothing else) must
//     find every member.
//
// It prints one JSON line of findings and exits 1 if any check failed, 2 if
// it could not run them. It dials nothing outside --net.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	"github.com/libp2p/go-msgio"
	"github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"

	"parley/invite"
	"parley/p2p"
	"parley/reconcile"
	"parley/roomkey"
	"parley/wire"
)

// Parley's protocols, as a stranger names them.
const (
	helloProtocol  = "/parley/hello/2"
	syncProtocol   = "/parley/sync/1"
	maxSyncMessage = 4 << 20
)

// Time limits of each step.
const (
	dialTimeout   = 15 * time.Second
	helloWait     = 15 * time.Second // for each member's first hello
	announceWait  = 10 * time.Second // for the members' subscriptions
	syncWait      = 20 * time.Second // for a member to answer a sync
	controlWait   = 60 * time.Second // for the control lookup to find every member
	lookupTimeout = 10 * time.Second // one DHT lookup
	// window is the shortest window (8 bytes) of the room's ID that counts
	// as a leak: the UI shows 8 hex digits as a short ID.
	window = 8
)

type options struct {
	members  []string
	helper   string
	room     wire.RoomID
	roomName string
	forbid   []string
	link     string
	listen   []string
	net      netip.Prefix
	say      string
	ready    string
	listenOn time.Duration
	timeout  time.Duration
}

// findings is the JSON line the tool prints.
type findings struct {
	PeerID  string          `json:"peerId"`
	Members []memberFinding `json:"members"`
	// Topics are the GossipSub topics the members announced to us;
	// SawRoomTopic tells whether the room's (from the link) was among them.
	Topics       []string `json:"topics"`
	SawRoomTopic bool     `json:"sawRoomTopic"`
	// ListenedSeconds is how long the stranger stayed subscribed to them.
	ListenedSeconds float64 `json:"listenedSeconds"`
	// Delivered counts messages from others on our subscriptions;
	// PublishedToUs the messages in any RPC we were sent; IHave the message
	// IDs members gossiped to us; Grafts the GRAFTs members sent us
	// (meshing us); Prunes their answers to ours.
	Delivered     int64 `json:"delivered"`
	PublishedToUs int64 `json:"publishedToUs"`
	IHave         int64 `json:"ihave"`
	Grafts        int64 `json:"grafts"`
	Prunes        int64 `json:"prunes"`
	// Said counts our own messages published to the topics.
	Said       int         `json:"said"`
	DHT        dhtFindings `json:"dht"`
	Violations []string    `json:"violations"`
	Error      string      `json:"error,omitempty"`
}

type memberFinding struct {
	PeerID string `json:"peerId"`
	// Agent and Protocols are what identify tells anyone.
	Agent     string   `json:"agent"`
	Protocols []string `json:"protocols"`
	// Hellos counts the hellos it sent us; the rest describe the largest.
	Hellos     int  `json:"hellos"`
	HelloBytes int  `json:"helloBytes"`
	Proofs     int  `json:"proofs"`
	Nearby     int  `json:"nearby"`
	Profile    bool `json:"profile"`
	// Topics counts the topics it announced to us.
	Topics int `json:"topics"`
	// Sync is how it answered a sync of the room, after SyncMillis;
	// SyncOther and SyncOtherMillis the same for a random room ID, which
	// no one is in: a refusal that takes longer for the room than for the
	// random ID tells that the member is in the room.
	Sync            string `json:"sync"`
	SyncMillis      int64  `json:"syncMs"`
	SyncOther       string `json:"syncOther"`
	SyncOtherMillis int64  `json:"syncOtherMs"`
}

type dhtFindings struct {
	// Peers are the DHT servers the stranger learned of.
	Peers []string `json:"peers"`
	// FromID are the lookups under keys that follow from the room's ID;
	// FromSecret the control under today's key from the secret.
	FromID     []lookup `json:"fromId"`
	FromSecret lookup   `json:"fromSecret"`
}

type lookup struct {
	Key       string   `json:"key"`
	Providers []string `json:"providers"`
	Millis    int64    `json:"ms"`
	Tries     int      `json:"tries,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// report collects findings from several goroutines.
type report struct {
	mu sync.Mutex
	f  findings
}

func (r *report) violation(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.f.Violations = append(r.f.Violations, fmt.Sprintf(format, args...))
}

func (r *report) member(p peer.ID, fn func(*memberFinding)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.f.Members {
		if r.f.Members[i].PeerID == p.String() {
			fn(&r.f.Members[i])
		}
	}
}

func main() { os.Exit(realMain()) }

func realMain() int {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "stranger:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	r := &report{f: findings{Violations: []string{}}}
	err = run(ctx, o, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.f.Error = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(r.f); err != nil {
		fmt.Fprintln(os.Stderr, "stranger:", err)
		return 2
	}
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "stranger:", err)
		return 2
	case len(r.f.Violations) > 0:
		for _, v := range r.f.Violations {
			fmt.Fprintln(os.Stderr, "stranger: VIOLATION:", v)
		}
		return 1
	}
	return 0
}

func parseFlags(args []string) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("stranger", flag.ContinueOnError)
	fs.Func("member", "address of a member to dial, ending in /p2p/<peer ID>; repeatable", func(s string) error {
		o.members = append(o.members, s)
		return nil
	})
	fs.StringVar(&o.helper, "helper", "", "address of the helper (a DHT server), ending in /p2p/<peer ID>")
	room := fs.String("room", "", "the room's ID, 64 hex digits (as shown in Connection details)")
	fs.StringVar(&o.roomName, "room-name", "", "the room's name")
	fs.Func("forbid", "another string no hello may carry (a member's name); repeatable", func(s string) error {
		o.forbid = append(o.forbid, s)
		return nil
	})
	fs.StringVar(&o.link, "invite", "", "the room's invite link: for the DHT control lookup only")
	fs.Func("listen", "address to listen on; repeatable (default: any port on every IPv6 address, QUIC and TCP)", func(s string) error {
		o.listen = append(o.listen, s)
		return nil
	})
	netFlag := fs.String("net", "3fff::/20", "the only IPv6 prefix the stranger dials or accepts")
	fs.StringVar(&o.say, "say", "", "text of a message the stranger publishes to the topics it saw (empty: none)")
	fs.StringVar(&o.ready, "ready", "", "file written (with our peer ID) once subscribed: the test then makes the members chat")
	fs.DurationVar(&o.listenOn, "listen-for", 20*time.Second, "how long to stay subscribed")
	fs.DurationVar(&o.timeout, "timeout", 110*time.Second, "longest run, all steps together")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if o.room, err = wire.ParseRoomID(*room); err != nil {
		return o, fmt.Errorf("--room: %w", err)
	}
	if o.net, err = netip.ParsePrefix(*netFlag); err != nil || !o.net.Addr().Is6() {
		return o, fmt.Errorf("--net %q: want an IPv6 prefix", *netFlag)
	}
	switch {
	case len(o.members) == 0:
		return o, errors.New("no --member to dial")
	case o.helper == "":
		return o, errors.New("no --helper")
	case o.link == "":
		return o, errors.New("no --invite (the control lookup needs it)")
	case o.roomName == "":
		return o, errors.New("no --room-name")
	}
	if len(o.listen) == 0 {
		o.listen = []string{"/ip6/::/udp/0/quic-v1", "/ip6/::/tcp/0"}
	}
	return o, nil
}

func run(ctx context.Context, o options, r *report) error {
	lnk, err := invite.Parse(o.link)
	if err != nil {
		return fmt.Errorf("--invite: %w", err)
	}
	if lnk.Room.ID != o.room {
		return fmt.Errorf("--invite is for room %s, --room is %s", lnk.Room.ID, o.room)
	}
	gate := labGater{net: o.net}
	members := make([]peer.AddrInfo, 0, len(o.members))
	for _, s := range o.members {
		info, err := gate.info(s)
		if err != nil {
			return fmt.Errorf("--member: %w", err)
		}
		members = append(members, info)
	}
	helper, err := gate.info(o.helper)
	if err != nil {
		return fmt.Errorf("--helper: %w", err)
	}
	s, err := start(ctx, o.listen, gate, helper, r)
	if err != nil {
		return err
	}
	defer s.close()
	r.mu.Lock()
	r.f.PeerID = s.h.ID().String()
	for _, m := range members {
		r.f.Members = append(r.f.Members, memberFinding{PeerID: m.ID.String()})
	}
	r.mu.Unlock()
	for _, info := range append([]peer.AddrInfo{helper}, members...) {
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		err := s.h.Connect(dctx, info)
		cancel()
		if err != nil {
			return fmt.Errorf("connect %s: %w", info.ID, err)
		}
	}

	// 1. The hellos: what a member tells anyone who dials it.
	if err := s.greet(ctx, members, o.room); err != nil {
		return err
	}
	// 2. GossipSub: every topic the members announced, subscribed to.
	subs, err := s.subscribe(ctx, members, o.room, lnk.Room)
	if err != nil {
		return err
	}
	defer subs.stop()
	if o.ready != "" {
		if err := writeReady(o.ready, s.h.ID()); err != nil {
			return err
		}
	}
	start := time.Now()

	// While it listens: our own message to the topics, a sync of the room
	// (and of a random one) from each member, and the DHT lookups.
	other, err := wire.NewRoomID()
	if err != nil {
		return err
	}
	var probes sync.WaitGroup
	if o.say != "" {
		probes.Go(func() { say(ctx, r, s.key, o.room, o.say, subs.topics) })
	}
	for _, m := range members {
		probes.Go(func() {
			got, ms := probeSync(ctx, r, s.h, m.ID, o.room)
			r.member(m.ID, func(f *memberFinding) { f.Sync, f.SyncMillis = got, ms })
		})
		probes.Go(func() {
			got, ms := probeSync(ctx, r, s.h, m.ID, other)
			r.member(m.ID, func(f *memberFinding) { f.SyncOther, f.SyncOtherMillis = got, ms })
		})
	}
	probes.Go(func() { probeDHT(ctx, r, s.kad, o.room, lnk.Room, members) })
	probes.Wait()
	if rest := o.listenOn - time.Since(start); rest > 0 {
		select {
		case <-time.After(rest):
		case <-ctx.Done():
			return fmt.Errorf("listening: %w", ctx.Err())
		}
	}
	subs.stop()
	s.tally(time.Since(start), subs.delivered.Load())

	// Every hello, including any sent later, is checked.
	secrets := []secret{
		{"the room ID", o.room[:], window},
		{"the room ID in hex", []byte(o.room.String()), window},
		{"the room ID in upper-case hex", []byte(strings.ToUpper(o.room.String())), window},
		{"the room name", []byte(o.roomName), 0},
		{"the room secret", lnk.Room.Secret[:], window},
		{"the room's topic", []byte(lnk.Room.Topic()), 0},
	}
	for _, f := range o.forbid {
		secrets = append(secrets, secret{fmt.Sprintf("%q", f), []byte(f), 0})
	}
	for _, m := range members {
		checkHellos(r, m.ID, s.hellos.from(m.ID), secrets)
	}
	return nil
}

// stranger is the host and its services.
type stranger struct {
	r      *report
	key    crypto.PrivKey
	h      host.Host
	hellos *helloBox
	tr     *tracer
	ps     *pubsub.PubSub
	kad    *dht.IpfsDHT
}

// start makes the host: a key of its own, a hello handler that keeps what
// it is sent, GossipSub as Parley configures it, and a DHT client.
func start(ctx context.Context, listen []string, gate labGater, helper peer.AddrInfo, r *report) (*stranger, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings(listen...), libp2p.ConnectionGater(gate))
	if err != nil {
		return nil, fmt.Errorf("start host: %w", err)
	}
	s := &stranger{r: r, key: key, h: h, hellos: newHelloBox(), tr: &tracer{topics: map[string]bool{}}}
	h.SetStreamHandler(helloProtocol, s.hellos.handle)
	s.ps, err = pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithFloodPublish(true),
		pubsub.WithMessageIdFn(p2p.MessageID),
		pubsub.WithRawTracer(s.tr),
	)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("start GossipSub: %w", err)
	}
	s.kad, err = dht.New(h, dht.ProtocolPrefix(p2p.DHTPrefix), dht.Mode(dht.ModeClient), dht.BootstrapPeers(helper))
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("start DHT client: %w", err)
	}
	return s, nil
}

func (s *stranger) close() {
	_ = s.kad.Close()
	_ = s.h.Close()
}

// greet waits for each member's hello, notes what identify told us, and
// answers with a hello of proofs made from the room's ID alone (as for a
// legacy room), among random ones.
func (s *stranger) greet(ctx context.Context, members []peer.AddrInfo, room wire.RoomID) error {
	for _, m := range members {
		if err := s.hellos.await(ctx, m.ID, helloWait); err != nil {
			return err
		}
		s.identified(ctx, m.ID)
		agent, _ := s.h.Peerstore().Get(m.ID, "AgentVersion")
		protos, _ := s.h.Peerstore().GetProtocols(m.ID)
		s.r.member(m.ID, func(f *memberFinding) {
			f.Agent, _ = agent.(string)
			for _, p := range protos {
				f.Protocols = append(f.Protocols, string(p))
			}
			slices.Sort(f.Protocols)
		})
		if ok, _ := s.h.Peerstore().SupportsProtocols(m.ID, syncProtocol); len(ok) == 0 {
			s.r.violation("member %s does not announce %s: the sync check would prove nothing", m.ID, syncProtocol)
		}
		if err := sendHello(ctx, s.h, m.ID, roomkey.FromLegacyID(room)); err != nil {
			return fmt.Errorf("send hello to %s: %w", m.ID, err)
		}
	}
	return nil
}

// identified waits, up to helloWait, until identify has run on every
// connection to p: a member's hello can come before identify has told
// what it announces.
func (s *stranger) identified(ctx context.Context, p peer.ID) {
	ids, ok := s.h.(interface{ IDService() identify.IDService })
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, helloWait)
	defer cancel()
	for _, c := range s.h.Network().ConnsToPeer(p) {
		select {
		case <-ids.IDService().IdentifyWait(c):
		case <-ctx.Done():
			return
		}
	}
}

// subscriptions are the topics the stranger listens to.
type subscriptions struct {
	topics    map[string]*pubsub.Topic
	delivered atomic.Int64 // messages from others
	cancel    context.CancelFunc
	readers   sync.WaitGroup
}

// stop ends the subscriptions and waits for their readers.
func (subs *subscriptions) stop() {
	subs.cancel()
	subs.readers.Wait()
}

// subscribe waits for the members' subscriptions and subscribes to every
// topic they announced.
func (s *stranger) subscribe(ctx context.Context, members []peer.AddrInfo, id wire.RoomID, room roomkey.Room) (*subscriptions, error) {
	names, err := awaitTopics(ctx, s.ps, s.tr, members)
	if err != nil {
		return nil, err
	}
	subCtx, cancel := context.WithCancel(ctx)
	subs := &subscriptions{topics: map[string]*pubsub.Topic{}, cancel: cancel}
	for _, name := range names {
		t, err := s.ps.Join(name)
		if err == nil {
			var sub *pubsub.Subscription
			if sub, err = t.Subscribe(); err == nil {
				subs.topics[name] = t
				subs.readers.Go(func() { subs.read(subCtx, sub, s.h.ID()) })
			}
		}
		if err != nil {
			subs.stop()
			return nil, fmt.Errorf("subscribe to %s: %w", name, err)
		}
	}
	s.r.mu.Lock()
	s.r.f.Topics = names
	s.r.f.SawRoomTopic = slices.Contains(names, room.Topic())
	for i, m := range members {
		for _, name := range names {
			if slices.Contains(s.ps.ListPeers(name), m.ID) {
				s.r.f.Members[i].Topics++
			}
		}
	}
	s.r.mu.Unlock()
	checkTopics(s.r, names, id)
	return subs, nil
}

func (subs *subscriptions) read(ctx context.Context, sub *pubsub.Subscription, self peer.ID) {
	defer sub.Cancel()
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if m.ReceivedFrom != self {
			subs.delivered.Add(1)
		}
	}
}

// tally records what reached the stranger over GossipSub while it
// listened: it must be nothing.
func (s *stranger) tally(listened time.Duration, delivered int64) {
	r, tr := s.r, s.tr
	r.mu.Lock()
	r.f.ListenedSeconds = listened.Seconds()
	r.f.Delivered = delivered
	r.f.PublishedToUs = tr.published.Load()
	r.f.IHave = tr.ihave.Load()
	r.f.Grafts = tr.grafts.Load()
	r.f.Prunes = tr.prunes.Load()
	r.mu.Unlock()
	if delivered > 0 {
		r.violation("%d messages from members reached the stranger's subscriptions", delivered)
	}
	if n := tr.published.Load(); n > 0 {
		r.violation("members sent the stranger %d messages", n)
	}
	if n := tr.ihave.Load(); n > 0 {
		r.violation("members gossiped %d message IDs to the stranger (IHAVE)", n)
	}
	if n := tr.grafts.Load(); n > 0 {
		r.violation("members grafted the stranger into a mesh %d times", n)
	}
}

// --- hellos -----------------------------------------------------------------

// helloBox keeps every hello the stranger is sent.
type helloBox struct {
	mu   sync.Mutex
	byID map[peer.ID][][]byte
	news chan struct{}
}

func newHelloBox() *helloBox {
	return &helloBox{byID: map[peer.ID][][]byte{}, news: make(chan struct{}, 1)}
}

func (b *helloBox) handle(s network.Stream) {
	defer s.Close() // the sender waits for our close to count the hello taken
	_ = s.SetDeadline(time.Now().Add(10 * time.Second))
	raw, err := msgio.NewVarintReaderSize(s, wire.MaxHelloSize).ReadMsg()
	if err != nil {
		s.Reset()
		return
	}
	b.mu.Lock()
	from := s.Conn().RemotePeer()
	b.byID[from] = append(b.byID[from], slices.Clone(raw))
	b.mu.Unlock()
	select {
	case b.news <- struct{}{}:
	default:
	}
}

func (b *helloBox) from(p peer.ID) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.byID[p])
}

func (b *helloBox) await(ctx context.Context, p peer.ID, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for len(b.from(p)) == 0 {
		select {
		case <-b.news:
		case <-time.After(100 * time.Millisecond): // news is shared by all peers
		case <-timer.C:
			return fmt.Errorf("member %s sent no hello in %s", p, d)
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s's hello: %w", p, ctx.Err())
		}
	}
	return nil
}

// sendHello sends a hello with a proof for guess among random ones, as a
// node in 8 rooms would.
func sendHello(ctx context.Context, h host.Host, to peer.ID, guess roomkey.Room) error {
	proofs := make([]wire.HelloProof, 8)
	proofs[0] = wire.HelloProof(guess.Proof(h.ID(), to))
	for i := 1; i < len(proofs); i++ {
		_, _ = rand.Read(proofs[i][:])
	}
	for i := len(proofs) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return err
		}
		proofs[i], proofs[j.Int64()] = proofs[j.Int64()], proofs[i]
	}
	raw, err := wire.EncodeHello(nil, nil, nil, proofs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := h.NewStream(ctx, to, helloProtocol)
	if err != nil {
		return err
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(10 * time.Second))
	if err := msgio.NewVarintWriter(s).WriteMsg(raw); err != nil {
		s.Reset()
		return err
	}
	if err := s.CloseWrite(); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(s, 1))
	return err
}

// secret is something no hello to a stranger may hold: the whole of b, or
// with window > 0 any run of window bytes of it.
type secret struct {
	what   string
	b      []byte
	window int
}

func (s secret) in(raw []byte) bool {
	if s.window == 0 || len(s.b) <= s.window {
		return len(s.b) > 0 && bytes.Contains(raw, s.b)
	}
	for i := 0; i+s.window <= len(s.b); i++ {
		if bytes.Contains(raw, s.b[i:i+s.window]) {
			return true
		}
	}
	return false
}

func checkHellos(r *report, from peer.ID, raws [][]byte, secrets []secret) {
	r.member(from, func(f *memberFinding) { f.Hellos = len(raws) })
	for i, raw := range raws {
		var h wire.Hello
		if err := proto.Unmarshal(raw, &h); err != nil {
			r.violation("hello %d from %s does not parse: %v", i+1, from, err)
			continue
		}
		r.member(from, func(f *memberFinding) {
			if len(raw) >= f.HelloBytes {
				f.HelloBytes, f.Proofs, f.Nearby, f.Profile = len(raw), len(h.Proofs)/wire.ProofSize, len(h.Nearby), len(h.Profile) > 0
			}
		})
		if len(h.Nearby) > 0 {
			r.violation("hello %d from %s names %d nearby rooms", i+1, from, len(h.Nearby))
		}
		if len(h.Profile) > 0 {
			r.violation("hello %d from %s carries a profile (%d bytes)", i+1, from, len(h.Profile))
		}
		for _, s := range secrets {
			if s.in(raw) {
				r.violation("hello %d from %s holds %s", i+1, from, s.what)
			}
		}
	}
}

// --- GossipSub ----------------------------------------------------------------

// tracer records what members send the stranger over GossipSub.
type tracer struct {
	mu     sync.Mutex
	topics map[string]bool // announced subscriptions

	published, ihave, grafts, prunes atomic.Int64
}

var _ pubsub.RawTracer = (*tracer)(nil)

func (t *tracer) RecvRPC(rpc *pubsub.RPC) {
	t.mu.Lock()
	for _, s := range rpc.GetSubscriptions() {
		if s.GetSubscribe() {
			t.topics[s.GetTopicid()] = true
		}
	}
	t.mu.Unlock()
	t.published.Add(int64(len(rpc.GetPublish())))
	for _, ih := range rpc.GetControl().GetIhave() {
		t.ihave.Add(int64(len(ih.GetMessageIDs())))
	}
	t.grafts.Add(int64(len(rpc.GetControl().GetGraft())))
	t.prunes.Add(int64(len(rpc.GetControl().GetPrune())))
}

func (t *tracer) seen() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.topics))
	for name := range t.topics {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (t *tracer) AddPeer(peer.ID, protocol.ID)                         {}
func (t *tracer) RemovePeer(peer.ID)                                   {}
func (t *tracer) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (t *tracer) OnClosedOutboundStream(peer.ID)                       {}
func (t *tracer) Join(string)                                          {}
func (t *tracer) Leave(string)                                         {}
func (t *tracer) Graft(peer.ID, string)                                {}
func (t *tracer) Prune(peer.ID, string)                                {}
func (t *tracer) ValidateMessage(*pubsub.Message)                      {}
func (t *tracer) DeliverMessage(*pubsub.Message)                       {}
func (t *tracer) RejectMessage(*pubsub.Message, string)                {}
func (t *tracer) DuplicateMessage(*pubsub.Message)                     {}
func (t *tracer) ThrottlePeer(peer.ID)                                 {}
func (t *tracer) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (t *tracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (t *tracer) DropRPC(*pubsub.RPC, peer.ID)                         {}
func (t *tracer) UndeliverableMessage(*pubsub.Message)                 {}

// awaitTopics waits until every member has announced a subscription (or
// announceWait passed) and returns the topics announced.
func awaitTopics(ctx context.Context, ps *pubsub.PubSub, tr *tracer, members []peer.AddrInfo) ([]string, error) {
	deadline := time.Now().Add(announceWait)
	for {
		topics := tr.seen()
		all := true
		for _, m := range members {
			heard := false
			for _, name := range topics {
				heard = heard || slices.Contains(ps.ListPeers(name), m.ID)
			}
			all = all && heard
		}
		if all || time.Now().After(deadline) {
			return topics, nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for subscriptions: %w", ctx.Err())
		}
	}
}

// checkTopics: no topic name may follow from the room's ID.
func checkTopics(r *report, topics []string, id wire.RoomID) {
	guesses := []string{roomkey.FromLegacyID(id).Topic(), "parley/1/room/" + id.String()}
	hexID := secret{b: []byte(id.String()), window: window}
	for _, name := range topics {
		if hexID.in([]byte(strings.ToLower(name))) || slices.Contains(guesses, name) {
			r.violation("topic %q follows from the room's ID", name)
		}
	}
}

// say publishes one signed text message, for the room, to every topic.
func say(ctx context.Context, r *report, key crypto.PrivKey, room wire.RoomID, text string, topics map[string]*pubsub.Topic) {
	m, err := wire.Sign(key, wire.Draft{Room: room, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_TEXT, Text: text})
	if err != nil {
		r.violation("sign our message: %v", err)
		return
	}
	for name, t := range topics {
		if err := t.Publish(ctx, m.Raw); err != nil {
			r.violation("publish to %s: %v", name, err)
			continue
		}
		r.mu.Lock()
		r.f.Said++
		r.mu.Unlock()
	}
}

// --- sync ---------------------------------------------------------------------

// probeSync asks p for a sync of a room, as a member with no messages
// opens one: the first frame names the room and fingerprints an empty set.
// It returns how p answered, and after how many milliseconds.
func probeSync(ctx context.Context, r *report, h host.Host, p peer.ID, room wire.RoomID) (string, int64) {
	start := time.Now()
	ms := func() int64 { return time.Since(start).Milliseconds() }
	f, err := reconcile.New(reconcile.Slice(nil)).Initiate()
	if err != nil {
		r.violation("make a sync frame: %v", err)
		return "", 0
	}
	first := &wire.SyncMessage{Room: room[:]}
	for _, rg := range f.Ranges {
		first.Ranges = append(first.Ranges, &wire.SyncRange{
			UpperInf: rg.Upper.Inf, Mode: uint32(rg.Mode), Fingerprint: rg.Fingerprint[:], Count: rg.Count,
		})
	}
	raw, err := proto.Marshal(first)
	if err != nil {
		r.violation("encode a sync frame: %v", err)
		return "", 0
	}
	ctx, cancel := context.WithTimeout(ctx, syncWait)
	defer cancel()
	s, err := h.NewStream(ctx, p, syncProtocol)
	if err != nil {
		return "refused: " + err.Error(), ms()
	}
	defer s.Reset()
	_ = s.SetDeadline(time.Now().Add(syncWait))
	if err := msgio.NewVarintWriter(s).WriteMsg(raw); err != nil {
		return "refused while we wrote: " + err.Error(), ms()
	}
	got, err := msgio.NewVarintReaderSize(s, maxSyncMessage).ReadMsg()
	switch {
	case err == nil:
		r.violation("member %s answered a sync of room %s (%d bytes)", p, room, len(got))
		return fmt.Sprintf("answered with %d bytes", len(got)), ms()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("no answer in %s", syncWait), ms()
	case strings.Contains(err.Error(), "protocols not supported"):
		r.violation("member %s does not speak %s: the sync check proves nothing", p, syncProtocol)
	}
	return "refused: " + err.Error(), ms()
}

// --- DHT ----------------------------------------------------------------------

// probeDHT runs the control lookup until it finds every member, then the
// lookups under keys that follow from the room's ID.
func probeDHT(ctx context.Context, r *report, kad *dht.IpfsDHT, id wire.RoomID, room roomkey.Room, members []peer.AddrInfo) {
	disc := drouting.NewRoutingDiscovery(kad)
	deadline := time.Now().Add(controlWait)
	for kad.RoutingTable().Size() == 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.violation("the DHT client's routing table stayed empty: no lookup was made")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}

	now := time.Now().UTC()
	today := now.Format(time.DateOnly)
	control := lookup{Key: "the room's rendezvous key for " + today + ", from its secret"}
	for {
		control.Tries++
		l := find(ctx, disc, control.Key, room.RendezvousKey(today))
		control.Providers, control.Millis, control.Error = l.Providers, l.Millis, l.Error
		missing := 0
		for _, m := range members {
			if !slices.Contains(control.Providers, m.ID.String()) {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.violation("control: the key from the room's secret found %d of the %d members in %s", len(members)-missing, len(members), controlWait)
			break
		}
		time.Sleep(2 * time.Second)
	}
	r.mu.Lock()
	r.f.DHT.FromSecret = control
	r.mu.Unlock()

	// What one could look up knowing only the ID.
	hexID := id.String()
	keys := []struct{ what, ns string }{
		{"the room ID in hex", hexID},
		{"the room ID's bytes", string(id[:])},
		{"the room's topic before room secrets", "parley/1/room/" + hexID},
		{"a legacy room's topic for this ID", roomkey.FromLegacyID(id).Topic()},
	}
	for _, d := range []time.Time{now.AddDate(0, 0, -1), now, now.AddDate(0, 0, 1)} {
		day := d.Format(time.DateOnly)
		old := sha256.Sum256([]byte("parley rendezvous 1\x00" + hexID + "\x00" + day))
		keys = append(keys,
			struct{ what, ns string }{"the rendezvous key before room secrets for " + day, hex.EncodeToString(old[:])},
			struct{ what, ns string }{"a legacy room's rendezvous key for " + day, roomkey.FromLegacyID(id).RendezvousKey(day)},
		)
	}
	results := make([]lookup, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { results[i] = find(ctx, disc, k.what, k.ns) })
	}
	wg.Wait()
	for _, l := range results {
		if len(l.Providers) > 0 {
			r.violation("the DHT lookup under %s found %d providers", l.Key, len(l.Providers))
		}
	}
	var peers []string
	for _, p := range kad.RoutingTable().ListPeers() {
		peers = append(peers, p.String())
	}
	slices.Sort(peers)
	r.mu.Lock()
	r.f.DHT.FromID = results
	r.f.DHT.Peers = peers
	r.mu.Unlock()
}

// find looks up the providers of a namespace, as rendezvous does.
func find(ctx context.Context, disc *drouting.RoutingDiscovery, what, ns string) lookup {
	l := lookup{Key: what, Providers: []string{}}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	found, err := disc.FindPeers(ctx, ns)
	if err != nil {
		l.Error = err.Error()
		return l
	}
	for info := range found {
		if !slices.Contains(l.Providers, info.ID.String()) {
			l.Providers = append(l.Providers, info.ID.String())
		}
	}
	l.Millis = time.Since(start).Milliseconds()
	slices.Sort(l.Providers)
	return l
}

// --- the lab's bounds -------------------------------------------------------------

// labGater lets the stranger dial and accept addresses in one IPv6 prefix
// only: the test's namespaces, never a real network.
type labGater struct{ net netip.Prefix }

func (g labGater) allowed(a multiaddr.Multiaddr) bool {
	s, err := a.ValueForProtocol(multiaddr.P_IP6)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(s)
	return err == nil && g.net.Contains(ip)
}

// info reads an address ending in /p2p/<id>, which must be in the prefix.
func (g labGater) info(s string) (peer.AddrInfo, error) {
	a, err := multiaddr.NewMultiaddr(s)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("%q: %w", s, err)
	}
	if !g.allowed(a) {
		return peer.AddrInfo{}, fmt.Errorf("%q is outside %s", s, g.net)
	}
	info, err := peer.AddrInfoFromP2pAddr(a)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("%q: %w", s, err)
	}
	return *info, nil
}

func (labGater) InterceptPeerDial(peer.ID) bool { return true }
func (g labGater) InterceptAddrDial(_ peer.ID, a multiaddr.Multiaddr) bool {
	return g.allowed(a)
}
func (g labGater) InterceptAccept(c network.ConnMultiaddrs) bool {
	return g.allowed(c.RemoteMultiaddr())
}
func (labGater) InterceptSecured(network.Direction, peer.ID, network.ConnMultiaddrs) bool {
	return true
}
func (labGater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

// writeReady writes our peer ID to path, whole or not at all.
func writeReady(path string, id peer.ID) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id.String()+"\n"), 0o644); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	return nil
}
