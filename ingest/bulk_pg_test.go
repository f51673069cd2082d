package ingest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"govreply/ingest"
	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
)

// hnswIndexExists reports whether schema holds the HNSW index.
func hnswIndexExists(t *testing.T, schema string) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ok bool
	err = conn.QueryRow(context.Background(), `SELECT to_regclass($1) IS NOT NULL`,
		pgx.Identifier{schema, "chunks_embedding_idx"}.Sanitize()).Scan(&ok)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestBulkRunOnPostgres runs a bulk load into Postgres to the end and one
// interrupted after three files: the HNSW index is there again when Run
// returns, and every stored document has all its chunks.
func TestBulkRunOnPostgres(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		cancelAfter int
		wantDocs    int
	}{
		{"complete", 0, 10},
		{"interrupted", 3, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			schema := pgtest.MustSchema(t)
			st, err := postgres.Open(context.Background(), postgres.Options{URL: pgtest.URL(), Dim: 64, Embedder: "local-lexical-v2:64", Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ix := newIndexer(t, st)
			ix.Bulk, ix.Writers = ingest.BulkOn, 1
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sum, err := ix.Run(ctx, "c", []string{manyFiles(t, 10)}, &recorder{n: c.cancelAfter, cancel: cancel})
			if (err != nil) != (c.cancelAfter > 0) {
				t.Fatalf("Run: %v", err)
			}
			if sum.IndexSeconds <= 0 || sum.IndexSeconds > sum.Seconds {
				t.Errorf("IndexSeconds %v of Seconds %v: want the index build's share", sum.IndexSeconds, sum.Seconds)
			}
			if !hnswIndexExists(t, schema) {
				t.Fatal("the HNSW index is missing after Run returned")
			}
			docs, _ := st.Documents(context.Background(), knowledge.Filter{Collection: "c"})
			if len(docs) != c.wantDocs {
				t.Fatalf("%d documents stored, want %d", len(docs), c.wantDocs)
			}
			hits, err := st.Search(context.Background(), knowledge.Query{Terms: []string{"交接"}, K: 50, Mode: knowledge.ModeText})
			if err != nil || len(hits) != c.wantDocs {
				t.Fatalf("%d chunks found (%v), want one per stored document", len(hits), err)
			}
		})
	}
}
