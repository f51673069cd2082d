// Package postgres keeps the answerer's conversations in PostgreSQL, for
// a server running on DATABASE_URL: they survive restarts and are shared
// by every process on the database.
//
// A session is a row of chat_sessions (when it was last used, the number
// of its latest turn, and the first turn still live) and its turns are
// rows of chat_turns; Component's migration creates them. The sessions
// share the database's one pool and migration history (internal/pgdb)
// with the knowledge store.
package postgres

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/bot"
	"govreply/internal/pgdb"
)

// Defaults of Options, the same as bot/memory's.
const (
	DefaultMaxTurns = 10
	DefaultTTL      = 2 * time.Hour
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Component describes the session tables for pgdb.Open.
func Component() pgdb.Component {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return pgdb.Component{Name: "sessions", Migrations: sub}
}

// Options configure NewSessions.
type Options struct {
	// MaxTurns is how many turns of a session are kept (the oldest are
	// dropped). 0 means DefaultMaxTurns.
	MaxTurns int
	// TTL is how long a session lives after its last use. 0 means
	// DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sessions is a bot.SessionStore on PostgreSQL. It is safe for concurrent
// use, also by several processes on one database.
type Sessions struct {
	pool     *pgxpool.Pool
	maxTurns int
	ttl      time.Duration
	now      func() time.Time
}

var _ bot.SessionStore = (*Sessions)(nil)

// NewSessions returns the session store on db, which pgdb.Open has
// migrated with Component. Expired sessions are deleted by Sweep.
func NewSessions(db *pgdb.DB, o Options) *Sessions {
	s := &Sessions{pool: db.Pool, maxTurns: o.MaxTurns, ttl: o.TTL, now: o.Now}
	if s.maxTurns <= 0 {
		s.maxTurns = DefaultMaxTurns
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// deadline is the last-use time at or before which a session has expired.
func (s *Sessions) deadline(now time.Time) time.Time { return now.Add(-s.ttl) }

// Get implements bot.SessionStore; a session found counts as used.
func (s *Sessions) Get(ctx context.Context, id string) ([]bot.Turn, bool, error) {
	now := s.now()
	var turns []bot.Turn
	found := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var first, last int64
		err := tx.QueryRow(ctx, `UPDATE chat_sessions SET used = greatest(used, $2)
			WHERE id = $1 AND used > $3 RETURNING first_n, last_n`,
			id, now, s.deadline(now)).Scan(&first, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		rows, _ := tx.Query(ctx, `SELECT question, query, answer, at FROM chat_turns
			WHERE session = $1 AND n >= $2 ORDER BY n`, id, max(first, last-int64(s.maxTurns)+1))
		turns, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Turn, error) {
			var t bot.Turn
			err := r.Scan(&t.Question, &t.Query, &t.Answer, &t.At)
			return t, err
		})
		return err
	})
	if err != nil {
		return nil, false, pgdb.Wrap("postgres.Sessions.Get", err)
	}
	return turns, found, nil
}

// Append implements bot.SessionStore, in one transaction: the session's
// row, locked by the upsert, serialises concurrent appends to it. An
// expired session starts again empty.
func (s *Sessions) Append(ctx context.Context, id string, t bot.Turn) error {
	now := s.now()
	if t.At.IsZero() {
		t.At = now
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var first, last int64
		err := tx.QueryRow(ctx, `INSERT INTO chat_sessions AS s (id, used, last_n, first_n) VALUES ($1, $2, 1, 1)
			ON CONFLICT (id) DO UPDATE SET
				last_n  = s.last_n + 1,
				first_n = CASE WHEN s.used <= $3 THEN s.last_n + 1 ELSE greatest(s.first_n, s.last_n + 2 - $4) END,
				used    = greatest(s.used, $2)
			RETURNING first_n, last_n`,
			id, now, s.deadline(now), s.maxTurns).Scan(&first, &last)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM chat_turns WHERE session = $1 AND n < $2`, id, first); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO chat_turns (session, n, question, query, answer, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, last, t.Question, t.Query, t.Answer, t.At)
		return err
	})
	if err != nil {
		return pgdb.Wrap("postgres.Sessions.Append", err)
	}
	return nil
}

// SweepEvery runs Sweep every interval until ctx is done, so that a
// long-running server does not keep expired conversations (citizens'
// questions among them) longer than the TTL says. A failed sweep is
// reported to onError (nil: ignored) and tried again at the next tick.
func (s *Sessions) SweepEvery(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && onError != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}
}

// Sweep deletes the expired sessions and their turns and returns how many
// sessions it deleted. serve runs it at start and through SweepEvery (an
// expired session is invisible either way).
func (s *Sessions) Sweep(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM chat_sessions WHERE used <= $1`, s.deadline(s.now()))
	if err != nil {
		return 0, pgdb.Wrap("postgres.Sessions.Sweep", err)
	}
	return tag.RowsAffected(), nil
}
