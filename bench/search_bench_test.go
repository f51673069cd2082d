package bench

import (
	"context"
	"testing"
	"time"

	"govreply/knowledge"
)

// searchK is the number of hits asked for: the API's default k (Depth is
// then knowledge.DefaultDepth(5) = 40 candidates per ranking).
const searchK = 5

// warmup is how many questions run before timing starts. Each search
// either scans the table or walks the index, so a few bring the dataset
// into the OS page cache (shared_buffers is too small to hold it).
const warmup = 20

var modes = []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText}

// BenchmarkSearch measures govreply's search on PostgreSQL at 10k and 100k
// chunks, in each mode, cycling through 200 synthetic questions after
// warming up with the first 20. One op is one Retriever.Search: query
// segmentation and embedding (local embedder) plus the store's single SQL
// statement. Metrics: p50/p95/p99-ms of the whole op, db-p50/p95/p99-ms of
// the Store.Search call alone.
//
//	go test ./bench -run '^$' -bench 'Search/10k' -benchtime 1000x
//	GOVREPLY_BENCH_LARGE=1 go test ./bench -run '^$' -bench 'Search/100k' -benchtime 1000x -timeout 2h
func BenchmarkSearch(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			ds := openDataset(b, sz)
			for _, mode := range modes {
				b.Run(string(mode), func(b *testing.B) { ds.benchSearch(b, mode) })
			}
		})
	}
}

func (ds *dataset) benchSearch(b *testing.B, mode knowledge.Mode) {
	ctx := context.Background()
	req := func(i int) knowledge.Request {
		return knowledge.Request{Query: ds.queries[i%len(ds.queries)], K: searchK, Mode: mode}
	}
	var empty int
	for i := range warmup { // warm-up: page cache, plans, connections
		if _, err := ds.retr.Search(ctx, req(i)); err != nil {
			b.Fatal(err)
		}
	}
	var all, db latencies
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		q, err := ds.retr.Prepare(ctx, req(i))
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		hits, err := ds.store.Search(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		all = append(all, t2.Sub(t0))
		db = append(db, t2.Sub(t1))
		if len(hits) == 0 {
			empty++
		}
	}
	all.report(b, "")
	db.report(b, "db-")
	b.ReportMetric(float64(empty)/float64(len(all)), "empty/op")
}

// BenchmarkLangchaingoSearch is the baseline: langchaingo's
// vectorstores/pgvector SimilaritySearch over the same chunks (same
// vectors, same 200 questions, k = 5) in the same schema. One op is one
// SimilaritySearch, query embedding included.
//
//	go test ./bench -run '^$' -bench 'Langchaingo/10k' -benchtime 200x
func BenchmarkLangchaingoSearch(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			ds := openDataset(b, sz)
			st := ds.openLC(b)
			ctx := context.Background()
			for _, q := range ds.queries[:warmup] {
				if _, err := st.SimilaritySearch(ctx, q, searchK); err != nil {
					b.Fatal(err)
				}
			}
			var all latencies
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				docs, err := st.SimilaritySearch(ctx, ds.queries[i%len(ds.queries)], searchK)
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, time.Since(t0))
				if len(docs) != searchK {
					b.Fatalf("langchaingo returned %d documents, want %d", len(docs), searchK)
				}
			}
			all.report(b, "")
		})
	}
}
