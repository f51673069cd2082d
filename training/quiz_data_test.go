package training

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	"govreply/review"
)

// quizTestBank is the embedded bank, loaded once for all tests.
var quizTestBank = sync.OnceValues(LoadQuizBank)

func mustQuizBank(tb testing.TB) *QuizBank {
	tb.Helper()
	b, err := quizTestBank()
	if err != nil {
		tb.Fatalf("LoadQuizBank: %v", err)
	}
	return b
}

// quizTestReviewer is the reviewer LoadQuizBank uses.
var quizTestReviewer = sync.OnceValues(func() (*review.Reviewer, error) {
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		return nil, err
	}
	return review.New(review.Options{Phrases: files})
})

func mustQuizReviewer(tb testing.TB) *review.Reviewer {
	tb.Helper()
	r, err := quizTestReviewer()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// quizSections are the "##" sections of the built-in documents.
var quizSections = sync.OnceValues(func() (faq.Sections, error) {
	secs, _, err := faq.ReadSections(builtin.FS())
	return secs, err
})

// quizNormSpace collapses runs of white space into one blank.
func quizNormSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestQuizDataSources checks that every question rests on a real section
// of the built-in knowledge base, that its key occurs word for word in
// that section and in its explanation, and that the explanation is one
// to three sentences.
func TestQuizDataSources(t *testing.T) {
	t.Parallel()
	secs, err := quizSections()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range mustQuizBank(t).Questions() {
		doc, ok := secs[q.Source.Doc]
		if !ok {
			t.Errorf("%s: source document %q does not exist", q.ID, q.Source.Doc)
			continue
		}
		text, ok := doc[q.Source.Section]
		if !ok {
			t.Errorf("%s: %s has no section “## %s”", q.ID, q.Source.Doc, q.Source.Section)
			continue
		}
		key := quizNormSpace(q.Key)
		if !strings.Contains(quizNormSpace(text), key) {
			t.Errorf("%s: key %q is not in %s › %s", q.ID, q.Key, q.Source.Doc, q.Source.Section)
		}
		if !strings.Contains(quizNormSpace(q.Explanation), key) {
			t.Errorf("%s: key %q is not in the explanation %q", q.ID, q.Key, q.Explanation)
		}
		if n := quizSentences(q.Explanation); n < 1 || n > 3 {
			t.Errorf("%s: explanation has %d sentences, want 1 to 3: %q", q.ID, n, q.Explanation)
		}
	}
}

// quizSentences counts the sentences of a Chinese text: the runs ended by
// 。！？ (or the end of the text).
func quizSentences(s string) int {
	n, open := 0, false
	for _, r := range s {
		switch r {
		case '。', '！', '？':
			if open {
				n++
			}
			open = false
		case '”', '）', ' ':
		default:
			open = true
		}
	}
	if open {
		n++
	}
	return n
}

// TestQuizDataCoverage checks the size and spread of the bank: at least
// 150 questions, 30 find, 25 multiple and 25 true/false ones; every
// document of the knowledge base cited at least once; every topic and
// difficulty used.
func TestQuizDataCoverage(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	byType := map[QuestionType]int{}
	byTopic := map[string]int{}
	byDifficulty := map[int]int{}
	cited := map[string]int{}
	for _, q := range b.Questions() {
		byType[q.Type]++
		byDifficulty[q.Difficulty]++
		cited[q.Source.Doc]++
		for _, tp := range q.Topics {
			byTopic[tp]++
		}
	}
	t.Logf("questions %d; by type %v; by difficulty %v", b.Len(), byType, byDifficulty)
	t.Logf("by topic %v", byTopic)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"questions", b.Len(), 150},
		{"find questions", byType[QuestionFind], 30},
		{"multiple questions", byType[QuestionMultiple], 25},
		{"truefalse questions", byType[QuestionTrueFalse], 25},
		{"single questions", byType[QuestionSingle], 25},
	} {
		if c.got < c.want {
			t.Errorf("%s: %d, want at least %d", c.what, c.got, c.want)
		}
	}
	for _, tp := range QuizTopics() {
		if byTopic[tp] < 5 {
			t.Errorf("topic %s: %d questions, want at least 5", tp, byTopic[tp])
		}
	}
	for d := QuizMinDifficulty; d <= QuizMaxDifficulty; d++ {
		if byDifficulty[d] < b.Len()/5 {
			t.Errorf("difficulty %d: %d questions, want at least a fifth of the bank", d, byDifficulty[d])
		}
	}
	docs, err := fs.Glob(builtin.FS(), "*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("built-in documents: %v (%d)", err, len(docs))
	}
	for _, d := range docs {
		if id := strings.TrimSuffix(d, ".md"); cited[id] == 0 {
			t.Errorf("document %s: no question rests on it", id)
		}
	}
}

