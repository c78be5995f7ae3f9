package seal

import (
	"bytes"
	"errors"
	"testing"

	"parley/wire"
)

func TestSealedMessageOpensIntoWhatWasSent(t *testing.T) {
	key, ada := newPeer(t)
	room, _ := wire.NewRoomID()
	k := newKey(t)
	parent := wire.IDOf([]byte("an earlier message"))
	sent, err := SignMessage(key, k, 2, wire.Draft{Room: room, Time: 1 << 30, Kind: wire.Kind_KIND_TEXT, Text: "the plan is on", ReplyTo: &parent})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sent.Raw, []byte("the plan is on")) {
		t.Fatal("the envelope holds the text in the clear")
	}
	got, err := wire.Decode(sent.Raw, wire.Check{Room: &room})
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != wire.Kind_KIND_SEALED || got.Text != "" || got.ReplyTo != nil || got.ID != sent.ID || got.Author != ada {
		t.Fatalf("decoded outer message = %+v", got)
	}
	opened, err := OpenMessage(k, got)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Kind != wire.Kind_KIND_TEXT || opened.Text != "the plan is on" || *opened.ReplyTo != parent ||
		opened.ID != sent.ID || opened.Epoch != 2 || !opened.Opened || !bytes.Equal(opened.Raw, sent.Raw) {
		t.Fatalf("opened = %+v", opened)
	}
	if _, err := OpenMessage(newKey(t), got); !errors.Is(err, ErrOpen) {
		t.Fatalf("opened with another key: %v", err)
	}
}

func TestOnlyRoomSpeechIsSealed(t *testing.T) {
	key, _ := newPeer(t)
	room, _ := wire.NewRoomID()
	k := newKey(t)
	for _, kind := range []wire.Kind{wire.Kind_KIND_PROFILE, wire.Kind_KIND_KEYS, wire.Kind_KIND_SEALED} {
		if _, err := SignMessage(key, k, 0, wire.Draft{Room: room, Time: 1, Kind: kind, Name: "Ada"}); !errors.Is(err, wire.ErrBadBody) {
			t.Errorf("%s sealed: %v", kind, err)
		}
	}
	// A membership event in the clear is refused both ways.
	if _, err := wire.Sign(key, wire.Draft{Room: room, Time: 1, Kind: wire.Kind_KIND_MEMBER, Member: &wire.Member{Action: wire.Member_ACTION_LEAVE}}); !errors.Is(err, wire.ErrBadBody) {
		t.Errorf("membership event signed in the clear: %v", err)
	}
	ev, err := SignMessage(key, k, 0, wire.Draft{Room: room, Time: 1, Kind: wire.Kind_KIND_MEMBER, Member: &wire.Member{Action: wire.Member_ACTION_LEAVE}})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := wire.Decode(ev.Raw, wire.Check{})
	if err != nil {
		t.Fatal(err)
	}
	if opened, err := OpenMessage(k, outer); err != nil || opened.Member.GetAction() != wire.Member_ACTION_LEAVE {
		t.Fatalf("membership event opened as %+v, %v", opened, err)
	}
}

// A private room's file travels sealed, its key inside; sealed without a
// key it is refused.
func TestAFileIsSealedWithItsKey(t *testing.T) {
	key, _ := newPeer(t)
	room, _ := wire.NewRoomID()
	k := newKey(t)
	file := &wire.File{Hash: bytes.Repeat([]byte{1}, wire.FileHashSize), Name: "plan.pdf", Size: 10, Key: bytes.Repeat([]byte{9}, wire.FileKeySize)}
	sent, err := SignMessage(key, k, 0, wire.Draft{Room: room, Time: 1 << 30, Kind: wire.Kind_KIND_FILE, File: file})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sent.Raw, []byte("plan.pdf")) || bytes.Contains(sent.Raw, file.Key) {
		t.Fatal("the envelope holds the name or the key in the clear")
	}
	got, err := wire.Decode(sent.Raw, wire.Check{Room: &room})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := OpenMessage(k, got)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Kind != wire.Kind_KIND_FILE || opened.File.GetName() != "plan.pdf" || !bytes.Equal(opened.File.GetKey(), file.Key) {
		t.Fatalf("opened %+v", opened.File)
	}
	keyless := &wire.File{Hash: file.Hash, Name: file.Name, Size: file.Size}
	if _, err := SignMessage(key, k, 0, wire.Draft{Room: room, Time: 1 << 30, Kind: wire.Kind_KIND_FILE, File: keyless}); !errors.Is(err, wire.ErrBadBody) {
		t.Errorf("a sealed file without its key: %v", err)
	}
}
