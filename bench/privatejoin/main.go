// Command privatejoin measures how long a newcomer holding a private
// room's invite link waits from JoinRoom to the first message it can read:
// two real nodes (chat services with their stores) on 127.0.0.1, network
// off, the owner online. The newcomer knows nothing but the link: it
// dials the link's address, asks to be let in over /parley/join/1, takes
// the log, then syncs the history. It prints one JSON object.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"parley/chat"
	"parley/p2p"
)

const (
	joins    = 10
	deadline = 30 * time.Second
)

func open(ctx context.Context) (*chat.Service, func(), error) {
	dir, err := os.MkdirTemp("", "parley-privatejoin-")
	if err != nil {
		return nil, nil, err
	}
	s, err := chat.Open(ctx, chat.Options{DataDir: dir, Network: p2p.ModeOff, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }, nil
}

// joinOnce times one newcomer's join to its first readable message.
func joinOnce(ctx context.Context, link, room, text string) (time.Duration, error) {
	s, done, err := open(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	start := time.Now()
	if _, err := s.JoinRoom(link, ""); err != nil {
		return 0, err
	}
	for time.Since(start) < deadline {
		msgs, err := s.History(room, "", 50)
		if err == nil && slices.ContainsFunc(msgs, func(m chat.Message) bool { return m.Text == text }) {
			return time.Since(start), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("no readable message %v after the join", deadline)
}

func run() error {
	ctx := context.Background()
	owner, done, err := open(ctx)
	if err != nil {
		return err
	}
	defer done()
	room, err := owner.CreatePrivateRoom("bench")
	if err != nil {
		return err
	}
	const text = "the first message a newcomer reads"
	if _, err := owner.Send(ctx, room.ID, text); err != nil {
		return err
	}
	inv, err := owner.CreateInvite(ctx, room.ID, 1, 0)
	if err != nil {
		return err
	}
	var ms []float64
	for range joins {
		d, err := joinOnce(ctx, inv.Link, room.ID, text)
		if err != nil {
			return err
		}
		ms = append(ms, float64(d.Microseconds())/1000)
	}
	slices.Sort(ms)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"benchmark": "private room: JoinRoom by link to the first readable message, loopback",
		"joins":     joins,
		"p50_ms":    ms[len(ms)/2],
		"max_ms":    ms[len(ms)-1],
		"all_ms":    ms,
	})
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "privatejoin:", err)
		os.Exit(1)
	}
}
