package offline

import (
	"context"
	"slices"
	"testing"
	"time"

	"govreply/bot"
)

// BenchmarkDraft drafts every example request of testdata/drafts.jsonl in
// turn (all classes, kinds, with and without facts) with the built-in
// knowledge base in memory, as serve does without a model server: the
// analysis, the guidance search, three variants, each reviewed and
// self-checked. It reports the median and the 95th percentile per post.
//
//	go test ./bot/offline -run '^$' -bench Draft -benchtime 2000x
func BenchmarkDraft(b *testing.B) {
	c := env(b).composer
	exs := readExamples(b)
	ctx := context.Background()
	var took []time.Duration
	i := 0
	for b.Loop() {
		ex := exs[i%len(exs)]
		i++
		start := time.Now()
		if _, err := c.Draft(ctx, bot.DraftRequest{Post: ex.Post, Facts: ex.Facts, Kind: ex.Kind, Tone: ex.Tone}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(took[len(took)*95/100])/1e6, "p95-ms")
}

// BenchmarkAnswer answers every question of the question set in turn
// with the built-in knowledge base and curated answers, as ask does
// without a model server.
//
//	go test ./bot/offline -run '^$' -bench Answer -benchtime 400x
func BenchmarkAnswer(b *testing.B) {
	a := newAnswerer(b, false)
	qs := readQuestions(b)
	ctx := context.Background()
	var took []time.Duration
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		start := time.Now()
		if _, err := a.Answer(ctx, bot.AnswerRequest{Message: q.Q}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(took[len(took)*95/100])/1e6, "p95-ms")
}

// BenchmarkLoadData loads and checks the composer's data, training the
// classifier on the labelled posts: what NewComposer adds to start-up.
//
//	go test ./bot/offline -run '^$' -bench LoadData -benchtime 20x
func BenchmarkLoadData(b *testing.B) {
	env(b) // the segmenter's dictionary loaded once, as serve does before
	for b.Loop() {
		if _, err := loadData(DataFS()); err != nil {
			b.Fatal(err)
		}
	}
}
