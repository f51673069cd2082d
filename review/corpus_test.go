package review_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"govreply/internal/phrases"
	"govreply/internal/texttest"
	"govreply/review"
)

// corpusCase is one line of the labelled corpus (testdata/corpus/README.md).
type corpusCase struct {
	ID     string       `json:"id"`
	Kind   review.Kind  `json:"kind"`
	Text   string       `json:"text"`
	Post   string       `json:"post"`
	Class  review.Class `json:"class"`
	Expect []string     `json:"expect"`
	Forbid []string     `json:"forbid"`
	Good   bool         `json:"good"`
	Family string       `json:"family"`
	Note   string       `json:"note"`
}

// readCorpus reads one part of the labelled corpus.
func readCorpus(tb testing.TB, name string) []corpusCase {
	tb.Helper()
	return texttest.ReadJSONL[corpusCase](tb, filepath.Join("testdata", "corpus", name), true)
}

// scoreSheet is the agreement of the reviewer with a labelled set.
type scoreSheet struct {
	n, right         int
	tp, fp, fn       map[string]int
	good, goodErrors int // good drafts; error findings on them
	goodWarnings     int // warning findings on good drafts
	wrong            []string
}

func newScoreSheet() *scoreSheet {
	return &scoreSheet{tp: map[string]int{}, fp: map[string]int{}, fn: map[string]int{}}
}

// add scores one labelled draft's review.
func (s *scoreSheet) add(id string, expect, forbid []string, good bool, rv review.Review) {
	flagged := map[string][]string{}
	for _, f := range rv.Findings {
		flagged[f.Category] = append(flagged[f.Category], fmt.Sprintf("%s %q", f.Rule, f.Excerpt))
		if good {
			switch f.Severity {
			case review.SeverityError:
				s.goodErrors++
			case review.SeverityWarning:
				s.goodWarnings++
			}
		}
	}
	if good {
		s.good++
	}
	s.n++
	var why []string
	for _, e := range expect {
		if flagged[e] != nil {
			s.tp[e]++
		} else {
			s.fn[e]++
			why = append(why, "missed "+e)
		}
	}
	for _, f := range forbid {
		if flagged[f] != nil {
			s.fp[f]++
			why = append(why, "flagged "+f+": "+strings.Join(flagged[f], "; "))
		}
	}
	if len(why) == 0 {
		s.right++
		return
	}
	s.wrong = append(s.wrong, id+": "+strings.Join(why, " | "))
}

func (s *scoreSheet) share() float64 { return float64(s.right) / float64(max(s.n, 1)) }

func (s *scoreSheet) warningsPerGood() float64 {
	return float64(s.goodWarnings) / float64(max(s.good, 1))
}

// String is the report: the agreement, the good drafts' findings, and per
// category precision (flagged where expected, of flagged where labelled)
// and recall.
func (s *scoreSheet) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fully right: %d of %d (%.1f %%)\n", s.right, s.n, 100*s.share())
	fmt.Fprintf(&b, "good drafts: %d; error findings on them: %d; warnings per good draft: %.2f\n",
		s.good, s.goodErrors, s.warningsPerGood())
	cats := map[string]bool{}
	for _, m := range []map[string]int{s.tp, s.fp, s.fn} {
		for c := range m {
			cats[c] = true
		}
	}
	var names []string
	for c := range cats {
		names = append(names, c)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "\n| category | expected | flagged where expected | flagged where forbidden | precision | recall |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range names {
		tp, fp, fn := s.tp[c], s.fp[c], s.fn[c]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %s | %s |\n", c, tp+fn, tp, fp, ratio(tp, tp+fp), ratio(tp, tp+fn))
	}
	if len(s.wrong) > 0 {
		fmt.Fprintf(&b, "\nnot fully right:\n%s\n", strings.Join(s.wrong, "\n"))
	}
	return b.String()
}

