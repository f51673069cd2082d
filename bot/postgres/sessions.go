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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
)

// Defaults of Options, the same as bot/memory's.
const (
	DefaultMaxTurns    = 10
	DefaultTTL         = 2 * time.Hour
	DefaultMaxPerOwner = 200
	// DefaultRetention is how long a turn is kept at most, whatever its
	// session: questions may hold a citizen's personal data.
	DefaultRetention = 30 * 24 * time.Hour
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Component describes the session tables for pgdb.Open.
func Component() pgdb.Component { return pgdb.MigrationsIn("sessions", migrationFiles) }

// Options configure NewSessions.
type Options struct {
	// MaxTurns is how many turns of a session are kept (the oldest are
	// dropped). 0 means DefaultMaxTurns.
	MaxTurns int
	// TTL is how long a session lives after its last use. 0 means
	// DefaultTTL.
	TTL time.Duration
	// MaxPerOwner caps the sessions kept for one owner; starting one more
	// deletes the owner's least recently used. 0 means DefaultMaxPerOwner.
	MaxPerOwner int
	// Retention is how long Sweep keeps a turn. 0 means DefaultRetention.
	Retention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sessions is a bot.SessionStore on PostgreSQL. It is safe for concurrent
// use, also by several processes on one database.
type Sessions struct {
	pool                  *pgxpool.Pool
	maxTurns, maxPerOwner int
	ttl, retention        time.Duration
	now                   func() time.Time
}

var _ bot.SessionStore = (*Sessions)(nil)

// NewSessions returns the session store on db, which pgdb.Open has
// migrated with Component. Expired sessions are deleted by Sweep.
func NewSessions(db *pgdb.DB, o Options) *Sessions {
	s := &Sessions{pool: db.Pool, maxTurns: o.MaxTurns, maxPerOwner: o.MaxPerOwner, ttl: o.TTL, retention: o.Retention, now: o.Now}
	if s.maxTurns <= 0 {
		s.maxTurns = DefaultMaxTurns
	}
	if s.maxPerOwner <= 0 {
		s.maxPerOwner = DefaultMaxPerOwner
	}
	if s.retention <= 0 {
		s.retention = DefaultRetention
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
		var owner string
		err := tx.QueryRow(ctx, `UPDATE chat_sessions SET used = greatest(used, $2)
			WHERE id = $1 AND used > $3 RETURNING first_n, last_n, owner`,
			id, now, s.deadline(now)).Scan(&first, &last, &owner)
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
			t := bot.Turn{Owner: owner}
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
	const op = "postgres.Sessions.Append"
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var first, last int64
		var created bool
		// The update's WHERE leaves another owner's session untouched:
		// no row comes back.
		err := tx.QueryRow(ctx, `INSERT INTO chat_sessions AS s (id, used, last_n, first_n, owner) VALUES ($1, $2, 1, 1, $5)
			ON CONFLICT (id) DO UPDATE SET
				last_n  = s.last_n + 1,
				first_n = CASE WHEN s.used <= $3 THEN s.last_n + 1 ELSE greatest(s.first_n, s.last_n + 2 - $4) END,
				used    = greatest(s.used, $2)
			WHERE s.owner = $5
			RETURNING first_n, last_n, xmax = 0`,
			id, now, s.deadline(now), s.maxTurns, t.Owner).Scan(&first, &last, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			return bot.ErrNotOwner(op)
		}
		if err != nil {
			return err
		}
		if created {
			// The owner's least recently used sessions beyond the bound go.
			if _, err := tx.Exec(ctx, `DELETE FROM chat_sessions WHERE id IN (
				SELECT id FROM chat_sessions WHERE owner = $1 ORDER BY used DESC, id OFFSET $2)`,
				t.Owner, s.maxPerOwner); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM chat_turns WHERE session = $1 AND n < $2`, id, first); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO chat_turns (session, n, question, query, answer, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, last, t.Question, t.Query, t.Answer, t.At)
		return err
	})
	if errs.Is(errs.Forbidden, err) {
		return err
	}
	if err != nil {
		return pgdb.Wrap(op, err)
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
	now := s.now()
	tag, err := s.pool.Exec(ctx, `DELETE FROM chat_sessions WHERE used <= $1`, s.deadline(now))
	if err != nil {
		return 0, pgdb.Wrap("postgres.Sessions.Sweep", err)
	}
	// Turns past the retention go even from a session still in use.
	if _, err := s.pool.Exec(ctx, `DELETE FROM chat_turns WHERE at <= $1`, now.Add(-s.retention)); err != nil {
		return 0, pgdb.Wrap("postgres.Sessions.Sweep", err)
	}
	return tag.RowsAffected(), nil
}
