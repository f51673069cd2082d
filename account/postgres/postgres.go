// Package postgres keeps accounts in PostgreSQL: an account.Store for a
// server on DATABASE_URL, sharing the database's one pool and migration
// history (internal/pgdb) with the knowledge store. Component's migration
// creates its tables; the audit trail's table refuses UPDATE, DELETE and
// TRUNCATE. It passes account/storetest.
package postgres

import (
	"context"
	"embed"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Component describes the account tables for pgdb.Open.
func Component() pgdb.Component { return pgdb.MigrationsIn("accounts", migrationFiles) }

// Store is an account.Store on PostgreSQL. It is safe for concurrent use,
// also by several processes on one database.
type Store struct {
	pool *pgxpool.Pool
}

var _ account.Store = (*Store)(nil)

// New returns the Store on db, which pgdb.Open has migrated with
// Component.
func New(db *pgdb.DB) *Store { return &Store{pool: db.Pool} }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return pgdb.Wrap("postgres.accounts.Ping", s.pool.Ping(ctx))
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Error classes the store tells apart.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// utc returns t in UTC (the database hands times back in local time).
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime is t for a nullable column: NULL when zero.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromNull is a nullable column's time: zero for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func rolesText(rs []account.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func rolesOf(ss []string) []account.Role {
	out := make([]account.Role, len(ss))
	for i, s := range ss {
		out[i] = account.Role(s)
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// ---------------------------------------------------------------- users

const userColumns = `username, roles, disabled, created_at, updated_at`

func scanUser(row pgx.Row, extra ...any) (account.User, error) {
	var u account.User
	var roles []string
	err := row.Scan(append([]any{&u.Username, &roles, &u.Disabled, &u.CreatedAt, &u.UpdatedAt}, extra...)...)
	u.Roles, u.CreatedAt, u.UpdatedAt = rolesOf(roles), utc(u.CreatedAt), utc(u.UpdatedAt)
	return u, err
}

// CreateUser implements account.Store.
func (s *Store) CreateUser(ctx context.Context, u account.User, passwordHash string) error {
	const op = "postgres.CreateUser"
	if err := u.Validate(); err != nil {
		return err
	}
	if passwordHash == "" {
		return errs.E(op, errs.Invalid, "密码哈希不能为空")
	}
	rs, _ := account.NormalizeRoles(u.Roles)
	_, err := s.pool.Exec(ctx, `INSERT INTO account_users (username, roles, password_hash, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, u.Username, rolesText(rs), passwordHash, u.Disabled, u.CreatedAt, u.UpdatedAt)
	if sqlState(err) == uniqueViolation {
		return account.ErrUserExists(op, u.Username)
	}
	return pgdb.Wrap(op, err)
}

// User implements account.Store.
func (s *Store) User(ctx context.Context, username string) (account.User, error) {
	const op = "postgres.User"
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM account_users WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.User{}, account.ErrUserNotFound(op, username)
	}
	if err != nil {
		return account.User{}, pgdb.Wrap(op, err)
	}
	return u, nil
}

// Credentials implements account.Store.
func (s *Store) Credentials(ctx context.Context, username string) (account.User, string, error) {
	const op = "postgres.Credentials"
	var hash string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM account_users WHERE username = $1`, username), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return account.User{}, "", account.ErrUserNotFound(op, username)
	}
	if err != nil {
		return account.User{}, "", pgdb.Wrap(op, err)
	}
	return u, hash, nil
}

// Users implements account.Store.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userColumns+` FROM account_users ORDER BY username COLLATE "C"`)
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.User, error) { return scanUser(r) })
	if err != nil {
		return nil, pgdb.Wrap("postgres.Users", err)
	}
	if us == nil {
		us = []account.User{}
	}
	return us, nil
}

// UpdateUser implements account.Store.
func (s *Store) UpdateUser(ctx context.Context, username string, up account.UserUpdate) (account.User, error) {
	const op = "postgres.UpdateUser"
	if err := up.Validate(); err != nil {
		return account.User{}, err
	}
	var roles []string
	if up.Roles != nil {
		rs, _ := account.NormalizeRoles(*up.Roles)
		roles = rolesText(rs)
	}
	when := up.UpdatedAt
	if when.IsZero() {
		when = time.Now()
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `UPDATE account_users SET
			roles         = coalesce($2, roles),
			disabled      = coalesce($3, disabled),
			password_hash = coalesce($4, password_hash),
			updated_at    = $5
		WHERE username = $1 RETURNING `+userColumns,
		username, roles, up.Disabled, up.PasswordHash, when))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.User{}, account.ErrUserNotFound(op, username)
	}
	if err != nil {
		return account.User{}, pgdb.Wrap(op, err)
	}
	return u, nil
}

// CountUsers implements account.Store.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM account_users`).Scan(&n); err != nil {
		return 0, pgdb.Wrap("postgres.CountUsers", err)
	}
	return n, nil
}

// ---------------------------------------------------------------- tokens

