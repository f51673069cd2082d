package postgres_test

import (
	"context"
	"strings"
	"testing"

	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
)

func indexDef(t *testing.T, s *postgres.Store) string {
	t.Helper()
	def, err := s.HNSWIndexDef(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func putDoc(t *testing.T, s *postgres.Store, id string) {
	t.Helper()
	doc := knowledge.Document{ID: id, Title: "标题" + id, Hash: "h" + id}
	chunks := []knowledge.Chunk{{Ordinal: 0, Text: "值班制度" + id, Tokens: 3, Terms: []string{"值班"}, Embedding: []float32{1, 0, 0, 0}}}
	if _, err := s.Put(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
}

// TestBulkRebuildsTheMigrationsIndex checks that a bulk load ends with the
// very index migration 0001 creates, and that EnsureIndexes repairs a bulk
// load whose end never ran.
func TestBulkRebuildsTheMigrationsIndex(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := pgtest.MustOpen(t, 4)
	want := indexDef(t, s)
	if !strings.Contains(want, "hnsw") {
		t.Fatalf("migrated index: %q", want)
	}
	for _, c := range []struct {
		name   string
		finish func(end func(context.Context) error) error
	}{
		{"end", func(end func(context.Context) error) error { return end(ctx) }},
		{"killed, then EnsureIndexes", func(func(context.Context) error) error { return s.EnsureIndexes(ctx) }},
	} {
		end, err := s.BeginBulk(ctx, true)
		if err != nil || end == nil {
			t.Fatalf("%s: BeginBulk: %v, end %v", c.name, err, end != nil)
		}
		if def := indexDef(t, s); def != "" {
			t.Fatalf("%s: index still there during the load: %q", c.name, def)
		}
		putDoc(t, s, c.name)
		if err := c.finish(end); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := indexDef(t, s); got != want {
			t.Fatalf("%s: index after the load\n %q\nwant %q", c.name, got, want)
		}
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes with the index in place: %v", err)
	}
}

// TestBulkOnlyWhenEmpty checks that without force BeginBulk leaves a store
// that holds chunks alone.
func TestBulkOnlyWhenEmpty(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := pgtest.MustOpen(t, 4)
	end, err := s.BeginBulk(ctx, false)
	if err != nil || end == nil {
		t.Fatalf("empty store: BeginBulk: %v, end %v", err, end != nil)
	}
	putDoc(t, s, "a")
	if err := end(ctx); err != nil {
		t.Fatal(err)
	}
	end, err = s.BeginBulk(ctx, false)
	if err != nil || end != nil {
		t.Fatalf("store with chunks: BeginBulk: %v, end %v, want nothing done", err, end != nil)
	}
	if indexDef(t, s) == "" {
		t.Fatal("index dropped on a store with chunks")
	}
	hits, err := s.Search(ctx, knowledge.Query{Vector: []float32{1, 0, 0, 0}, K: 5, Mode: knowledge.ModeVector})
	if err != nil || len(hits) != 1 {
		t.Fatalf("search after the bulk load: %v, %d hits", err, len(hits))
	}
}

func TestBuildMem(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rows int64
		dim  int
		want int64
	}{
		{0, 1536, 64 << 20},
		{50000, 1536, 50000 * (2*1536 + 1024) * 5 / 4},
		{10_000_000, 1536, 1 << 30},
	} {
		if got := postgres.BuildMem(c.rows, c.dim); got != c.want {
			t.Errorf("buildMem(%d, %d) = %d, want %d", c.rows, c.dim, got, c.want)
		}
	}
}
