package bench

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"govreply/knowledge"
)

// This file measures candidate changes to knowledge/postgres's search
// statement without touching the store: the statements below run on the
// benchmark datasets next to the store's own, and their top-5 is compared
// with the store's. "current" is a copy of search.go's hybrid statement as
// of this writing; keep it in step (BenchmarkSQLVariants fails when it no
// longer ranks like the store).

// sqlVariant is one way of running the hybrid search.
type sqlVariant struct {
	name string
	mode knowledge.Mode // hybrid when ""
	// seqscanOff adds set_config('enable_seqscan', 'off', true) to the
	// transaction, so the planner takes the HNSW index instead of a
	// sequential scan over the TOASTed vectors.
	seqscanOff bool
	// proposed replaces the text ranking with proposedText.
	proposed bool
	maxFreq  float64 // proposed: terms in more than this share of chunks only score, they do not select
	cap      int     // proposed: at most this many candidates are scored (0: no cap)
	ef       int     // hnsw.ef_search; 0: the store's (the depth, at least 40)
	// exact turns index scans off: the vector ranking is then exact (a
	// sequential scan), the reference for recall@5.
	exact bool
}

var sqlVariants = []sqlVariant{
	{name: "hybrid/current"},
	{name: "hybrid/seqscan-off", seqscanOff: true},
	{name: "hybrid/proposed-f0.2", seqscanOff: true, proposed: true, maxFreq: 0.2},
	{name: "hybrid/proposed-f0.05", seqscanOff: true, proposed: true, maxFreq: 0.05},
	{name: "hybrid/proposed-f0.05-cap2000", seqscanOff: true, proposed: true, maxFreq: 0.05, cap: 2000},
	{name: "hybrid/proposed-f0.05-cap500", seqscanOff: true, proposed: true, maxFreq: 0.05, cap: 500},
	{name: "vector/current", mode: knowledge.ModeVector},
	{name: "vector/seqscan-off", mode: knowledge.ModeVector, seqscanOff: true},
	{name: "vector/seqscan-off-ef100", mode: knowledge.ModeVector, seqscanOff: true, ef: 100},
	{name: "vector/seqscan-off-ef200", mode: knowledge.ModeVector, seqscanOff: true, ef: 200},
	{name: "text/current", mode: knowledge.ModeText},
	{name: "text/proposed-f0.05", mode: knowledge.ModeText, proposed: true, maxFreq: 0.05},
	{name: "text/proposed-f0.05-cap500", mode: knowledge.ModeText, proposed: true, maxFreq: 0.05, cap: 500},
}

const variantVec = `vec AS (
	SELECT v.collection, v.doc_id, v.ordinal,
		row_number() OVER (ORDER BY v.distance, v.doc_id COLLATE "C", v.collection COLLATE "C", v.ordinal) AS rank
	FROM (
		SELECT c.collection, c.doc_id, c.ordinal, c.embedding <=> @vec::vector AS distance
		FROM chunks c
		WHERE (@collection = '' OR c.collection = @collection)
			AND (@category = '' OR c.category = @category)
		ORDER BY c.embedding <=> @vec::vector
		LIMIT @depth
	) v
)`

const currentText = `terms AS (
	SELECT p.query, p.weight
	FROM (
		SELECT plainto_tsquery('simple', t.term) AS query, coalesce(t.weight, 1) AS weight
		FROM unnest(@terms::text[], @weights::float8[]) AS t(term, weight)
		WHERE t.term <> ''
	) p
	WHERE numnode(p.query) > 0
),
tq AS (
	SELECT string_agg('(' || terms.query::text || ')', ' | ')::tsquery AS query FROM terms
),
txt AS (
	SELECT m.collection, m.doc_id, m.ordinal,
		row_number() OVER (ORDER BY m.score DESC, m.doc_id COLLATE "C", m.collection COLLATE "C", m.ordinal) AS rank
	FROM (
		SELECT c.collection, c.doc_id, c.ordinal,
			(SELECT sum(t.weight * ts_rank(c.tsv, t.query)) FROM terms t) AS score
		FROM chunks c, tq
		WHERE c.tsv @@ tq.query
			AND (@collection = '' OR c.collection = @collection)
			AND (@category = '' OR c.category = @category)
		ORDER BY score DESC, c.doc_id COLLATE "C", c.collection COLLATE "C", c.ordinal
		LIMIT @depth
	) m
)`

