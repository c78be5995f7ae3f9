package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/multiformats/go-multiaddr"

	"parley/invite"
	"parley/p2p"
	"parley/wire"
)

// publishSummary is what flood publish prints when it is done.
type publishSummary struct {
	PeerID string `json:"peerId"`
	// Peers is how many of the given members were in the room when the
	// flood began.
	Peers int `json:"peers"`
	// Published counts messages signed and handed to GossipSub; Rate is
	// that over Seconds, the flood's length.
	Published int64   `json:"published"`
	Seconds   float64 `json:"seconds"`
	Rate      float64 `json:"rate"`
	// SentToPeers counts message copies written to peers' streams (one
	// message to ten peers is ten); DroppedToPeers counts copies our own
	// outbound queues dropped because a peer read too slowly.
	SentToPeers    int64 `json:"sentToPeers"`
	DroppedToPeers int64 `json:"droppedToPeers"`
	// PrunesReceived counts PRUNEs the members sent: they took us out of
	// their mesh.
	PrunesReceived int64  `json:"prunesReceived"`
	TextBytes      int    `json:"textBytes"`
	Error          string `json:"error,omitempty"`
}

func runPublish(args []string) error {
	fs := flag.NewFlagSet("flood publish", flag.ExitOnError)
	link := fs.String("invite", "", "the room's invite link (parley://join/…): the flooder is a member")
	var peers []string
	fs.Func("peer", "address of a member to dial, ending in /p2p/<peer ID> (loopback or 198.18.0.0/15 only); repeatable", func(s string) error {
		peers = append(peers, s)
		return nil
	})
	listen := fs.String("listen", "/ip4/127.0.0.1/tcp/0", "address to listen on")
	rate := fs.Float64("rate", 0, "messages per second; 0: as fast as it can")
	length := fs.Duration("for", 20*time.Second, "how long to flood")
	size := fs.Int("size", 200, "bytes of text per message")
	startFile := fs.String("start-file", "", "wait until this file exists before flooding (the test's signal); empty: start at once")
	wait := fs.Duration("wait", 2*time.Minute, "longest wait for the members and the start file")
	linger := fs.Duration("linger", 2*time.Second, "stay connected this long after the flood, so queued messages go out")
	_ = fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := publish(ctx, publishOptions{
		invite: *link, peers: peers, listen: *listen, rate: *rate, length: *length,
		size: *size, startFile: *startFile, wait: *wait, linger: *linger,
	})
	if err != nil {
		sum.Error = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(sum); err != nil {
		return err
	}
	return err
}

type publishOptions struct {
	invite    string
	peers     []string
	listen    string
	rate      float64
	length    time.Duration
	size      int
	startFile string
	wait      time.Duration
	linger    time.Duration
}

// testNets are the only networks flood publish dials: loopback and the
// benchmarking range the namespace tests use (RFC 2544).
var testNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("198.18.0.0/15")}

