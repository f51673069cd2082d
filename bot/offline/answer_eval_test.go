package offline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govreply/bot"
	"govreply/internal/texttest"
)

// answerQuestion is one line of testdata/questions.jsonl: a question new
// staff ask, the section of the knowledge base that answers it, and words
// a right answer contains.
type answerQuestion struct {
	ID         string   `json:"id"`
	Q          string   `json:"q"`
	Doc        string   `json:"doc"`
	Section    string   `json:"section"`
	Words      []string `json:"words"`
	BottomLine string   `json:"bottom_line"`
	Note       string   `json:"note"`
}

func readQuestions(tb testing.TB) []answerQuestion {
	tb.Helper()
	return readQuestionFile(tb, "questions.jsonl")
}

func readQuestionFile(tb testing.TB, name string) []answerQuestion {
	tb.Helper()
	return texttest.ReadJSONL[answerQuestion](tb, filepath.Join("testdata", name), true)
}

// inSection reports whether a source is the labelled section: its heading
// path ends with the section's heading.
func inSection(s bot.Source, q answerQuestion) bool {
	return s.Doc == q.Doc && (s.Section == q.Section || strings.HasSuffix(s.Section, q.Section))
}

// TestAnswerSections measures the offline answerer on the question sets:
// how often the section that answers a question is its first source (or
// among its sources), how often the answer contains every word a right
// answer contains, how often an in-domain question is refused and an
// off-domain one answered. questions.jsonl is the set the ranking's
// constants were chosen on; questions-holdout.jsonl was written and
// committed before, by another writer, and is only measured. It fails
// below the bars (answerBars).
//
//	go test ./bot/offline -run TestAnswerSections -v
func TestAnswerSections(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, false)
	for _, bar := range answerBars {
		t.Run(strings.TrimSuffix(bar.file, ".jsonl"), func(t *testing.T) {
			t.Parallel()
			measureAnswers(t, a, bar.file, bar.first, bar.refused)
		})
	}
}

// answerBars: the share of questions whose first source is the right
// section, and the in-domain questions refused at most: the measured
// level, so that a change that loses ground fails (the aim is 85 % and
// none). With corpus term weights and the first-rank bonus in the search
// the tuned set went from 86.2 % first (97.5 % among the sources) to
// 82.5 % (100 %); the holdout did not move (72.2 %, 85.6 %).
var answerBars = []struct {
	file    string
	first   float64
	refused int
}{
	{"questions.jsonl", 0.82, 0},
	{"questions-holdout.jsonl", 0.72, 3},
}

func measureAnswers(t *testing.T, a *Answerer, file string, firstBar float64, maxRefused int) {
	ctx := context.Background()
	var first, anywhere, words, refused, in, offAnswered, off int
	var misses []string
	for _, q := range readQuestionFile(t, file) {
		res, err := a.Answer(ctx, bot.AnswerRequest{Message: q.Q})
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		if q.Doc == "" { // off-domain: must be refused
			off++
			if len(res.Sources) > 0 {
				offAnswered++
				misses = append(misses, q.ID+" answered, off-domain: "+q.Q)
			}
			continue
		}
		in++
		if len(res.Sources) == 0 {
			refused++
			misses = append(misses, q.ID+" refused: "+q.Q)
			continue
		}
		if inSection(res.Sources[0], q) {
			first++
		} else {
			misses = append(misses, q.ID+" first source "+res.Sources[0].Doc+" › "+res.Sources[0].Section+", want "+q.Doc+" › "+q.Section+": "+q.Q)
		}
		for _, s := range res.Sources {
			if inSection(s, q) {
				anywhere++
				break
			}
		}
		all := true
		for _, w := range q.Words {
			all = all && strings.Contains(res.Answer, w)
		}
		if all {
			words++
		}
	}
	n := float64(in)
	t.Logf("%s: %d in-domain questions; right section first: %d (%.1f %%); among the sources: %d (%.1f %%); answer has every word: %d (%.1f %%); refused: %d; off-domain answered: %d of %d",
		file, in, first, 100*float64(first)/n, anywhere, 100*float64(anywhere)/n, words, 100*float64(words)/n, refused, offAnswered, off)
	if testing.Verbose() && !strings.Contains(file, "holdout") { // the holdout is measured, not read
		t.Log("\n" + strings.Join(misses, "\n"))
	}
	if float64(first)/n < firstBar {
		t.Errorf("right section first for %.1f %%, want at least %.0f %%", 100*float64(first)/n, 100*firstBar)
	}
	if refused > maxRefused {
		t.Errorf("%d in-domain questions refused, want at most %d", refused, maxRefused)
	}
	if offAnswered > 0 {
		t.Errorf("%d off-domain questions answered", offAnswered)
	}
}

// TestQuestionsCiteRealSections: every question of the set names a
// document of the built-in knowledge base and one of its sections, and
// every word a right answer contains occurs in that section.
func TestQuestionsCiteRealSections(t *testing.T) {
	t.Parallel()
	for _, q := range append(readQuestions(t), readQuestionFile(t, "questions-holdout.jsonl")...) {
		if q.Doc == "" {
			continue // off-domain
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "builtin", "docs", q.Doc+".md"))
		if err != nil {
			t.Errorf("%s: document %s: %v", q.ID, q.Doc, err)
			continue
		}
		_, after, ok := strings.Cut(string(data), "\n## "+q.Section+"\n")
		if !ok {
			t.Errorf("%s: %s has no section “%s”", q.ID, q.Doc, q.Section)
			continue
		}
		section, _, _ := strings.Cut(after, "\n## ")
		for _, w := range q.Words {
			if !strings.Contains(section, w) {
				t.Errorf("%s: “%s” is not in %s › %s", q.ID, w, q.Doc, q.Section)
			}
		}
	}
}
