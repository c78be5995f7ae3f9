// Command seedroom fills a Parley data dir with one joined room holding N
// signed messages from a few made-up authors, for tests and benchmarks of
// big histories. The room is a new one with a secret of its own, kept in
// the store as a created room's is, so the node can invite others to it
// (Invite in its API). The node must not be running. It prints the room ID.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/datadir"
	"parley/roomkey"
	"parley/store"
	"parley/wire"
)

func main() {
	dir := flag.String("data-dir", "", "data dir to fill (created if missing)")
	name := flag.String("room", "big room", "name of the new room")
	n := flag.Int("n", 100_000, "messages")
	roomID := flag.String("room-id", "", "add to this room (hex ID), which the data dir must hold already, instead of a new one")
	mark := flag.String("mark", "", `give one message other text: "I:TEXT" makes message I (from 1) say TEXT`)
	flag.Parse()
	if *dir == "" {
		fail(fmt.Errorf("--data-dir is required"))
	}
	markAt, markText, err := parseMark(*mark)
	if err != nil {
		fail(err)
	}
	room, err := seed(*dir, *name, *roomID, *n, markAt, markText)
	if err != nil {
		fail(err)
	}
	fmt.Println(room)
}

// parseMark reads --mark: "I:TEXT", or "" for none (I is then 0).
func parseMark(s string) (int, string, error) {
	if s == "" {
		return 0, "", nil
	}
	at, text, ok := strings.Cut(s, ":")
	i, err := strconv.Atoi(at)
	if !ok || err != nil || i < 1 || text == "" {
		return 0, "", fmt.Errorf(`--mark wants "I:TEXT" with I from 1, got %q`, s)
	}
	return i, text, nil
}

func seed(dir, name, roomID string, n, markAt int, markText string) (wire.RoomID, error) {
	var room wire.RoomID
	d, err := datadir.Open(dir)
	if err != nil {
		return room, err
	}
	defer d.Close()
	s, err := store.Open(filepath.Join(d.Path, "store"), store.Options{})
	if err != nil {
		return room, err
	}
	defer s.Close()
	rec, err := roomRecord(s, name, roomID)
	if err != nil {
		return room, err
	}
	room = rec.ID
	authors := []string{"Ada", "Grace", "Linus"}
	keys := make([]crypto.PrivKey, len(authors))
	// Messages one second apart, ending now, so the newest is "today".
	start := time.Now().Add(-time.Duration(n) * time.Second)
	for i, a := range authors {
		if keys[i], _, err = crypto.GenerateEd25519Key(rand.Reader); err != nil {
			return room, err
		}
		p, err := wire.Sign(keys[i], wire.Draft{Time: wire.WallTime(start), Kind: wire.Kind_KIND_PROFILE, Name: a})
		if err != nil {
			return room, err
		}
		if _, err := s.PutProfile(string(p.Author), p.Time, p.Raw); err != nil {
			return room, err
		}
	}
	const batch = 1000
	ctx := context.Background()
	items := make([]store.Item, 0, batch)
	for i := range n {
		k := keys[i%len(keys)]
		t := wire.WallTime(start.Add(time.Duration(i) * time.Second))
		text := fmt.Sprintf("message %d of %d", i+1, n)
		if i+1 == markAt {
			text = markText
		}
		m, err := wire.Sign(k, wire.Draft{Room: room, Time: t, Kind: wire.Kind_KIND_TEXT, Text: text})
		if err != nil {
			return room, err
		}
		items = append(items, store.ItemOf(m))
		if len(items) == batch || i == n-1 {
			if _, err := s.Put(ctx, items...); err != nil {
				return room, err
			}
			items = items[:0]
		}
	}
	return room, s.PutRoom(rec)
}

// roomRecord is the record of the room to fill: a new room with a fresh
// secret, or the one the store holds under roomID, kept as it is (its
// secret, name and read position) but joined.
func roomRecord(s *store.Store, name, roomID string) (store.Room, error) {
	if roomID == "" {
		keys, err := roomkey.New()
		if err != nil {
			return store.Room{}, err
		}
		return store.Room{ID: keys.ID, Name: name, Joined: true, Secret: keys.Secret[:]}, nil
	}
	id, err := wire.ParseRoomID(roomID)
	if err != nil {
		return store.Room{}, fmt.Errorf("--room-id: %w", err)
	}
	rec, ok, err := s.Room(id)
	if err != nil {
		return store.Room{}, err
	}
	if !ok {
		return store.Room{}, fmt.Errorf("--room-id %s: the data dir holds no such room (without its secret, nobody could join it)", roomID)
	}
	rec.Joined = true
	return rec, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "seedroom:", err)
	os.Exit(1)
}
