package postgres_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
	"govreply/knowledge/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, dim int) knowledge.Store {
		return pgtest.MustOpen(t, dim)
	})
}

// open opens a store in schema with the given dimension and embedder.
func open(t *testing.T, schema string, dim int, embedder string) (*postgres.Store, error) {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Options{URL: pgtest.URL(), Dim: dim, Embedder: embedder, Schema: schema})
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

func countMigrations(t *testing.T, schema string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(t.Context(), "SELECT count(*) FROM "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	schema := pgtest.MustSchema(t)
	// Concurrent first starts: the advisory lock lets one migrate.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := open(t, schema, 8, "local")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	s, err := open(t, schema, 8, "local")
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if err := s.DB().Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate on a migrated database: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if n, want := countMigrations(t, schema), postgres.MigrationCount(); n != want {
		t.Errorf("schema_migrations has %d rows, want %d (one per embedded migration)", n, want)
	}
	if s.Dim() != 8 {
		t.Errorf("Dim() = %d, want 8", s.Dim())
	}
	if !postgres.VersionAtLeast(s.VectorVersion(), 0, 8) {
		t.Errorf("pgvector %s is older than 0.8.0: run scripts/setup-postgres.sh", s.VectorVersion())
	}
}

func TestOpenChecksDimAndEmbedder(t *testing.T) {
	t.Parallel()
	schema := pgtest.MustSchema(t)
	if _, err := open(t, schema, 8, "local"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		dim      int
		embedder string
		code     errs.Code // "" for success
		msg      string    // part of the Chinese message
	}{
		{"same", 8, "local", "", ""},
		{"other dimension", 16, "local", "conflict", "重新导入"},
		{"other embedder", 8, "openai", "conflict", "重新导入"},
		{"dimension adopted", 0, "local", "", ""},
		{"embedder not named", 8, "", "", ""},
		{"dimension too large", postgres.MaxDim + 1, "local", "invalid_input", "向量维度"},
		{"negative dimension", -1, "local", "invalid_input", "向量维度"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := open(t, schema, tc.dim, tc.embedder)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if s.Dim() != 8 {
					t.Errorf("Dim() = %d, want 8", s.Dim())
				}
				return
			}
			if !errs.HasCode(err, tc.code) {
				t.Fatalf("Open: err %v (code %q), want code %q", err, errs.CodeOf(err), tc.code)
			}
			if msg := errs.MessageOf(err); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q does not mention %q", msg, tc.msg)
			}
		})
	}

	t.Run("new database needs a dimension", func(t *testing.T) {
		_, err := open(t, pgtest.MustSchema(t), 0, "local")
		if !errs.Is(errs.Invalid, err) {
			t.Fatalf("Open with dim 0 on a new database: err %v, want kind invalid_input", err)
		}
	})
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url string
		kind      errs.Kind
	}{
		{"nothing listens", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", errs.Unavailable},
		{"bad url", "postgres://%zz", errs.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.Open(t.Context(), postgres.Options{URL: tc.url, Dim: 8})
			if !errs.Is(tc.kind, err) {
				t.Fatalf("Open(%s): err %v (kind %q), want %q", tc.url, err, errs.KindOf(err), tc.kind)
			}
		})
	}
}

