package chat

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"parley/search"
	"parley/store"
	"parley/wire"
)

// Bounds on a search.
const (
	MaxSearchResults = 200
	// searchPostings caps the index entries one search reads: a word in
	// every message of a 100,000-message room still answers quickly.
	searchPostings = 20000
)

// Search finds messages whose text (as edited) matches query, in one
// joined room or, with roomID empty, in all of them, newest first. Each
// result carries a highlight of what matched.
func (s *Service) Search(query, roomID string, limit int) ([]Message, error) {
	q, err := search.Parse(query)
	if errors.Is(err, search.ErrEmptyQuery) {
		return nil, ErrBadQuery
	}
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), MaxSearchResults)
	req := store.Searching{Max: searchPostings}
	if req.Term, req.Prefix, err = s.rarest(q); err != nil {
		return nil, err
	}
	if roomID != "" {
		room, err := s.joinedRoom(roomID)
		if err != nil {
			return nil, err
		}
		req.Room = &room
	}
	hits, err := s.store.Search(req)
	if err != nil {
		return nil, err
	}
	// Postings come term by term: order them newest first, once per message.
	slices.SortFunc(hits, func(a, b store.Hit) int { return cmp.Compare(b.Time, a.Time) })
	seen := map[wire.MessageID]bool{}
	out := []Message{}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		if seen[h.Target] || !s.isJoined(h.Room) {
			continue
		}
		seen[h.Target] = true
		msg, ok, err := s.message(h.Room, h.Target)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if !ok || msg.Deleted || (msg.Kind != KindText && msg.Kind != KindFile) {
			continue
		}
		ranges, match := q.Match(msg.Text)
		if !match {
			continue // the term was in an older version of the text
		}
		msg.Highlight = search.Highlight(msg.Text, ranges)
		out = append(out, msg)
	}
	// Sorted by the time of the matching text; show by the message's own.
	slices.SortStableFunc(out, func(a, b Message) int { return cmp.Compare(b.Time, a.Time) })
	return out, nil
}

func (s *Service) isJoined(room wire.RoomID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.joined[room]
	return ok
}

// rarest picks the query's term with the fewest postings: every match
// holds all of them, and the fewer read, the fewer checked (and the less
// the cap on postings read can hide).
func (s *Service) rarest(q search.Query) (string, bool, error) {
	best, fewest := search.Lookup{}, -1
	for _, l := range q.Lookups() {
		n, err := s.store.CountTerm(l.Term, l.Prefix, searchPostings)
		if err != nil {
			return "", false, err
		}
		if fewest < 0 || n < fewest {
			best, fewest = l, n
		}
		if n == 0 {
			break // nothing can match
		}
	}
	return best.Term, best.Prefix, nil
}
