// Command forge plays a dishonest member for the end-to-end tests: given a
// room's invite link, it joins the room's topic on a node it is given,
// proves membership as any member can, and publishes an edit or a delete,
// correctly signed by its own key, of a message someone else wrote. Honest
// nodes must never apply either. With --then-say it then publishes a text
// of its own, which honest nodes do show: once it has arrived, so has the
// change sent before it. It publishes once, waits for its stdin to close
// (the test has seen what it wanted) or 60 s, and exits.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"parley/invite"
	"parley/p2p"
	"parley/wire"
)

func main() {
	to := flag.String("to", "", "address of the node to reach, ending in /p2p/<peer ID> (127.0.0.1 only)")
	link := flag.String("invite", "", "the room's invite link (parley://join/…)")
	targetHex := flag.String("target", "", "ID (hex) of the message to change")
	kind := flag.String("kind", "edit", "edit or delete")
	text := flag.String("text", "forged words", "the edit's text")
	say := flag.String("then-say", "", "after the change, publish a text message of its own saying this")
	flag.Parse()
	if err := run(*to, *link, *targetHex, *kind, *text, *say); err != nil {
		fmt.Fprintln(os.Stderr, "forge:", err)
		os.Exit(1)
	}
}

func run(to, link, targetHex, kind, text, say string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	inv, err := invite.Parse(link)
	if err != nil {
		return fmt.Errorf("--invite: %w", err)
	}
	room := inv.Room
	target, err := wire.ParseMessageID(targetHex)
	if err != nil {
		return err
	}
	addr, err := multiaddr.NewMultiaddr(to)
	if err != nil {
		return err
	}
	info, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return err
	}
	if ip, err := addr.ValueForProtocol(multiaddr.P_IP4); err != nil || ip != "127.0.0.1" {
		return errors.New("forge only talks to 127.0.0.1")
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return err
	}
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		return err
	}
	defer h.Close()
	// Parley's GossipSub settings: one signature per message, in the payload.
	ps, err := pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithFloodPublish(true),
		pubsub.WithMessageIdFn(p2p.MessageID), // the ID Parley nodes use
	)
	if err != nil {
		return err
	}
	topic, err := ps.Join(room.Topic())
	if err != nil {
		return err
	}
	if _, err := topic.Subscribe(); err != nil {
		return err
	}
	if err := h.Connect(ctx, *info); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// Holding the link, it can prove membership like any member: the node
	// then counts its subscription and takes its messages.
	if err := p2p.SendProofs(ctx, h, info.ID, room); err != nil {
		return fmt.Errorf("prove membership: %w", err)
	}
	for !slices.Contains(topic.ListPeers(), info.ID) {
		select {
		case <-ctx.Done():
			return errors.New("the node never showed up in the room")
		case <-time.After(50 * time.Millisecond):
		}
	}
	clock := wire.NewClock(time.Now)
	d := wire.Draft{Room: room.ID, Time: clock.Now(), Target: &target}
	switch kind {
	case "edit":
		d.Kind, d.Text = wire.Kind_KIND_EDIT, text
	case "delete":
		d.Kind, d.TargetTime = wire.Kind_KIND_DELETE, 1
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	drafts := []wire.Draft{d}
	if say != "" {
		drafts = append(drafts, wire.Draft{Room: room.ID, Time: clock.Now(), Kind: wire.Kind_KIND_TEXT, Text: say})
	}
	for _, d := range drafts {
		m, err := wire.Sign(key, d)
		if err != nil {
			return err
		}
		if err := topic.Publish(ctx, m.Raw); err != nil {
			return err
		}
		fmt.Println("published", m.ID)
	}
	// Stay until the test is done looking (stdin closes) or time is up.
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}
