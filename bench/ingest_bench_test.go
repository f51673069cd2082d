package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
)

// IngestMBEnv sets the size of the in-process ingest corpus in MB
// (default 1).
const IngestMBEnv = "GOVREPLY_BENCH_INGEST_MB"

// ingestCorpus is the in-memory Markdown corpus of the ingest benchmarks
// and its intermediate forms, each computed once per test binary.
type ingestCorpus struct {
	files  []string             // Markdown file contents
	bytes  int64                // total file bytes
	docs   []knowledge.Document // loaded
	pieces [][]chunk.Piece      // chunked, per document
	texts  [][]string           // index texts, per document
	chunks [][]knowledge.Chunk  // with terms and embeddings
	nchunk int
}

var (
	corpusOnce sync.Once
	corpus     ingestCorpus
)

// getCorpus builds the corpus: synthetic documents (5–12 sections of
// 150–300 characters) rendered as Markdown with front matter, about
// GOVREPLY_BENCH_INGEST_MB MB in total, then loaded, chunked, segmented
// and embedded once so each stage benchmark can start from its input.
func getCorpus(b *testing.B) *ingestCorpus {
	b.Helper()
	p := getParts(b)
	corpusOnce.Do(func() {
		mb := 1.0
		if v, err := strconv.ParseFloat(os.Getenv(IngestMBEnv), 64); err == nil && v > 0 {
			mb = v
		}
		s := NewSynth(Seed + 1) // other documents than the search datasets
		for i := 0; corpus.bytes < int64(mb*1e6); i++ {
			md := s.Doc(i, 5, 12).Markdown()
			corpus.files = append(corpus.files, md)
			corpus.bytes += int64(len(md))
		}
		ctx := context.Background()
		for i, md := range corpus.files {
			doc, err := ingest.LoadBytes(context.Background(), ".", fmt.Sprintf("doc-%06d.md", i), []byte(md))
			if err != nil {
				panic(err)
			}
			pieces := p.chunker.Split(doc.Body)
			texts := make([]string, len(pieces))
			chunks := make([]knowledge.Chunk, len(pieces))
			for j, pc := range pieces {
				texts[j] = ingest.IndexText(doc, pc.Heading, pc.Text)
				chunks[j] = knowledge.Chunk{Ordinal: j, Heading: pc.Heading, Text: pc.Text, Tokens: pc.Tokens,
					Terms: p.seg.Terms(texts[j])}
			}
			vecs, _ := p.emb.Embed(ctx, texts)
			for j := range chunks {
				chunks[j].Embedding = vecs[j]
			}
			corpus.docs = append(corpus.docs, doc)
			corpus.pieces = append(corpus.pieces, pieces)
			corpus.texts = append(corpus.texts, texts)
			corpus.chunks = append(corpus.chunks, chunks)
			corpus.nchunk += len(chunks)
		}
	})
	return &corpus
}

