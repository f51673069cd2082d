package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// chunkColumns are the columns Put copies.
var chunkColumns = []string{
	"collection", "doc_id", "ordinal", "category", "heading", "text", "token_count", "tsv", "embedding",
}

// Put implements knowledge.Store. In one transaction it inserts the
// document, or locks the stored one and returns Unchanged when its hash is
// the same, and otherwise updates it and deletes its old chunks; then it
// copies in the new chunks.
// The commit is durable when Put returns (synchronous_commit).
func (s *Store) Put(ctx context.Context, doc knowledge.Document, chunks []knowledge.Chunk) (knowledge.Outcome, error) {
	const op = "postgres.Put"
	if doc.Collection == "" {
		doc.Collection = knowledge.DefaultCollection
	}
	if err := knowledge.CheckPut(doc, chunks, s.dim); err != nil {
		return "", errs.E(op, err)
	}
	var effective *time.Time
	if doc.Effective != "" {
		t, _ := time.Parse(time.DateOnly, doc.Effective) // checked by CheckPut
		effective = &t
	}
	rows := make([][]any, len(chunks))
	for i, c := range chunks {
		rows[i] = []any{
			doc.Collection, doc.ID, c.Ordinal, string(doc.Category), orEmpty(c.Heading),
			c.Text, c.Tokens, tsvectorOf(c.Terms), pgvector.NewVector(c.Embedding),
		}
	}
	metadata := doc.Metadata
	if metadata == nil {
		metadata = map[string]string{}
	}

	args := []any{doc.Collection, doc.ID, doc.Title, string(doc.Category), doc.Source, orEmpty(doc.Tags),
		effective, doc.Path, doc.Hash, metadata, doc.Body}
	var outcome knowledge.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if s.deferCounts.Load() {
			// A bulk load counts the terms once at its end (endBulk).
			if _, err := tx.Exec(ctx, `SET LOCAL govreply.defer_counts = 'on'`); err != nil {
				return err
			}
		}
		var err error
		if outcome, err = upsertDocument(ctx, tx, args); err != nil || outcome == knowledge.Unchanged {
			return err
		}
		if outcome == knowledge.Updated {
			if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE collection = $1 AND doc_id = $2`,
				doc.Collection, doc.ID); err != nil {
				return err
			}
		}
		if len(rows) == 0 {
			return nil
		}
		// A large document's chunks take a while to index: the pool's
		// limits (serve's) are raised for the copy in proportion to them,
		// and lifted in a bulk load.
		allow := time.Duration(len(rows)) * putTimePerChunk
		if s.deferCounts.Load() {
			allow = 0
		}
		copyCtx, err := s.db.Raise(ctx, tx, allow)
		if err != nil {
			return err
		}
		_, err = tx.CopyFrom(copyCtx, pgx.Identifier{"chunks"}, chunkColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return "", wrap(op, err)
	}
	return outcome, nil
}

// putTimePerChunk is the time Put allows the copy of each chunk, the
// HNSW insertion included: 50 chunks a second, a quarter of the rate
// measured (about 200 a second, docs/benchmarks.md), so that only a
// database in trouble exceeds it.
const putTimePerChunk = 20 * time.Millisecond

// Limits of a tsvector (PostgreSQL's tsvector.h): a lexeme is shorter than
// 2 KB; positions are below 16384; to_tsvector keeps 255 of a lexeme's
// positions (the type would take 256).
const (
	maxLexemeBytes = 2047
	maxPositions   = 255
	maxPosition    = 16383
)

// tsvectorOf is a chunk's full-text vector: each distinct term is one
// lexeme (terms are gse's words and character bigrams, already
// lower-cased: what the "simple" configuration makes of a word), with the
// 1-based places where it occurs among terms as positions, so that ts_rank
// sees each term's frequency, as knowledge.TermRank says. Building it here
// rather than with to_tsvector keeps PostgreSQL's parser from splitting the
// terms again (it would cut "it's" or "x&y" in two) and from reparsing text
// seven times the size of the chunk. Terms PostgreSQL cannot store (empty,
// too long, holding a NUL byte) are left out, as are occurrences past the
// limits; the lexemes are in order of first occurrence (the server sorts
// them). migrations/0003's terms_tsvector is the same function in SQL.
func tsvectorOf(terms []string) pgtype.TSVector {
	index := make(map[string]int, len(terms))
	lexemes := make([]pgtype.TSVectorLexeme, 0, len(terms))
	for i, t := range terms {
		pos := i + 1
		if pos > maxPosition {
			break
		}
		if t == "" || len(t) > maxLexemeBytes || strings.IndexByte(t, 0) >= 0 {
			continue
		}
		j, ok := index[t]
		if !ok {
			j = len(lexemes)
			index[t] = j
			lexemes = append(lexemes, pgtype.TSVectorLexeme{Word: t})
		}
		if l := &lexemes[j]; len(l.Positions) < maxPositions {
			l.Positions = append(l.Positions, pgtype.TSVectorPosition{Position: uint16(pos)})
		}
	}
	return pgtype.TSVector{Lexemes: lexemes, Valid: true}
}

// upsertDocument writes the document row inside tx and says what it did.
// args are the values of the eleven columns INSERT lists. A new row is
// inserted (the insert waits for a concurrent one of the same key); an
// existing row is locked, compared by hash and updated only when changed.
func upsertDocument(ctx context.Context, tx pgx.Tx, args []any) (knowledge.Outcome, error) {
	// A concurrent Delete between the two statements makes the row vanish;
	// go round again.
	for range 3 {
		tag, err := tx.Exec(ctx, `INSERT INTO documents
				(collection, id, title, category, source, tags, effective, path, content_hash, metadata, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (collection, id) DO NOTHING`, args...)
		if err != nil {
			return "", err
		}
		if tag.RowsAffected() == 1 {
			return knowledge.Added, nil
		}
		var hash string
		err = tx.QueryRow(ctx, `SELECT content_hash FROM documents
			WHERE collection = $1 AND id = $2 FOR UPDATE`, args[0], args[1]).Scan(&hash)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", err
		}
		if hash == args[8].(string) { // content_hash
			return knowledge.Unchanged, nil
		}
		_, err = tx.Exec(ctx, `UPDATE documents SET
				title = $3, category = $4, source = $5, tags = $6, effective = $7, path = $8,
				content_hash = $9, metadata = $10, body = $11, updated_at = now()
			WHERE collection = $1 AND id = $2`, args...)
		if err != nil {
			return "", err
		}
		return knowledge.Updated, nil
	}
	return "", errs.E("postgres.Put", errs.Conflict, "文档正被同时修改，请重试")
}

// documentColumns are the columns scanDocument reads, in order, from
// documents d: the last is the document's chunk count, which the primary
// key of chunks (collection, doc_id, ordinal) counts from its index.
const documentColumns = `d.collection, d.id, d.title, d.category, d.source, d.tags, d.effective, d.path,
	d.content_hash, d.metadata, d.created_at, d.updated_at,
	(SELECT count(*) FROM chunks c WHERE c.collection = d.collection AND c.doc_id = d.id)`

// Get implements knowledge.Store.
func (s *Store) Get(ctx context.Context, collection, id string) (knowledge.Document, error) {
	const op = "postgres.Get"
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents d
		WHERE d.collection = $1 AND d.id = $2`, collection, id)
	doc, err := pgx.CollectExactlyOneRow(rows, scanDocument)
	if errors.Is(err, pgx.ErrNoRows) {
		return knowledge.Document{}, errs.E(op, errs.NotFound, "未找到文档 "+id)
	}
	if err != nil {
		return knowledge.Document{}, wrap(op, err)
	}
	return doc, nil
}

// Text implements knowledge.Store: the stored body, or, for a document
// stored with none (before migration 0008), its chunks' texts.
func (s *Store) Text(ctx context.Context, collection, id string) (string, error) {
	const op = "postgres.Text"
	var body string
	err := s.pool.QueryRow(ctx, `SELECT body FROM documents WHERE collection = $1 AND id = $2`,
		collection, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errs.E(op, errs.NotFound, "未找到文档 "+id)
	}
	if err != nil {
		return "", wrap(op, err)
	}
	if body != "" {
		return body, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT heading, text FROM chunks
		WHERE collection = $1 AND doc_id = $2 ORDER BY ordinal`, collection, id)
	chunks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Chunk, error) {
		var c knowledge.Chunk
		err := row.Scan(&c.Heading, &c.Text)
		return c, err
	})
	if err != nil {
		return "", wrap(op, err)
	}
	return knowledge.JoinChunks(chunks), nil
}

// Delete implements knowledge.Store; the chunks go with the document.
func (s *Store) Delete(ctx context.Context, collection, id string) error {
	const op = "postgres.Delete"
	tag, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE collection = $1 AND id = $2`, collection, id)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return errs.E(op, errs.NotFound, "未找到文档 "+id)
	}
	return nil
}

