// Package pgdb opens govreply's PostgreSQL database: one connection pool
// per database, shared by every part that keeps data there (the knowledge
// store, conversations, …), and one migration history for all of them.
//
// Each part describes its tables as a Component: embedded migration files
// and the hooks it needs around them. Open applies every component's
// pending migrations in version order under an advisory lock, recording
// them in one schema_migrations table, then opens the pool. Versions are
// unique across components (NNNN_slug, numbered in one sequence), so the
// history reads as one list whatever part a migration belongs to.
//
// Wrap classifies the database's errors for every part the same way: a
// database that is down or refuses is errs.Unavailable (code
// database_unavailable), and so is one that does not answer in time (code
// database_timeout): to a caller a hung database is one that is down, so
// the API answers 503 naming the database.
//
// Limits bound every wait on the pool (serve sets them, see limits.go);
// Options.StartupWait makes Open wait for a server that is not up yet.
package pgdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/internal/errs"
)

// Component is a part of govreply that keeps tables in the database.
type Component struct {
	// Name identifies the component in messages ("knowledge", "sessions").
	Name string
	// Migrations holds the component's migrations: files NNNN_slug.sql
	// at its root, each a text/template executed with the data Prepare
	// returns (missing keys are errors). Each runs in its own
	// transaction.
	Migrations fs.FS
	// Prepare, when set, runs under the migration lock before any
	// migration of any component, on the migration connection (its
	// search_path set), and returns the template data of the component's
	// migrations. It checks what the migrations need (an extension, a
	// setting recorded in an earlier run).
	Prepare func(ctx context.Context, conn *pgx.Conn) (any, error)
	// Finish, when set, runs under the lock after all migrations.
	Finish func(ctx context.Context, conn *pgx.Conn) error
	// AfterConnect, when set, runs on every new connection of the pool
	// (registering types such as pgvector's).
	AfterConnect func(ctx context.Context, conn *pgx.Conn) error
}

// Options configure Open.
type Options struct {
	// URL is a PostgreSQL connection string (DATABASE_URL).
	URL string
	// Schema, when set, puts govreply's tables in that schema (created if
	// missing): every connection's search_path becomes "Schema, public",
	// as extensions usually live in public. Tests use it for isolation.
	Schema string
	// Components are the parts whose tables the database holds.
	Components []Component
	// Logger receives migration messages and, while Open waits for the
	// server, its retries; nil discards them.
	Logger *slog.Logger
	// Limits bound the waits of the pool's callers (zero: none). The
	// migrations run without them, but for ConnectTimeout.
	Limits Limits
	// StartupWait, when positive, is how long Open keeps trying to reach a
	// server that refuses connections, does not answer, or is starting up:
	// it retries with exponential backoff (jittered, at most MaxBackoff
	// apart), logging each retry, then fails naming the database. Other
	// failures (a bad password, a missing database) fail at once.
	StartupWait time.Duration
}

// Backoff between Open's attempts to reach the server (StartupWait): the
// first retry comes after about FirstBackoff, each later one after twice
// the one before, at most MaxBackoff; each is jittered down by up to a
// half so that replicas started together do not retry in step.
const (
	FirstBackoff = 250 * time.Millisecond
	MaxBackoff   = 5 * time.Second
)

// DB is an open database: its pool and the components migrated on it. It
// is safe for concurrent use.
type DB struct {
	// Pool is the one connection pool of the database.
	Pool *pgxpool.Pool
	cfg  *pgxpool.Config
	// mcfg configures the migration connection: the pool's without Limits.
	mcfg       *pgx.ConnConfig
	components []Component
	log        *slog.Logger
	limits     Limits
	closed     atomic.Bool
}

// migrateLock is the key of the session advisory lock that serialises
// migrations, so that several govreply processes can start at once.
const migrateLock int64 = 0x676f7672_65706c79 // "govreply"

