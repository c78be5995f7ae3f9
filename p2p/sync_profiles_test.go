package p2p

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"google.golang.org/protobuf/proto"

	"parley/reconcile"
	"parley/roomkey"
	"parley/wire"
)

// memProfiles is a ProfileSource in memory, like the store's: the newest
// profile of each peer, and who wrote in which room.
type memProfiles struct {
	mu       sync.Mutex
	profiles map[peer.ID][]byte
	authors  map[wire.RoomID]map[peer.ID]bool
}

var _ ProfileSource = (*memProfiles)(nil)

func newMemProfiles() *memProfiles {
	return &memProfiles{profiles: map[peer.ID][]byte{}, authors: map[wire.RoomID]map[peer.ID]bool{}}
}

func (p *memProfiles) wrote(room wire.RoomID, author peer.ID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.authors[room] == nil {
		p.authors[room] = map[peer.ID]bool{}
	}
	p.authors[room][author] = true
}

func (p *memProfiles) Profile(id string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.profiles[peer.ID(id)], nil
}

func (p *memProfiles) IsAuthor(room wire.RoomID, id string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.authors[room][peer.ID(id)], nil
}

func (p *memProfiles) AuthorsWithoutProfile(room wire.RoomID, max int) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for a := range p.authors[room] {
		if p.profiles[a] == nil && len(out) < max {
			out = append(out, string(a))
		}
	}
	slices.Sort(out)
	return out, nil
}

// author is a peer that writes in rooms and may have a name.
type author struct {
	key crypto.PrivKey
	id  peer.ID
}

func newAuthor(t testing.TB) author {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return author{key: key, id: id}
}

func (a author) sign(t testing.TB, d wire.Draft) *wire.Message {
	t.Helper()
	m, err := wire.Sign(a.key, d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (a author) profile(t testing.TB, room wire.RoomID, name string) *wire.Message {
	return a.sign(t, wire.Draft{Room: room, Time: wire.WallTime(time.Now()), Kind: wire.Kind_KIND_PROFILE, Name: name})
}

// namesHeard gathers what a room's handler is given.
type namesHeard struct {
	mu       sync.Mutex
	messages int
	names    map[peer.ID]string
}

func (r *namesHeard) handle(b Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range b.Messages {
		if m.Kind == wire.Kind_KIND_PROFILE {
			if r.names == nil {
				r.names = map[peer.ID]string{}
			}
			r.names[m.Author] = m.Name
		} else {
			r.messages++
		}
	}
}

func (r *namesHeard) got() (int, map[peer.ID]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := maps.Clone(r.names)
	if names == nil {
		names = map[peer.ID]string{}
	}
	return r.messages, names
}

// A sync carries the names of the room's authors: with the messages it
// brings, and for the authors the other side already had messages of but
// no name. Only profiles signed for no room or for this room go: one
// signed for another room would tell the peer of that room. A peer that
// sends no profiles, as earlier versions do, still syncs.
func TestSyncCarriesTheAuthorsNames(t *testing.T) {
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	xena, yuri, zed, wes := newAuthor(t), newAuthor(t), newAuthor(t), newAuthor(t)
	var msgs []*wire.Message
	for i, a := range []author{xena, yuri, zed, wes} {
		msgs = append(msgs, a.sign(t, wire.Draft{Room: room, Time: uint64(i + 1), Kind: wire.Kind_KIND_TEXT, Text: "hello"}))
	}
	holderProfiles := newMemProfiles()
	holderProfiles.profiles[xena.id] = xena.profile(t, wire.RoomID{}, "Xena").Raw // from a hello
	holderProfiles.profiles[yuri.id] = yuri.profile(t, room, "Yuri").Raw          // from the room's gossip
	holderProfiles.profiles[zed.id] = zed.profile(t, other, "Zed").Raw            // from another room
	for _, m := range msgs {
		holderProfiles.wrote(room, m.Author)
	}
	want := map[peer.ID]string{xena.id: "Xena", yuri.id: "Yuri"}

	for _, tc := range []struct {
		name         string
		hasMessages  bool // the syncing side holds the messages already
		sendsNames   bool // the holder has a ProfileSource
		wantMessages int
		wantNames    map[peer.ID]string
	}{
		{"names come with the messages", false, true, len(msgs), want},
		{"names the syncing side asks for", true, true, 0, want},
		{"a peer that sends no names still syncs", false, false, len(msgs), map[peer.ID]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			holder := newTestNode(t, ModeOff)
			holder.sync.source = historyOf(msgs...)
			if tc.sendsNames {
				holder.sync.profiles = holderProfiles
			}
			syncing := newTestNode(t, ModeOff)
			syncing.sync.source = historyOf()
			own := newMemProfiles()
			own.wrote(room, "") // a stray key in the store is asked about by no one
			if tc.hasMessages {
				syncing.sync.source = historyOf(msgs...)
				for _, m := range msgs {
					own.wrote(room, m.Author)
				}
			}
			syncing.sync.profiles = own
			var got namesHeard
			if err := syncing.Join(roomkey.FromLegacyID(room), got.handle); err != nil {
				t.Fatal(err)
			}
			if err := holder.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
				t.Fatal(err)
			}
			connect(t, syncing, holder.host)
			waitMember(t, syncing, holder.ID(), room)
			waitMember(t, holder, syncing.ID(), room)
			if err := syncing.Sync(t.Context(), holder.ID(), room); err != nil {
				t.Fatalf("sync: %v", err)
			}
			n, names := got.got()
			if n != tc.wantMessages || fmt.Sprint(names) != fmt.Sprint(tc.wantNames) {
				t.Errorf("received %d messages and names %v; want %d and %v", n, names, tc.wantMessages, tc.wantNames)
			}
			if holder.Rejections(syncing.ID()) != 0 || syncing.Rejections(holder.ID()) != 0 {
				t.Error("an honest session counted as a rejection")
			}
		})
	}
}

