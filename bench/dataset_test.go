package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	lcschema "github.com/tmc/langchaingo/schema"
	lcpgvector "github.com/tmc/langchaingo/vectorstores/pgvector"

	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
	"govreply/knowledge/thesaurus"
)

// LargeEnv must be "1" for the 100k-chunk benchmarks to run (building
// their dataset takes many minutes the first time).
const LargeEnv = "GOVREPLY_BENCH_LARGE"

// benchCollection is the collection the search datasets live in.
const benchCollection = "bench"

// lcCollection is the langchaingo collection name of the baseline.
const lcCollection = "bench"

// numQueries is how many synthetic questions the search benchmarks cycle
// through.
const numQueries = 200

// size is a dataset size the search benchmarks run at.
type size struct {
	name   string // "10k"
	chunks int
	large  bool // needs LargeEnv=1
}

var sizes = []size{{"10k", 10_000, false}, {"100k", 100_000, true}}

// schemaOf is the schema a dataset of sz lives in. It is kept between
// runs: drop it (DROP SCHEMA bench_10k CASCADE) to force a rebuild.
func schemaOf(sz size) string { return "bench_" + sz.name }

// skipUnlessAllowed skips a large size unless LargeEnv=1.
func skipUnlessAllowed(b testing.TB, sz size) {
	b.Helper()
	if os.Getenv("GOVREPLY_SKIP_DB") == "1" {
		b.Skip("GOVREPLY_SKIP_DB=1")
	}
	if sz.large && os.Getenv(LargeEnv) != "1" {
		b.Skipf("%s chunks: set %s=1 to run (first build takes minutes)", sz.name, LargeEnv)
	}
}

// parts are the pipeline parts every benchmark shares: the process-wide
// gse segmenter, the local embedder at its default dimension and the
// default chunker.
type parts struct {
	seg     *segment.Segmenter
	emb     *embed.Local
	chunker *chunk.Chunker
}

var (
	partsOnce sync.Once
	shared    parts
	partsErr  error
)

func getParts(tb testing.TB) parts {
	tb.Helper()
	partsOnce.Do(func() {
		shared.seg = segment.Default()
		if shared.emb, partsErr = embed.NewLocal(0); partsErr != nil {
			return
		}
		shared.chunker, partsErr = chunk.New(chunk.Options{})
		// Warm every lazily loaded table (gse dictionary, IDF, stop words).
		_, _ = shared.emb.Embed(context.Background(), []string{"预热分词词典和逆文档频率表"})
		shared.seg.Terms("预热")
	})
	if partsErr != nil {
		tb.Fatal(partsErr)
	}
	return shared
}

// prepare turns a synthetic document into its chunks, as ingest.Indexer
// does after chunking: one chunk per section, terms and embedding of the
// index text (title, tags, heading, text).
func (p parts) prepare(ctx context.Context, d Doc) (knowledge.Document, []knowledge.Chunk, error) {
	doc := d.Document(benchCollection)
	texts := make([]string, len(d.Sections))
	chunks := make([]knowledge.Chunk, len(d.Sections))
	for i, sec := range d.Sections {
		heading := []string{sec.Heading}
		texts[i] = ingest.IndexText(doc, heading, sec.Text)
		chunks[i] = knowledge.Chunk{
			Ordinal: i, Heading: heading, Text: sec.Text,
			Tokens: p.chunker.Counter().Count(sec.Text),
			Terms:  p.seg.Terms(texts[i]),
		}
	}
	vecs, err := p.emb.Embed(ctx, texts)
	if err != nil {
		return doc, nil, err
	}
	for i := range chunks {
		chunks[i].Embedding = vecs[i]
	}
	return doc, chunks, nil
}

// docs yields the documents of a dataset of n chunks: synthetic documents
// of 4–12 sections, the last one cut so the total is exactly n.
func docs(n int) []Doc {
	s := NewSynth(Seed)
	var out []Doc
	for i, total := 0, 0; total < n; i++ {
		d := s.Doc(i, 4, 12)
		if rest := n - total; len(d.Sections) > rest {
			d.Sections = d.Sections[:rest]
		}
		total += len(d.Sections)
		out = append(out, d)
	}
	return out
}

