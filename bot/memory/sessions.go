// Package memory keeps conversations in memory: a bot.SessionStore
// bounded in sessions and in turns per session, whose sessions expire
// after a time without use. It is the embedded default; sessions end with
// the process.
package memory

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"

	"govreply/bot"
)

// Options configure NewSessions.
type Options struct {
	// MaxSessions caps how many sessions are kept; the least recently
	// used one is dropped to make room. 0 means 10,000.
	MaxSessions int
	// MaxTurns is how many turns of a session are kept (the oldest are
	// dropped). 0 means 10.
	MaxTurns int
	// TTL is how long a session lives after its last use. 0 means 2 hours.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sessions is a bot.SessionStore in memory, bounded in sessions and in
// turns per session, whose sessions expire TTL after their last use.
type Sessions struct {
	maxSessions, maxTurns int
	ttl                   time.Duration
	now                   func() time.Time

	mu    sync.Mutex
	byID  map[string]*list.Element // of *memSession
	order *list.List               // most recently used first
}

type memSession struct {
	id    string
	turns []bot.Turn
	used  time.Time
}

var _ bot.SessionStore = (*Sessions)(nil)

// NewSessions returns an empty Sessions.
func NewSessions(o Options) *Sessions {
	m := &Sessions{maxSessions: o.MaxSessions, maxTurns: o.MaxTurns, ttl: o.TTL, now: o.Now,
		byID: map[string]*list.Element{}, order: list.New()}
	if m.maxSessions <= 0 {
		m.maxSessions = 10000
	}
	if m.maxTurns <= 0 {
		m.maxTurns = 10
	}
	if m.ttl <= 0 {
		m.ttl = 2 * time.Hour
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m
}

// Get implements bot.SessionStore; a session found counts as used.
func (m *Sessions) Get(_ context.Context, id string) ([]bot.Turn, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	e, ok := m.byID[id]
	if !ok {
		return nil, false, nil
	}
	s := e.Value.(*memSession)
	s.used = now
	m.order.MoveToFront(e)
	return slices.Clone(s.turns), true, nil
}

// Append implements bot.SessionStore.
func (m *Sessions) Append(_ context.Context, id string, t bot.Turn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if t.At.IsZero() {
		t.At = now
	}
	e, ok := m.byID[id]
	if !ok {
		for m.order.Len() >= m.maxSessions {
			m.remove(m.order.Back())
		}
		e = m.order.PushFront(&memSession{id: id})
		m.byID[id] = e
	}
	s := e.Value.(*memSession)
	s.used = now
	s.turns = append(s.turns, t)
	if len(s.turns) > m.maxTurns {
		s.turns = slices.Clone(s.turns[len(s.turns)-m.maxTurns:])
	}
	m.order.MoveToFront(e)
	return nil
}

// Len returns how many sessions are live.
func (m *Sessions) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return m.order.Len()
}

// expire drops the sessions unused for TTL; the list is ordered by last
// use, so it stops at the first live one.
func (m *Sessions) expire(now time.Time) {
	for e := m.order.Back(); e != nil; e = m.order.Back() {
		if now.Sub(e.Value.(*memSession).used) < m.ttl {
			return
		}
		m.remove(e)
	}
}

func (m *Sessions) remove(e *list.Element) {
	delete(m.byID, e.Value.(*memSession).id)
	m.order.Remove(e)
}
