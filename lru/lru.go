// Package lru is a map of bounded size that evicts what was least recently
// used, for the tables a node keeps per peer, which a flood of new peer IDs
// must not grow.
package lru

import (
	"iter"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Map holds at most a fixed number of entries. A new key in a full map
// evicts the least recently used entry, unless the caller spares it (a
// connected peer, say). Like the simplelru.LRU it wraps, it is not safe for
// concurrent use: the lock that guards the rest of its owner's state
// guards it too.
type Map[K comparable, V any] struct {
	lru     *simplelru.LRU[K, V]
	size    int
	onEvict func(K, V)
}

// New returns an empty map that holds at most size entries (at least one).
// onEvict, if not nil, is called with each entry Add evicts to make room,
// never with those taken out by Remove.
func New[K comparable, V any](size int, onEvict func(K, V)) *Map[K, V] {
	size = max(size, 1)
	l, _ := simplelru.NewLRU[K, V](size, nil) // fails only for a size below 1
	return &Map[K, V]{lru: l, size: size, onEvict: onEvict}
}

// Add stores v under k and marks k the most recently used. A new key in a
// full map evicts the least recently used entry that spare does not claim;
// each entry spare claims on the way is marked used. If spare claims every
// entry, nothing is evicted and k is not stored: Add reports false. A nil
// spare claims none.
func (m *Map[K, V]) Add(k K, v V, spare func(K) bool) bool {
	if m.lru.Len() < m.size || m.lru.Contains(k) {
		m.lru.Add(k, v)
		return true
	}
	for range m.lru.Len() {
		old, _, _ := m.lru.GetOldest()
		if spare != nil && spare(old) {
			m.lru.Get(old) // now the most recently used: the next is asked
			continue
		}
		old, gone, _ := m.lru.RemoveOldest()
		if m.onEvict != nil {
			m.onEvict(old, gone)
		}
		m.lru.Add(k, v)
		return true
	}
	return false
}

// Get returns the value stored under k and marks k the most recently used.
func (m *Map[K, V]) Get(k K) (V, bool) { return m.lru.Get(k) }

// Peek returns the value stored under k, leaving the order as it is.
func (m *Map[K, V]) Peek(k K) (V, bool) { return m.lru.Peek(k) }

// Remove forgets k.
func (m *Map[K, V]) Remove(k K) { m.lru.Remove(k) }

// Len counts the entries.
func (m *Map[K, V]) Len() int { return m.lru.Len() }

// All yields the entries, the least recently used first, leaving the order
// as it is. The loop may Add and Remove: All yields the entries there were
// when it began that are still there.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, k := range m.lru.Keys() {
			if v, ok := m.lru.Peek(k); ok && !yield(k, v) {
				return
			}
		}
	}
}
