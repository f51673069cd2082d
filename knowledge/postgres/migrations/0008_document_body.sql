-- 0008_document_body: documents keep their full text.
--
-- Before this migration a document was stored as its chunks only; the
-- web workspace shows a document whole, so Put now writes the Markdown
-- body it was given here as well (and Store.Text reads it). Documents
-- stored before keep an empty body until they are written again: Text
-- rebuilds theirs from the chunks.
ALTER TABLE documents ADD COLUMN body text NOT NULL DEFAULT '';

-- Bodies are read one at a time and compress well; lz4 where the server
-- has it, as for the chunks' text (0003).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE documents ALTER COLUMN body SET COMPRESSION lz4;
    END IF;
END
$$;