// Documents implements knowledge.Store. Ordering is by bytes (COLLATE "C"),
// as in Go, whatever the database's collation.
func (s *Store) Documents(ctx context.Context, f knowledge.Filter) ([]knowledge.Document, error) {
	const op = "postgres.Documents"
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents d
		WHERE ($1 = '' OR d.collection = $1) AND ($2 = '' OR d.category = $2) AND ($3 = '' OR d.id = $3)
			AND ($4::text[] IS NULL OR d.collection = ANY($4::text[]))
		ORDER BY d.collection COLLATE "C", d.id COLLATE "C"`, f.Collection, string(f.Category), f.ID, f.Readable)
	docs, err := pgx.CollectRows(rows, scanDocument)
	if err != nil {
		return nil, wrap(op, err)
	}
	return docs, nil
}

// scanDocument reads a row of documentColumns.
func scanDocument(row pgx.CollectableRow) (knowledge.Document, error) {
	var (
		d         knowledge.Document
		category  string
		effective *time.Time
	)
	err := row.Scan(&d.Collection, &d.ID, &d.Title, &category, &d.Source, &d.Tags, &effective,
		&d.Path, &d.Hash, &d.Metadata, &d.CreatedAt, &d.UpdatedAt, &d.Chunks)
	if err != nil {
		return d, err
	}
	d.Category = knowledge.Category(category)
	if effective != nil {
		d.Effective = effective.Format(time.DateOnly)
	}
	if len(d.Tags) == 0 {
		d.Tags = nil
	}
	if len(d.Metadata) == 0 {
		d.Metadata = nil
	}
	return d, nil
}

// orEmpty makes a nil slice an empty one (text[] columns are NOT NULL).
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The HNSW index over the chunk embeddings, as migration 0004 creates it
// (a test checks that they agree). A bulk load drops it and builds it
// again after the load, through build_vector_index() (migration 0011).
const hnswIndex = "chunks_embedding_idx"

// Limits of the maintenance_work_mem a rebuild of the HNSW index asks for:
// pgvector builds fast, and in parallel, only while the graph fits in it.
const (
	minBuildMem = 64 << 20
	maxBuildMem = 1 << 30
)

// BeginBulk readies the store for loading many documents. When the chunks
// table is empty, or force is set, it drops the HNSW index, so that Put
// skips the per-row graph insertion that dominates its cost, and returns
// end, which builds the index again in one pass over the loaded rows
// (parallel, with maintenance_work_mem sized to the graph). Otherwise end
// is nil and nothing changed. end also runs ANALYZE on chunks.
//
// The caller must call end on every exit path, with a context that is not
// cancelled. While the index is missing, searches from other processes
// (serve) scan exactly: slower, same results; while it is built, their
// writes wait. If the process dies before end, the index stays missing
// until EnsureIndexes runs (every ingest, and serve, run it). DROP INDEX
// waits at most five seconds for searches that hold the table; then the
// load goes ahead without the bulk mode, as it does when another process
// holds the bulk lock (a load or a repair, see bulkLock) or the role may
// not drop the index (serve's application role).
//
// From here to end the load holds the bulk lock on a pooled connection of
// its own, so that readiness checks and repairs (EnsureIndexes) of other
// processes leave the missing index to it.
func (s *Store) BeginBulk(ctx context.Context, force bool) (end func(context.Context) error, err error) {
	const op = "postgres.BeginBulk"
	lock, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	var locked bool
	if err := lock.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+bulkLockKeys+`)`, bulkLock).Scan(&locked); err != nil || !locked {
		lock.Release()
		if err == nil {
			s.log.Warn("另一个进程正在批量导入或重建向量索引，本次导入不启用批量模式")
		}
		return nil, wrap(op, err)
	}
	unlock := func() {
		_, err := lock.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+bulkLockKeys+`)`, bulkLock)
		if err != nil {
			// Ending the session frees the lock.
			_ = lock.Hijack().Close(context.WithoutCancel(ctx))
			return
		}
		lock.Release()
	}
	dropped := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if !force {
			var empty bool
			if err := tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM chunks)`).Scan(&empty); err != nil || !empty {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DROP INDEX IF EXISTS `+hnswIndex); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE govreply_meta SET counts_stale = true`)
		dropped = err == nil
		return err
	})
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "55P03": // lock_not_available
		s.log.Warn("知识库正被其他连接使用，本次导入不启用批量模式", "err", err)
		err = nil
	case errors.As(err, &pe) && pe.Code == "42501": // insufficient_privilege
		s.log.Warn("当前数据库角色无权删除向量索引（应用角色），本次导入不启用批量模式；批量导入请以所有者角色运行")
		err = nil
	}
	if err != nil || !dropped {
		unlock()
		return nil, wrap(op, err)
	}
	s.deferCounts.Store(true)
	return func(ctx context.Context) error {
		defer unlock()
		return s.endBulk(ctx)
	}, nil
}

