package postgres

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// maxEfSearch is the largest hnsw.ef_search pgvector accepts.
const maxEfSearch = 1000

// Search implements knowledge.Store with one SQL statement: the vector
// ranking (HNSW, cosine distance) and the full-text ranking (GIN, the sum of
// weight·ts_rank over the query terms) are each cut to q.Depth candidates
// after the filters, numbered, fused with Reciprocal Rank Fusion and joined
// to their documents.
//
// The statement runs in a read-only transaction that raises hnsw.ef_search
// to the depth and turns on pgvector's iterative index scan, so a filter
// that rejects most near neighbours still yields K rows.
func (s *Store) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	const op = "postgres.Search"
	if q.K <= 0 {
		return nil, errs.E(op, errs.Invalid, "k 必须大于 0")
	}
	mode := cmp.Or(q.Mode, knowledge.ModeHybrid)
	if !mode.Valid() {
		return nil, errs.E(op, errs.Invalid, "未知的检索模式 "+string(mode))
	}
	useVec := mode != knowledge.ModeText
	if useVec && len(q.Vector) != s.dim {
		return nil, errs.E(op, errs.Invalid, "查询向量维度与知识库不一致")
	}
	args, err := s.searchArgs(ctx, q)
	if err != nil {
		return nil, wrap(op, err)
	}
	exact, err := s.exactVectors(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	sql := s.statements[mode]

	var hits []knowledge.Hit
	run := func(db interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}) error {
		rows, _ := db.Query(ctx, sql, args)
		var err error
		hits, err = pgx.CollectRows(rows, scanHit)
		return err
	}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := s.tuneSearch(ctx, tx, useVec, exact, args["depth"].(int), q.Collection != "" || q.Category != "" || q.Readable != nil); err != nil {
			return err
		}
		return run(tx)
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return hits, nil
}

// searchArgs binds the named parameters of the search statement for q,
// which Search has checked.
func (s *Store) searchArgs(ctx context.Context, q knowledge.Query) (pgx.NamedArgs, error) {
	mode := cmp.Or(q.Mode, knowledge.ModeHybrid)
	useVec, useText := mode != knowledge.ModeText, mode != knowledge.ModeVector
	depth := cmp.Or(max(q.Depth, 0), knowledge.DefaultDepth(q.K))
	args := pgx.NamedArgs{
		"k":          q.K,
		"depth":      depth,
		"rrfk":       knowledge.RRFK,
		"bonus":      knowledge.FirstRankBonus,
		"collection": q.Collection,
		"category":   string(q.Category),
		"readable":   q.Readable, // nil binds NULL: unrestricted
	}
	if useVec {
		args["vec"] = pgvector.NewVector(q.Vector)
	}
	if useText {
		p, err := s.policy(ctx, q, depth)
		if err != nil {
			return nil, err
		}
		args["terms"] = orEmpty(q.Terms)
		args["weights"] = q.Weights // nil: every term weighs 1
		args["select"] = q.Select
		args["common"] = orEmpty(p.common)
		args["pairs"] = orEmpty(p.pairs)
		args["fallback"] = orEmpty(p.fallback)
		args["lim"] = p.limit
	}
	return args, nil
}

// exactVectors reports whether vectors are ranked by a sequential scan:
// always with Options.ExactVectors, else while the table holds at most
// ExactVectorLimit chunks (by the statistics' estimate).
func (s *Store) exactVectors(ctx context.Context) (bool, error) {
	if s.opts.ExactVectors {
		return true, nil
	}
	if s.exactVectorLimit < 0 {
		return false, nil
	}
	st, err := s.termStats(ctx)
	if err != nil {
		return false, err
	}
	return st.rows <= float64(s.exactVectorLimit), nil
}

