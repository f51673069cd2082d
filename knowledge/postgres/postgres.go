// Package postgres is the production knowledge.Store on PostgreSQL with the
// pgvector extension: an HNSW index (cosine) over the chunk embeddings, a
// GIN-indexed tsvector over the chunks' pre-segmented words, and Reciprocal
// Rank Fusion of the two rankings in one SQL statement.
//
// The schema is embedded and migrated by Open. A database is created for one
// embedding dimension and one embedder; opening it with another fails.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"govreply/knowledge"
)

// MaxDim is the largest embedding dimension an HNSW index over vector
// columns supports.
const MaxDim = 2000

// Options configure Open.
type Options struct {
	// URL is a PostgreSQL connection string (DATABASE_URL).
	URL string
	// Dim is the embedding dimension. 0 adopts the dimension of an existing
	// database; a new database needs it.
	Dim int
	// Embedder names the embedding model. It is recorded when the database
	// is created and checked afterwards; "" skips the check.
	Embedder string
	// Schema, when set, puts govreply's tables in that schema (created if
	// missing): every connection's search_path becomes "Schema, public", as
	// the vector extension usually lives in public. Tests use it for
	// isolation.
	Schema string
	// Logger receives migration and diagnostic messages; nil discards them.
	Logger *slog.Logger

	// ExactTextLimit is the table size, in chunks, up to which the full-text
	// ranking scores every chunk that holds a selecting query term, exactly
	// as the memory store does (0: DefaultExactTextLimit; negative: no
	// table is small enough, for tests).
	// Above it the ranking is bounded by TextCandidates and CommonShare.
	ExactTextLimit int
	// TextCandidates is how many chunks, beyond the vector ranking's, the
	// selecting terms may put forward for full-text scoring above
	// ExactTextLimit; at least the search's depth (0: DefaultTextCandidates).
	TextCandidates int
	// CommonShare: above ExactTextLimit, a selecting term held by more than
	// this share of the chunks scores candidates but does not select them
	// (0: DefaultCommonShare).
	CommonShare float64
	// ExactVectors ranks vectors by a sequential scan instead of the HNSW
	// index: exact, and linear in the table. Benchmarks use it to measure
	// the index's recall.
	ExactVectors bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is a knowledge.Store on PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	opts   Options
	dim    int
	log    *slog.Logger
	closed atomic.Bool

	// iterative reports whether pgvector supports iterative index scans
	// (hnsw.iterative_scan, pgvector >= 0.8.0), which keep filtered searches
	// from coming back short. Without them filtered searches scan exactly.
	iterative bool
	// vectorVersion is the installed pgvector version.
	vectorVersion string

	// The full-text candidate policy (Options) and the lexeme statistics
	// it is decided on.
	exactTextLimit int
	textCandidates int
	commonShare    float64
	now            func() time.Time
	stats          statsCache
	// statements are the search statements by mode (SearchStatement),
	// assembled once: the dimension is the only thing they vary by.
	statements map[knowledge.Mode]string
}

var _ knowledge.Store = (*Store)(nil)

