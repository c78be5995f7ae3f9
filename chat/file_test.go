package chat

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/p2p"
	"parley/wire"
)

// A file shared by a newer Parley is kept, so that every member holds the
// same history, and not shown: the room shows files once they can be
// fetched.
func TestAFileMessageIsKeptButNotShownYet(t *testing.T) {
	s := newNode(t, t.TempDir())
	room, err := s.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := parseRoom(room.ID)
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := peer.IDFromPrivateKey(key)
	m, err := wire.Sign(key, wire.Draft{Room: id, Time: s.clock.Now(), Kind: wire.Kind_KIND_FILE,
		File: &wire.File{Hash: bytes.Repeat([]byte{3}, wire.FileHashSize), Name: "notes.txt", Size: 5}})
	if err != nil {
		t.Fatal(err)
	}
	events, stop := s.Subscribe()
	defer stop()
	s.receive(p2p.Batch{Room: id, From: from, Messages: []*wire.Message{m}})
	if has, err := s.store.Has(m.ID); err != nil || !has {
		t.Fatalf("the file message is not kept: %v, %v", has, err)
	}
	if shown := fullHistory(t, s, room.ID); len(shown) != 0 {
		t.Errorf("the history shows %+v", shown)
	}
	for {
		select {
		case e := <-events:
			if e.Name == EventMessage {
				t.Fatalf("announced as a message: %+v", e.Data)
			}
		default:
			return
		}
	}
}
