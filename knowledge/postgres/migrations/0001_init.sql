-- 0001_init: documents, their chunks and the two indexes retrieval ranks with.
-- This file is a text/template: {{.Dim}} is the embedding dimension the
-- database is created for (recorded in govreply_meta and checked at start).

CREATE EXTENSION IF NOT EXISTS vector;

-- One row: the embedding dimension and the embedder that fill this database.
CREATE TABLE govreply_meta (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    dim        integer NOT NULL CHECK (dim > 0),
    embedder   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    collection   text NOT NULL,
    id           text NOT NULL,
    title        text NOT NULL DEFAULT '',
    category     text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    tags         text[] NOT NULL DEFAULT '{}',
    effective    date,
    path         text NOT NULL DEFAULT '',
    content_hash text NOT NULL,
    metadata     jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection, id)
);

CREATE INDEX documents_category_idx ON documents (category);

-- category is copied from the document so a filtered search reads one table.
-- terms holds the chunk's gse words joined by spaces; tsv is derived from it
-- with the "simple" configuration (no stemming, no stop words).
CREATE TABLE chunks (
    collection  text NOT NULL,
    doc_id      text NOT NULL,
    ordinal     integer NOT NULL,
    category    text NOT NULL DEFAULT '',
    heading     text[] NOT NULL DEFAULT '{}',
    text        text NOT NULL,
    token_count integer NOT NULL DEFAULT 0,
    terms       text NOT NULL DEFAULT '',
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED,
    embedding   vector({{.Dim}}) NOT NULL,
    PRIMARY KEY (collection, doc_id, ordinal),
    FOREIGN KEY (collection, doc_id) REFERENCES documents (collection, id) ON DELETE CASCADE
);

CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);
CREATE INDEX chunks_category_idx ON chunks (category);
-- (collection) filters use the primary key's leading column.
