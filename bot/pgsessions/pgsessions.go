// Package pgsessions is a bot.SessionStore on PostgreSQL, for a server
// running on DATABASE_URL: conversations survive restarts and are shared
// by every process on the database.
//
// A session is a row of chat_sessions (when it was last used, the number
// of its latest turn, and the first turn still live) and its turns are
// rows of chat_turns. Open creates both tables when they are missing,
// under an advisory lock, in the schema first on the search_path (the
// knowledge store's schema when both are opened on the same URL).
package pgsessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/bot"
)

// Defaults of Options, the same as bot.MemorySessions'.
const (
	DefaultMaxTurns = 10
	DefaultTTL      = 2 * time.Hour
)

// createLock is the key of the transaction advisory lock held while the
// tables are created, so that several processes can open at once.
const createLock int64 = 0x676f7672_73657373 // "govrsess"

// schemaSQL creates the tables. A session row's turns are numbered from 1
// and never renumbered; those below first_n are gone (expired or beyond
// the bound) and deleted.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS chat_sessions (
	id      text PRIMARY KEY,
	used    timestamptz NOT NULL,
	last_n  bigint NOT NULL,
	first_n bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_sessions_used ON chat_sessions (used);
CREATE TABLE IF NOT EXISTS chat_turns (
	session  text NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
	n        bigint NOT NULL,
	question text NOT NULL,
	query    text NOT NULL,
	answer   text NOT NULL,
	at       timestamptz NOT NULL,
	PRIMARY KEY (session, n)
);`

// Options configure Open.
type Options struct {
	// URL is a PostgreSQL connection string (DATABASE_URL).
	URL string
	// Schema, when set, puts the tables in that schema (created if
	// missing): every connection's search_path becomes "Schema, public".
	Schema string
	// MaxTurns is how many turns of a session are kept (the oldest are
	// dropped). 0 means DefaultMaxTurns.
	MaxTurns int
	// TTL is how long a session lives after its last use. 0 means
	// DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is a bot.SessionStore on PostgreSQL. It is safe for concurrent
// use, also by several processes on one database.
type Store struct {
	pool     *pgxpool.Pool
	maxTurns int
	ttl      time.Duration
	now      func() time.Time
}

var _ bot.SessionStore = (*Store)(nil)

// Open connects to the database, creates the session tables if they are
// missing, deletes expired sessions and returns a ready Store.
func Open(ctx context.Context, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("数据库连接串（DATABASE_URL）无效：%w", err)
	}
	if o.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.Schema}.Sanitize() + ", public"
	}
	s := &Store{maxTurns: o.MaxTurns, ttl: o.TTL, now: o.Now}
	if s.maxTurns <= 0 {
		s.maxTurns = DefaultMaxTurns
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("无法连接会话数据库：%w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, createLock); err != nil {
			return err
		}
		if o.Schema != "" {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{o.Schema}.Sanitize()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, schemaSQL)
		return err
	})
	if err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("无法创建会话表：%w", err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store's connections.
func (s *Store) Close() { s.pool.Close() }

// deadline is the last-use time at or before which a session has expired.
func (s *Store) deadline(now time.Time) time.Time { return now.Add(-s.ttl) }

// Get implements bot.SessionStore; a session found counts as used.
func (s *Store) Get(ctx context.Context, id string) ([]bot.Turn, bool, error) {
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
		return nil, false, fmt.Errorf("读取会话失败：%w", err)
	}
	return turns, found, nil
}

// Append implements bot.SessionStore, in one transaction: the session's
// row, locked by the upsert, serialises concurrent appends to it. An
// expired session starts again empty.
func (s *Store) Append(ctx context.Context, id string, t bot.Turn) error {
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
		return fmt.Errorf("保存会话失败：%w", err)
	}
	return nil
}

// SweepEvery runs Sweep every interval until ctx is done, so that a
// long-running server does not keep expired conversations (citizens'
// questions among them) longer than the TTL says. A failed sweep is
// reported to onError (nil: ignored) and tried again at the next tick.
func (s *Store) SweepEvery(ctx context.Context, interval time.Duration, onError func(error)) {
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
// sessions it deleted. Open runs it, and SweepEvery from time to time (an
// expired session is invisible either way).
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM chat_sessions WHERE used <= $1`, s.deadline(s.now()))
	if err != nil {
		return 0, fmt.Errorf("清理过期会话失败：%w", err)
	}
	return tag.RowsAffected(), nil
}