// tuneSearch sets, for the transaction only, how the statement is planned
// and the vectors ranked: a sequential scan when exact, else the HNSW
// index searched with a candidate list at least depth long and,
// with pgvector 0.8 or later, an iterative scan that goes on until enough
// rows pass the filters. Older pgvector has no iterative scan: filtered
// searches then skip the index and rank exactly.
//
// Where the settings are the same for every search of the store, the
// statement runs on a generic plan (plan_cache_mode): planning the
// statement anew for each search's parameters took about 1 ms of a 10 ms
// search at 100k chunks, and the parameters do not change the plan's
// shape (the candidate stages are gated at run time). A cached plan keeps
// the settings it was planned under, so searches whose settings vary
// (filtered or not, on old pgvector) are planned each time.
func (s *Store) tuneSearch(ctx context.Context, tx pgx.Tx, useVec, exact bool, depth int, filtered bool) error {
	var set []string // name, value, name, value …
	generic := true
	if useVec {
		ef := strconv.Itoa(min(max(depth, 40), maxEfSearch))
		switch {
		case exact:
			// A scan and a sort, whatever the connection's defaults.
			set = append(set, "enable_indexscan", "off", "enable_seqscan", "on", "enable_sort", "on")
			generic = s.opts.ExactVectors // a table that grows past the limit changes the plan
		case s.iterative:
			// enable_seqscan off: with 1536-dimension vectors stored out of
			// line the planner prices a sequential scan and sort below the
			// HNSW scan and picks it, which is exact but linear in the table
			// (see docs/benchmarks.md); the iterative scan keeps filters
			// correct.
			set = append(set, "hnsw.ef_search", ef, "hnsw.iterative_scan", "relaxed_order", "enable_seqscan", "off")
		case filtered:
			set = append(set, "hnsw.ef_search", ef, "enable_indexscan", "off")
			generic = false
		default:
			set = append(set, "hnsw.ef_search", ef)
			generic = false
		}
	}
	if generic {
		set = append(set, "plan_cache_mode", "force_generic_plan")
	}
	if len(set) == 0 {
		return nil
	}
	calls := make([]string, 0, len(set)/2)
	args := make([]any, len(set))
	for i := 0; i < len(set); i += 2 {
		calls = append(calls, fmt.Sprintf("set_config($%d, $%d, true)", i+1, i+2))
		args[i], args[i+1] = set[i], set[i+1]
	}
	_, err := tx.Exec(ctx, "SELECT "+strings.Join(calls, ", "), args...)
	return err
}