func TestPingAndClose(t *testing.T) {
	t.Parallel()
	schema := pgtest.MustSchema(t)
	s, err := open(t, schema, 8, "local")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	// A database behind the embedded migrations is not ready.
	if err := s.Exec(t.Context(), "DELETE FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !errs.Is(errs.Unavailable, err) {
		t.Errorf("Ping of an unmigrated database: err %v, want kind unavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(t.Context()); !errs.Is(errs.Unavailable, err) {
		t.Errorf("Ping after Close: err %v, want kind unavailable", err)
	}
}

// TestPutFailureKeepsOldVersion makes Put fail inside its transaction,
// after the document row was updated and the old chunks deleted, and checks
// that the old version is whole.
func TestPutFailureKeepsOldVersion(t *testing.T) {
	t.Parallel()
	s := pgtest.MustOpen(t, storetest.Dim)
	ctx := t.Context()
	old := []knowledge.Chunk{
		storetest.Chunk(0, storetest.Angle(0), "旧版", "甲"),
		storetest.Chunk(1, storetest.Angle(30), "旧版", "乙"),
	}
	if _, err := s.Put(ctx, storetest.Doc("c", "a", "h1"), old); err != nil {
		t.Fatal(err)
	}
	withVec := func(v []float32) knowledge.Chunk { return storetest.Chunk(1, v, "新版") }
	nan, inf := storetest.Angle(0), storetest.Angle(0)
	nan[3] = float32(math.NaN())
	inf[5] = float32(math.Inf(1))
	nul := storetest.Chunk(1, storetest.Angle(0), "新版")
	nul.Text = "含有\x00空字符"
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	cases := []struct {
		name  string
		ctx   context.Context
		doc   knowledge.Document
		chunk knowledge.Chunk
		kind  errs.Kind
	}{
		{"NaN in a vector", ctx, storetest.Doc("c", "a", "h2"), withVec(nan), errs.Invalid},
		{"infinity in a vector", ctx, storetest.Doc("c", "a", "h2"), withVec(inf), errs.Invalid},
		{"NUL in the text", ctx, storetest.Doc("c", "a", "h2"), nul, errs.Invalid},
		{"duplicate ordinal", ctx, storetest.Doc("c", "a", "h2"), storetest.Chunk(0, storetest.Angle(0), "新版"), errs.Invalid},
		{"bad effective date", ctx, func() knowledge.Document {
			d := storetest.Doc("c", "a", "h2")
			d.Effective = "2024年3月1日"
			return d
		}(), withVec(storetest.Angle(0)), errs.Invalid},
		{"cancelled context", cancelled, storetest.Doc("c", "a", "h2"), withVec(storetest.Angle(0)), errs.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chunks := []knowledge.Chunk{storetest.Chunk(0, storetest.Angle(0), "新版"), tc.chunk}
			_, err := s.Put(tc.ctx, tc.doc, chunks)
			if !errs.Is(tc.kind, err) {
				t.Fatalf("Put: err %v (kind %q), want kind %q", err, errs.KindOf(err), tc.kind)
			}
			d, err := s.Get(ctx, "c", "a")
			if err != nil || d.Hash != "h1" {
				t.Fatalf("Get after the failed Put = hash %q, %v; want h1", d.Hash, err)
			}
			hits, err := s.Search(ctx, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"旧版", "新版"}, K: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 2 || hits[0].Text != "旧版 甲" || hits[1].Text != "旧版 乙" {
				t.Errorf("chunks after the failed Put: %+v, want the two old ones", hits)
			}
		})
	}
}

