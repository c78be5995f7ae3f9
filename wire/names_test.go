package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

const (
	family   = "👨‍👩‍👧‍👦"    // four emoji joined by three ZWJs: 25 bytes
	kiss     = "👩🏽‍❤️‍💋‍👨🏻" // the longest emoji sequences: 35 bytes
	scotland = "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"
)

func TestCleanNameAccepts(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Ada", "Ada"},
		{"trimmed", " \t Ada Lovelace\u3000 ", "Ada Lovelace"},
		{"NFD becomes NFC", "Jose\u0301", "José"},
		{"Hangul jamo become a syllable", "\u1112\u1161\u11AB", "한"},
		{"40 plain emoji", strings.Repeat("😀", 40), strings.Repeat("😀", 40)},
		{"40 hearts with a variation selector", strings.Repeat("❤️", 40), strings.Repeat("❤️", 40)},
		{"40 families", strings.Repeat(family, 40), strings.Repeat(family, 40)},
		{"40 kisses with skin tones", strings.Repeat(kiss, 40), strings.Repeat(kiss, 40)},
		{"40 flags", strings.Repeat("🇫🇷", 40), strings.Repeat("🇫🇷", 40)},
		{"subdivision flag", scotland + " fan", scotland + " fan"},
		{"keycap", "1️⃣ first", "1️⃣ first"},
		{"Persian with a non-joiner", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"Hebrew with a bidi mark", "שלום\u200E!", "שלום\u200E!"},
		{"Devanagari", "नमस्ते", "नमस्ते"},
		{"40 Latin letters", strings.Repeat("x", 40), strings.Repeat("x", 40)},
		{"inner Braille blank", "a\u2800b", "a\u2800b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CleanName(tc.in, MaxNameChars)
			if err != nil {
				t.Fatalf("CleanName(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanNameRejects(t *testing.T) {
	tests := []struct {
		name, in, why string
	}{
		{"empty", "", "empty"},
		{"spaces", " \u3000\t ", "empty"},
		{"not UTF-8", "Ada\xff", "not UTF-8"},
		{"41 characters", strings.Repeat("x", 41), "41 characters"},
		{"41 emoji", strings.Repeat("😀", 41), "41 characters"},
		{"41 families", strings.Repeat(family, 41), "characters"},
		{"bytes over the bound", strings.Repeat("x", MaxNameSize+1), "bytes"},
		{"NUL", "Ada\x00", "control"},
		{"bell", "A\ada", "control"},
		{"newline inside", "Ada\nBob", "control"},
		{"DEL", "Ada\x7f", "control"},
		{"C1 control", "Ada\u0085x", "control"},
		{"line separator", "Ada\u2028Bob", "line separator"},
		{"right-to-left override", "\u202Egnp.exe", "bidirectional"},
		{"left-to-right embedding", "Ada\u202A", "bidirectional"},
		{"pop directional formatting", "Ada\u202C", "bidirectional"},
		{"right-to-left isolate", "\u2067Ada", "bidirectional"},
		{"pop directional isolate", "Ada\u2069", "bidirectional"},
		{"deprecated format control", "Ada\u206A", "format"},
		{"zero-width spaces only", "\u200B\u200B\u200B", "invisible"},
		{"trailing zero-width space", "Ada\u200B", "invisible"},
		{"word joiner", "A\u2060da", "invisible"},
		{"byte order mark", "\uFEFFAda", "invisible"},
		{"soft hyphen", "Ada\u00AD", "invisible"},
		{"Hangul filler", "\u3164", "invisible"},
		{"halfwidth Hangul filler", "\uFFA0\uFFA0", "invisible"},
		{"Braille blank only", "\u2800\u2800", "empty"},
		{"variation selectors only", "\uFE0F\uFE0E\U000E0100", "nothing visible"},
		{"combining marks only", "\u0301\u0308", "nothing visible"},
		{"joiners only", "\u200D\u200C\u200D", "nothing visible"},
		{"bidi marks only", "\u200E\u200F", "nothing visible"},
		{"combining grapheme joiner only", "\u034F", "nothing visible"},
		{"stacked marks", "Z" + strings.Repeat("\u0336", MaxAttached+1), "marks"},
		{"noncharacter", "Ada\uFFFE", "noncharacter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CleanName(tc.in, MaxNameChars)
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("CleanName(%q) = %q, %v; want ErrBadName", tc.in, got, err)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %q does not say %q", err, tc.why)
			}
		})
	}
}

func TestCleanNameLimitIsInCharactersForRoomNames(t *testing.T) {
	if _, err := CleanName(strings.Repeat(family, MaxRoomNameChars), MaxRoomNameChars); err != nil {
		t.Errorf("%d family emoji as a room name: %v", MaxRoomNameChars, err)
	}
	if _, err := CleanName(strings.Repeat("é", MaxRoomNameChars+1), MaxRoomNameChars); err == nil {
		t.Errorf("%d characters accepted as a room name", MaxRoomNameChars+1)
	}
}

func TestCleanNameIsIdempotent(t *testing.T) {
	for _, in := range []string{" Jose\u0301 ", family + " " + kiss, "e\u0301\u0323", "Ω\u0345"} {
		once, err := CleanName(in, MaxNameChars)
		if err != nil {
			t.Fatalf("CleanName(%q): %v", in, err)
		}
		twice, err := CleanName(once, MaxNameChars)
		if err != nil || twice != once {
			t.Errorf("CleanName(%q) = %q, again %q, %v", in, once, twice, err)
		}
	}
}

// signProfile signs a profile with any name, bypassing Sign's checks, as a
// peer with other code could.
func signProfile(t testing.TB, key crypto.PrivKey, name string) []byte {
	t.Helper()
	body, err := proto.Marshal(&Profile{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	author, err := crypto.MarshalPublicKey(key.GetPublic())
	if err != nil {
		t.Fatal(err)
	}
	return resign(t, key, &Payload{Version: Version, Room: make([]byte, IDSize), Author: author, Time: WallTime(time.Now()), Kind: Kind_KIND_PROFILE, Body: body})
}

func TestDecodeChecksProfileNames(t *testing.T) {
	key := newKey(t)
	for _, bad := range []string{"Ada\u202E", "\u200B\u200B", "\u3164", "A\x07", ""} {
		if _, err := Decode(signProfile(t, key, bad), Check{}); !errors.Is(err, ErrBadBody) || !errors.Is(err, ErrBadName) {
			t.Errorf("profile named %q: error = %v, want ErrBadBody and ErrBadName", bad, err)
		}
		if _, err := Sign(key, Draft{Kind: Kind_KIND_PROFILE, Name: bad}); !errors.Is(err, ErrBadName) {
			t.Errorf("Sign of a profile named %q: error = %v, want ErrBadName", bad, err)
		}
	}
	m, err := Decode(signProfile(t, key, " Jose\u0301 "), Check{})
	if err != nil || m.Name != "José" {
		t.Errorf("profile named in NFD: %+v, %v; want the name in NFC, trimmed", m, err)
	}
	long := strings.Repeat(family, MaxNameChars)
	if m, err := Decode(signProfile(t, key, long), Check{}); err != nil || m.Name != long {
		t.Errorf("profile of %d family emoji: %v", MaxNameChars, err)
	}
}

func TestDecodeHelloChecksRoomNames(t *testing.T) {
	key := newKey(t)
	from, _ := peer.IDFromPrivateKey(key)
	for _, bad := range []string{"lobby\u202E", "\u2800\u200B", "\u3164", "a\nb", "", strings.Repeat("x", MaxRoomNameChars+1)} {
		raw, _ := proto.Marshal(&Hello{Nearby: []*HelloRoom{{Id: make([]byte, IDSize), Name: bad}}})
		if _, err := DecodeHello(raw, from, time.Now()); !errors.Is(err, ErrBadBody) || !errors.Is(err, ErrBadName) {
			t.Errorf("room named %q: error = %v, want ErrBadBody and ErrBadName", bad, err)
		}
	}
}

func TestEncodeHelloLeavesOutWhatPeersRefuse(t *testing.T) {
	key := newKey(t)
	from, _ := peer.IDFromPrivateKey(key)
	good := NearbyRoom{ID: newRoom(t), Name: strings.Repeat(family, MaxRoomNameChars), Secret: make([]byte, SecretSize)}
	raw, err := EncodeHello(nil, nil, []NearbyRoom{{ID: newRoom(t), Name: "old\u202Ename"}, good}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := DecodeHello(raw, from, time.Now())
	if err != nil {
		t.Fatalf("a hello we encoded is refused: %v", err)
	}
	if len(h.Nearby) != 1 || h.Nearby[0].ID != good.ID || h.Nearby[0].Name != good.Name {
		t.Errorf("rooms %+v, want only the well-named one", h.Nearby)
	}

	// As many rooms as allowed, each with the longest name: the hello stays
	// within MaxHelloSize and decodes.
	var many []NearbyRoom
	proofs := make([]HelloProof, MaxHelloRooms)
	for range MaxHelloRooms {
		many = append(many, NearbyRoom{ID: newRoom(t), Name: strings.Repeat(kiss, MaxRoomNameChars), Secret: make([]byte, SecretSize)})
	}
	raw, err = EncodeHello(nil, nil, many, proofs)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > MaxHelloSize {
		t.Fatalf("hello of %d bytes, limit %d", len(raw), MaxHelloSize)
	}
	h, err = DecodeHello(raw, from, time.Now())
	if err != nil || len(h.Nearby) == 0 || len(h.Proofs) != MaxHelloRooms {
		t.Fatalf("full hello: %d rooms, %d proofs, %v", len(h.Nearby), len(h.Proofs), err)
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Ada", " Jose\u0301 ", family, kiss, scotland, "\u202Egnp", "\u200B", "\u3164", "\uFE0F", "a\x00", "Z\u0336\u0336"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CleanName(in, MaxNameChars)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("error %v does not wrap ErrBadName", err)
			}
			return
		}
		// What passes is stable, within the byte bound, and free of what
		// the rule forbids.
		again, err := CleanName(out, MaxNameChars)
		if err != nil || again != out {
			t.Fatalf("CleanName(%q) = %q, but again gives %q, %v", in, out, again, err)
		}
		if len(out) > MaxNameSize {
			t.Fatalf("%d bytes accepted", len(out))
		}
		for _, r := range out {
			if forbidden(r) != "" {
				t.Fatalf("accepted %U in %q", r, out)
			}
		}
	})
}
