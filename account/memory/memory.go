// Package memory keeps accounts in memory: an account.Store for a server
// without a database, whose users, tokens, sessions, permissions and
// audit trail end with the process. It passes account/storetest.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"govreply/account"
	"govreply/internal/errs"
)

// Store is an account.Store in memory, safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	users    map[string]*user
	tokens   map[string]*token // by id
	tokenIDs map[account.Hash]string
	sessions map[string]*session // by id
	sessIDs  map[account.Hash]string
	access   map[string]account.Access
	audit    []account.Entry // in the order appended
}

type user struct {
	account.User
	hash string
}

type token struct {
	account.Token
	hash account.Hash
}

type session struct {
	account.Session
	hash account.Hash
}

var _ account.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		users:    map[string]*user{},
		tokens:   map[string]*token{},
		tokenIDs: map[account.Hash]string{},
		sessions: map[string]*session{},
		sessIDs:  map[account.Hash]string{},
		access:   map[string]account.Access{},
	}
}

// at is t as a store keeps it: UTC, to the microsecond.
func at(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// copyUser returns a copy of u that shares nothing with it.
func copyUser(u account.User) account.User {
	u.Roles = slices.Clone(u.Roles)
	if u.Roles == nil {
		u.Roles = []account.Role{}
	}
	return u
}

func copyAccess(a account.Access) account.Access {
	c := func(g account.Grant) account.Grant {
		return account.Grant{Roles: append([]account.Role{}, g.Roles...), Users: append([]string{}, g.Users...)}
	}
	return account.Access{Readers: c(a.Readers), Writers: c(a.Writers)}
}

// conflict is the error of an id or a hash already used.
func conflict(op string) error { return errs.E(op, errs.Conflict, "标识重复，请重试") }

// ---------------------------------------------------------------- users

// CreateUser implements account.Store.
func (s *Store) CreateUser(_ context.Context, u account.User, passwordHash string) error {
	const op = "memory.CreateUser"
	if err := u.Validate(); err != nil {
		return err
	}
	if passwordHash == "" {
		return errs.E(op, errs.Invalid, "密码哈希不能为空")
	}
	u.Roles, _ = account.NormalizeRoles(u.Roles)
	u.CreatedAt, u.UpdatedAt = at(u.CreatedAt), at(u.UpdatedAt)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Username]; ok {
		return account.ErrUserExists(op, u.Username)
	}
	s.users[u.Username] = &user{User: copyUser(u), hash: passwordHash}
	return nil
}

// User implements account.Store.
func (s *Store) User(ctx context.Context, username string) (account.User, error) {
	u, _, err := s.credentials("memory.User", username)
	return u, err
}

// Credentials implements account.Store.
func (s *Store) Credentials(_ context.Context, username string) (account.User, string, error) {
	return s.credentials("memory.Credentials", username)
}

func (s *Store) credentials(op, username string) (account.User, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[username]
	if !ok {
		return account.User{}, "", account.ErrUserNotFound(op, username)
	}
	return copyUser(u.User), u.hash, nil
}

// Users implements account.Store.
func (s *Store) Users(context.Context) ([]account.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]account.User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, copyUser(u.User))
	}
	slices.SortFunc(out, func(a, b account.User) int { return cmp.Compare(a.Username, b.Username) })
	return out, nil
}

// UpdateUser implements account.Store.
func (s *Store) UpdateUser(_ context.Context, username string, up account.UserUpdate) (account.User, error) {
	const op = "memory.UpdateUser"
	if err := up.Validate(); err != nil {
		return account.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return account.User{}, account.ErrUserNotFound(op, username)
	}
	if up.Roles != nil {
		u.Roles, _ = account.NormalizeRoles(*up.Roles)
	}
	if up.Disabled != nil {
		u.Disabled = *up.Disabled
	}
	if up.PasswordHash != nil {
		u.hash = *up.PasswordHash
	}
	u.UpdatedAt = at(cmp.Or(up.UpdatedAt, time.Now()))
	return copyUser(u.User), nil
}

// CountUsers implements account.Store.
func (s *Store) CountUsers(context.Context) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.users), nil
}

// ---------------------------------------------------------------- tokens