// Open connects to the database, migrates its schema, checks that it was
// created for opts.Dim and opts.Embedder, and returns a ready Store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	const op = "postgres.Open"
	if opts.Dim < 0 || opts.Dim > MaxDim {
		return nil, knowledge.E(op, knowledge.Invalid, fmt.Sprintf("向量维度须在 1 到 %d 之间，当前为 %d", MaxDim, opts.Dim))
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, knowledge.E(op, knowledge.Invalid, "数据库连接串（DATABASE_URL）无效", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize() + ", public"
	}

	// Migrate on a plain connection first: the pool's connections register
	// the vector type, which the first migration creates.
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, knowledge.E(op, knowledge.Unavailable, "无法连接数据库", err)
	}
	dim, err := migrate(ctx, conn, opts, log)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, knowledge.E(op, err)
	}

	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		return pgxvec.RegisterTypes(ctx, c)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, knowledge.E(op, knowledge.Unavailable, "无法连接数据库", err)
	}
	s := &Store{pool: pool, opts: opts, dim: dim, log: log,
		exactTextLimit: cmp.Or(opts.ExactTextLimit, DefaultExactTextLimit),
		textCandidates: cmp.Or(opts.TextCandidates, DefaultTextCandidates),
		commonShare:    cmp.Or(opts.CommonShare, DefaultCommonShare),
		now:            opts.Now,
	}
	s.statements = map[knowledge.Mode]string{}
	for _, m := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		s.statements[m] = searchSQL(m != knowledge.ModeText, m != knowledge.ModeVector, dim)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := pool.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'vector'`).Scan(&s.vectorVersion); err != nil {
		pool.Close()
		return nil, wrap(op, err)
	}
	s.iterative = versionAtLeast(s.vectorVersion, 0, 8)
	if !s.iterative {
		log.Warn("pgvector 版本过旧，带过滤条件的检索将改用精确扫描；建议升级到 0.8.0 以上",
			"pgvector", s.vectorVersion)
	}
	log.Debug("postgres store ready", "dim", dim, "pgvector", s.vectorVersion)
	return s, nil
}

// Dim returns the embedding dimension of the store.
func (s *Store) Dim() int { return s.dim }

// VectorVersion returns the installed pgvector version.
func (s *Store) VectorVersion() string { return s.vectorVersion }

// Migrate applies any pending embedded migrations and checks the database's
// dimension and embedder. Open already does it; the migrate command calls it.
func (s *Store) Migrate(ctx context.Context) error {
	const op = "postgres.Migrate"
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return wrap(op, err)
	}
	defer c.Release()
	opts := s.opts
	opts.Dim = s.dim
	if _, err := migrate(ctx, c.Conn(), opts, s.log); err != nil {
		return knowledge.E(op, err)
	}
	return nil
}

// Ping implements knowledge.Store: the database answers and its schema is
// at the newest embedded migration.
func (s *Store) Ping(ctx context.Context) error {
	const op = "postgres.Ping"
	if s.closed.Load() {
		return knowledge.E(op, knowledge.Unavailable, "知识库已关闭")
	}
	var version string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), '') FROM schema_migrations`).Scan(&version)
	if err != nil {
		return wrap(op, err)
	}
	if want := latestMigration(); version != want {
		return knowledge.E(op, knowledge.Unavailable,
			fmt.Sprintf("数据库结构版本为 %q，需要 %q，请运行 govreply migrate", version, want))
	}
	return nil
}

// Close implements knowledge.Store. It waits for queries in progress.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.pool.Close()
	}
	return nil
}

// wrap classifies a database error as a knowledge.Error of the fitting kind.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ke *knowledge.Error
	if errors.As(err, &ke) {
		return knowledge.E(op, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return knowledge.E(op, knowledge.Unavailable, "数据库操作超时或已取消", err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "22"): // data exception
			return knowledge.E(op, knowledge.Invalid, "数据无效："+pe.Message, err)
		case strings.HasPrefix(pe.Code, "23"), strings.HasPrefix(pe.Code, "40"): // integrity, serialization
			return knowledge.E(op, knowledge.Conflict, "数据库写入冲突，请重试", err)
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"),
			strings.HasPrefix(pe.Code, "57"), strings.HasPrefix(pe.Code, "58"):
			return knowledge.E(op, knowledge.Unavailable, "数据库不可用", err)
		case pe.Code == "42P01" || pe.Code == "42703": // undefined table / column
			return knowledge.E(op, knowledge.Unavailable, "数据库结构未初始化或版本不符，请运行 govreply migrate", err)
		}
		return knowledge.E(op, knowledge.Other, "数据库错误", err)
	}
	if errors.Is(err, pgx.ErrTxClosed) || errors.Is(err, pgx.ErrNoRows) {
		return knowledge.E(op, knowledge.Other, err)
	}
	return knowledge.E(op, knowledge.Unavailable, "数据库不可用", err)
}

// versionAtLeast reports whether a "major.minor[.patch]" version is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
