-- 0003_tsv_written: govreply writes each chunk's tsvector itself.
--
-- Before this migration tsv was generated from a terms column (the chunk's gse words,
-- bigrams and characters joined by spaces) with to_tsvector('simple'). That
-- parse was most of the cost of storing a chunk (terms is about seven times
-- the chunk's text) and it split some of gse's terms again (at apostrophes,
-- hyphens, "&" …), so that the full-text ranking did not see the terms the
-- in-memory store ranks with. With it, Put sends the tsvector built from the
-- terms (lexeme = term, as the "simple" configuration leaves a lower-cased
-- word; positions = where the term occurs; see tsvectorOf in documents.go),
-- and search looks each query term up as one lexeme. For terms made of
-- letters and digits that is exactly what to_tsvector('simple') produced,
-- so only the other rows change here.
ALTER TABLE chunks ALTER COLUMN tsv DROP EXPRESSION;

-- terms_tsvector is that tsvector, built from the old terms column. It
-- stays so that a test can check that Put writes the same (TestTsvectorOf).
CREATE FUNCTION terms_tsvector(terms text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(
        '''' || replace(replace(w.term, '\', '\\'), '''', '''''') || ''':' || array_to_string(w.pos[1:255], ','),
        ' '), '')::tsvector
    FROM (
        SELECT t.term, array_agg(t.n ORDER BY t.n) AS pos
        FROM unnest(string_to_array(terms, ' ')) WITH ORDINALITY AS t(term, n)
        WHERE t.term <> '' AND octet_length(t.term) < 2048 AND t.n < 16384
        GROUP BY t.term
    ) w
$$;

UPDATE chunks SET tsv = terms_tsvector(terms)
WHERE tsv IS DISTINCT FROM terms_tsvector(terms);

ALTER TABLE chunks DROP COLUMN terms;

-- tsv (about three times the chunk's text, as it holds every bigram and
-- character) and text are compressed with lz4 where the server has it:
-- each search decompresses the tsvectors of a few hundred candidates, and
-- lz4 decompresses several times faster than the default pglz (and
-- compresses faster on ingest). Values already stored keep pglz until
-- they are rewritten.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE chunks ALTER COLUMN tsv SET COMPRESSION lz4;
        ALTER TABLE chunks ALTER COLUMN text SET COMPRESSION lz4;
    END IF;
END
$$;