const tokenColumns = `id, username, name, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (account.Token, error) {
	var t account.Token
	var used, revoked *time.Time
	err := row.Scan(&t.ID, &t.Username, &t.Name, &t.CreatedAt, &t.ExpiresAt, &used, &revoked)
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = utc(t.CreatedAt), utc(t.ExpiresAt), fromNull(used), fromNull(revoked)
	return t, err
}

// AddToken implements account.Store.
func (s *Store) AddToken(ctx context.Context, t account.Token, hash account.Hash) error {
	const op = "postgres.AddToken"
	_, err := s.pool.Exec(ctx, `INSERT INTO account_tokens (id, hash, username, name, created_at, expires_at, last_used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, hash[:], t.Username, t.Name, t.CreatedAt, t.ExpiresAt, nullTime(t.LastUsedAt), nullTime(t.RevokedAt))
	switch sqlState(err) {
	case foreignKeyViolation:
		return account.ErrUserNotFound(op, t.Username)
	case uniqueViolation:
		return errs.E(op, errs.Conflict, "标识重复，请重试", err)
	}
	return pgdb.Wrap(op, err)
}

// TokenByHash implements account.Store.
func (s *Store) TokenByHash(ctx context.Context, hash account.Hash) (account.Token, error) {
	const op = "postgres.TokenByHash"
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM account_tokens WHERE hash = $1`, hash[:]))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Token{}, account.ErrTokenNotFound(op)
	}
	return t, pgdb.Wrap(op, err)
}

// Tokens implements account.Store.
func (s *Store) Tokens(ctx context.Context, username string) ([]account.Token, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM account_tokens WHERE username = $1
		ORDER BY created_at DESC, id COLLATE "C" DESC`, username)
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Token, error) { return scanToken(r) })
	if err != nil {
		return nil, pgdb.Wrap("postgres.Tokens", err)
	}
	if ts == nil {
		ts = []account.Token{}
	}
	return ts, nil
}

// RevokeToken implements account.Store.
func (s *Store) RevokeToken(ctx context.Context, username, id string, at time.Time) (account.Token, error) {
	const op = "postgres.RevokeToken"
	t, err := scanToken(s.pool.QueryRow(ctx, `UPDATE account_tokens SET revoked_at = coalesce(revoked_at, $3)
		WHERE id = $1 AND username = $2 RETURNING `+tokenColumns, id, username, at))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Token{}, account.ErrTokenNotFound(op)
	}
	return t, pgdb.Wrap(op, err)
}

// TouchToken implements account.Store.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	const op = "postgres.TouchToken"
	tag, err := s.pool.Exec(ctx, `UPDATE account_tokens SET last_used_at = $2 WHERE id = $1`, id, at)
	if err != nil {
		return pgdb.Wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrTokenNotFound(op)
	}
	return nil
}

// ---------------------------------------------------------------- sessions

const sessionColumns = `id, username, csrf, client, created_at, expires_at`

func scanSession(row pgx.Row) (account.Session, error) {
	var s account.Session
	err := row.Scan(&s.ID, &s.Username, &s.CSRF, &s.Client, &s.CreatedAt, &s.ExpiresAt)
	s.CreatedAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.ExpiresAt)
	return s, err
}

// AddSession implements account.Store.
func (s *Store) AddSession(ctx context.Context, sess account.Session, hash account.Hash) error {
	const op = "postgres.AddSession"
	_, err := s.pool.Exec(ctx, `INSERT INTO account_sessions (id, hash, username, csrf, client, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		sess.ID, hash[:], sess.Username, sess.CSRF, sess.Client, sess.CreatedAt, sess.ExpiresAt)
	switch sqlState(err) {
	case foreignKeyViolation:
		return account.ErrUserNotFound(op, sess.Username)
	case uniqueViolation:
		return errs.E(op, errs.Conflict, "标识重复，请重试", err)
	}
	return pgdb.Wrap(op, err)
}

// SessionByHash implements account.Store.
func (s *Store) SessionByHash(ctx context.Context, hash account.Hash) (account.Session, error) {
	const op = "postgres.SessionByHash"
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM account_sessions WHERE hash = $1`, hash[:]))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Session{}, account.ErrSessionNotFound(op)
	}
	return sess, pgdb.Wrap(op, err)
}

// Sessions implements account.Store.
func (s *Store) Sessions(ctx context.Context, username string) ([]account.Session, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+sessionColumns+` FROM account_sessions WHERE username = $1
		ORDER BY created_at DESC, id COLLATE "C" DESC`, username)
	ss, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Session, error) { return scanSession(r) })
	if err != nil {
		return nil, pgdb.Wrap("postgres.Sessions", err)
	}
	if ss == nil {
		ss = []account.Session{}
	}
	return ss, nil
}

// DeleteSession implements account.Store.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	const op = "postgres.DeleteSession"
	tag, err := s.pool.Exec(ctx, `DELETE FROM account_sessions WHERE id = $1`, id)
	if err != nil {
		return pgdb.Wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrSessionNotFound(op)
	}
	return nil
}

