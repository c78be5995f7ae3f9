package lru

import (
	"fmt"
	"slices"
	"testing"
)

// op is one call on a Map[string, int]: add (with the keys spare claims),
// get, peek or remove; ok is what add reports.
type op struct {
	do    string
	key   string
	spare []string
	ok    bool
}

func add(k string, spare ...string) op { return op{do: "add", key: k, spare: spare, ok: true} }
func refused(k string, spare ...string) op {
	return op{do: "add", key: k, spare: spare, ok: false}
}
func get(k string) op    { return op{do: "get", key: k} }
func peek(k string) op   { return op{do: "peek", key: k} }
func remove(k string) op { return op{do: "remove", key: k} }

func TestMap(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		ops     []op
		keys    []string // what is left, least recently used first
		evicted []string
	}{
		{
			name: "below its size nothing is evicted",
			size: 3,
			ops:  []op{add("a"), add("b"), add("c")},
			keys: []string{"a", "b", "c"},
		},
		{
			name:    "a new key in a full map evicts the least recently used",
			size:    2,
			ops:     []op{add("a"), add("b"), add("c")},
			keys:    []string{"b", "c"},
			evicted: []string{"a"},
		},
		{
			name:    "get marks used",
			size:    2,
			ops:     []op{add("a"), add("b"), get("a"), add("c")},
			keys:    []string{"a", "c"},
			evicted: []string{"b"},
		},
		{
			name:    "peek does not",
			size:    2,
			ops:     []op{add("a"), add("b"), peek("a"), add("c")},
			keys:    []string{"b", "c"},
			evicted: []string{"a"},
		},
		{
			name:    "adding a key again marks it used, and evicts nothing",
			size:    2,
			ops:     []op{add("a"), add("b"), add("a"), add("c")},
			keys:    []string{"a", "c"},
			evicted: []string{"b"},
		},
		{
			name:    "a spared entry is passed over and marked used",
			size:    3,
			ops:     []op{add("a"), add("b"), add("c"), add("d", "a"), add("e")},
			keys:    []string{"a", "d", "e"},
			evicted: []string{"b", "c"},
		},
		{
			name: "with every entry spared the new key is refused",
			size: 2,
			ops:  []op{add("a"), add("b"), refused("c", "a", "b")},
			keys: []string{"a", "b"},
		},
		{
			name: "a key already there is stored even when every entry is spared",
			size: 2,
			ops:  []op{add("a"), add("b"), add("a", "a", "b")},
			keys: []string{"b", "a"},
		},
		{
			name: "a removed entry makes room, and is not reported evicted",
			size: 2,
			ops:  []op{add("a"), add("b"), remove("a"), add("c", "b")},
			keys: []string{"b", "c"},
		},
		{
			name:    "a size below one holds one",
			size:    0,
			ops:     []op{add("a"), add("b")},
			keys:    []string{"b"},
			evicted: []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var evicted []string
			m := New(tt.size, func(k string, v int) {
				if v != len(k) {
					t.Errorf("evicted %q with value %d, want %d", k, v, len(k))
				}
				evicted = append(evicted, k)
			})
			for _, o := range tt.ops {
				switch o.do {
				case "add":
					spare := func(k string) bool { return slices.Contains(o.spare, k) }
					if got := m.Add(o.key, len(o.key), spare); got != o.ok {
						t.Fatalf("Add(%q) = %v, want %v", o.key, got, o.ok)
					}
				case "get", "peek":
					get := m.Get
					if o.do == "peek" {
						get = m.Peek
					}
					if v, ok := get(o.key); !ok || v != len(o.key) {
						t.Fatalf("%s(%q) = %d, %v; want %d, true", o.do, o.key, v, ok, len(o.key))
					}
				case "remove":
					m.Remove(o.key)
				}
			}
			var keys []string
			for k := range m.All() {
				keys = append(keys, k)
			}
			if !slices.Equal(keys, tt.keys) {
				t.Errorf("keys = %q, want %q", keys, tt.keys)
			}
			if m.Len() != len(tt.keys) {
				t.Errorf("Len = %d, want %d", m.Len(), len(tt.keys))
			}
			if !slices.Equal(evicted, tt.evicted) {
				t.Errorf("evicted %q, want %q", evicted, tt.evicted)
			}
		})
	}
}

// However many keys come, a map holds at most its size, and spares what
// it is told to: the first keys here stand for connected peers.
func TestMapStaysBounded(t *testing.T) {
	const size, kept = 100, 10
	m := New[string, int](size, nil)
	spare := func(k string) bool {
		var i int
		_, _ = fmt.Sscanf(k, "k%d", &i)
		return i < kept
	}
	for i := range 10 * size {
		m.Add(fmt.Sprintf("k%d", i), i, spare)
		if m.Len() > size {
			t.Fatalf("%d entries after %d keys, want at most %d", m.Len(), i+1, size)
		}
	}
	for i := range kept {
		if _, ok := m.Peek(fmt.Sprintf("k%d", i)); !ok {
			t.Errorf("spared key k%d was evicted", i)
		}
	}
}

// The loop over All may remove what it is shown.
func TestAllAllowsRemove(t *testing.T) {
	m := New[string, int](4, nil)
	for _, k := range []string{"a", "b", "c", "d"} {
		m.Add(k, len(k), nil)
	}
	var seen []string
	for k := range m.All() {
		seen = append(seen, k)
		m.Remove(k)
	}
	if !slices.Equal(seen, []string{"a", "b", "c", "d"}) || m.Len() != 0 {
		t.Errorf("saw %q and left %d, want all four seen and none left", seen, m.Len())
	}
}