func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// TestCorpus measures the reviewer on the project's labelled corpus and
// fails below the bars: no error finding on a good draft and at most 0.5
// warnings per good draft in either part, and a share of drafts fully
// right that guards the measured level (docs/review-quality.md): the
// reviewer does not yet reach 90 % on the holdout (never tuned on) or 95 %
// on the training part, and a change that loses ground fails here.
//
//	go test ./review -run TestCorpus -v
func TestCorpus(t *testing.T) {
	t.Parallel()
	r := mustReviewer(t)
	for _, part := range []struct {
		file        string
		minShare    float64
		maxWarnings float64
	}{
		{"holdout.jsonl", 0.78, 0.5},
		{"train.jsonl", 0.84, 0.5},
	} {
		t.Run(strings.TrimSuffix(part.file, ".jsonl"), func(t *testing.T) {
			t.Parallel()
			sheet := newScoreSheet()
			for _, c := range readCorpus(t, part.file) {
				rv, err := r.ReviewWith(c.Text, c.Kind, review.Context{Post: c.Post, Class: c.Class})
				if err != nil {
					t.Fatalf("%s: %v", c.ID, err)
				}
				sheet.add(c.ID, c.Expect, c.Forbid, c.Good, rv)
			}
			t.Logf("%s\n%s", part.file, sheet)
			if sheet.share() < part.minShare {
				t.Errorf("%.1f %% fully right, want at least %.0f %%", 100*sheet.share(), 100*part.minShare)
			}
			if sheet.goodErrors > 0 {
				t.Errorf("%d error findings on good drafts, want none", sheet.goodErrors)
			}
			if sheet.warningsPerGood() > part.maxWarnings {
				t.Errorf("%.2f warnings per good draft, want at most %.2f", sheet.warningsPerGood(), part.maxWarnings)
			}
		})
	}
}

// TestCorpusLabels: the corpus is well formed: unique ids, known kinds,
// classes and categories, no category both expected and forbidden, good
// drafts expect nothing but info categories, flawed ones expect something,
// and the holdout has at least 120 drafts, a third of them good.
func TestCorpusLabels(t *testing.T) {
	t.Parallel()
	cats := map[string]bool{}
	for _, c := range phrases.Categories() {
		cats[c] = true
	}
	ids := map[string]bool{}
	total, good := 0, 0
	for _, part := range []string{"holdout.jsonl", "train.jsonl"} {
		cs := readCorpus(t, part)
		partGood := 0
		for _, c := range cs {
			if ids[c.ID] {
				t.Errorf("%s: id %s repeated", part, c.ID)
			}
			ids[c.ID] = true
			if !c.Kind.Valid() || (c.Class != "" && !c.Class.Valid()) {
				t.Errorf("%s: kind %q or class %q invalid", c.ID, c.Kind, c.Class)
			}
			for _, e := range slices.Concat(c.Expect, c.Forbid) {
				if !cats[e] {
					t.Errorf("%s: unknown category %q", c.ID, e)
				}
			}
			for _, e := range c.Expect {
				if slices.Contains(c.Forbid, e) {
					t.Errorf("%s: %s both expected and forbidden", c.ID, e)
				}
				if c.Good && e != "long_sentence" && e != "typo" {
					t.Errorf("%s: a good draft expects %s", c.ID, e)
				}
			}
			if !c.Good && len(c.Expect) == 0 {
				t.Errorf("%s: a flawed draft expects nothing", c.ID)
			}
			if c.Good {
				partGood++
			}
		}
		if part == "holdout.jsonl" && (len(cs) < 120 || 3*partGood < len(cs)) {
			t.Errorf("holdout: %d drafts, %d good; want at least 120, a third good", len(cs), partGood)
		}
		total += len(cs)
		good += partGood
	}
	if total < 400 || good < 100 {
		t.Errorf("corpus: %d drafts, %d good; want at least 400 and 100", total, good)
	}
}