// TestQuizDataFind checks every find question against the reviewer: the
// reviewer's findings on the text include every expected category as a
// span (the answer key is the reviewer's output), and the text reads as a
// reply: not empty, at most 2,000 characters, within its kind's limit.
func TestQuizDataFind(t *testing.T) {
	t.Parallel()
	r := mustQuizReviewer(t)
	b := mustQuizBank(t)
	for _, q := range b.Questions() {
		if q.Type != QuestionFind {
			continue
		}
		t.Run(q.ID, func(t *testing.T) {
			if strings.TrimSpace(q.Text) == "" || utf8.RuneCountInString(q.Text) > 2000 {
				t.Fatalf("text of %d characters", utf8.RuneCountInString(q.Text))
			}
			rv, err := r.Review(q.Text, q.kind())
			if err != nil {
				t.Fatal(err)
			}
			if rv.Length > rv.Limit {
				t.Errorf("length %d over the %s limit %d", rv.Length, q.kind(), rv.Limit)
			}
			n := utf8.RuneCountInString(q.Text)
			found := map[string]bool{}
			for _, f := range rv.Findings {
				if f.Start > 0 || f.End < n {
					found[f.Category] = true
				}
			}
			for _, c := range q.Expect {
				if !found[c] {
					t.Errorf("the reviewer does not point at %s in %q; it finds %v", c, q.Text, quizCategories(rv))
				}
			}
			spots := b.Expected(q.ID)
			if len(spots) == 0 {
				t.Fatal("no spots to mark")
			}
			for _, s := range spots {
				if s.Excerpt != string([]rune(q.Text)[s.Start:s.End]) || s.Message == "" || s.Source.Doc == "" {
					t.Errorf("spot %+v", s)
				}
			}
		})
	}
}

// quizCategories lists the findings of a review for messages.
func quizCategories(rv review.Review) []string {
	var out []string
	for _, f := range rv.Findings {
		out = append(out, fmt.Sprintf("%s[%d,%d)%q", f.Category, f.Start, f.End, f.Excerpt))
	}
	return out
}

// TestQuizDataForm re-checks the form of every question the bank holds
// (NewQuizBank does, through QuizParseFile) and that ids are unique.
func TestQuizDataForm(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, q := range mustQuizBank(t).Questions() {
		if seen[q.ID] {
			t.Errorf("%s: id repeated", q.ID)
		}
		seen[q.ID] = true
		if err := QuizCheckQuestion(q); err != nil {
			t.Errorf("%s: %v", q.ID, err)
		}
		switch q.Type {
		case QuestionTrueFalse:
			if !slices.Equal(q.Options, []string{QuizTrue, QuizFalse}) {
				t.Errorf("%s: options %q", q.ID, q.Options)
			}
		case QuestionFind:
			if len(q.Options) > 0 || len(q.Answer) > 0 {
				t.Errorf("%s: a find question with options or answers", q.ID)
			}
		}
	}
}

// TestQuizDataAnswerSpread checks that the right answers of single and
// multiple questions are not always in the same place.
func TestQuizDataAnswerSpread(t *testing.T) {
	t.Parallel()
	first := map[int]int{}
	n := 0
	for _, q := range mustQuizBank(t).Questions() {
		if q.Type == QuestionSingle {
			first[q.Answer[0]]++
			n++
		}
	}
	for i, c := range first {
		if c*10 > n*6 {
			t.Errorf("option %d is the answer of %d of %d single questions", i, c, n)
		}
	}
}

