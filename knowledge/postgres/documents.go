package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"govreply/knowledge"
)

// chunkColumns are the columns Put copies; tsv is generated from terms.
var chunkColumns = []string{
	"collection", "doc_id", "ordinal", "category", "heading", "text", "token_count", "terms", "embedding",
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
		return "", knowledge.E(op, err)
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
			c.Text, c.Tokens, strings.Join(c.Terms, " "), pgvector.NewVector(c.Embedding),
		}
	}
	metadata := doc.Metadata
	if metadata == nil {
		metadata = map[string]string{}
	}

	args := []any{doc.Collection, doc.ID, doc.Title, string(doc.Category), doc.Source, orEmpty(doc.Tags),
		effective, doc.Path, doc.Hash, metadata}
	var outcome knowledge.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
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
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, chunkColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return "", wrap(op, err)
	}
	return outcome, nil
}

// upsertDocument writes the document row inside tx and says what it did.
// args are the values of the ten columns INSERT lists. A new row is
// inserted (the insert waits for a concurrent one of the same key); an
// existing row is locked, compared by hash and updated only when changed.
func upsertDocument(ctx context.Context, tx pgx.Tx, args []any) (knowledge.Outcome, error) {
	// A concurrent Delete between the two statements makes the row vanish;
	// go round again.
	for range 3 {
		tag, err := tx.Exec(ctx, `INSERT INTO documents
				(collection, id, title, category, source, tags, effective, path, content_hash, metadata)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
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
				content_hash = $9, metadata = $10, updated_at = now()
			WHERE collection = $1 AND id = $2`, args...)
		if err != nil {
			return "", err
		}
		return knowledge.Updated, nil
	}
	return "", knowledge.E("postgres.Put", knowledge.Conflict, "文档正被同时修改，请重试")
}

// documentColumns are the columns scanDocument reads, in order.
const documentColumns = `collection, id, title, category, source, tags, effective, path,
	content_hash, metadata, created_at, updated_at`

// Get implements knowledge.Store.
func (s *Store) Get(ctx context.Context, collection, id string) (knowledge.Document, error) {
	const op = "postgres.Get"
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE collection = $1 AND id = $2`, collection, id)
	doc, err := pgx.CollectExactlyOneRow(rows, scanDocument)
	if errors.Is(err, pgx.ErrNoRows) {
		return knowledge.Document{}, knowledge.E(op, knowledge.NotFound, "未找到文档 "+id)
	}
	if err != nil {
		return knowledge.Document{}, wrap(op, err)
	}
	return doc, nil
}

// Delete implements knowledge.Store; the chunks go with the document.
func (s *Store) Delete(ctx context.Context, collection, id string) error {
	const op = "postgres.Delete"
	tag, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE collection = $1 AND id = $2`, collection, id)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return knowledge.E(op, knowledge.NotFound, "未找到文档 "+id)
	}
	return nil
}

// Documents implements knowledge.Store. Ordering is by bytes (COLLATE "C"),
// as in Go, whatever the database's collation.
func (s *Store) Documents(ctx context.Context, f knowledge.Filter) ([]knowledge.Document, error) {
	const op = "postgres.Documents"
	rows, _ := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE ($1 = '' OR collection = $1) AND ($2 = '' OR category = $2)
		ORDER BY collection COLLATE "C", id COLLATE "C"`, f.Collection, string(f.Category))
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
		&d.Path, &d.Hash, &d.Metadata, &d.CreatedAt, &d.UpdatedAt)
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