// dataset is a populated search benchmark schema.
type dataset struct {
	sz      size
	schema  string
	store   *postgres.Store
	retr    *knowledge.Retriever
	pool    *pgxpool.Pool // search_path = schema, public
	queries []string
	meta    meta
}

// meta is the bench_meta row of a dataset schema.
type meta struct {
	LoadSeconds    float64 // Put of every document (HNSW index dropped)
	IndexSeconds   float64 // CREATE INDEX … USING hnsw afterwards
	LCLoadSeconds  float64 // langchaingo AddDocuments (HNSW index dropped)
	LCIndexSeconds float64
	LCComplete     bool
}

var (
	datasetsMu sync.Mutex
	datasets   = map[string]*dataset{}
)

// openDataset returns the dataset of sz, building it when its schema is
// missing, incomplete or from another generator version. Datasets stay
// open for the whole test binary.
func openDataset(b testing.TB, sz size) *dataset {
	b.Helper()
	skipUnlessAllowed(b, sz)
	datasetsMu.Lock()
	defer datasetsMu.Unlock()
	if ds, ok := datasets[sz.name]; ok {
		return ds
	}
	ctx := context.Background()
	p := getParts(b)
	schema := schemaOf(sz)
	conn, err := pgx.Connect(ctx, pgtest.URL())
	if err != nil {
		b.Fatalf("connect %s: %v", pgtest.URL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public"); err != nil {
		b.Fatal(err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	var ok bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables
		WHERE table_schema = $1 AND table_name = 'bench_meta')`, schema).Scan(&ok)
	if err != nil {
		b.Fatal(err)
	}
	if ok {
		err = conn.QueryRow(ctx, `SELECT complete AND synth_version = $1 AND chunks = $2 AND embedder = $3
			FROM `+ident+`.bench_meta`, SynthVersion, sz.chunks, p.emb.Name()).Scan(&ok)
		if err != nil {
			ok = false
		}
	}
	if !ok {
		b.Logf("building dataset %s (%d chunks) in schema %s …", sz.name, sz.chunks, schema)
		if err := build(ctx, b, conn, schema, sz, p); err != nil {
			b.Fatalf("build %s: %v", schema, err)
		}
	}
	ds := &dataset{sz: sz, schema: schema}
	ds.store, err = postgres.Open(ctx, postgres.Options{URL: pgtest.URL(), Dim: p.emb.Dimensions(), Embedder: p.emb.Name(), Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	// The retriever serve builds: the built-in thesaurus expands queries.
	ds.retr = &knowledge.Retriever{Store: ds.store, Embedder: p.emb, Segmenter: p.seg,
		Expander: thesaurus.Builtin().WithWords(p.seg.Cut)}
	ds.pool, err = schemaPool(ctx, schema)
	if err != nil {
		b.Fatal(err)
	}
	ds.queries = NewSynth(Seed).Queries(numQueries)
	if err := ds.readMeta(ctx); err != nil {
		b.Fatal(err)
	}
	if mb, err := ds.prewarm(ctx); err != nil {
		b.Logf("prewarm %s: %v (measuring from a cold cache)", schema, err)
	} else {
		b.Logf("prewarm %s: %d MB read into shared_buffers", schema, mb)
	}
	datasets[sz.name] = ds
	return ds
}

// prewarm reads the dataset's tables, their TOAST tables and all their
// indexes into shared_buffers with pg_prewarm, as a deployment does after a
// restart (pg_prewarm's autoprewarm), so that the search benchmarks measure
// a warm server rather than the order in which their first queries happen
// to fault pages in. It returns the megabytes read. Pages beyond
// shared_buffers are only cycled through it (see scripts/tune-postgres.sh).
func (ds *dataset) prewarm(ctx context.Context) (int64, error) {
	if _, err := ds.pool.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_prewarm WITH SCHEMA public"); err != nil {
		return 0, err
	}
	var blocks int64
	err := ds.pool.QueryRow(ctx, `WITH rels AS (
			SELECT c.oid, c.reltoastrelid FROM pg_class c
			WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'i')
		), all_rels AS (
			SELECT oid FROM rels
			UNION SELECT reltoastrelid FROM rels WHERE reltoastrelid <> 0
			UNION SELECT i.indexrelid FROM pg_index i JOIN rels r ON i.indrelid = r.reltoastrelid
		)
		SELECT coalesce(sum(public.pg_prewarm(oid)), 0) FROM all_rels`, ds.schema).Scan(&blocks)
	return blocks * 8 / 1024, err
}

// schemaPool opens a pool whose search_path is schema, public.
func schemaPool(ctx context.Context, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(pgtest.URL())
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize() + ", public"
	return pgxpool.NewWithConfig(ctx, cfg)
}

func (ds *dataset) readMeta(ctx context.Context) error {
	return ds.pool.QueryRow(ctx, `SELECT load_seconds, index_seconds, coalesce(lc_load_seconds, 0),
		coalesce(lc_index_seconds, 0), lc_complete FROM bench_meta`).Scan(
		&ds.meta.LoadSeconds, &ds.meta.IndexSeconds, &ds.meta.LCLoadSeconds, &ds.meta.LCIndexSeconds, &ds.meta.LCComplete)
}

// build (re)creates schema and fills it with sz.chunks chunks through the
// real pipeline parts and postgres.Store.Put, on NumCPU workers, in the
// store's bulk mode (as ingest loads an empty store): the HNSW index is
// dropped during the load and built once at the end, in memory and in
// parallel (several times faster than inserting 100k vectors into a live
// graph).
func build(ctx context.Context, b testing.TB, conn *pgx.Conn, schema string, sz size, p parts) error {
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+ident+" CASCADE"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		return err
	}
	st, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(), Dim: p.emb.Dimensions(), Embedder: p.emb.Name(), Schema: schema})
	if err != nil {
		return err
	}
	defer st.Close()
	end, err := st.BeginBulk(ctx, true)
	if err != nil || end == nil {
		return fmt.Errorf("bulk mode: %v (started %v)", err, end != nil)
	}

	start := time.Now()
	all := docs(sz.chunks)
	if err := parallel(ctx, len(all), func(ctx context.Context, i int) error {
		doc, chunks, err := p.prepare(ctx, all[i])
		if err != nil {
			return err
		}
		_, err = st.Put(ctx, doc, chunks)
		return err
	}); err != nil {
		return err
	}
	load := time.Since(start).Seconds()
	b.Logf("%s: %d documents, %d chunks loaded in %.1fs", schema, len(all), sz.chunks, load)

	start = time.Now()
	if err := end(ctx); err != nil {
		return err
	}
	index := time.Since(start).Seconds()
	b.Logf("%s: HNSW index built in %.1fs", schema, index)
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+ident+".chunks, "+ident+".documents"); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `CREATE TABLE `+ident+`.bench_meta (
			chunks integer NOT NULL, synth_version integer NOT NULL, embedder text NOT NULL,
			load_seconds float8 NOT NULL, index_seconds float8 NOT NULL,
			lc_load_seconds float8, lc_index_seconds float8, lc_complete boolean NOT NULL DEFAULT false,
			complete boolean NOT NULL, built_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO `+ident+`.bench_meta (chunks, synth_version, embedder, load_seconds, index_seconds, complete)
		VALUES (`+strconv.Itoa(sz.chunks)+`, `+strconv.Itoa(SynthVersion)+`, '`+p.emb.Name()+`', `+
		fmt.Sprint(load)+`, `+fmt.Sprint(index)+`, true)`)
	return err
}

// parallel runs fn(0..n-1) on NumCPU workers and returns the first error.
func parallel(ctx context.Context, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// lcEmbedder adapts govreply's local embedder to langchaingo's
// embeddings.Embedder, so the baseline stores exactly our vectors.
type lcEmbedder struct{ e knowledge.Embedder }

func (a lcEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return a.e.Embed(ctx, texts)
}

func (a lcEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := a.e.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// lcDoc is langchaingo's document type.
type lcDoc = lcschema.Document

// lcDocuments turns a synthetic document into langchaingo documents: the
// page content is the index text our embedder embeds, so both stores hold
// the same vectors.
func lcDocuments(d Doc) []lcDoc {
	doc := d.Document(benchCollection)
	out := make([]lcDoc, len(d.Sections))
	for i, sec := range d.Sections {
		out[i] = lcDoc{
			PageContent: ingest.IndexText(doc, []string{sec.Heading}, sec.Text),
			Metadata:    map[string]any{"doc": d.ID, "ordinal": i, "heading": sec.Heading},
		}
	}
	return out
}

// newLCStore opens langchaingo's pgvector store on pool (its tables land
// in the pool's search_path schema) with our embedder. hnsw adds its
// HNSW index option (cosine, m = 16, ef_construction = 64, the same
// parameters as ours).
func newLCStore(ctx context.Context, pool *pgxpool.Pool, emb knowledge.Embedder, hnsw bool) (lcpgvector.Store, error) {
	opts := []lcpgvector.Option{
		lcpgvector.WithConn(pool),
		lcpgvector.WithEmbedder(lcEmbedder{emb}),
		lcpgvector.WithVectorDimensions(emb.Dimensions()),
		lcpgvector.WithCollectionName(lcCollection),
	}
	if hnsw {
		opts = append(opts, lcpgvector.WithHNSWIndex(16, 64, "vector_cosine_ops"))
	}
	return lcpgvector.New(ctx, opts...)
}

// openLC returns the langchaingo baseline on the dataset's schema, loading
// the same documents through its AddDocuments when not done yet. As for
// ours, the HNSW index is created after the load.
func (ds *dataset) openLC(b *testing.B) lcpgvector.Store {
	b.Helper()
	ctx := context.Background()
	p := getParts(b)
	datasetsMu.Lock()
	defer datasetsMu.Unlock()
	if !ds.meta.LCComplete {
		b.Logf("loading the langchaingo baseline into %s …", ds.schema)
		for _, stmt := range []string{"DROP TABLE IF EXISTS langchain_pg_embedding", "DROP TABLE IF EXISTS langchain_pg_collection"} {
			if _, err := ds.pool.Exec(ctx, stmt); err != nil {
				b.Fatal(err)
			}
		}
		st, err := newLCStore(ctx, ds.pool, p.emb, false)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		all := docs(ds.sz.chunks)
		if err := parallel(ctx, len(all), func(ctx context.Context, i int) error {
			_, err := st.AddDocuments(ctx, lcDocuments(all[i]))
			return err
		}); err != nil {
			b.Fatal(err)
		}
		load := time.Since(start).Seconds()
		start = time.Now()
		// The index langchaingo's WithHNSWIndex(16, 64, "vector_cosine_ops") creates.
		c, err := ds.pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, stmt := range []string{
			"SET maintenance_work_mem = '2GB'",
			"CREATE INDEX langchain_pg_embedding_embedding_hnsw ON langchain_pg_embedding USING hnsw (embedding vector_cosine_ops) WITH (m=16, ef_construction = 64)",
			"RESET maintenance_work_mem",
			"VACUUM ANALYZE langchain_pg_embedding",
			"UPDATE bench_meta SET lc_load_seconds = $1, lc_index_seconds = $2, lc_complete = true",
		} {
			var args []any
			if stmt[0] == 'U' {
				args = []any{load, time.Since(start).Seconds()}
			}
			if _, err := c.Exec(ctx, stmt, args...); err != nil {
				c.Release()
				b.Fatal(err)
			}
		}
		c.Release()
		if err := ds.readMeta(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: langchaingo loaded in %.1fs, index %.1fs", ds.schema, ds.meta.LCLoadSeconds, ds.meta.LCIndexSeconds)
	}
	st, err := newLCStore(ctx, ds.pool, p.emb, true)
	if err != nil {
		b.Fatal(err)
	}
	return st
}
