-- EXPLAIN ANALYZE of the hybrid search statement of knowledge/postgres
-- (search.go: vecRanking, textRanking, fusion; k = 5, depth = 40, no
-- filters) for one benchmark question, with the same per-transaction
-- settings the store makes. The question's terms, weights and vector come
-- from bench_queries, which the search benchmarks write into their schema.
--
--   PGOPTIONS='-c search_path=bench_100k,public' psql -h 127.0.0.1 -U postgres -d test \
--       -v qid=3 -f bench/explain.sql
--
-- Add -v seqscan=off to see the plan with enable_seqscan = off (the
-- proposed fix: the HNSW index instead of a sequential scan of TOASTed
-- vectors). Keep this copy in step with search.go when the statement changes.
\if :{?qid}
\else
\set qid 0
\endif
\if :{?seqscan}
\else
\set seqscan on
\endif
SELECT q, vec, terms::text AS terms, weights::text AS weights FROM bench_queries WHERE id = :qid \gset
\echo question :qid: :q
\echo terms: :terms
BEGIN READ ONLY;
SELECT set_config('hnsw.ef_search', '40', true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
	set_config('enable_seqscan', :'seqscan', true) \gset
EXPLAIN (ANALYZE, BUFFERS)
WITH vec AS (
	SELECT v.collection, v.doc_id, v.ordinal,
		row_number() OVER (ORDER BY v.distance, v.doc_id COLLATE "C", v.collection COLLATE "C", v.ordinal) AS rank
	FROM (
		SELECT c.collection, c.doc_id, c.ordinal, c.embedding <=> :'vec'::vector AS distance
		FROM chunks c
		WHERE ('' = '' OR c.collection = '')
			AND ('' = '' OR c.category = '')
		ORDER BY c.embedding <=> :'vec'::vector
		LIMIT 40
	) v
),
terms AS (
	SELECT p.query, p.weight
	FROM (
		SELECT plainto_tsquery('simple', t.term) AS query, coalesce(t.weight, 1) AS weight
		FROM unnest(:'terms'::text[], :'weights'::float8[]) AS t(term, weight)
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
			AND ('' = '' OR c.collection = '')
			AND ('' = '' OR c.category = '')
		ORDER BY score DESC, c.doc_id COLLATE "C", c.collection COLLATE "C", c.ordinal
		LIMIT 40
	) m
),
fused AS (
	SELECT collection, doc_id, ordinal, v.rank AS vrank, t.rank AS trank,
		coalesce(1.0::float8 / (60 + v.rank), 0) + coalesce(1.0::float8 / (60 + t.rank), 0) AS score
	FROM vec v FULL OUTER JOIN txt t USING (collection, doc_id, ordinal)
)
SELECT f.doc_id, f.collection, d.title, d.category, c.heading, f.ordinal, f.score,
	coalesce(f.vrank, 0), coalesce(f.trank, 0), c.text
FROM fused f
JOIN chunks c ON c.collection = f.collection AND c.doc_id = f.doc_id AND c.ordinal = f.ordinal
JOIN documents d ON d.collection = f.collection AND d.id = f.doc_id
ORDER BY f.score DESC, f.doc_id COLLATE "C", f.collection COLLATE "C", f.ordinal
LIMIT 5;
COMMIT;