// DeleteUserSessions implements account.Store.
func (s *Store) DeleteUserSessions(ctx context.Context, username string) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM account_sessions WHERE username = $1`, username)
	if err != nil {
		return 0, pgdb.Wrap("postgres.DeleteUserSessions", err)
	}
	return int(tag.RowsAffected()), nil
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
func (s *Store) AddAccess(ctx context.Context, collection string, a account.Access) error {
	const op = "postgres.AddAccess"
	a, err := checkAccess(collection, a)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO collection_access (collection, reader_roles, reader_users, writer_roles, writer_users)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (collection) DO NOTHING`,
		collection, rolesText(a.Readers.Roles), a.Readers.Users, rolesText(a.Writers.Roles), a.Writers.Users)
	if err != nil {
		return pgdb.Wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrAccessExists(op, collection)
	}
	return nil
}

// SetAccess implements account.Store.
func (s *Store) SetAccess(ctx context.Context, collection string, a account.Access) error {
	a, err := checkAccess(collection, a)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO collection_access (collection, reader_roles, reader_users, writer_roles, writer_users)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (collection) DO UPDATE SET
			reader_roles = excluded.reader_roles, reader_users = excluded.reader_users,
			writer_roles = excluded.writer_roles, writer_users = excluded.writer_users`,
		collection, rolesText(a.Readers.Roles), a.Readers.Users, rolesText(a.Writers.Roles), a.Writers.Users)
	return pgdb.Wrap("postgres.SetAccess", err)
}

func scanAccess(row pgx.Row) (account.CollectionAccess, error) {
	var ca account.CollectionAccess
	var rr, ru, wr, wu []string
	err := row.Scan(&ca.Collection, &rr, &ru, &wr, &wu)
	ca.Readers = account.Grant{Roles: rolesOf(rr), Users: nonNil(ru)}
	ca.Writers = account.Grant{Roles: rolesOf(wr), Users: nonNil(wu)}
	return ca, err
}

const accessColumns = `collection, reader_roles, reader_users, writer_roles, writer_users`

// Access implements account.Store.
func (s *Store) Access(ctx context.Context, collection string) (account.Access, error) {
	const op = "postgres.Access"
	ca, err := scanAccess(s.pool.QueryRow(ctx, `SELECT `+accessColumns+` FROM collection_access WHERE collection = $1`, collection))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Access{}, account.ErrNoAccessRecord(op, collection)
	}
	if err != nil {
		return account.Access{}, pgdb.Wrap(op, err)
	}
	return ca.Access, nil
}

// Accesses implements account.Store.
func (s *Store) Accesses(ctx context.Context) ([]account.CollectionAccess, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accessColumns+` FROM collection_access ORDER BY collection COLLATE "C"`)
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.CollectionAccess, error) { return scanAccess(r) })
	if err != nil {
		return nil, pgdb.Wrap("postgres.Accesses", err)
	}
	if all == nil {
		all = []account.CollectionAccess{}
	}
	return all, nil
}

// ---------------------------------------------------------------- audit

// Append implements account.Store.
func (s *Store) Append(ctx context.Context, e account.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (at, actor, client, action, object, outcome) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.Time, e.User, e.Client, string(e.Action), e.Object, string(e.Outcome))
	return pgdb.Wrap("postgres.Append", err)
}

// Entries implements account.Store.
func (s *Store) Entries(ctx context.Context, f account.AuditFilter) ([]account.Entry, error) {
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	rows, _ := s.pool.Query(ctx, `SELECT at, actor, client, action, object, outcome FROM audit_log
		WHERE ($1::timestamptz IS NULL OR at >= $1)
		  AND ($2::timestamptz IS NULL OR at < $2)
		  AND ($3 = '' OR actor = $3)
		  AND ($4 = '' OR action = $4)
		ORDER BY at DESC, id DESC
		LIMIT $5`, nullTime(f.Since), nullTime(f.Until), f.User, string(f.Action), limit)
	es, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Entry, error) {
		var e account.Entry
		var action, outcome string
		err := r.Scan(&e.Time, &e.User, &e.Client, &action, &e.Object, &outcome)
		e.Time, e.Action, e.Outcome = utc(e.Time), account.Action(action), account.Outcome(outcome)
		return e, err
	})
	if err != nil {
		return nil, pgdb.Wrap("postgres.Entries", err)
	}
	if es == nil {
		es = []account.Entry{}
	}
	return es, nil
}

// Sweep implements account.Store, in one transaction.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		a, err := tx.Exec(ctx, `DELETE FROM account_sessions WHERE expires_at <= $1`, now)
		if err != nil {
			return err
		}
		b, err := tx.Exec(ctx, `DELETE FROM account_tokens WHERE expires_at <= $1`, now)
		if err != nil {
			return err
		}
		n = a.RowsAffected() + b.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, pgdb.Wrap("postgres.Sweep", err)
	}
	return int(n), nil
}
