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
	// MaxPerOwner caps the sessions kept for one owner; the owner's least
	// recently used one is dropped to make room. 0 means
	// DefaultMaxPerOwner.
	MaxPerOwner int
	// MaxSessions caps the sessions kept in all, a bound on memory; the
	// least recently used one is dropped to make room. 0 means
	// DefaultMaxSessions.
	MaxSessions int
	// MaxTurns is how many turns of a session are kept (the oldest are
	// dropped). 0 means 10.
	MaxTurns int
	// TTL is how long a session lives after its last use. 0 means 2 hours.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// The bounds NewSessions applies when Options leaves them 0.
const (
	DefaultMaxPerOwner = 200
	DefaultMaxSessions = 100_000
)

// Sessions is a bot.SessionStore in memory, bounded in sessions per owner,
// in sessions in all and in turns per session, whose sessions expire TTL
// after their last use.
type Sessions struct {
	maxPerOwner, maxSessions, maxTurns int
	ttl                                time.Duration
	now                                func() time.Time

	mu      sync.Mutex
	byID    map[string]*list.Element // of *memSession, in order
	order   *list.List               // most recently used first
	byOwner map[string]*list.List    // of *list.Element of order, most recently used first
}

type memSession struct {
	id, owner string
	turns     []bot.Turn
	used      time.Time
	mine      *list.Element // this session's element in byOwner[owner]
}

var _ bot.SessionStore = (*Sessions)(nil)

// NewSessions returns an empty Sessions.
func NewSessions(o Options) *Sessions {
	m := &Sessions{maxPerOwner: o.MaxPerOwner, maxSessions: o.MaxSessions, maxTurns: o.MaxTurns, ttl: o.TTL, now: o.Now,
		byID: map[string]*list.Element{}, order: list.New(), byOwner: map[string]*list.List{}}
	if m.maxPerOwner <= 0 {
		m.maxPerOwner = DefaultMaxPerOwner
	}
	if m.maxSessions <= 0 {
		m.maxSessions = DefaultMaxSessions
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
	m.touch(e, now)
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
		e = m.create(id, t.Owner)
	}
	s := e.Value.(*memSession)
	if s.owner != t.Owner {
		return bot.ErrNotOwner("memory.Sessions.Append")
	}
	s.turns = append(s.turns, t)
	if len(s.turns) > m.maxTurns {
		s.turns = slices.Clone(s.turns[len(s.turns)-m.maxTurns:])
	}
	m.touch(e, now)
	return nil
}

// create adds an empty session for owner, first dropping the owner's
// least recently used session when the owner is at the bound, then the
// least recently used of all when the store is.
func (m *Sessions) create(id, owner string) *list.Element {
	for mine := m.byOwner[owner]; mine != nil && mine.Len() >= m.maxPerOwner; mine = m.byOwner[owner] {
		m.remove(mine.Back().Value.(*list.Element))
	}
	for m.order.Len() >= m.maxSessions {
		m.remove(m.order.Back())
	}
	mine := m.byOwner[owner] // remove deletes an emptied list
	if mine == nil {
		mine = list.New()
		m.byOwner[owner] = mine
	}
	s := &memSession{id: id, owner: owner}
	e := m.order.PushFront(s)
	s.mine = mine.PushFront(e)
	m.byID[id] = e
	return e
}

// touch marks a session used now.
func (m *Sessions) touch(e *list.Element, now time.Time) {
	s := e.Value.(*memSession)
	s.used = now
	m.order.MoveToFront(e)
	m.byOwner[s.owner].MoveToFront(s.mine)
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
	s := e.Value.(*memSession)
	delete(m.byID, s.id)
	m.order.Remove(e)
	mine := m.byOwner[s.owner]
	mine.Remove(s.mine)
	if mine.Len() == 0 {
		delete(m.byOwner, s.owner)
	}
}
