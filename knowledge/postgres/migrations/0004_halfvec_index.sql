-- 0004_halfvec_index: the HNSW index holds half-precision copies of the
-- embeddings (pgvector 0.7 or later).
--
-- Half the bytes per vector: at 1536 dimensions an index entry drops from
-- about 6 KB to 3 KB, so the index is half the size (≈ 390 MB instead of
-- 780 MB at 100k chunks), a search reads half the pages, and a build moves
-- half the memory. Ranking is unchanged in kind: the index only proposes
-- the nearest candidates (at 2^-11 relative precision, far below the
-- differences that order real neighbours); search orders them by the
-- exact single-precision distance of the stored column (see search.go).
-- The statement must match documents.go's hnswIndexSQL, which a bulk load
-- uses to build the index again (TestBulkRebuildsTheMigrationsIndex).
DO $$
BEGIN
    IF (SELECT string_to_array(extversion, '.')::int[] < '{0,7}' FROM pg_extension WHERE extname = 'vector') THEN
        RAISE EXCEPTION 'pgvector 版本 % 过旧：需要 0.7.0 以上（halfvec 类型）。请升级服务器上的 pgvector，再执行 ALTER EXTENSION vector UPDATE',
            (SELECT extversion FROM pg_extension WHERE extname = 'vector');
    END IF;
END
$$;
-- A table with rows gets the memory and parallel workers buildHNSW
-- (documents.go) would give it; an empty one, the defaults (a parallel
-- build reserves all of maintenance_work_mem up front).
DO $$
DECLARE
    n bigint := (SELECT count(*) FROM chunks);
BEGIN
    IF n > 0 THEN
        PERFORM set_config('maintenance_work_mem',
            least(greatest(n * (2 * {{.Dim}} + 1024) * 5 / 4, 64 << 20), 1 << 30) / 1024 || 'kB', true);
        PERFORM set_config('min_parallel_table_scan_size', '0', true);
    END IF;
END
$$;
DROP INDEX IF EXISTS chunks_embedding_idx;
CREATE INDEX chunks_embedding_idx ON chunks USING hnsw ((embedding::halfvec({{.Dim}})) halfvec_cosine_ops);
