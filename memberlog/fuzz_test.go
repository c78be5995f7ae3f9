package memberlog

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"parley/seal"
	"parley/wire"
)

// Whatever a member sends as a membership event: refused by form, or
// folded into a room without a panic, and never making its author more
// than the log says.
func FuzzDecodeMember(f *testing.F) {
	b := newBook(f)
	ada, bob := newPerson(f, "ada"), newPerson(f, "bob")
	create := b.create(ada)
	inv, invitation := b.invite(ada, 0, 2)
	for _, e := range []Event{create, inv, b.admit(ada, inv, invitation, bob), b.remove(ada, bob), b.role(ada, bob, wire.Role_ROLE_OWNER)} {
		raw, _ := proto.Marshal(e.Member)
		f.Add(raw)
	}
	f.Add([]byte{0x08, 0x06})
	g := Genesis{Room: b.room, Founders: []peer.ID{ada.id}}
	base := []Event{create, inv}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeMember(body)
		if err != nil {
			return
		}
		e := Event{ID: wire.MessageID{0xff}, Author: bob.id, Time: b.clock + 1<<16, Member: m}
		s := Fold(g, append([]Event{e}, base...))
		if s.Role(bob.id) != None || s.Role(ada.id) != Owner {
			t.Fatalf("an event by someone not in the room changed it: %s", roles(s, ada, bob))
		}
	})
}

func FuzzDecodeKeys(f *testing.F) {
	b := newBook(f)
	ada := newPerson(f, "ada")
	k, _ := seal.NewKey()
	raw, _ := proto.Marshal(b.keys(ada, 0, k, ada).Keys)
	f.Add(raw)
	f.Add([]byte{0x08, 0x01})
	g := Genesis{Room: b.room, Founders: []peer.ID{ada.id}}
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := DecodeKeys(body)
		if err != nil {
			return
		}
		if len(keys.Wraps) > seal.MaxWraps {
			t.Fatalf("%d wraps passed", len(keys.Wraps))
		}
		Fold(g, []Event{{ID: wire.MessageID{1}, Author: ada.id, Time: 1, Keys: keys}})
	})
}
