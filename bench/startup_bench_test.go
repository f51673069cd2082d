package bench

import (
	"context"
	"testing"

	"github.com/go-ego/gse"

	"govreply/ingest"
	"govreply/internal/tokens"
	"govreply/knowledge/builtin"
	"govreply/knowledge/memory"
)

// BenchmarkStartupParts times the parts of `govreply serve`'s start on the
// in-memory default that can be repeated inside one process. The
// process-wide caches (segment.Default, the IDF table) load only once, so
// gse-dict loads a fresh copy of gse's embedded simplified-Chinese
// dictionary, as segment.Default does on first use; tiktoken loads the
// cl100k_base BPE for the chunker; builtin-kb indexes the built-in
// knowledge base into a new memory store (load, chunk, segment, embed,
// Put) with warm caches.
//
//	go test ./bench -run '^$' -bench StartupParts -benchtime 5x
func BenchmarkStartupParts(b *testing.B) {
	b.Run("gse-dict", func(b *testing.B) {
		for b.Loop() {
			var s gse.Segmenter
			s.SkipLog = true
			if err := s.LoadDictEmbed("zh_s"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tiktoken", func(b *testing.B) {
		for b.Loop() {
			if _, err := tokens.NewCounter(""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("builtin-kb", func(b *testing.B) {
		p := getParts(b)
		ctx := context.Background()
		for b.Loop() {
			st := memory.New(p.emb.Dimensions())
			ix := &ingest.Indexer{Store: st, Embedder: p.emb, Segmenter: p.seg, Chunker: p.chunker}
			sum, err := ix.RunFS(ctx, builtin.Collection, builtin.FS(), nil)
			if err != nil || sum.Failed > 0 {
				b.Fatalf("%v %+v", err, sum)
			}
			b.ReportMetric(float64(sum.Chunks), "chunks")
		}
	})
}