// proposedText is the text ranking with three changes:
//
//  1. Common terms select nothing: a query term whose lexemes all occur in
//     more than @maxfreq of the chunks (ANALYZE's most_common_elems of
//     chunks.tsv, read from pg_stats) still adds to a chunk's score but no
//     longer makes it a candidate, unless every term is common. Without
//     it a question containing 办理 scores nearly every chunk.
//  2. The tsvector is detoasted once per candidate instead of once per
//     query term (concatenating an empty tsvector yields an in-memory copy).
//  3. Optionally at most @cap candidates are scored (LIMIT before the
//     ORDER BY score; which ones is then up to the bitmap scan order).
const proposedText = `common AS (
	SELECT e.elem
	FROM pg_stats s,
		unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, freq)
	WHERE s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'tsv'
		AND e.freq > @maxfreq
),
terms AS (
	SELECT p.query, p.weight, p.common
	FROM (
		SELECT plainto_tsquery('simple', t.term) AS query, coalesce(t.weight, 1) AS weight,
			tsvector_to_array(to_tsvector('simple', t.term)) <@ (SELECT coalesce(array_agg(elem), '{}') FROM common) AS common
		FROM unnest(@terms::text[], @weights::float8[]) AS t(term, weight)
		WHERE t.term <> ''
	) p
	WHERE numnode(p.query) > 0
),
tq AS (
	SELECT coalesce(string_agg('(' || query::text || ')', ' | ') FILTER (WHERE NOT common),
		string_agg('(' || query::text || ')', ' | '))::tsquery AS query
	FROM terms
),
txt AS (
	SELECT m.collection, m.doc_id, m.ordinal,
		row_number() OVER (ORDER BY m.score DESC, m.doc_id COLLATE "C", m.collection COLLATE "C", m.ordinal) AS rank
	FROM (
		SELECT x.collection, x.doc_id, x.ordinal,
			(SELECT sum(t.weight * ts_rank(x.tsv, t.query)) FROM terms t) AS score
		FROM (
			SELECT c.collection, c.doc_id, c.ordinal, c.tsv || ''::tsvector AS tsv
			FROM chunks c, tq
			WHERE c.tsv @@ tq.query
				AND (@collection = '' OR c.collection = @collection)
				AND (@category = '' OR c.category = @category)
			LIMIT @cap
		) x
		ORDER BY score DESC, x.doc_id COLLATE "C", x.collection COLLATE "C", x.ordinal
		LIMIT @depth
	) m
)`

const variantFusion = `,
fused AS (
	SELECT collection, doc_id, ordinal, v.rank AS vrank, t.rank AS trank,
		coalesce(1.0::float8 / (@rrfk + v.rank), 0) + coalesce(1.0::float8 / (@rrfk + t.rank), 0) AS score
	FROM vec v FULL OUTER JOIN txt t USING (collection, doc_id, ordinal)
)
SELECT f.doc_id, f.ordinal
FROM fused f
JOIN chunks c ON c.collection = f.collection AND c.doc_id = f.doc_id AND c.ordinal = f.ordinal
JOIN documents d ON d.collection = f.collection AND d.id = f.doc_id
ORDER BY f.score DESC, f.doc_id COLLATE "C", f.collection COLLATE "C", f.ordinal
LIMIT @k`

// The empty rankings of single-mode searches, as in search.go.
const (
	variantNoVec = `vec AS (
	SELECT NULL::text AS collection, NULL::text AS doc_id, NULL::integer AS ordinal, NULL::bigint AS rank
	WHERE false
)`
	variantNoText = `txt AS (
	SELECT NULL::text AS collection, NULL::text AS doc_id, NULL::integer AS ordinal, NULL::bigint AS rank
	WHERE false
)`
)

func (v sqlVariant) sql() string {
	vec, text := variantVec, currentText
	if v.proposed {
		text = proposedText
	}
	switch v.mode {
	case knowledge.ModeVector:
		text = variantNoText
	case knowledge.ModeText:
		vec = variantNoVec
	}
	// The comment gives each variant its own prepared statement: PostgreSQL
	// keeps a cached plan across changes of enable_seqscan, so variants
	// sharing a statement would share its plan.
	return "/* " + v.name + " */ WITH " + vec + ",\n" + text + variantFusion
}