// TestQuizCheckQuestion checks the form rules on questions that break one each.
func TestQuizCheckQuestion(t *testing.T) {
	t.Parallel()
	good := Question{
		ID: "demo-1", Type: QuestionSingle, Stem: "题干", Options: []string{"甲", "乙", "丙"}, Answer: []int{1},
		Explanation: "解析。", Key: "要点", Source: Source{Doc: "tone-apology", Section: "示例"},
		Topics: []string{"共情与道歉"}, Difficulty: 1,
	}
	find := Question{
		ID: "demo-find", Type: QuestionFind, Stem: "找出问题", Text: "您好，此事不归我们管。", Expect: []string{"stonewalling"},
		Explanation: "解析。", Key: "要点", Source: Source{Doc: "tone-other-department", Section: "示例"},
		Topics: []string{"推诿与转办"}, Difficulty: 1,
	}
	tf := good
	tf.Type, tf.Options, tf.Answer = QuestionTrueFalse, []string{QuizTrue, QuizFalse}, []int{0}
	multi := good
	multi.Type, multi.Options, multi.Answer = QuestionMultiple, []string{"甲", "乙", "丙", "丁"}, []int{0, 2}
	edit := func(q Question, f func(*Question)) Question {
		q.Options, q.Answer, q.Topics, q.Expect = slices.Clone(q.Options), slices.Clone(q.Answer), slices.Clone(q.Topics), slices.Clone(q.Expect)
		f(&q)
		return q
	}
	tests := []struct {
		name string
		q    Question
		ok   bool
	}{
		{"single", good, true},
		{"truefalse", tf, true},
		{"multiple", multi, true},
		{"find", find, true},
		{"bad id", edit(good, func(q *Question) { q.ID = "Demo 1" }), false},
		{"bad type", edit(good, func(q *Question) { q.Type = "essay" }), false},
		{"no stem", edit(good, func(q *Question) { q.Stem = " " }), false},
		{"no explanation", edit(good, func(q *Question) { q.Explanation = "" }), false},
		{"no key", edit(good, func(q *Question) { q.Key = "" }), false},
		{"no section", edit(good, func(q *Question) { q.Source.Section = "" }), false},
		{"no topics", edit(good, func(q *Question) { q.Topics = nil }), false},
		{"unknown topic", edit(good, func(q *Question) { q.Topics = []string{"法律"} }), false},
		{"repeated topic", edit(good, func(q *Question) { q.Topics = []string{"共情与道歉", "共情与道歉"} }), false},
		{"difficulty 0", edit(good, func(q *Question) { q.Difficulty = 0 }), false},
		{"difficulty 4", edit(good, func(q *Question) { q.Difficulty = 4 }), false},
		{"single two options", edit(good, func(q *Question) { q.Options = q.Options[:2] }), false},
		{"single five options", edit(good, func(q *Question) { q.Options = []string{"甲", "乙", "丙", "丁", "戊"} }), false},
		{"single two answers", edit(good, func(q *Question) { q.Answer = []int{0, 1} }), false},
		{"single no answer", edit(good, func(q *Question) { q.Answer = nil }), false},
		{"answer out of range", edit(good, func(q *Question) { q.Answer = []int{3} }), false},
		{"negative answer", edit(good, func(q *Question) { q.Answer = []int{-1} }), false},
		{"options repeated", edit(good, func(q *Question) { q.Options = []string{"甲", "乙", "甲"} }), false},
		{"empty option", edit(good, func(q *Question) { q.Options = []string{"甲", "", "丙"} }), false},
		{"multiple one answer", edit(multi, func(q *Question) { q.Answer = []int{1} }), false},
		{"multiple all answers", edit(multi, func(q *Question) { q.Answer = []int{0, 1, 2, 3} }), false},
		{"multiple repeated answer", edit(multi, func(q *Question) { q.Answer = []int{1, 1} }), false},
		{"multiple three options", edit(multi, func(q *Question) { q.Options = q.Options[:3] }), false},
		{"truefalse swapped", edit(tf, func(q *Question) { q.Options = []string{QuizFalse, QuizTrue} }), false},
		{"truefalse other words", edit(tf, func(q *Question) { q.Options = []string{"对", "错"} }), false},
		{"truefalse two answers", edit(tf, func(q *Question) { q.Answer = []int{0, 1} }), false},
		{"choice with text", edit(good, func(q *Question) { q.Text = "您好" }), false},
		{"find with options", edit(find, func(q *Question) { q.Options = []string{"甲", "乙", "丙"} }), false},
		{"find with answer", edit(find, func(q *Question) { q.Answer = []int{0} }), false},
		{"find no text", edit(find, func(q *Question) { q.Text = "  " }), false},
		{"find too long for a comment", edit(find, func(q *Question) { q.Text = strings.Repeat("您好。", 60) }), false},
		{"find long reply", edit(find, func(q *Question) { q.Kind, q.Text = review.KindReply, strings.Repeat("您好。", 60) }), true},
		{"find over 2000", edit(find, func(q *Question) { q.Kind, q.Text = review.KindPost, strings.Repeat("好", 2001) }), false},
		{"find bad kind", edit(find, func(q *Question) { q.Kind = "letter" }), false},
		{"find no categories", edit(find, func(q *Question) { q.Expect = nil }), false},
		{"find unknown category", edit(find, func(q *Question) { q.Expect = []string{"rudeness"} }), false},
		{"find whole-text category", edit(find, func(q *Question) { q.Expect = []string{"missing_timeline"} }), false},
		{"find repeated category", edit(find, func(q *Question) { q.Expect = []string{"stonewalling", "stonewalling"} }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := QuizCheckQuestion(tc.q)
			if (err == nil) != tc.ok {
				t.Fatalf("QuizCheckQuestion = %v, want ok %v", err, tc.ok)
			}
			if err != nil && (!errs.Is(errs.Invalid, err) || errs.MessageOf(err) == "") {
				t.Errorf("error %v: kind %s", err, errs.KindOf(err))
			}
		})
	}
}