// report sets the throughput metrics of one pass over the corpus per op:
// MB/s (from SetBytes, file bytes) and chunks/s.
func (c *ingestCorpus) report(b *testing.B) {
	b.ReportMetric(float64(c.nchunk)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
	b.ReportMetric(float64(c.nchunk), "chunks/op")
}

// BenchmarkIngestStages measures each stage of ingest on the same corpus
// (default 1 MB of Markdown; GOVREPLY_BENCH_INGEST_MB changes it), one
// pass over the whole corpus per op, on one goroutine unless the name says
// otherwise. MB/s is always relative to the Markdown file bytes, so the
// rates of stages run one after another combine as 1/total ≈ Σ 1/stage.
//
// The stages: load is ingest.LoadBytes (front matter, Markdown
// normalisation); chunk is chunk.Chunker.Split (tiktoken-counted
// packing); segment is segment.Terms of each chunk's index text (gse and
// bigrams); embed is embed.Local.Embed of each document's index texts
// (which segments them again); embed-analyzed is embed.Local.Vector of
// their segment.Analysis, all that ingest pays for the vector once it has
// segmented a chunk; prepare is ingest.Indexer.Chunks (chunk, segment
// once, embed) per document, and prepare-parallel the same on GOMAXPROCS
// goroutines, as Run's workers do. put is postgres.Store.Put of each
// document with its chunks into a fresh schema with the HNSW and GIN
// indexes live, as in a real ingest. The put-* variants show what Put's
// time is made of, and what a bulk load (into an emptied store: BeginBulk,
// the Puts, then the index built in one pass) and two concurrent writers
// give.
//
//	go test ./bench -run '^$' -bench IngestStages -benchtime 3x
func BenchmarkIngestStages(b *testing.B) {
	c := getCorpus(b)
	p := getParts(b)
	ctx := context.Background()
	b.Run("load", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			for i, md := range c.files {
				if _, err := ingest.LoadBytes(context.Background(), ".", fmt.Sprintf("doc-%06d.md", i), []byte(md)); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.report(b)
	})
	b.Run("chunk", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			for _, d := range c.docs {
				p.chunker.Split(d.Body)
			}
		}
		c.report(b)
	})
	b.Run("segment", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			for _, texts := range c.texts {
				for _, t := range texts {
					p.seg.Terms(t)
				}
			}
		}
		c.report(b)
	})
	b.Run("embed", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			for _, texts := range c.texts {
				if _, err := p.emb.Embed(ctx, texts); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.report(b)
	})
	b.Run("embed-analyzed", func(b *testing.B) {
		analyses := c.analyses(p)
		b.SetBytes(c.bytes)
		for b.Loop() {
			for _, a := range analyses {
				p.emb.Vector(a)
			}
		}
		c.report(b)
	})
	ix := &ingest.Indexer{Embedder: p.emb, Segmenter: p.seg, Chunker: p.chunker}
	b.Run("prepare", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			for _, d := range c.docs {
				if _, err := ix.Chunks(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.report(b)
	})
	b.Run("prepare-parallel", func(b *testing.B) {
		b.SetBytes(c.bytes)
		for b.Loop() {
			c.parallel(func(d knowledge.Document) {
				if _, err := ix.Chunks(ctx, d); err != nil {
					b.Error(err)
				}
			})
		}
		c.report(b)
	})
	// put, and what its time is made of: the same Puts without the HNSW
	// index, without the GIN index, without waiting for the WAL flush,
	// and with 512-dimensional vectors.
	for _, v := range []struct {
		name, drop, options string
		dim                 int
		bulk                bool // BeginBulk before the Puts, end after them
		writers             int  // concurrent Puts (0: one)
	}{
		{name: "put"},
		{name: "put-bulk", bulk: true},
		{name: "put-bulk-2writers", bulk: true, writers: 2},
		{name: "put-2writers", writers: 2},
		{name: "put-no-hnsw", drop: "chunks_embedding_idx"},
		{name: "put-no-gin", drop: "chunks_tsv_idx"},
		{name: "put-async-commit", options: "-c synchronous_commit=off"},
		{name: "put-dim512", dim: 512},
	} {
		b.Run(v.name, func(b *testing.B) {
			chunks := c.chunks
			dim := p.emb.Dimensions()
			if v.dim != 0 {
				chunks, dim = c.reembed(b, v.dim), v.dim
			}
			st := openStore(b, dim, v.options)
			if v.drop != "" {
				if err := st.exec(ctx, "DROP INDEX "+v.drop); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(c.bytes)
			for n := 0; b.Loop(); n++ {
				coll := "pass" + strconv.Itoa(n) // new documents every pass
				var end func(context.Context) error
				if v.bulk {
					end = st.beginEmptyBulk(b)
				}
				c.putAll(b, st.Store, coll, chunks, max(1, v.writers))
				if end != nil {
					if err := end(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			c.report(b)
		})
	}
}

// putAll stores every document with its chunks into coll, on writers
// goroutines.
func (c *ingestCorpus) putAll(b *testing.B, st *postgres.Store, coll string, chunks [][]knowledge.Chunk, writers int) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range next {
				d := c.docs[i]
				d.Collection = coll
				if _, err := st.Put(context.Background(), d, chunks[i]); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range c.docs {
		next <- i
	}
	close(next)
	wg.Wait()
}

// beginEmptyBulk empties the store (untimed), as a bulk load into a new
// knowledge base finds it, and starts a bulk load.
func (s benchStore) beginEmptyBulk(b *testing.B) func(context.Context) error {
	b.StopTimer()
	defer b.StartTimer()
	ctx := context.Background()
	if err := s.exec(ctx, "TRUNCATE chunks, documents"); err != nil {
		b.Fatal(err)
	}
	end, err := s.BeginBulk(ctx, false)
	if err != nil || end == nil {
		b.Fatal("BeginBulk:", err)
	}
	return end
}

// analyses returns the segment.Analysis of every index text.
func (c *ingestCorpus) analyses(p parts) []segment.Analysis {
	var out []segment.Analysis
	for _, texts := range c.texts {
		for _, t := range texts {
			out = append(out, p.seg.Analyze(t))
		}
	}
	return out
}

// parallel calls f on every document, on GOMAXPROCS goroutines.
func (c *ingestCorpus) parallel(f func(knowledge.Document)) {
	docs := make(chan knowledge.Document)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for d := range docs {
				f(d)
			}
		})
	}
	for _, d := range c.docs {
		docs <- d
	}
	close(docs)
	wg.Wait()
}

// reembed returns the corpus chunks with embeddings of dimension dim.
func (c *ingestCorpus) reembed(b *testing.B, dim int) [][]knowledge.Chunk {
	emb, err := embed.NewLocal(dim)
	if err != nil {
		b.Fatal(err)
	}
	out := make([][]knowledge.Chunk, len(c.chunks))
	for i, chunks := range c.chunks {
		vecs, err := emb.Embed(context.Background(), c.texts[i])
		if err != nil {
			b.Fatal(err)
		}
		out[i] = slices.Clone(chunks)
		for j := range out[i] {
			out[i][j].Embedding = vecs[j]
		}
	}
	return out
}

// benchStore is a postgres.Store in a fresh pgtest schema, with a pool on
// the same schema for DDL.
type benchStore struct {
	*postgres.Store
	pool *pgxpool.Pool
}

func (s benchStore) exec(ctx context.Context, sql string) error {
	_, err := s.pool.Exec(ctx, sql)
	return err
}

// openStore opens an empty store of dimension dim in a new schema (dropped
// by b.Cleanup); options are PostgreSQL run-time options ("-c name=value")
// for the store's connections.
func openStore(b *testing.B, dim int, options string) benchStore {
	b.Helper()
	ctx := context.Background()
	schema := pgtest.MustSchema(b)
	u := pgtest.URL()
	if options != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "options=" + strings.ReplaceAll(url.QueryEscape(options), "+", "%20")
	}
	st, err := postgres.Open(ctx, postgres.Options{URL: u, Dim: dim, Embedder: pgtest.Embedder, Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	pool, err := schemaPool(ctx, schema)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return benchStore{Store: st, pool: pool}
}

// BenchmarkIngestRun is ingest end to end in process: ingest.Indexer.Run
// over the corpus written as files into a temporary folder (read → load →
// chunk → segment → embed → Put), into a fresh schema, each pass into a
// new collection so nothing is skipped as unchanged. "live" writes with
// the HNSW index in place; "bulk" drops it first and builds it again after
// the files (ingest.BulkOn; the build covers every pass's rows so far);
// "bulk-2writers" also writes two documents at once.
//
//	go test ./bench -run '^$' -bench IngestRun -benchtime 3x
func BenchmarkIngestRun(b *testing.B) {
	c := getCorpus(b)
	p := getParts(b)
	dir := b.TempDir()
	for i, md := range c.files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc-%06d.md", i)), []byte(md), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, v := range []struct {
		name    string
		bulk    ingest.BulkMode
		writers int
	}{{"live", ingest.BulkOff, 1}, {"bulk", ingest.BulkOn, 1}, {"bulk-2writers", ingest.BulkOn, 2}} {
		b.Run(v.name, func(b *testing.B) {
			st := pgtest.MustOpen(b, p.emb.Dimensions())
			ix := &ingest.Indexer{Store: st, Embedder: p.emb, Segmenter: p.seg, Chunker: p.chunker, Bulk: v.bulk, Writers: v.writers}
			b.SetBytes(c.bytes)
			for n := 0; b.Loop(); n++ {
				sum, err := ix.Run(context.Background(), "pass"+strconv.Itoa(n), []string{dir}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Failed > 0 || sum.Added != len(c.files) || sum.Chunks != c.nchunk {
					b.Fatalf("run: %+v, want %d added, %d chunks", sum, len(c.files), c.nchunk)
				}
			}
			c.report(b)
		})
	}
}

// BenchmarkIngestLangchaingo compares writing the same chunks through
// langchaingo's pgvector store (AddDocuments: embed + batched INSERTs, its
// HNSW index live) with govreply's (segment + embed + Put, HNSW and GIN
// live), one document per call in both, in fresh schemas. langchaingo
// does no segmentation because it has no full-text index.
//
//	go test ./bench -run '^$' -bench IngestLangchaingo -benchtime 3x
func BenchmarkIngestLangchaingo(b *testing.B) {
	c := getCorpus(b)
	p := getParts(b)
	ctx := context.Background()
	b.Run("govreply", func(b *testing.B) {
		st := pgtest.MustOpen(b, p.emb.Dimensions())
		b.SetBytes(c.bytes)
		for n := 0; b.Loop(); n++ {
			for i, d := range c.docs {
				d.Collection = "pass" + strconv.Itoa(n)
				chunks := make([]knowledge.Chunk, len(c.pieces[i]))
				for j, pc := range c.pieces[i] {
					chunks[j] = knowledge.Chunk{Ordinal: j, Heading: pc.Heading, Text: pc.Text, Tokens: pc.Tokens,
						Terms: p.seg.Terms(c.texts[i][j])}
				}
				vecs, err := p.emb.Embed(ctx, c.texts[i])
				if err != nil {
					b.Fatal(err)
				}
				for j := range chunks {
					chunks[j].Embedding = vecs[j]
				}
				if _, err := st.Put(ctx, d, chunks); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.report(b)
	})
	b.Run("langchaingo", func(b *testing.B) {
		schema := pgtest.MustSchema(b)
		pool, err := schemaPool(ctx, schema)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		st, err := newLCStore(ctx, pool, p.emb, true)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(c.bytes)
		for b.Loop() {
			for i, texts := range c.texts {
				docs := make([]lcDoc, len(texts))
				for j, t := range texts {
					docs[j] = lcDoc{PageContent: t, Metadata: map[string]any{"doc": c.docs[i].ID, "ordinal": j}}
				}
				if _, err := st.AddDocuments(ctx, docs); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.report(b)
	})
}