// search runs v for q and returns the hits as "doc#ordinal".
func (v sqlVariant) search(ctx context.Context, ds *dataset, q knowledge.Query) ([]string, error) {
	depth := knowledge.DefaultDepth(q.K)
	args := pgx.NamedArgs{"k": q.K, "depth": depth, "rrfk": knowledge.RRFK, "collection": "", "category": ""}
	if v.mode != knowledge.ModeText {
		args["vec"] = pgvector.NewVector(q.Vector)
	}
	if v.mode != knowledge.ModeVector {
		args["terms"], args["weights"] = q.Terms, q.Weights
	}
	if v.proposed {
		args["maxfreq"] = v.maxFreq
		if v.cap > 0 {
			args["cap"] = v.cap
		} else {
			args["cap"] = nil // LIMIT NULL: no limit
		}
	}
	var out []string
	err := pgx.BeginTxFunc(ctx, ds.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		set := `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`
		if v.seqscanOff {
			set += `, set_config('enable_seqscan', 'off', true)`
		}
		if v.exact {
			set += `, set_config('enable_indexscan', 'off', true)`
		}
		ef := max(depth, 40)
		if v.ef > 0 {
			ef = v.ef
		}
		if _, err := tx.Exec(ctx, set, fmt.Sprint(ef)); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, v.sql(), args)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
			var doc string
			var ord int
			err := r.Scan(&doc, &ord)
			return fmt.Sprintf("%s#%d", doc, ord), err
		})
		return err
	})
	return out, err
}

func hitKeys(hits []knowledge.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s#%d", h.Doc, h.Ordinal)
	}
	return out
}

func overlap(a, b []string) float64 {
	if len(a) == 0 {
		return 1
	}
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	n := 0
	for _, x := range a {
		if in[x] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// BenchmarkSQLVariants runs each statement variant for the 200 questions
// (k = 5) and reports p50/p95/p99-ms of the statement (query
// preparation excluded: it is the same for all), overlap@5, the share
// of the store's top-5 that the variant also returns, and for the vector
// variants recall@5, the share of the exact 5 nearest chunks (found by a
// sequential scan) that the variant returns.
//
//	go test ./bench -run '^$' -bench 'SQLVariants/10k' -benchtime 400x
//	GOVREPLY_BENCH_LARGE=1 go test ./bench -run '^$' -bench 'SQLVariants/100k' -benchtime 200x -timeout 2h
func BenchmarkSQLVariants(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			ds := openDataset(b, sz)
			ctx := context.Background()
			qs := make([]knowledge.Query, len(ds.queries))
			for i, text := range ds.queries {
				q, err := ds.retr.Prepare(ctx, knowledge.Request{Query: text, K: searchK})
				if err != nil {
					b.Fatal(err)
				}
				qs[i] = q
			}
			// want[mode][i]: the store's own top-5 for question i.
			want := map[knowledge.Mode][][]string{}
			for _, mode := range modes {
				for _, q := range qs {
					q.Mode = mode
					hits, err := ds.store.Search(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					want[mode] = append(want[mode], hitKeys(hits))
				}
			}
			// exact[i]: the true 5 nearest chunks of question i.
			exactVariant := sqlVariant{name: "vector/exact", mode: knowledge.ModeVector, exact: true}
			exact := make([][]string, len(qs))
			for i, q := range qs {
				var err error
				if exact[i], err = exactVariant.search(ctx, ds, q); err != nil {
					b.Fatal(err)
				}
			}
			for _, v := range sqlVariants {
				b.Run(v.name, func(b *testing.B) {
					mode := cmp.Or(v.mode, knowledge.ModeHybrid)
					var lat latencies
					var ov, recall float64
					for i := 0; b.Loop(); i++ {
						j := i % len(qs)
						t0 := time.Now()
						got, err := v.search(ctx, ds, qs[j])
						if err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
						ov += overlap(want[mode][j], got)
						recall += overlap(exact[j], got)
					}
					lat.report(b, "")
					b.ReportMetric(ov/float64(len(lat)), "overlap@5")
					if mode == knowledge.ModeVector {
						b.ReportMetric(recall/float64(len(lat)), "recall@5")
					}
					if strings.HasSuffix(v.name, "/current") && ov != float64(len(lat)) {
						b.Errorf("the copy of the store's statement ranks differently from the store (overlap@5 %.3f): update sqlvariants_test.go from knowledge/postgres/search.go", ov/float64(len(lat)))
					}
				})
			}
		})
	}
}