// historyOf is a SyncSource holding msgs.
func historyOf(msgs ...*wire.Message) *roomsHistory {
	h := &roomsHistory{items: map[wire.RoomID][]reconcile.Item{}, envelopes: map[wire.MessageID][]byte{}}
	for _, m := range msgs {
		h.add(m)
	}
	return h
}

// A peer that sends a profile it should not (of another room, a message
// that is no profile, a forged one, two for one author, past the bounds)
// ends the session and is counted; one from the future or of an author
// the session had no reason to name is left out, the rest kept.
func TestSyncProfilesTaken(t *testing.T) {
	room, _ := wire.NewRoomID()
	other, _ := wire.NewRoomID()
	asked, wrote, stranger := newAuthor(t), newAuthor(t), newAuthor(t)
	forged := asked.profile(t, room, "Ada").Raw
	forged = append(slices.Clip(forged[:len(forged)-1]), forged[len(forged)-1]^1)
	future := asked.sign(t, wire.Draft{Room: room, Time: wire.WallTime(time.Now().Add(time.Hour)), Kind: wire.Kind_KIND_PROFILE, Name: "Ada"}).Raw
	text := wrote.sign(t, wire.Draft{Room: room, Time: 1, Kind: wire.Kind_KIND_TEXT, Text: "hi"})
	long := strings.Repeat("👨‍👩‍👧‍👦", wire.MaxNameChars)
	var tooMany, tooBig [][]byte
	for range maxSyncProfiles + 1 {
		tooMany = append(tooMany, stranger.profile(t, room, "Sam").Raw)
	}
	for len(tooBig)*len(stranger.profile(t, room, long).Raw) <= maxSyncProfileBytes {
		tooBig = append(tooBig, stranger.profile(t, room, long).Raw)
	}
	for _, tc := range []struct {
		name     string
		profiles [][]byte
		keep     []string // names kept, when no error
		err      error
	}{
		{"asked for and sent with a message", [][]byte{asked.profile(t, wire.RoomID{}, "Ada").Raw, wrote.profile(t, room, "Bo").Raw}, []string{"Ada", "Bo"}, nil},
		{"of an author never named in the session", [][]byte{stranger.profile(t, room, "Sam").Raw}, nil, nil},
		{"from the future", [][]byte{future}, nil, nil},
		{"signed for another room", [][]byte{asked.profile(t, other, "Ada").Raw}, nil, reconcile.ErrProtocol},
		{"not a profile", [][]byte{text.Raw}, nil, reconcile.ErrProtocol},
		{"forged", [][]byte{forged}, nil, wire.ErrSignature},
		{"two of one author", [][]byte{asked.profile(t, room, "Ada").Raw, asked.profile(t, room, "Ada B").Raw}, nil, reconcile.ErrProtocol},
		{"too many", tooMany, nil, reconcile.ErrProtocol},
		{"too many bytes", tooBig, nil, reconcile.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pe := newProfileExchange(newMemProfiles(), room, newAuthor(t).id)
			pe.wanted[asked.id] = true
			pe.receiving(text)
			kept, err := pe.take(tc.profiles, time.Now())
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range kept {
				names = append(names, m.Name)
			}
			if !slices.Equal(names, tc.keep) {
				t.Errorf("kept %q, want %q", names, tc.keep)
			}
		})
	}
}

