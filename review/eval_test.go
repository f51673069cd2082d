package review_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"govreply/internal/phrases"
	"govreply/internal/texttest"
	"govreply/knowledge/builtin"
	"govreply/review"
)

// readDevSet is the review development set (review.ReadDevSet).
func readDevSet(tb testing.TB) []review.DevCase {
	tb.Helper()
	return review.ReadDevSet(tb)
}

// mustReviewer is the reviewer serve builds: the built-in phrase lists and
// the embedded rule files.
func mustReviewer(tb testing.TB) *review.Reviewer {
	tb.Helper()
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		tb.Fatal(err)
	}
	r, err := review.New(review.Options{Phrases: files})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// tally is one category's agreement with the development set.
type tally struct{ tp, fp, miss int }

// TestDevSet runs the reviewer over the development set: a case agrees
// when every expected category is flagged and no forbidden one is; at
// least 95 % of the cases must agree. It prints, per category, true
// positives (expected and flagged), false positives (forbidden and
// flagged) and misses (expected, not flagged).
func TestDevSet(t *testing.T) {
	t.Parallel()
	r := mustReviewer(t)
	cases := readDevSet(t)
	tallies := map[string]*tally{}
	get := func(c string) *tally {
		if tallies[c] == nil {
			tallies[c] = &tally{}
		}
		return tallies[c]
	}
	agree := 0
	for _, c := range cases {
		rv, err := r.Review(c.Text, c.Kind)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		flagged := map[string]bool{}
		for _, f := range rv.Findings {
			flagged[f.Category] = true
		}
		ok := true
		for _, e := range c.Expect {
			if flagged[e] {
				get(e).tp++
			} else {
				get(e).miss++
				ok = false
				t.Logf("%s: missed %s — %s", c.ID, e, c.Note)
			}
		}
		for _, fb := range c.Forbid {
			if flagged[fb] {
				get(fb).fp++
				ok = false
				t.Logf("%s: flagged forbidden %s: %s", c.ID, fb, excerpts(rv, fb))
			}
		}
		if ok {
			agree++
		}
	}
	var names []string
	for n := range tallies {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| category | true positives | false positives | misses |\n|---|---:|---:|---:|\n")
	for _, n := range names {
		x := tallies[n]
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", n, x.tp, x.fp, x.miss)
	}
	share := float64(agree) / float64(len(cases))
	fmt.Fprintf(&b, "\ncases in full agreement: %d of %d (%.1f %%)\n", agree, len(cases), 100*share)
	t.Log(b.String())
	if share < 0.95 {
		t.Errorf("%.1f %% of the development cases agree, want at least 95 %%", 100*share)
	}
}

// excerpts lists the excerpts of rv's findings of category c.
func excerpts(rv review.Review, c string) string {
	var out []string
	for _, f := range rv.Findings {
		if f.Category == c {
			out = append(out, fmt.Sprintf("%s %q", f.Rule, f.Excerpt))
		}
	}
	return strings.Join(out, "; ")
}

// FuzzReview: on any input (draft, kind, the citizen's post) the reviewer
// does not panic, and every finding lies within the text, on code-point
// boundaries, with its excerpt, a known category and severity, a message
// and a source document.
func FuzzReview(f *testing.F) {
	r := mustReviewer(f)
	for _, c := range readDevSet(f) {
		f.Add(c.Text, string(c.Kind), "")
	}
	f.Add("身份证110101199003074514，电话13812345678", "reply", "")
	f.Add("\xff\xfe", "comment", "")
	f.Add("您好，路灯明天修好。", "reply", "路灯坏了，什么时候修？井盖也缺了，能不能一起处理？")
	f.Add("已阅", "comment", "\xff")
	cats := phrases.Categories()
	f.Fuzz(func(t *testing.T, text, kind, post string) {
		rv, err := r.ReviewWith(text, review.Kind(kind), review.Context{Post: post})
		if err != nil {
			return // input errors are tested elsewhere
		}
		runes := []rune(text)
		for _, fd := range rv.Findings {
			if fd.Start < 0 || fd.End < fd.Start || fd.End > len(runes) {
				t.Fatalf("%s: span [%d,%d) outside %d code points", fd.Rule, fd.Start, fd.End, len(runes))
			}
			if fd.Excerpt != string(runes[fd.Start:fd.End]) || !utf8.ValidString(fd.Excerpt) {
				t.Fatalf("%s: excerpt %q is not the span [%d,%d)", fd.Rule, fd.Excerpt, fd.Start, fd.End)
			}
			if !slices.Contains(cats, fd.Category) || !fd.Severity.Valid() || fd.Message == "" || fd.Source.Doc == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}

// BenchmarkReview reviews a 2,000-character reply made of the development
// set's drafts (so every check has work) with the reviewer serve builds.
//
//	go test ./review -run '^$' -bench Review -benchtime 2000x
func BenchmarkReview(b *testing.B) {
	r := mustReviewer(b)
	var text []rune
	for len(text) < 2000 {
		for _, c := range readDevSet(b) {
			text = append(text, []rune(c.Text)...)
		}
	}
	draft := string(text[:2000])
	b.SetBytes(int64(len(draft)))
	texttest.Latencies(b, func(int) {
		if _, err := r.Review(draft, review.KindReply); err != nil {
			b.Fatal(err)
		}
	}, 50, 99)
}

// TestMissingIgnoresPlaceholders: the assistant's 【待核实：…】 gaps stand
// for facts not yet known, so markers inside them (核实, 电话) do not make
// an action or a channel present; outside a gap they still do.
func TestMissingIgnoresPlaceholders(t *testing.T) {
	t.Parallel()
	r := mustReviewer(t)
	cases := []struct {
		text string
		want map[string]bool // category → flagged
	}{
		{"您好，给您添麻烦了。【待核实：具体措施，写清谁去做什么】。有问题可以拨打【待核实：联系电话】。",
			map[string]bool{"missing_action": true, "missing_contact": true}},
		{"您好，给您添麻烦了。我们正在核实情况，有问题可以拨打电话0871-64112233。",
			map[string]bool{"missing_action": false, "missing_contact": false}},
	}
	for _, tc := range cases {
		rv, err := r.Review(tc.text, review.KindComment)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, f := range rv.Findings {
			got[f.Category] = true
		}
		for c, want := range tc.want {
			if got[c] != want {
				t.Errorf("%q: %s flagged %v, want %v", tc.text, c, got[c], want)
			}
		}
	}
}
