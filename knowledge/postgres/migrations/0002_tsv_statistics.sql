-- 0002_tsv_statistics: finer statistics on the chunks' lexemes.
--
-- Search reads ANALYZE's most common lexemes of chunks.tsv (pg_stats) to
-- tell which query terms are common: on a large table those only score
-- full-text candidates, they do not select them (see search.go). The
-- default target keeps lexemes down to a share of about 10 %; 1000 keeps
-- about ten times as many, down to a fraction of a percent.
ALTER TABLE chunks ALTER COLUMN tsv SET STATISTICS 1000;
