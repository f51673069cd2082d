// Temporary experiment harness; deleted before hand-back.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/knowledge"
	"govreply/knowledge/memory"
)

func main() {
	qfile := flag.String("q", "/work/shared/eval/retrieval-dev.jsonl", "")
	corpus := flag.String("c", "/work/shared/eval/corpus", "")
	verbose := flag.Bool("v", false, "")
	budget := flag.Int("budget", 0, "")
	overlap := flag.Int("overlap", 0, "")
	flag.Parse()
	ctx := context.Background()
	emb, _ := embed.NewLocal(0)
	ch, err := chunk.New(chunk.Options{Budget: *budget, Overlap: *overlap})
	if err != nil {
		panic(err)
	}
	st := memory.New(emb.Dimensions())
	seg := segment.Default()
	ix := &ingest.Indexer{Store: st, Embedder: emb, Segmenter: seg, Chunker: ch}
	sum, err := ix.Run(ctx, "corpus", []string{*corpus}, nil)
	if err != nil {
		panic(err)
	}
	r := &knowledge.Retriever{Store: st, Embedder: emb, Segmenter: seg}
	f, _ := os.Open(*qfile)
	qs, _ := knowledge.ReadQuestions(f)
	ranks := map[knowledge.Mode][]int{}
	for _, m := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		var h1, h3, h5, mrr float64
		for _, q := range qs {
			docs, err := r.Documents(ctx, knowledge.Request{Query: q.Q, K: 31, Mode: m})
			if err != nil {
				panic(err)
			}
			rank := 0
			for i, d := range docs {
				if slices.Contains(q.Relevant, d.Doc) {
					rank = i + 1
					break
				}
			}
			ranks[m] = append(ranks[m], rank)
			if rank == 1 {
				h1++
			}
			if rank >= 1 && rank <= 3 {
				h3++
			}
			if rank >= 1 && rank <= 5 {
				h5++
				mrr += 1 / float64(rank)
			}
		}
		n := float64(len(qs))
		fmt.Printf("%-6s h1 %.3f h3 %.3f h5 %.3f mrr %.3f\n", m, h1/n, h3/n, h5/n, mrr/n)
	}
	fmt.Printf("chunks %d\n", sum.Chunks)
	if *verbose {
		for i, q := range qs {
			hy, ve, te := ranks[knowledge.ModeHybrid][i], ranks[knowledge.ModeVector][i], ranks[knowledge.ModeText][i]
			if hy != 1 || ve != 1 || te != 1 {
				fmt.Printf("%s H%2d V%2d T%2d %s\n", q.ID, hy, ve, te, q.Q)
			}
		}
	}
}