// Open connects to the database, applies the components' pending
// migrations and returns the DB with its pool. A database that cannot be
// reached is an errs.Unavailable error naming it.
func Open(ctx context.Context, o Options) (*DB, error) {
	const op = "pgdb.Open"
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "数据库连接串（DATABASE_URL）无效", err)
	}
	if o.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.Schema}.Sanitize() + ", public"
	}
	if t := o.Limits.ConnectTimeout; t > 0 && cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = t
	}
	db := &DB{cfg: cfg, mcfg: cfg.ConnConfig.Copy(), components: o.Components, log: o.Logger, limits: o.Limits}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if _, err := db.migrations(); err != nil {
		return nil, err
	}
	conn, err := db.connect(ctx, o.StartupWait)
	if err != nil {
		return nil, err
	}
	err = db.migrate(ctx, conn, o.Schema)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	// The limits are the pool's: the migrations, which may build indexes,
	// ran without them.
	o.Limits.apply(cfg)
	// The pool connects after the migrations, which may create the types
	// AfterConnect registers.
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		for _, comp := range db.components {
			if comp.AfterConnect != nil {
				if err := comp.AfterConnect(ctx, c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if db.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, Wrap(op, err)
	}
	return db, nil
}

// Close closes the pool; it waits for queries in progress. Closing twice
// is harmless.
func (db *DB) Close() {
	if db.closed.CompareAndSwap(false, true) {
		db.Pool.Close()
	}
}

// Migrate applies any pending migrations again (the migrate command; Open
// already did it).
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.connect(ctx, 0)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return db.migrate(ctx, conn, "")
}

// connect opens the migration connection. With wait > 0 it retries a
// server it cannot reach (an Unavailable error) until wait has passed.
func (db *DB) connect(ctx context.Context, wait time.Duration) (*pgx.Conn, error) {
	const op = "pgdb.Open"
	cc := db.mcfg.Copy()
	if wait <= 0 {
		conn, err := pgx.ConnectConfig(ctx, cc)
		return conn, Wrap(op, err)
	}
	start := time.Now()
	deadline := start.Add(wait)
	backoff := FirstBackoff
	for attempt := 1; ; attempt++ {
		// An attempt never outlasts the wait, even against a server that
		// accepts and never answers and a URL without connect_timeout.
		actx, cancel := context.WithDeadline(ctx, deadline)
		conn, err := pgx.ConnectConfig(actx, cc)
		cancel()
		if err == nil {
			if attempt > 1 {
				db.log.Info("已连接数据库", "attempts", attempt, "waited", time.Since(start).Round(time.Millisecond).String())
			}
			return conn, nil
		}
		err = Wrap(op, err)
		if ctx.Err() != nil || !errs.Is(errs.Unavailable, err) {
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, errs.E(op, errs.Unavailable, CodeUnavailable, fmt.Sprintf(
				"等待 %s 后仍无法连接数据库 %s（共尝试 %d 次）：请确认数据库已启动、DATABASE_URL 中的地址和端口正确，或用 --db-wait 延长等待",
				wait, serverOf(cc), attempt), err)
		}
		sleep := min(jitter(backoff), left)
		db.log.Warn("数据库暂不可用，稍后重试", "server", serverOf(cc), "attempt", attempt,
			"retry_in", sleep.Round(time.Millisecond).String(), "left", left.Round(time.Second).String(),
			"reason", errs.MessageOf(err), "err", errors.Unwrap(err))
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, Wrap(op, ctx.Err())
		case <-t.C:
		}
		backoff = min(backoff*2, MaxBackoff)
	}
}

// jitter returns d less a random share of up to a half.
func jitter(d time.Duration) time.Duration {
	return d - time.Duration(rand.Int64N(int64(d)/2+1))
}

// serverOf names the server a configuration connects to, for messages
// (never the password).
func serverOf(cc *pgx.ConnConfig) string {
	return fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
}

// Ping reports whether the database answers and holds every migration of
// its components: errs.Unavailable otherwise, saying what to do.
func (db *DB) Ping(ctx context.Context) error {
	const op = "pgdb.Ping"
	if db.closed.Load() {
		return errs.E(op, errs.Unavailable, CodeUnavailable, "数据库连接已关闭")
	}
	rows, _ := db.Pool.Query(ctx, `SELECT version FROM schema_migrations`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Wrap(op, err)
	}
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !slices.Contains(applied, m.version) {
			return errs.E(op, errs.Unavailable, CodeUnavailable,
				fmt.Sprintf("数据库缺少迁移 %s（%s），请运行 govreply migrate", m.version, m.component.Name))
		}
	}
	return nil
}

