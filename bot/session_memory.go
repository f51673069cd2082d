package bot

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Turn is one question and its answer in a conversation.
type Turn struct {
	Question string    `json:"question"`
	Query    string    `json:"query"` // what was searched for (the question, or it with the previous turn's query)
	Answer   string    `json:"answer"`
	At       time.Time `json:"at"` // set by the store when zero
}

// SessionStore keeps conversations. Get returns a session's turns, oldest
// first (ok false when the id is unknown or expired); Append adds a turn,
// creating the session when it does not exist, and keeps only the most
// recent turns (the store's bound). Implementations are safe for
// concurrent use.
//
// MemorySessions is the embedded default (sessions end with the
// process); package bot/pgsessions keeps them in PostgreSQL, for a server
// running on DATABASE_URL.
type SessionStore interface {
	Get(ctx context.Context, id string) (turns []Turn, ok bool, err error)
	Append(ctx context.Context, id string, t Turn) error
}

// NewSessionID returns a random session id: 128 bits, 32 hex digits.
func NewSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("生成会话 ID 失败：%w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// MemorySessionsOptions configure NewMemorySessions.
type MemorySessionsOptions struct {
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

// MemorySessions is a SessionStore in memory, bounded in sessions and in
// turns per session, whose sessions expire TTL after their last use.
type MemorySessions struct {
	maxSessions, maxTurns int
	ttl                   time.Duration
	now                   func() time.Time

	mu    sync.Mutex
	byID  map[string]*list.Element // of *memSession
	order *list.List               // most recently used first
}

type memSession struct {
	id    string
	turns []Turn
	used  time.Time
}

var _ SessionStore = (*MemorySessions)(nil)

// NewMemorySessions returns an empty MemorySessions.
func NewMemorySessions(o MemorySessionsOptions) *MemorySessions {
	m := &MemorySessions{maxSessions: o.MaxSessions, maxTurns: o.MaxTurns, ttl: o.TTL, now: o.Now,
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

// Get implements SessionStore; a session found counts as used.
func (m *MemorySessions) Get(_ context.Context, id string) ([]Turn, bool, error) {
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

// Append implements SessionStore.
func (m *MemorySessions) Append(_ context.Context, id string, t Turn) error {
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
func (m *MemorySessions) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return m.order.Len()
}

// expire drops the sessions unused for TTL; the list is ordered by last
// use, so it stops at the first live one.
func (m *MemorySessions) expire(now time.Time) {
	for e := m.order.Back(); e != nil; e = m.order.Back() {
		if now.Sub(e.Value.(*memSession).used) < m.ttl {
			return
		}
		m.remove(e)
	}
}

func (m *MemorySessions) remove(e *list.Element) {
	delete(m.byID, e.Value.(*memSession).id)
	m.order.Remove(e)
}
