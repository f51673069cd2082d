-- 0007_term_counts: how many chunks of each collection hold each term.
--
-- The retriever weighs a query's terms by how rare they are in the corpus
-- searched (knowledge.TermCounter), so the counts must be exact and current
-- after every Put and Delete, and the same as the in-memory store's. Triggers
-- on chunks keep them: one per statement, over its transition table, so a
-- COPY of a document's chunks costs one grouped upsert, not one per row.
-- A chunk's terms are the lexemes of its tsvector (tsvector_to_array), which
-- Put writes from Chunk.Terms.

CREATE TABLE collection_counts (
    collection text PRIMARY KEY,
    chunks     bigint NOT NULL CHECK (chunks >= 0)
);

CREATE TABLE term_counts (
    collection text NOT NULL,
    term       text NOT NULL,
    chunks     bigint NOT NULL CHECK (chunks > 0),
    PRIMARY KEY (collection, term)
);

-- count_chunks keeps both tables: it removes the chunks of the statement's
-- old transition table and adds those of its new one. Writers take one
-- transaction-scoped advisory lock first: two Puts updating overlapping
-- terms in different orders (one statement removing a document's old
-- chunks, the next adding the new) would otherwise deadlock. It is held to
-- commit, so it serialises only the counting and the commit of concurrent
-- writers. (Transition tables are visible only to the trigger function's
-- own statements, hence one function with a branch per operation.)
--
-- A bulk load (Store.BeginBulk) sets govreply.defer_counts in its Puts'
-- transactions and counts everything again at its end (recount_chunks):
-- one grouped pass over the table costs a tenth of the per-document
-- upserts. govreply_meta.counts_stale says, until then, that the counts
-- lack the rows loaded, so that a load killed half-way is counted again at
-- the next start.
CREATE FUNCTION count_chunks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('govreply.defer_counts', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7046190305);
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        WITH c AS (
            SELECT collection, count(*) AS n FROM old_chunks GROUP BY collection
        ), dec AS (
            UPDATE collection_counts t SET chunks = t.chunks - c.n
            FROM c WHERE t.collection = c.collection AND t.chunks > c.n
        )
        DELETE FROM collection_counts t USING c
        WHERE t.collection = c.collection AND t.chunks <= c.n;

        WITH d AS (
            SELECT o.collection, l.term, count(*) AS n
            FROM old_chunks o, unnest(tsvector_to_array(o.tsv)) AS l(term)
            GROUP BY o.collection, l.term
        ), dec AS (
            UPDATE term_counts t SET chunks = t.chunks - d.n
            FROM d WHERE t.collection = d.collection AND t.term = d.term AND t.chunks > d.n
        )
        DELETE FROM term_counts t USING d
        WHERE t.collection = d.collection AND t.term = d.term AND t.chunks <= d.n;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO collection_counts AS t (collection, chunks)
        SELECT collection, count(*) FROM new_chunks GROUP BY collection ORDER BY collection
        ON CONFLICT (collection) DO UPDATE SET chunks = t.chunks + EXCLUDED.chunks;

        INSERT INTO term_counts AS t (collection, term, chunks)
        SELECT n.collection, l.term, count(*)
        FROM new_chunks n, unnest(tsvector_to_array(n.tsv)) AS l(term)
        GROUP BY n.collection, l.term ORDER BY n.collection, l.term
        ON CONFLICT (collection, term) DO UPDATE SET chunks = t.chunks + EXCLUDED.chunks;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER chunks_counted_insert AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION count_chunks();
CREATE TRIGGER chunks_counted_update AFTER UPDATE ON chunks
    REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION count_chunks();
CREATE TRIGGER chunks_counted_delete AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION count_chunks();

ALTER TABLE govreply_meta ADD COLUMN counts_stale boolean NOT NULL DEFAULT false;

-- recount_chunks counts every stored chunk again, under the writers' lock,
-- and clears counts_stale. Writers waiting on the lock add their chunks
-- after it, which it cannot see: their counts are still right.
CREATE FUNCTION recount_chunks() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7046190305);
    DELETE FROM collection_counts;
    DELETE FROM term_counts;
    INSERT INTO collection_counts (collection, chunks)
    SELECT collection, count(*) FROM chunks GROUP BY collection;
    INSERT INTO term_counts (collection, term, chunks)
    SELECT c.collection, l.term, count(*)
    FROM chunks c, unnest(tsvector_to_array(c.tsv)) AS l(term)
    GROUP BY c.collection, l.term;
    UPDATE govreply_meta SET counts_stale = false;
END $$;

-- The chunks already stored.
SELECT recount_chunks();