// What a side sends is bounded: one profile per author of the room, at
// most maxSyncProfiles and maxSyncProfileBytes; a peer asking about
// someone who never wrote in the room hears nothing of it.
func TestSyncProfilesSentAreBounded(t *testing.T) {
	room, _ := wire.NewRoomID()
	long := strings.Repeat("👨‍👩‍👧‍👦", wire.MaxNameChars)
	for _, tc := range []struct {
		name     string
		authors  int
		nameEach string
		want     int
	}{
		{"by count", maxSyncProfiles + 10, "Sam", maxSyncProfiles},
		{"by bytes", 400, long, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := newMemProfiles()
			pe := newProfileExchange(source, room, newAuthor(t).id)
			var ids []peer.ID
			for range tc.authors {
				a := newAuthor(t)
				source.profiles[a.id] = a.profile(t, wire.RoomID{}, tc.nameEach).Raw
				source.wrote(room, a.id)
				ids = append(ids, a.id)
			}
			outsider := newAuthor(t)
			source.profiles[outsider.id] = outsider.profile(t, wire.RoomID{}, "Out").Raw
			pe.asked = append([]peer.ID{outsider.id, ids[0]}, ids...) // asked twice, sent once
			out, err := pe.toSend()
			if err != nil {
				t.Fatal(err)
			}
			size, seen := 0, map[peer.ID]bool{}
			for _, raw := range out {
				size += len(raw)
				m, err := wire.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				if m.Author == outsider.id || seen[m.Author] {
					t.Fatalf("sent the profile of %s (an outsider: %v)", m.Author, m.Author == outsider.id)
				}
				seen[m.Author] = true
			}
			if size > maxSyncProfileBytes || (tc.want > 0 && len(out) != tc.want) || len(out) == 0 {
				t.Errorf("sent %d profiles, %d bytes; want %d and at most %d bytes", len(out), size, tc.want, maxSyncProfileBytes)
			}
			if tc.want < 0 && size+len(out[0]) <= maxSyncProfileBytes {
				t.Errorf("sent %d bytes of profiles, another would have fitted", size)
			}
		})
	}
}

// A peer that has not proved membership of the room gets no session, so
// no profile, whatever it asks about.
func TestStrangerAskingForNamesGetsNone(t *testing.T) {
	room, _ := wire.NewRoomID()
	xena := newAuthor(t)
	holder := newTestNode(t, ModeOff)
	holder.sync.source = historyOf(xena.sign(t, wire.Draft{Room: room, Time: 1, Kind: wire.Kind_KIND_TEXT, Text: "hi"}))
	profiles := newMemProfiles()
	profiles.profiles[xena.id] = xena.profile(t, wire.RoomID{}, "Xena").Raw
	profiles.wrote(room, xena.id)
	holder.sync.profiles = profiles
	if err := holder.Join(roomkey.FromLegacyID(room), func(Batch) {}); err != nil {
		t.Fatal(err)
	}
	stranger := rawHost(t)
	connect(t, holder, stranger)
	st, err := stranger.NewStream(t.Context(), holder.ID(), syncProtocol)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := proto.Marshal(&wire.SyncMessage{Room: room[:], Ranges: []*wire.SyncRange{{UpperInf: true}}, WantProfiles: [][]byte{[]byte(xena.id)}})
	_ = msgio.NewVarintWriter(st).WriteMsg(first)
	_ = st.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := msgio.NewVarintReaderSize(st, maxSyncMessage).ReadMsg(); err == nil {
		t.Fatal("a stranger was answered a sync")
	}
}

// A peer's question is bounded; an entry in it that is no peer ID is
// passed over, not held against the peer.
func TestDecodeWants(t *testing.T) {
	a := newAuthor(t)
	asked, err := decodeWants(&wire.SyncMessage{WantProfiles: [][]byte{[]byte(a.id), {}, {1, 2}, make([]byte, maxPeerIDSize+1)}})
	if err != nil || !slices.Equal(asked, []peer.ID{a.id}) {
		t.Errorf("asked %v, %v; want only the one peer ID", asked, err)
	}
	tooMany := make([][]byte, maxSyncProfiles+1)
	for i := range tooMany {
		tooMany[i] = []byte(a.id)
	}
	if _, err := decodeWants(&wire.SyncMessage{WantProfiles: tooMany}); !errors.Is(err, reconcile.ErrProtocol) {
		t.Errorf("%d authors asked about: err %v, want a protocol violation", len(tooMany), err)
	}
}
