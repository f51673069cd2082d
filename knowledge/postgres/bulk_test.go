package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"govreply/internal/errs"
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

// killBulkSession ends the database session that holds s's bulk lock, as
// the death of a bulk-loading process does, and waits until the lock is
// gone: pg_terminate_backend only signals the backend, which releases its
// locks when it has exited.
func killBulkSession(ctx context.Context, s *postgres.Store) error {
	if err := s.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = 'chunks'::regclass::oid AND objsubid = 2 AND granted`); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var held bool
		if err := s.DB().Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE locktype = 'advisory' AND objid = 'chunks'::regclass::oid AND objsubid = 2 AND granted)`).Scan(&held); err != nil {
			return err
		}
		if !held {
			return nil
		}
	}
	return errors.New("the bulk lock outlived its session by 10 s")
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
		{"killed, then EnsureIndexes", func(end func(context.Context) error) error {
			// The process dies: its session, which held the bulk lock, ends.
			if err := killBulkSession(ctx, s); err != nil {
				return err
			}
			if err := s.Ping(ctx); !errs.Is(errs.Unavailable, err) || !errs.HasCode(err, postgres.CodeIndexMissing) {
				t.Errorf("Ping with the index missing: %v (code %s), want %s", err, errs.CodeOf(err), postgres.CodeIndexMissing)
			}
			if err := s.EnsureIndexes(ctx); err != nil {
				return err
			}
			// (A dead process calls nothing; here end returns the
			// connection to the pool so that it can close.)
			return end(ctx)
		}},
		{"still loading, then EnsureIndexes and end", func(end func(context.Context) error) error {
			// A repair leaves the index to a load that is still running.
			if err := s.EnsureIndexes(ctx); err != nil {
				return err
			}
			if def := indexDef(t, s); def != "" {
				t.Errorf("EnsureIndexes built the index during a load: %q", def)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping during a load: %v", err)
			}
			return end(ctx)
		}},
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
