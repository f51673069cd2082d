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
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/internal/errs"
	"govreply/internal/pgdb"
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
	// index at any table size: exact, and linear in the table. Benchmarks
	// use it to measure the index's recall.
	ExactVectors bool
	// ExactVectorLimit is the table size, in chunks, up to which vectors
	// are ranked by a sequential scan, exactly as the memory store ranks
	// them (0: DefaultExactVectorLimit; negative: always the index, for
	// tests). The HNSW index is approximate: on a department's few
	// documents (815 chunks) it missed the nearest chunk of 2 of 30
	// questions, so the two stores ranked differently. The scan costs
	// about 10 ms more per search at that size (19 against 9 ms), which is
	// why it stops at a couple of thousand chunks.
	ExactVectorLimit int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is a knowledge.Store on PostgreSQL. It is safe for concurrent use.
type Store struct {
	db     *pgdb.DB
	pool   *pgxpool.Pool
	owned  bool // Close closes db: Open made it
	opts   Options
	dim    int
	log    *slog.Logger
	closed atomic.Bool
	// deferCounts is set during a bulk load: Put leaves the term counts
	// to the load's end (see BeginBulk).
	deferCounts atomic.Bool

	// iterative reports whether pgvector supports iterative index scans
	// (hnsw.iterative_scan, pgvector >= 0.8.0), which keep filtered searches
	// from coming back short. Without them filtered searches scan exactly.
	iterative bool
	// vectorVersion is the installed pgvector version.
	vectorVersion string

	// The full-text candidate policy (Options) and the lexeme statistics
	// it is decided on.
	exactTextLimit   int
	exactVectorLimit int
	textCandidates   int
	commonShare      float64
	now              func() time.Time
	stats            statsCache
	// statements are the search statements by mode (SearchStatement),
	// assembled once: the dimension is the only thing they vary by.
	statements map[knowledge.Mode]string
}

var _ knowledge.Store = (*Store)(nil)

// Open connects to the database on its own pool, migrates the knowledge
// store's schema, checks that it was created for opts.Dim and
// opts.Embedder, and returns a ready Store that closes the pool on Close.
// A process that keeps other data in the same database opens it once with
// pgdb.Open (listing Component(opts)) and calls New.
func Open(ctx context.Context, opts Options) (*Store, error) {
	const op = "postgres.Open"
	if err := checkDim(op, opts.Dim); err != nil {
		return nil, err
	}
	db, err := pgdb.Open(ctx, pgdb.Options{URL: opts.URL, Schema: opts.Schema, Logger: opts.Logger,
		Components: []pgdb.Component{Component(opts)}})
	if err != nil {
		return nil, errs.E(op, err)
	}
	s, err := New(ctx, db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// checkDim rejects a dimension an HNSW index cannot hold.
func checkDim(op string, dim int) error {
	if dim < 0 || dim > MaxDim {
		return errs.E(op, errs.Invalid, fmt.Sprintf("向量维度须在 1 到 %d 之间，当前为 %d", MaxDim, dim))
	}
	return nil
}

// New returns a Store on db, which pgdb.Open has migrated with
// Component(opts). opts.URL, Schema and Logger are not used (db has
// them); the dimension is the database's. Closing the Store leaves db
// open.
func New(ctx context.Context, db *pgdb.DB, opts Options) (*Store, error) {
	const op = "postgres.New"
	if err := checkDim(op, opts.Dim); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{db: db, pool: db.Pool, opts: opts, log: log,
		exactTextLimit:   cmp.Or(opts.ExactTextLimit, DefaultExactTextLimit),
		exactVectorLimit: cmp.Or(opts.ExactVectorLimit, DefaultExactVectorLimit),
		textCandidates:   cmp.Or(opts.TextCandidates, DefaultTextCandidates),
		commonShare:      cmp.Or(opts.CommonShare, DefaultCommonShare),
		now:              opts.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	err := s.pool.QueryRow(ctx, `SELECT m.dim, e.extversion FROM govreply_meta m, pg_extension e WHERE e.extname = 'vector'`).
		Scan(&s.dim, &s.vectorVersion)
	if err != nil {
		return nil, wrap(op, err)
	}
	s.statements = map[knowledge.Mode]string{}
	for _, m := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		s.statements[m] = searchSQL(m != knowledge.ModeText, m != knowledge.ModeVector, s.dim)
	}
	s.iterative = versionAtLeast(s.vectorVersion, 0, 8)
	if !s.iterative {
		log.Warn("pgvector 版本过旧，带过滤条件的检索将改用精确扫描；建议升级到 0.8.0 以上",
			"pgvector", s.vectorVersion)
	}
	log.Debug("postgres store ready", "dim", s.dim, "pgvector", s.vectorVersion)
	return s, nil
}

// Dim returns the embedding dimension of the store.
func (s *Store) Dim() int { return s.dim }

// VectorVersion returns the installed pgvector version.
func (s *Store) VectorVersion() string { return s.vectorVersion }

// DB returns the database the store keeps its tables in.
func (s *Store) DB() *pgdb.DB { return s.db }

// Close implements knowledge.Store. A Store from Open closes its pool,
// waiting for queries in progress; one from New leaves db to its owner.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) && s.owned {
		s.db.Close()
	}
	return nil
}

// wrap classifies a database error (pgdb.Wrap).
func wrap(op string, err error) error { return pgdb.Wrap(op, err) }

// versionAtLeast reports whether a "major.minor[.patch]" version is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