// endBulk builds the HNSW index again, counts the terms of every chunk
// (the bulk load's Puts left that to it), then analyzes chunks so that the
// planner's statistics (and search's lexeme statistics) describe the
// loaded rows at once rather than when autovacuum gets round to it.
//
// Each step is a transaction of its own without the pool's limits
// (pgdb.DB.Long): on a large table each takes minutes.
func (s *Store) endBulk(ctx context.Context) error {
	const op = "postgres.endBulk"
	s.deferCounts.Store(false)
	if err := s.db.Long(ctx, 0, s.buildHNSWTx); err != nil {
		return wrap(op, err)
	}
	for _, sql := range []string{`SELECT recount_chunks()`, `ANALYZE chunks`} {
		err := s.db.Long(ctx, 0, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		if err != nil {
			return wrap(op, err)
		}
	}
	return nil
}

// buildHNSWTx builds the HNSW index in tx, whose statements run without
// the pool's limits, through build_vector_index() (migration 0011: the
// role needs no DDL right), with a maintenance_work_mem large enough for
// the graph of the stored rows (but never below the server's setting), so
// that pgvector builds it in memory, with as many parallel workers as
// max_parallel_maintenance_workers allows.
func (s *Store) buildHNSWTx(ctx context.Context, tx pgx.Tx) error {
	var rows, current int64
	err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM chunks),
		(SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'maintenance_work_mem')`).Scan(&rows, &current)
	if err != nil {
		return err
	}
	// The heap is small (vectors live in TOAST), so the planner would
	// give the build no parallel workers by its size alone.
	if _, err := tx.Exec(ctx, `SET LOCAL min_parallel_table_scan_size = 0`); err != nil {
		return err
	}
	if mem := buildMem(rows, s.dim); mem > current {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL maintenance_work_mem = '%dkB'`, mem>>10)); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `SELECT build_vector_index()`)
	return err
}

// buildMem estimates the memory an HNSW build of rows vectors of dim
// dimensions needs (the half-precision vector plus about 1 KB of graph per
// row, a quarter more for slack), within [minBuildMem, maxBuildMem].
func buildMem(rows int64, dim int) int64 {
	return min(max(rows*int64(2*dim+1024)*5/4, minBuildMem), maxBuildMem)
}