func inTestNet(addr multiaddr.Multiaddr) bool {
	s, err := addr.ValueForProtocol(multiaddr.P_IP4)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	for _, p := range testNets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func publish(ctx context.Context, o publishOptions) (publishSummary, error) {
	sum := publishSummary{TextBytes: o.size}
	inv, err := invite.Parse(o.invite)
	if err != nil {
		return sum, fmt.Errorf("--invite: %w", err)
	}
	room := inv.Room
	if len(o.peers) == 0 {
		return sum, errors.New("no --peer to dial")
	}
	if o.size < 16 || o.size > wire.MaxTextSize {
		return sum, fmt.Errorf("--size %d: want 16 to %d", o.size, wire.MaxTextSize)
	}
	var infos []peer.AddrInfo
	for _, s := range o.peers {
		addr, err := multiaddr.NewMultiaddr(s)
		if err != nil {
			return sum, fmt.Errorf("--peer %q: %w", s, err)
		}
		if !inTestNet(addr) {
			return sum, fmt.Errorf("--peer %q: only loopback and 198.18.0.0/15 addresses", s)
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return sum, fmt.Errorf("--peer %q: %w", s, err)
		}
		infos = append(infos, *info)
	}

	// One key for the host and the messages: the flooder is the author of
	// what it sends, as an honest member is.
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return sum, err
	}
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings(o.listen))
	if err != nil {
		return sum, err
	}
	defer h.Close()
	sum.PeerID = h.ID().String()
	var tr counter
	// Parley's GossipSub settings (one signature per message, in the
	// payload; the message ID is the payload's hash), with queues deep
	// enough that the flood is limited by the members, not by us.
	ps, err := pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerOutboundQueueSize(1<<14),
		pubsub.WithValidateQueueSize(1<<12),
		pubsub.WithMaxMessageSize(wire.MaxEnvelopeSize+4<<10),
		pubsub.WithRawTracer(&tr),
		pubsub.WithMessageIdFn(p2p.MessageID), // the ID Parley nodes use
	)
	if err != nil {
		return sum, err
	}
	topic, err := ps.Join(room.Topic())
	if err != nil {
		return sum, err
	}
	sub, err := topic.Subscribe(pubsub.WithBufferSize(1 << 12))
	if err != nil {
		return sum, err
	}
	go func() { // read and forget what the room says
		for {
			if _, err := sub.Next(ctx); err != nil {
				return
			}
		}
	}()

	waitCtx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	for _, info := range infos {
		if err := h.Connect(waitCtx, info); err != nil {
			return sum, fmt.Errorf("connect %s: %w", info.ID, err)
		}
		// A member proves it holds the room's secret to each node it
		// meets; until then the node ignores its subscription and messages.
		if err := p2p.SendProofs(waitCtx, h, info.ID, room); err != nil {
			return sum, fmt.Errorf("prove membership to %s: %w", info.ID, err)
		}
	}
	for len(topic.ListPeers()) < len(infos) {
		if err := pause(waitCtx, 50*time.Millisecond); err != nil {
			return sum, fmt.Errorf("only %d of %d members in the room: %w", len(topic.ListPeers()), len(infos), err)
		}
	}
	for o.startFile != "" {
		if _, err := os.Stat(o.startFile); err == nil {
			break
		}
		if err := pause(waitCtx, 20*time.Millisecond); err != nil {
			return sum, fmt.Errorf("start file %s: %w", o.startFile, err)
		}
	}
	sum.Peers = len(topic.ListPeers())

	clock := wire.NewClock(time.Now)
	prefix := "flood "
	pad := strings.Repeat("x", o.size)
	start := time.Now()
	end := start.Add(o.length)
	for {
		now := time.Now()
		if !now.Before(end) || ctx.Err() != nil {
			break
		}
		// Catch up with the rate in small batches; without a rate, one
		// message after another.
		batch := int64(1)
		if o.rate > 0 {
			due := int64(o.rate * now.Sub(start).Seconds())
			batch = due - sum.Published
			if batch <= 0 {
				if err := pause(ctx, 2*time.Millisecond); err != nil {
					break
				}
				continue
			}
		}
		for range batch {
			n := fmt.Sprintf("%s%d ", prefix, sum.Published)
			m, err := wire.Sign(key, wire.Draft{Room: room.ID, Time: clock.Now(), Kind: wire.Kind_KIND_TEXT, Text: n + pad[:o.size-len(n)]})
			if err != nil {
				return sum, err
			}
			if err := topic.Publish(ctx, m.Raw); err != nil {
				if ctx.Err() != nil {
					break
				}
				return sum, fmt.Errorf("publish: %w", err)
			}
			sum.Published++
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	sum.Rate = float64(sum.Published) / sum.Seconds
	_ = pause(ctx, o.linger)
	sum.SentToPeers = tr.sent.Load()
	sum.DroppedToPeers = tr.dropped.Load()
	sum.PrunesReceived = tr.prunes.Load()
	return sum, nil
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// counter is a GossipSub tracer that counts what went out, what our own
// queues dropped and the PRUNEs we got.
type counter struct {
	sent, dropped, prunes atomic.Int64
}

var _ pubsub.RawTracer = (*counter)(nil)

func (c *counter) SendRPC(rpc *pubsub.RPC, _ peer.ID) { c.sent.Add(int64(len(rpc.GetPublish()))) }
func (c *counter) DropRPC(rpc *pubsub.RPC, _ peer.ID) { c.dropped.Add(int64(len(rpc.GetPublish()))) }
func (c *counter) RecvRPC(rpc *pubsub.RPC) {
	c.prunes.Add(int64(len(rpc.GetControl().GetPrune())))
}
func (c *counter) AddPeer(peer.ID, protocol.ID)                         {}
func (c *counter) RemovePeer(peer.ID)                                   {}
func (c *counter) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (c *counter) OnClosedOutboundStream(peer.ID)                       {}
func (c *counter) Join(string)                                          {}
func (c *counter) Leave(string)                                         {}
func (c *counter) Graft(peer.ID, string)                                {}
func (c *counter) Prune(peer.ID, string)                                {}
func (c *counter) ValidateMessage(*pubsub.Message)                      {}
func (c *counter) DeliverMessage(*pubsub.Message)                       {}
func (c *counter) RejectMessage(*pubsub.Message, string)                {}
func (c *counter) DuplicateMessage(*pubsub.Message)                     {}
func (c *counter) ThrottlePeer(peer.ID)                                 {}
func (c *counter) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (c *counter) UndeliverableMessage(*pubsub.Message)                 {}
