package postgres

import (
	"context"
	"errors"
	"fmt"
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

// Put implements knowledge.Store. In one transaction it locks the stored
// document, returns Unchanged when its hash is the same, and otherwise
// upserts the document, deletes its old chunks and copies in the new ones.
// The commit is durable when Put returns (synchronous_commit).
func (s *Store) Put(ctx context.Context, doc knowledge.Document, chunks []knowledge.Chunk) (knowledge.Outcome, error) {
	const op = "postgres.Put"
	if doc.Collection == "" {
		doc.Collection = knowledge.DefaultCollection
	}
	if doc.ID == "" {
		return "", knowledge.E(op, knowledge.Invalid, "文档缺少 id")
	}
	var effective *time.Time
	if doc.Effective != "" {
		t, err := time.Parse(time.DateOnly, doc.Effective)
		if err != nil {
			return "", knowledge.E(op, knowledge.Invalid,
				fmt.Sprintf("文档 %s 的生效日期 %q 不是 YYYY-MM-DD 格式", doc.ID, doc.Effective), err)
		}
		effective = &t
	}
	rows := make([][]any, len(chunks))
	seen := make(map[int]bool, len(chunks))
	for i, c := range chunks {
		if len(c.Embedding) != s.dim {
			return "", knowledge.E(op, knowledge.Invalid, fmt.Sprintf(
				"文档 %s 第 %d 段的向量为 %d 维，知识库为 %d 维", doc.ID, c.Ordinal, len(c.Embedding), s.dim))
		}
		if seen[c.Ordinal] {
			return "", knowledge.E(op, knowledge.Invalid, fmt.Sprintf("文档 %s 的段落序号 %d 重复", doc.ID, c.Ordinal))
		}
		seen[c.Ordinal] = true
		rows[i] = []any{
			doc.Collection, doc.ID, c.Ordinal, string(doc.Category), orEmpty(c.Heading),
			c.Text, c.Tokens, strings.Join(c.Terms, " "), pgvector.NewVector(c.Embedding),
		}
	}
	metadata := doc.Metadata
	if metadata == nil {
		metadata = map[string]string{}
	}

	var outcome knowledge.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hash string
		err := tx.QueryRow(ctx, `SELECT content_hash FROM documents
			WHERE collection = $1 AND id = $2 FOR UPDATE`, doc.Collection, doc.ID).Scan(&hash)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			outcome = knowledge.Added
		case err != nil:
			return err
		case hash == doc.Hash:
			outcome = knowledge.Unchanged
			return nil
		default:
			outcome = knowledge.Updated
		}
		// The WHERE guards against a concurrent first Put of the same
		// document and hash, which the row lock above cannot see.
		tag, err := tx.Exec(ctx, `INSERT INTO documents AS d
				(collection, id, title, category, source, tags, effective, path, content_hash, metadata)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (collection, id) DO UPDATE SET
				title = EXCLUDED.title, category = EXCLUDED.category, source = EXCLUDED.source,
				tags = EXCLUDED.tags, effective = EXCLUDED.effective, path = EXCLUDED.path,
				content_hash = EXCLUDED.content_hash, metadata = EXCLUDED.metadata, updated_at = now()
			WHERE d.content_hash IS DISTINCT FROM EXCLUDED.content_hash`,
			doc.Collection, doc.ID, doc.Title, string(doc.Category), doc.Source, orEmpty(doc.Tags),
			effective, doc.Path, doc.Hash, metadata)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			outcome = knowledge.Unchanged
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE collection = $1 AND doc_id = $2`,
			doc.Collection, doc.ID); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, chunkColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return "", wrap(op, err)
	}
	return outcome, nil
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
