package bench

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/pgvector/pgvector-go"

	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
)

// agreementQuestions is how many benchmark questions BenchmarkAgreement
// asks. The exact full-text ranking it compares against scores every chunk
// that holds a selecting term, about a second per question at 100k.
const agreementQuestions = 50

// BenchmarkAgreement measures what the store's bounded full-text
// candidates (postgres.Options.ExactTextLimit and TextCandidates) and the
// HNSW index cost in quality: for each mode, overlap@5 is the share of the
// top 5 of the exact ranking (every matching chunk scored, vectors ranked
// by a sequential scan) that the store's search also returns, averaged
// over the first 50 questions. As the synthetic chunks are near
// duplicates of each other, many tie, and overlap@5 then says little: the
// score ratio is the sum of the ranking's own scores (cosine similarity;
// Σ weight·ts_rank) of the store's top 5 over that of the exact top 5,
// 1.0 when the store found chunks as good as the exact ones. One op is one
// question in every mode.
//
//	go test ./bench -run '^$' -bench 'Agreement/10k' -benchtime 50x
//	GOVREPLY_BENCH_LARGE=1 go test ./bench -run '^$' -bench 'Agreement/100k' -benchtime 50x -timeout 1h
func BenchmarkAgreement(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			ds := openDataset(b, sz)
			ctx := context.Background()
			exact, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(), Dim: ds.store.Dim(),
				Schema: ds.schema, ExactTextLimit: math.MaxInt, ExactVectors: true})
			if err != nil {
				b.Fatal(err)
			}
			defer exact.Close()
			overlap, ratio := map[knowledge.Mode]float64{}, map[knowledge.Mode]float64{}
			n := 0
			for i := 0; b.Loop(); i++ {
				text := ds.queries[i%agreementQuestions]
				for _, mode := range modes {
					q, err := ds.retr.Prepare(ctx, knowledge.Request{Query: text, K: searchK, Mode: mode})
					if err != nil {
						b.Fatal(err)
					}
					got, err := ds.store.Search(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					want, err := exact.Search(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					overlap[mode] += share(hitKeys(want), hitKeys(got))
					if mode != knowledge.ModeHybrid {
						r, err := ds.scoreRatio(ctx, q, got, want)
						if err != nil {
							b.Fatal(err)
						}
						ratio[mode] += r
					}
				}
				n++
			}
			for _, mode := range modes {
				b.ReportMetric(overlap[mode]/float64(n), string(mode)+"-overlap@5")
				if mode != knowledge.ModeHybrid {
					b.ReportMetric(ratio[mode]/float64(n), string(mode)+"-score-ratio")
				}
			}
		})
	}
}

func hitKeys(hits []knowledge.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s#%d", h.Doc, h.Ordinal)
	}
	return out
}

// share is the fraction of want that got also holds (1 when want is empty).
func share(want, got []string) float64 {
	if len(want) == 0 {
		return 1
	}
	in := map[string]bool{}
	for _, x := range got {
		in[x] = true
	}
	n := 0
	for _, x := range want {
		if in[x] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// scoreRatio is Σ score(got) / Σ score(want) under q's single-mode ranking:
// cosine similarity to q.Vector, or Σ weight·ts_rank over q.Terms.
func (ds *dataset) scoreRatio(ctx context.Context, q knowledge.Query, got, want []knowledge.Hit) (float64, error) {
	sum := func(hits []knowledge.Hit) (float64, error) {
		var total float64
		for _, h := range hits {
			var s float64
			var err error
			if q.Mode == knowledge.ModeVector {
				err = ds.pool.QueryRow(ctx, `SELECT 1 - (embedding <=> $1) FROM chunks
					WHERE doc_id = $2 AND ordinal = $3`, pgvector.NewVector(q.Vector), h.Doc, h.Ordinal).Scan(&s)
			} else {
				err = ds.pool.QueryRow(ctx, `SELECT coalesce(sum(u.w * ts_rank(c.tsv, ('''' || replace(replace(u.t, '\', '\\'), '''', '''''') || '''')::tsquery)), 0)
					FROM chunks c, unnest($1::text[], $2::float8[]) AS u(t, w)
					WHERE c.doc_id = $3 AND c.ordinal = $4`, q.Terms, q.Weights, h.Doc, h.Ordinal).Scan(&s)
			}
			if err != nil {
				return 0, err
			}
			total += s
		}
		return total, nil
	}
	g, err := sum(got)
	if err != nil {
		return 0, err
	}
	w, err := sum(want)
	if err != nil || w == 0 {
		return 1, err
	}
	return g / w, nil
}
