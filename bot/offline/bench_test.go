package offline

import (
	"context"
	"testing"

	"govreply/bot"
	"govreply/internal/texttest"
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
	texttest.Latencies(b, func(i int) {
		ex := exs[i%len(exs)]
		if _, err := c.Draft(context.Background(), bot.DraftRequest{Post: ex.Post, Facts: ex.Facts, Kind: ex.Kind, Tone: ex.Tone}); err != nil {
			b.Fatal(err)
		}
	}, 50, 95)
}

// BenchmarkAnswer answers every question of the question set in turn
// with the built-in knowledge base and curated answers, as ask does
// without a model server.
//
//	go test ./bot/offline -run '^$' -bench Answer -benchtime 400x
func BenchmarkAnswer(b *testing.B) {
	a := newAnswerer(b, false)
	qs := readQuestions(b)
	texttest.Latencies(b, func(i int) {
		if _, err := a.Answer(context.Background(), bot.AnswerRequest{Message: qs[i%len(qs)].Q}); err != nil {
			b.Fatal(err)
		}
	}, 50, 95)
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