// migration is one embedded schema change of a component.
type migration struct {
	version   string // file name without ".sql", e.g. "0001_init"
	text      string
	component *Component
}

// migrations returns every component's migrations in version order. Two
// with one version, or a file not named NNNN_slug.sql, is a programming
// error reported as Internal.
func (db *DB) migrations() ([]migration, error) {
	const op = "pgdb.migrations"
	var out []migration
	for i := range db.components {
		c := &db.components[i]
		if c.Migrations == nil {
			continue
		}
		names, err := fs.Glob(c.Migrations, "*.sql")
		if err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
		for _, name := range names {
			version := strings.TrimSuffix(path.Base(name), ".sql")
			if !versionRE(version) {
				return nil, errs.E(op, errs.Internal, fmt.Errorf("%s: migration %s is not named NNNN_slug.sql", c.Name, name))
			}
			b, err := fs.ReadFile(c.Migrations, name)
			if err != nil {
				return nil, errs.E(op, errs.Internal, err)
			}
			out = append(out, migration{version: version, text: string(b), component: c})
		}
	}
	slices.SortFunc(out, func(a, b migration) int { return strings.Compare(a.version, b.version) })
	for i := 1; i < len(out); i++ {
		if out[i].version[:4] == out[i-1].version[:4] {
			return nil, errs.E(op, errs.Internal, fmt.Errorf("migrations %s (%s) and %s (%s) share a number",
				out[i-1].version, out[i-1].component.Name, out[i].version, out[i].component.Name))
		}
	}
	return out, nil
}

// versionRE reports whether v is NNNN_slug.
func versionRE(v string) bool {
	if len(v) < 6 || v[4] != '_' {
		return false
	}
	for _, c := range v[:4] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// migrate brings the schema reachable through the search_path up to date
// on conn, a connection of its own, under the advisory lock. A database
// that is up to date needs no privilege beyond reading and writing rows,
// so that serve can run as a role without DDL rights (docs/security.md).
func (db *DB) migrate(ctx context.Context, conn *pgx.Conn, schema string) error {
	const op = "pgdb.migrate"
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return Wrap(op, err)
	}
	defer func() {
		// A failed unlock ends with the session anyway.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	}()
	if schema != "" {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return Wrap(op, err)
		}
	}
	// CREATE TABLE IF NOT EXISTS needs the right to create even when the
	// table is there: look first.
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass(format('%I.schema_migrations', current_schema())) IS NOT NULL`).Scan(&exists); err != nil {
		return Wrap(op, err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return Wrap(op, err)
		}
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Wrap(op, err)
	}
	data := map[*Component]any{}
	for i := range db.components {
		c := &db.components[i]
		if c.Prepare != nil {
			if data[c], err = c.Prepare(ctx, conn); err != nil {
				return err
			}
		}
	}
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		if err := db.apply(ctx, conn, m, data[m.component]); err != nil {
			return err
		}
	}
	for _, c := range db.components {
		if c.Finish != nil {
			if err := c.Finish(ctx, conn); err != nil {
				return err
			}
		}
	}
	return nil
}

// apply renders one migration and runs it with its record in one
// transaction.
func (db *DB) apply(ctx context.Context, conn *pgx.Conn, m migration, data any) error {
	const op = "pgdb.migrate"
	t, err := template.New(m.version).Option("missingkey=error").Parse(m.text)
	var sql strings.Builder
	if err == nil {
		err = t.Execute(&sql, data)
	}
	if err != nil {
		return errs.E(op, errs.Internal, "迁移脚本 "+m.version+" 无法渲染", err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sql.String()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version)
		return err
	})
	if err != nil {
		return errs.E(op, "数据库迁移 "+m.version+" 失败", Wrap(op, err))
	}
	db.log.Info("已应用数据库迁移", "version", m.version, "component", m.component.Name)
	return nil
}

// MigrationsIn is the Component called name whose migrations are the
// files of the folder migrations in files (a package's embedded
// migrations/*.sql).
func MigrationsIn(name string, files fs.FS) Component {
	sub, err := fs.Sub(files, "migrations")
	if err != nil {
		panic(err) // a constant path: fs.Sub fails only on an invalid one
	}
	return Component{Name: name, Migrations: sub}
}