// The parts of the search statement. Only constant SQL is spliced; every
// value, the query terms included, is a parameter.
const (
	// vecRanking: the depth nearest chunks that pass the filters. The inner
	// ORDER BY is the bare half-precision distance so the HNSW index
	// (migration 0004) serves it; %[1]d is the dimension. The ranks are
	// numbered on the exact single-precision distance, ties by document id
	// then ordinal: relaxed iterative scans may return rows slightly out of
	// order, and half precision may swap near neighbours.
	vecRanking = `vec AS (
	SELECT v.collection, v.doc_id, v.ordinal, v.tsv,
		row_number() OVER (ORDER BY v.distance, v.doc_id COLLATE "C", v.collection COLLATE "C", v.ordinal) AS rank
	FROM (
		SELECT c.collection, c.doc_id, c.ordinal, c.tsv, c.embedding <=> @vec::vector AS distance
		FROM chunks c
		WHERE (@collection = '' OR c.collection = @collection)
			AND (@category = '' OR c.category = @category)
			AND (@readable::text[] IS NULL OR c.collection = ANY(@readable::text[]))
		ORDER BY c.embedding::halfvec(%[1]d) <=> @vec::vector::halfvec(%[1]d)
		LIMIT @depth
	) v
)`

	// textRanking: every query term becomes its own tsquery of one lexeme,
	// the term itself, quoted in tsquery's text form (so punctuation and
	// tsquery operators in a term are only ever text), as the chunks'
	// tsvectors hold their terms (see tsvectorOf). Terms no lexeme can
	// hold (empty, 2 KB or longer) are dropped. A chunk is ranked when it
	// holds a selecting term (Query.Select; tq is their OR) and scores Σ weight·ts_rank(tsv, term) over all the terms,
	// as knowledge.TermRank says.
	//
	// Which chunks are scored (see Store.policy): with @lim NULL, every
	// chunk holding a selecting term (gin). Otherwise the vector ranking's
	// chunks that hold one, plus at most @lim chunks holding a selecting
	// term that is not @common (ANALYZE says it is in many chunks), those
	// holding two of the rarest (@pairs) first (gin2). Only when those
	// are fewer than @depth do the common terms select too, gated by
	// one-time filters so that their long posting lists are read only
	// then: first chunks holding all of the @fallback terms (the two
	// rarest common ones: GIN intersects posting lists cheaply, but
	// builds the whole bitmap of a union), then, if still short, chunks
	// holding any selecting term. A candidate's tsvector is detoasted once
	// (|| '') rather than once per term, and tested against tq only then:
	// tested in the join, it would let the planner answer the join with a
	// bitmap scan of every chunk that matches tq.
	textRanking = `terms AS (
	SELECT p.query, p.weight, p.sel, p.common, p.pair, p.fallback, p.n
	FROM (
		SELECT ('''' || replace(replace(t.term, '\', '\\'), '''', '''''') || '''')::tsquery AS query,
			coalesce(t.weight, 1) AS weight,
			(@select = 0 OR t.n <= @select) AS sel, t.term = ANY (@common::text[]) AS common,
			t.term = ANY (@pairs::text[]) AS pair, t.term = ANY (@fallback::text[]) AS fallback, t.n
		FROM unnest(@terms::text[], @weights::float8[]) WITH ORDINALITY AS t(term, weight, n)
		WHERE t.term <> '' AND octet_length(t.term) <= 2047
	) p
),
tq AS (
	SELECT string_agg('(' || query::text || ')', ' | ') FILTER (WHERE sel)::tsquery AS query,
		string_agg('(' || query::text || ')', ' | ') FILTER (WHERE sel AND NOT common)::tsquery AS rare,
		string_agg('(' || query::text || ')', ' & ') FILTER (WHERE fallback)::tsquery AS fallback
	FROM terms
),
rare2 AS (
	SELECT string_agg('((' || a.query::text || ') & (' || b.query::text || '))', ' | ')::tsquery AS query
	FROM terms a JOIN terms b ON a.n < b.n
	WHERE @lim::integer IS NOT NULL AND a.pair AND b.pair
),
gin2 AS (
	SELECT c.collection, c.doc_id, c.ordinal, c.tsv
	FROM chunks c, rare2
	WHERE c.tsv @@ rare2.query
		AND (@collection = '' OR c.collection = @collection)
		AND (@category = '' OR c.category = @category)
		AND (@readable::text[] IS NULL OR c.collection = ANY(@readable::text[]))
	LIMIT @lim
),
gin AS (
	SELECT collection, doc_id, ordinal, tsv FROM gin2
	UNION ALL
	(SELECT c.collection, c.doc_id, c.ordinal, c.tsv
	FROM chunks c, tq
	WHERE c.tsv @@ tq.rare
		AND (@collection = '' OR c.collection = @collection)
		AND (@category = '' OR c.category = @category)
		AND (@readable::text[] IS NULL OR c.collection = ANY(@readable::text[]))
	LIMIT (SELECT @lim - count(*) FROM gin2))
),
fb AS (
	SELECT c.collection, c.doc_id, c.ordinal, c.tsv
	FROM chunks c, tq
	WHERE @lim::integer IS NOT NULL AND (SELECT count(*) FROM gin) < @depth
		AND c.tsv @@ tq.fallback
		AND (@collection = '' OR c.collection = @collection)
		AND (@category = '' OR c.category = @category)
		AND (@readable::text[] IS NULL OR c.collection = ANY(@readable::text[]))
	LIMIT @depth
),
cand AS (
	SELECT collection, doc_id, ordinal, tsv FROM vec
	UNION ALL
	SELECT collection, doc_id, ordinal, tsv FROM gin
	UNION ALL
	SELECT collection, doc_id, ordinal, tsv FROM fb
	UNION ALL
	(SELECT c.collection, c.doc_id, c.ordinal, c.tsv
	FROM chunks c, tq
	WHERE @lim::integer IS NOT NULL AND (SELECT count(*) FROM gin) + (SELECT count(*) FROM fb) < @depth
		AND c.tsv @@ tq.query
		AND (@collection = '' OR c.collection = @collection)
		AND (@category = '' OR c.category = @category)
		AND (@readable::text[] IS NULL OR c.collection = ANY(@readable::text[]))
	LIMIT @depth)
),
txt AS (
	SELECT m.collection, m.doc_id, m.ordinal,
		row_number() OVER (ORDER BY m.score DESC, m.doc_id COLLATE "C", m.collection COLLATE "C", m.ordinal) AS rank
	FROM (
		SELECT x.collection, x.doc_id, x.ordinal,
			(SELECT sum(t.weight * ts_rank(x.tsv, t.query)) FROM terms t) AS score
		FROM (
			SELECT DISTINCT ON (collection, doc_id, ordinal) collection, doc_id, ordinal, tsv || ''::tsvector AS tsv
			FROM cand
			ORDER BY collection, doc_id, ordinal
			OFFSET 0
		) x, tq
		WHERE x.tsv @@ tq.query
		ORDER BY score DESC, x.doc_id COLLATE "C", x.collection COLLATE "C", x.ordinal
		LIMIT @depth
	) m
)`

	noVecRanking = `vec AS (
	SELECT NULL::text AS collection, NULL::text AS doc_id, NULL::integer AS ordinal, NULL::tsvector AS tsv, NULL::bigint AS rank
	WHERE false
)`
	noTextRanking = `txt AS (
	SELECT NULL::text AS collection, NULL::text AS doc_id, NULL::integer AS ordinal, NULL::bigint AS rank
	WHERE false
)`

	// fusion: Reciprocal Rank Fusion of the two rankings with
	// knowledge.RRFScore's bonus at rank 1 (a missing rank adds nothing),
	// best first, ties by full-text rank (none last), then document id,
	// then ordinal. Only the k best are
	// joined to their text and document.
	fusion = `,
fused AS (
	SELECT collection, doc_id, ordinal, v.rank AS vrank, t.rank AS trank,
		coalesce(1.0::float8 / (@rrfk + v.rank) + CASE WHEN v.rank = 1 THEN @bonus::float8 ELSE 0 END, 0) +
			coalesce(1.0::float8 / (@rrfk + t.rank) + CASE WHEN t.rank = 1 THEN @bonus::float8 ELSE 0 END, 0) AS score
	FROM vec v FULL OUTER JOIN txt t USING (collection, doc_id, ordinal)
	ORDER BY score DESC, trank ASC NULLS LAST, doc_id COLLATE "C", collection COLLATE "C", ordinal
	LIMIT @k
)
SELECT f.doc_id, f.collection, d.title, d.category, c.heading, f.ordinal, f.score,
	coalesce(f.vrank, 0), coalesce(f.trank, 0), c.text, d.metadata
FROM fused f
JOIN chunks c ON c.collection = f.collection AND c.doc_id = f.doc_id AND c.ordinal = f.ordinal
JOIN documents d ON d.collection = f.collection AND d.id = f.doc_id
ORDER BY f.score DESC, f.trank ASC NULLS LAST, f.doc_id COLLATE "C", f.collection COLLATE "C", f.ordinal
LIMIT @k`
)