// AddToken implements account.Store.
func (s *Store) AddToken(_ context.Context, t account.Token, hash account.Hash) error {
	const op = "memory.AddToken"
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[t.Username]; !ok {
		return account.ErrUserNotFound(op, t.Username)
	}
	if _, ok := s.tokens[t.ID]; ok {
		return conflict(op)
	}
	if _, ok := s.tokenIDs[hash]; ok {
		return conflict(op)
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = at(t.CreatedAt), at(t.ExpiresAt), at(t.LastUsedAt), at(t.RevokedAt)
	s.tokens[t.ID] = &token{Token: t, hash: hash}
	s.tokenIDs[hash] = t.ID
	return nil
}

// TokenByHash implements account.Store.
func (s *Store) TokenByHash(_ context.Context, hash account.Hash) (account.Token, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.tokenIDs[hash]
	if !ok {
		return account.Token{}, account.ErrTokenNotFound("memory.TokenByHash")
	}
	return s.tokens[id].Token, nil
}

// Tokens implements account.Store.
func (s *Store) Tokens(_ context.Context, username string) ([]account.Token, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []account.Token{}
	for _, t := range s.tokens {
		if t.Username == username {
			out = append(out, t.Token)
		}
	}
	slices.SortFunc(out, func(a, b account.Token) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// RevokeToken implements account.Store.
func (s *Store) RevokeToken(_ context.Context, username, id string, when time.Time) (account.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || t.Username != username {
		return account.Token{}, account.ErrTokenNotFound("memory.RevokeToken")
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = at(when)
	}
	return t.Token, nil
}

// TouchToken implements account.Store.
func (s *Store) TouchToken(_ context.Context, id string, when time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return account.ErrTokenNotFound("memory.TouchToken")
	}
	t.LastUsedAt = at(when)
	return nil
}

// ---------------------------------------------------------------- sessions

// AddSession implements account.Store.
func (s *Store) AddSession(_ context.Context, sess account.Session, hash account.Hash) error {
	const op = "memory.AddSession"
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[sess.Username]; !ok {
		return account.ErrUserNotFound(op, sess.Username)
	}
	if _, ok := s.sessions[sess.ID]; ok {
		return conflict(op)
	}
	if _, ok := s.sessIDs[hash]; ok {
		return conflict(op)
	}
	sess.CreatedAt, sess.ExpiresAt = at(sess.CreatedAt), at(sess.ExpiresAt)
	s.sessions[sess.ID] = &session{Session: sess, hash: hash}
	s.sessIDs[hash] = sess.ID
	return nil
}

// SessionByHash implements account.Store.
func (s *Store) SessionByHash(_ context.Context, hash account.Hash) (account.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.sessIDs[hash]
	if !ok {
		return account.Session{}, account.ErrSessionNotFound("memory.SessionByHash")
	}
	return s.sessions[id].Session, nil
}

// Sessions implements account.Store.
func (s *Store) Sessions(_ context.Context, username string) ([]account.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []account.Session{}
	for _, sess := range s.sessions {
		if sess.Username == username {
			out = append(out, sess.Session)
		}
	}
	slices.SortFunc(out, func(a, b account.Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// DeleteSession implements account.Store.
func (s *Store) DeleteSession(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return account.ErrSessionNotFound("memory.DeleteSession")
	}
	s.deleteSession(sess)
	return nil
}

// deleteSession removes sess; the caller holds the lock.
func (s *Store) deleteSession(sess *session) {
	delete(s.sessions, sess.ID)
	delete(s.sessIDs, sess.hash)
}

// DeleteUserSessions implements account.Store.
func (s *Store) DeleteUserSessions(_ context.Context, username string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sess := range s.sessions {
		if sess.Username == username {
			s.deleteSession(sess)
			n++
		}
	}
	return n, nil
}

// ---------------------------------------------------------------- access

// checkAccess validates a collection's access record and returns it
// canonical.
func checkAccess(collection string, a account.Access) (account.Access, error) {
	if err := account.CheckCollection(collection); err != nil {
		return account.Access{}, err
	}
	return a.Normalize()
}

// AddAccess implements account.Store.
func (s *Store) AddAccess(_ context.Context, collection string, a account.Access) error {
	a, err := checkAccess(collection, a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.access[collection]; ok {
		return account.ErrAccessExists("memory.AddAccess", collection)
	}
	s.access[collection] = a
	return nil
}

// SetAccess implements account.Store.
func (s *Store) SetAccess(_ context.Context, collection string, a account.Access) error {
	a, err := checkAccess(collection, a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[collection] = a
	return nil
}

// Access implements account.Store.
func (s *Store) Access(_ context.Context, collection string) (account.Access, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.access[collection]
	if !ok {
		return account.Access{}, account.ErrNoAccessRecord("memory.Access", collection)
	}
	return copyAccess(a), nil
}

// Accesses implements account.Store.
func (s *Store) Accesses(context.Context) ([]account.CollectionAccess, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]account.CollectionAccess, 0, len(s.access))
	for c, a := range s.access {
		out = append(out, account.CollectionAccess{Collection: c, Access: copyAccess(a)})
	}
	slices.SortFunc(out, func(a, b account.CollectionAccess) int { return cmp.Compare(a.Collection, b.Collection) })
	return out, nil
}

// ---------------------------------------------------------------- audit

// Append implements account.Store.
func (s *Store) Append(_ context.Context, e account.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Time = at(e.Time)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audit = append(s.audit, e)
	return nil
}

// Entries implements account.Store.
func (s *Store) Entries(_ context.Context, f account.AuditFilter) ([]account.Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []account.Entry{}
	for _, e := range s.audit {
		if f.Matches(e) {
			out = append(out, e)
		}
	}
	// Appended order reversed, then stably by time: the later appended
	// first among equal times.
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b account.Entry) int { return b.Time.Compare(a.Time) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Sweep implements account.Store.
func (s *Store) Sweep(_ context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sess := range s.sessions {
		if sess.Expired(now) {
			s.deleteSession(sess)
			n++
		}
	}
	for id, t := range s.tokens {
		if t.Expired(now) {
			delete(s.tokens, id)
			delete(s.tokenIDs, t.hash)
			n++
		}
	}
	return n, nil
}