func TestSearchHostileTerms(t *testing.T) {
	t.Parallel()
	s := pgtest.MustOpen(t, storetest.Dim)
	ctx := t.Context()
	for i, terms := range [][]string{{"it's", "正常"}, {"a\\b"}, {"c:*d"}, {"x&y|z"}} {
		if _, err := s.Put(ctx, storetest.Doc("c", fmt.Sprintf("d%d", i), "h"), []knowledge.Chunk{
			storetest.Chunk(0, storetest.Angle(float64(i)), terms...),
		}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name    string
		terms   []string
		weights []float64
		want    []string // expected documents, any order; nil: just no error
	}{
		{"quote", []string{"'"}, nil, []string{}},
		{"operators", []string{"&|!", "<->", "!", "(", ")"}, nil, []string{}},
		{"prefix operator", []string{":*"}, nil, []string{}},
		{"backslash", []string{`\`, `\\`, `\'`}, nil, []string{}},
		{"injection", []string{"'); DROP TABLE chunks; --", "' | '"}, nil, nil},
		{"apostrophe word", []string{"it's"}, nil, []string{"d0"}},
		{"backslash word", []string{`a\b`}, nil, []string{"d1"}},
		{"prefix inside a word", []string{"c:*d"}, nil, []string{"d2"}},
		{"operators inside a word", []string{"x&y|z"}, nil, []string{"d3"}},
		{"hostile beside good", []string{"'", "正常", ":*"}, []float64{1, 2, 3}, []string{"d0"}},
		{"more weights than terms", []string{"正常"}, []float64{1, 2, 3}, []string{"d0"}},
		// "x&y|z" is one term, so "x" alone does not find d3 (as in the
		// memory store, which matches whole terms).
		{"fewer weights than terms", []string{"x", "正常"}, []float64{1}, []string{"d0"}},
		{"empty and blank", []string{"", " ", "\t"}, nil, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []knowledge.Mode{knowledge.ModeText, knowledge.ModeHybrid} {
				hits, err := s.Search(ctx, knowledge.Query{Mode: mode, Vector: storetest.Angle(0), Terms: tc.terms, Weights: tc.weights, K: 10})
				if err != nil {
					t.Fatalf("Search(%s, %q): %v", mode, tc.terms, err)
				}
				if mode != knowledge.ModeText || tc.want == nil {
					continue
				}
				got := map[string]bool{}
				for _, h := range hits {
					got[h.Doc] = true
				}
				if len(got) != len(tc.want) {
					t.Errorf("Search(%q): documents %v, want %v", tc.terms, got, tc.want)
				}
				for _, w := range tc.want {
					if !got[w] {
						t.Errorf("Search(%q): %s missing from %v", tc.terms, w, got)
					}
				}
			}
		})
	}
	if _, err := s.Get(ctx, "c", "d0"); err != nil {
		t.Fatalf("store broken after hostile searches: %v", err)
	}
}

// TestFilteredSearchOnHNSW runs a filtered vector search through the HNSW
// index (the planner is steered away from sorting, as it would be on a big
// table) and checks that pgvector's iterative scan finds K rows that a plain
// index scan misses: the 10 far chunks of a small collection behind 300 near
// chunks of another.
func TestFilteredSearchOnHNSW(t *testing.T) {
	t.Parallel()
	schema := pgtest.MustSchema(t)
	url := pgtest.URL()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := postgres.Open(t.Context(), postgres.Options{
		URL: url + sep + "enable_sort=off&enable_seqscan=off&enable_bitmapscan=off", Dim: storetest.Dim, Schema: schema,
		ExactVectorLimit: -1, // the index even on this small table
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	for d := range 32 {
		coll, x := "near", float32(1)
		if d >= 30 {
			coll, x = "far", -1
		}
		var cs []knowledge.Chunk
		for j := range 10 {
			cs = append(cs, storetest.Chunk(j, storetest.Vec(x, 0.01*float32(j), 0.02*float32(d%7)), "词"))
		}
		if _, err := s.Put(ctx, storetest.Doc(coll, fmt.Sprintf("d%02d", d), "h"), cs); err != nil {
			t.Fatal(err)
		}
	}
	args := pgx.NamedArgs{"k": 10, "depth": 10, "rrfk": knowledge.RRFK, "collection": "far", "category": "",
		"vec": pgvector.NewVector(storetest.Vec(1))}
	plan, err := s.Explain(ctx, true, false, args, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "chunks_embedding_idx") {
		t.Fatalf("the filtered search does not use the HNSW index:\n%s", plan)
	}
	// Without the store's settings the index stops after ef_search (40)
	// near candidates, and the filter leaves none: the case has teeth.
	if n, err := s.RawSearchRows(ctx, args); err != nil || n >= 10 {
		t.Fatalf("a plain HNSW scan gave %d rows (%v); want fewer than 10, or this test proves nothing", n, err)
	}
	hits, err := s.Search(ctx, knowledge.Query{Mode: knowledge.ModeVector, Vector: storetest.Vec(1), K: 10, Depth: 10, Collection: "far"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 10 {
		t.Fatalf("filtered search through HNSW: %d hits, want 10", len(hits))
	}
	for _, h := range hits {
		if h.Collection != "far" {
			t.Errorf("hit from %s", h.Collection)
		}
	}
}

func TestVersionAtLeast(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v    string
		want bool
	}{
		{"0.8.0", true}, {"0.8.1", true}, {"0.10.0", true}, {"1.0", true},
		{"0.7.4", false}, {"0.5.1", false}, {"", false}, {"x", false},
	}
	for _, tc := range cases {
		if got := postgres.VersionAtLeast(tc.v, 0, 8); got != tc.want {
			t.Errorf("versionAtLeast(%q, 0.8) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// TestTermRankIsTsRank checks the claim knowledge.TermRank makes, on which
// the in-memory store's text ranking rests: it is PostgreSQL's ts_rank of a
// one-term query over the chunk's terms.
func TestTermRankIsTsRank(t *testing.T) {
	t.Parallel()
	pgtest.MustSchema(t) // fails or skips as every database test does
	conn, err := pgx.Connect(t.Context(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for tf := 1; tf <= 6; tf++ {
		terms := strings.Repeat("词 其他 ", tf)
		var got float64
		err := conn.QueryRow(t.Context(), `SELECT ts_rank(to_tsvector('simple', $1), plainto_tsquery('simple', '词'))`,
			terms).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if want := knowledge.TermRank(tf); math.Abs(got-want) > 1e-6 {
			t.Errorf("tf %d: ts_rank %v, TermRank %v", tf, got, want)
		}
	}
}