// searchSQL assembles the statement for the rankings in use over
// embeddings of dimension dim.
func searchSQL(useVec, useText bool, dim int) string {
	sql := "WITH "
	if useVec {
		sql += fmt.Sprintf(vecRanking, dim)
	} else {
		sql += noVecRanking
	}
	sql += ",\n"
	if useText {
		sql += textRanking
	} else {
		sql += noTextRanking
	}
	return sql + fusion
}

// scanHit reads a row of the search statement.
func scanHit(row pgx.CollectableRow) (knowledge.Hit, error) {
	var (
		h        knowledge.Hit
		category string
		heading  []string
		meta     map[string]string
	)
	err := row.Scan(&h.Doc, &h.Collection, &h.Title, &category, &heading, &h.Ordinal, &h.Score,
		&h.VectorRank, &h.TextRank, &h.Text, &meta)
	h.Category = knowledge.Category(category)
	h.Heading = knowledge.HeadingPath(heading)
	h.Reference = knowledge.Reference(meta)
	return h, err
}

// SearchStatement returns the SQL statement Search runs for mode, with its
// named parameters (@k, @depth, @vec, @terms, …) unbound. It is for tools
// that EXPLAIN or benchmark the statement (bench/), so that they never
// measure a stale copy.
func (s *Store) SearchStatement(mode knowledge.Mode) string {
	mode = cmp.Or(mode, knowledge.ModeHybrid)
	return s.statements[mode]
}

// SearchArgs returns the named arguments Search binds for q (depth and
// the full-text candidate policy included), for the same tools.
func (s *Store) SearchArgs(ctx context.Context, q knowledge.Query) (pgx.NamedArgs, error) {
	return s.searchArgs(ctx, q)
}

// ExplainSearch runs Search's statement for q under EXPLAIN (ANALYZE,
// BUFFERS), with the same settings and transaction shape, and returns the
// plan. It is for diagnosing slow searches (bench/ uses it).
func (s *Store) ExplainSearch(ctx context.Context, q knowledge.Query) (string, error) {
	args, err := s.searchArgs(ctx, q)
	if err != nil {
		return "", wrap("postgres.ExplainSearch", err)
	}
	exact, err := s.exactVectors(ctx)
	if err != nil {
		return "", wrap("postgres.ExplainSearch", err)
	}
	mode := cmp.Or(q.Mode, knowledge.ModeHybrid)
	var plan strings.Builder
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := s.tuneSearch(ctx, tx, mode != knowledge.ModeText, exact, args["depth"].(int), q.Collection != "" || q.Category != "" || q.Readable != nil); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+s.SearchStatement(mode), args)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, l := range lines {
			plan.WriteString(l + "\n")
		}
		return err
	})
	return plan.String(), wrap("postgres.ExplainSearch", err)
}
