package training

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"govreply/internal/errs"
)

// quizIDs returns the ids of qs.
func quizIDs(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// TestQuizPick checks selection by topic and difficulty: every question
// picked matches the filters, none repeats, as many are picked as asked
// (or as the pool holds), and the same seed gives the same quiz.
func TestQuizPick(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	pool := func(topic string, d int) int {
		n := 0
		for _, q := range b.Questions() {
			if (topic == "" || q.HasTopic(topic)) && (d == 0 || q.Difficulty == d) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name       string
		n          int
		topic      string
		difficulty int
		seed       int64
		want       int // -1: min(n, pool)
	}{
		{"default size", 0, "", 0, 1, QuizDefaultQuestions},
		{"negative size", -3, "", 0, 1, QuizDefaultQuestions},
		{"any 20", 20, "", 0, 7, 20},
		{"whole bank", 10000, "", 0, 7, b.Len()},
		{"topic", 10, "谣言应对", 0, 3, -1},
		{"difficulty", 15, "", 3, 3, -1},
		{"topic and difficulty", 50, "个人信息", 1, 9, -1},
		{"more than the pool", 500, "表扬致谢", 0, 2, -1},
		{"unknown topic", 10, "法律", 0, 1, 0},
		{"unknown difficulty", 10, "", 5, 1, 0},
	}
	for _, tp := range QuizTopics() {
		tests = append(tests, struct {
			name       string
			n          int
			topic      string
			difficulty int
			seed       int64
			want       int
		}{"topic " + tp, 5, tp, 0, 11, -1})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := b.Pick(tc.n, tc.topic, tc.difficulty, tc.seed)
			want := tc.want
			if want < 0 {
				want = min(tc.n, pool(tc.topic, tc.difficulty))
			}
			if len(got) != want {
				t.Fatalf("picked %d, want %d", len(got), want)
			}
			seen := map[string]bool{}
			for _, q := range got {
				if seen[q.ID] {
					t.Errorf("%s picked twice", q.ID)
				}
				seen[q.ID] = true
				if tc.topic != "" && !q.HasTopic(tc.topic) {
					t.Errorf("%s: topics %v, want %s", q.ID, q.Topics, tc.topic)
				}
				if tc.difficulty != 0 && q.Difficulty != tc.difficulty {
					t.Errorf("%s: difficulty %d, want %d", q.ID, q.Difficulty, tc.difficulty)
				}
			}
			again := b.Pick(tc.n, tc.topic, tc.difficulty, tc.seed)
			if !slices.Equal(quizIDs(got), quizIDs(again)) {
				t.Errorf("the same seed gives another quiz:\n%v\n%v", quizIDs(got), quizIDs(again))
			}
		})
	}
}

// TestQuizPickSeeds checks that seeds vary the quiz and that it does not
// depend on anything but its arguments (a fixed seed gives fixed ids).
func TestQuizPickSeeds(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	quizzes := map[string]bool{}
	for seed := range int64(20) {
		quizzes[strings.Join(quizIDs(b.Pick(10, "", 0, seed)), ",")] = true
	}
	if len(quizzes) < 18 {
		t.Errorf("20 seeds gave %d different quizzes", len(quizzes))
	}
	first := b.Pick(10, "", 0, 42)
	for range 5 {
		if !slices.Equal(quizIDs(first), quizIDs(b.Pick(10, "", 0, 42))) {
			t.Fatal("seed 42 gives different quizzes")
		}
	}
	// Every type comes up across a few quizzes.
	types := map[QuestionType]bool{}
	for seed := range int64(5) {
		for _, q := range b.Pick(20, "", 0, seed) {
			types[q.Type] = true
		}
	}
	if len(types) != len(QuestionTypes()) {
		t.Errorf("types picked: %v", slices.Collect(maps.Keys(types)))
	}
}

// TestQuizPlacement checks the placement test: no repeats, every topic
// once before any twice (as far as n allows), difficulties spread evenly,
// types mixed, easy questions first, and the same test every time.
func TestQuizPlacement(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	nt := len(QuizTopics())
	for _, n := range []int{0, 3, 6, 12, 15, 24, 36} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			got := b.Placement(n)
			want := n
			if n <= 0 {
				want = QuizDefaultQuestions
			}
			if len(got) != want {
				t.Fatalf("%d questions, want %d", len(got), want)
			}
			if again := b.Placement(n); !slices.Equal(quizIDs(got), quizIDs(again)) {
				t.Errorf("placement differs between calls")
			}
			seen := map[string]bool{}
			topics := map[string]int{}
			diffs := map[int]int{}
			types := map[QuestionType]int{}
			for i, q := range got {
				if seen[q.ID] {
					t.Errorf("%s twice", q.ID)
				}
				seen[q.ID] = true
				for _, tp := range q.Topics {
					topics[tp]++
				}
				diffs[q.Difficulty]++
				types[q.Type]++
				if i > 0 && q.Difficulty < got[i-1].Difficulty {
					t.Errorf("%s (difficulty %d) after %s (%d): not easy to hard", q.ID, q.Difficulty, got[i-1].ID, got[i-1].Difficulty)
				}
			}
			if len(topics) < min(want, nt) {
				t.Errorf("%d topics covered, want at least %d: %v", len(topics), min(want, nt), topics)
			}
			for d := QuizMinDifficulty; d <= QuizMaxDifficulty; d++ {
				if lo := want/3 - 1; diffs[d] < lo {
					t.Errorf("difficulty %d: %d questions, want at least %d (%v)", d, diffs[d], lo, diffs)
				}
			}
			if want >= 12 && len(types) < 3 {
				t.Errorf("types %v: want at least 3", types)
			}
			for ty, c := range types {
				if want >= 8 && c > want/2 {
					t.Errorf("type %s: %d of %d questions", ty, c, want)
				}
			}
		})
	}
}

// TestQuizCheckPick checks the validation of quiz request parameters.
func TestQuizCheckPick(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n          int
		topic      string
		difficulty int
		code       errs.Code // "" when valid
	}{
		{0, "", 0, ""},
		{10, "谣言应对", 2, ""},
		{QuizMaxQuestions, "", 3, ""},
		{-1, "", 0, CodeQuizInvalidCount},
		{QuizMaxQuestions + 1, "", 0, CodeQuizInvalidCount},
		{10, "rumour", 0, CodeQuizInvalidTopic},
		{10, "", 4, CodeQuizInvalidDifficulty},
		{10, "", -1, CodeQuizInvalidDifficulty},
	}
	for _, tc := range tests {
		err := QuizCheckPick(tc.n, tc.topic, tc.difficulty)
		if tc.code == "" {
			if err != nil {
				t.Errorf("QuizCheckPick(%d, %q, %d) = %v", tc.n, tc.topic, tc.difficulty, err)
			}
			continue
		}
		if !errs.HasCode(err, tc.code) || !errs.Is(errs.Invalid, err) || !quizHasHan(errs.MessageOf(err)) {
			t.Errorf("QuizCheckPick(%d, %q, %d) = %v, want code %s", tc.n, tc.topic, tc.difficulty, err, tc.code)
		}
	}
}

// quizHasHan reports whether s has a Chinese character (a message for
// people).
func quizHasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
}

// TestQuizPublic checks that the client's view carries no answer,
// explanation, key, source or categories to find: only id, type, stem,
// options (not for find) and text (find only).
func TestQuizPublic(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	data, err := json.Marshal(map[string]any{"questions": QuizPublic(b.Questions())})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Questions []map[string]any `json:"questions"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Questions) != b.Len() {
		t.Fatalf("%d questions in JSON, want %d", len(got.Questions), b.Len())
	}
	allowed := []string{"id", "type", "stem", "options", "text"}
	for i, m := range got.Questions {
		q := b.Questions()[i]
		for k := range m {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s: public view has %q", q.ID, k)
			}
		}
		for _, k := range []string{"id", "type", "stem"} {
			if s, _ := m[k].(string); s == "" {
				t.Errorf("%s: public view lacks %s", q.ID, k)
			}
		}
		_, hasOptions := m["options"]
		_, hasText := m["text"]
		if q.Type == QuestionFind && (hasOptions || !hasText) {
			t.Errorf("%s: a find question shows options %v, text %v", q.ID, hasOptions, hasText)
		}
		if q.Type != QuestionFind && (!hasOptions || hasText) {
			t.Errorf("%s: a choice question shows options %v, text %v", q.ID, hasOptions, hasText)
		}
		// Nothing of the answer leaks into the strings either.
		if strings.Contains(string(mustJSON(t, m)), q.Explanation) {
			t.Errorf("%s: the explanation shows", q.ID)
		}
	}
}

// TestQuizBankCopies checks that what the bank hands out is a copy:
// changing it leaves the bank alone.
func TestQuizBankCopies(t *testing.T) {
	t.Parallel()
	b := quizGradeBank(t)
	checked := 0
	for _, get := range []func() Question{
		func() Question { return b.Questions()[1] },
		func() Question { q, _ := b.Question("g-multiple"); return q },
		func() Question { return b.Pick(10, "", 2, 1)[0] },
		func() Question { return b.Placement(4)[3] },
	} {
		q := get()
		if q.ID != "g-multiple" {
			continue
		}
		checked++
		q.Options[0], q.Answer[0], q.Topics[0] = "changed", 9, "changed"
		q.Public().Options[1] = "changed"
		if again, _ := b.Question("g-multiple"); again.Options[0] == "changed" || again.Options[1] == "changed" || again.Answer[0] == 9 || again.Topics[0] == "changed" {
			t.Errorf("a copy shares its slices with the bank: %+v", again)
		}
	}
	if checked < 2 {
		t.Errorf("only %d copies checked", checked)
	}
	spots := b.Expected("g-find")
	spots[0].Categories[0], spots[0].Found = "changed", true
	if again := b.Expected("g-find"); again[0].Categories[0] == "changed" || again[0].Found {
		t.Error("Expected shares its spots with the bank")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// quizGradeFS is a small bank for the grading tests: one question of each
// type, and a find question whose text also holds a problem of a
// category it does not ask for (尽快, vague_time).
var quizGradeFS = fstest.MapFS{
	"a.yaml": {Data: []byte(`questions:
  - id: g-single
    type: single
    difficulty: 1
    topics: [推诿与转办]
    source: {doc: rule-12345-forwarding, section: 12345是什么}
    stem: "单选题"
    options: ["甲", "乙", "丙"]
    answer: [1]
    explanation: "解析一。"
    key: "引导到12345不会错"
  - id: g-multiple
    type: multiple
    difficulty: 2
    topics: [推诿与转办]
    source: {doc: rule-12345-forwarding, section: 12345是什么}
    stem: "多选题"
    options: ["甲", "乙", "丙", "丁"]
    answer: [0, 2, 3]
    explanation: "解析二。"
    key: "引导到12345不会错"
  - id: g-truefalse
    type: truefalse
    difficulty: 1
    topics: [推诿与转办]
    source: {doc: rule-12345-forwarding, section: 12345是什么}
    stem: "判断题"
    options: ["正确", "错误"]
    answer: [1]
    explanation: "解析三。"
    key: "引导到12345不会错"
  - id: g-find
    type: find
    difficulty: 2
    topics: [推诿与转办]
    source: {doc: tone-other-department, section: 推诿说法与替换}
    stem: "找出问题"
    text: "您好，此事不归我们管，请咨询相关部门。我们会尽快处理。"
    expect: [stonewalling]
    explanation: "解析四。"
    key: "没说是哪个部门"
`)},
}

// quizGradeBank loads quizGradeFS with the built-in reviewer.
func quizGradeBank(t testing.TB) *QuizBank {
	t.Helper()
	b, err := NewQuizBank(quizGradeFS, mustQuizReviewer(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// quizSpanOf returns the span of the first occurrence of sub in text, in
// code points.
func quizSpanOf(t testing.TB, text, sub string) QuizSpan {
	t.Helper()
	i := strings.Index(text, sub)
	if i < 0 {
		t.Fatalf("%q is not in %q", sub, text)
	}
	start := len([]rune(text[:i]))
	return QuizSpan{Start: start, End: start + len([]rune(sub))}
}

// TestQuizGradeChoice checks the grading of choice questions: exactly the
// right options are right; a partly right multiple choice, an extra
// option, no option are wrong.
func TestQuizGradeChoice(t *testing.T) {
	t.Parallel()
	b := quizGradeBank(t)
	tests := []struct {
		name   string
		id     string
		choice []int
		right  bool
	}{
		{"single right", "g-single", []int{1}, true},
		{"single wrong", "g-single", []int{0}, false},
		{"single two options", "g-single", []int{1, 2}, false},
		{"single nothing", "g-single", nil, false},
		{"single repeated", "g-single", []int{1, 1}, true},
		{"multiple right", "g-multiple", []int{0, 2, 3}, true},
		{"multiple right unordered", "g-multiple", []int{3, 0, 2}, true},
		{"multiple partial", "g-multiple", []int{0, 2}, false},
		{"multiple one", "g-multiple", []int{3}, false},
		{"multiple extra", "g-multiple", []int{0, 1, 2, 3}, false},
		{"multiple wrong", "g-multiple", []int{1}, false},
		{"truefalse right", "g-truefalse", []int{1}, true},
		{"truefalse wrong", "g-truefalse", []int{0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := b.GradeAnswers([]QuizAnswer{{ID: tc.id, Choice: tc.choice}})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Results[0]
			wantScore, wantCorrect := 0, 0
			if tc.right {
				wantScore, wantCorrect = 100, 1
			}
			if r.Correct != tc.right || res.Score != wantScore || res.Correct != wantCorrect || res.Total != 1 {
				t.Errorf("correct %v score %d (%d of %d), want %v", r.Correct, res.Score, res.Correct, res.Total, tc.right)
			}
			q, _ := b.Question(tc.id)
			if r.ID != tc.id || r.Explanation != q.Explanation || r.Source != q.Source || r.Key != q.Key || !slices.Equal(r.Answer, q.Answer) {
				t.Errorf("result %+v does not carry the question's answer, explanation and source", r)
			}
		})
	}
}

// TestQuizGradeFind checks the overlap rules of find questions against
// the reviewer's spots on “您好，此事不归我们管，请咨询相关部门。我们会
// 尽快处理。” (two stonewalling spots; 尽快 is vague_time, not asked for).
func TestQuizGradeFind(t *testing.T) {
	t.Parallel()
	b := quizGradeBank(t)
	q, _ := b.Question("g-find")
	spots := b.Expected("g-find")
	if len(spots) != 2 || spots[0].Excerpt != "不归我们管" || spots[1].Excerpt != "请咨询相关部门" {
		t.Fatalf("spots %+v", spots)
	}
	span := func(sub string) QuizSpan { return quizSpanOf(t, q.Text, sub) }
	a, c := span("不归我们管"), span("请咨询相关部门")
	tests := []struct {
		name     string
		spans    []QuizSpan
		found    int
		falses   int
		credit   float64
		correct  bool
		verdicts []string
	}{
		{"both exact", []QuizSpan{a, c}, 2, 0, 1, true, []string{QuizMarkHit, QuizMarkHit}},
		{"both, reversed order", []QuizSpan{c, a}, 2, 0, 1, true, []string{QuizMarkHit, QuizMarkHit}},
		{"one of two", []QuizSpan{a}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"nothing marked", nil, 0, 0, 0, false, []string{}},
		{"half of the spot", []QuizSpan{span("不归我")}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"inside the spot", []QuizSpan{span("不归")}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"less than half", []QuizSpan{span("您好，此事不")}, 0, 0, 0, false, []string{QuizMarkOther}},
		{"a wider mark", []QuizSpan{span("此事不归我们管，")}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"the sentence holding both", []QuizSpan{span("此事不归我们管，请咨询相关部门")}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"the whole text", []QuizSpan{{0, len([]rune(q.Text))}}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"the same mark twice", []QuizSpan{a, a}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"overlapping marks merge", []QuizSpan{span("不归我"), span("我们管")}, 1, 0, 0.5, false, []string{QuizMarkHit}},
		{"two marks in one spot", []QuizSpan{span("请咨询"), span("相关部门")}, 1, 0, 0.5, false, []string{QuizMarkOther, QuizMarkHit}},
		{"a false mark", []QuizSpan{a, c, span("您好")}, 2, 1, 0.5, false, []string{QuizMarkFalse, QuizMarkHit, QuizMarkHit}},
		{"only false marks", []QuizSpan{span("您好"), span("处理")}, 0, 2, 0, false, []string{QuizMarkFalse, QuizMarkFalse}},
		{"one hit, one false", []QuizSpan{a, span("您好")}, 1, 1, 0, false, []string{QuizMarkFalse, QuizMarkHit}},
		{"another category is not false", []QuizSpan{a, c, span("尽快")}, 2, 0, 1, true, []string{QuizMarkHit, QuizMarkHit, QuizMarkOther}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := b.GradeAnswers([]QuizAnswer{{ID: "g-find", Spans: tc.spans}})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Results[0]
			if r.Found != tc.found || r.FalseMarks != tc.falses || math.Abs(r.Credit-tc.credit) > 1e-9 || r.Correct != tc.correct {
				t.Errorf("found %d false %d credit %.2f correct %v, want %d %d %.2f %v (marks %+v)",
					r.Found, r.FalseMarks, r.Credit, r.Correct, tc.found, tc.falses, tc.credit, tc.correct, r.Marks)
			}
			if want := int(math.Round(100 * tc.credit)); res.Score != want {
				t.Errorf("score %d, want %d", res.Score, want)
			}
			var verdicts []string
			for _, m := range r.Marks {
				verdicts = append(verdicts, m.Verdict)
				if m.Excerpt != string([]rune(q.Text)[m.Start:m.End]) {
					t.Errorf("mark %+v: excerpt", m)
				}
			}
			if !slices.Equal(verdicts, tc.verdicts) && !(len(verdicts) == 0 && len(tc.verdicts) == 0) {
				t.Errorf("verdicts %v, want %v", verdicts, tc.verdicts)
			}
			found := 0
			for _, s := range r.Expected {
				if s.Found {
					found++
				}
			}
			if found != tc.found || len(r.Expected) != 2 {
				t.Errorf("expected spots %+v: %d found, want %d", r.Expected, found, tc.found)
			}
		})
	}
	// Grading does not mark the bank's own spots as found.
	for _, s := range b.Expected("g-find") {
		if s.Found {
			t.Error("grading changed the bank's spots")
		}
	}
}

// TestQuizGradeScore checks that the score is the mean credit over the
// answers, in order, with partial credit for a find question.
func TestQuizGradeScore(t *testing.T) {
	t.Parallel()
	b := quizGradeBank(t)
	q, _ := b.Question("g-find")
	res, err := b.GradeAnswers([]QuizAnswer{
		{ID: "g-truefalse", Choice: []int{1}},                             // 1
		{ID: "g-find", Spans: []QuizSpan{quizSpanOf(t, q.Text, "不归我们管")}}, // 0.5
		{ID: "g-multiple", Choice: []int{0, 2}},                           // 0
		{ID: "g-single", Choice: []int{1}},                                // 1
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Score != 63 || res.Correct != 2 || res.Total != 4 { // 2.5 / 4 = 62.5 → 63
		t.Errorf("score %d, correct %d of %d; want 63, 2 of 4", res.Score, res.Correct, res.Total)
	}
	if got := quizResultIDs(res); !slices.Equal(got, []string{"g-truefalse", "g-find", "g-multiple", "g-single"}) {
		t.Errorf("results in order %v", got)
	}
	data := string(mustJSON(t, res))
	for _, k := range []string{`"score":63`, `"results":[`, `"correct":true`, `"explanation":"解析三。"`, `"source":{"doc":"rule-12345-forwarding","section":"12345是什么"}`, `"expected":[`, `"verdict":"hit"`} {
		if !strings.Contains(data, k) {
			t.Errorf("result JSON lacks %s: %s", k, data)
		}
	}
}

func quizResultIDs(res QuizResult) []string {
	var out []string
	for _, r := range res.Results {
		out = append(out, r.ID)
	}
	return out
}

// TestQuizGradeErrors checks the errors of GradeAnswers: each has kind
// Invalid (too many answers: TooLarge), a stable code and a Chinese
// message.
func TestQuizGradeErrors(t *testing.T) {
	t.Parallel()
	b := quizGradeBank(t)
	many := make([]QuizAnswer, QuizMaxAnswers+1)
	for i := range many {
		many[i] = QuizAnswer{ID: "g-single", Choice: []int{1}}
	}
	marks := make([]QuizSpan, QuizMaxMarks+1)
	for i := range marks {
		marks[i] = QuizSpan{i, i + 1}
	}
	tests := []struct {
		name    string
		answers []QuizAnswer
		kind    errs.Kind
		code    errs.Code
		word    string // in the message
	}{
		{"no answers", nil, errs.Invalid, CodeQuizNoAnswers, "没有提交"},
		{"too many answers", many, errs.TooLarge, CodeQuizTooManyAnswers, "101"},
		{"unknown id", []QuizAnswer{{ID: "g-single", Choice: []int{1}}, {ID: "no-such", Choice: []int{0}}}, errs.Invalid, CodeQuizUnknownQuestion, "no-such"},
		{"empty id", []QuizAnswer{{ID: ""}}, errs.Invalid, CodeQuizUnknownQuestion, "没有编号"},
		{"repeated id", []QuizAnswer{{ID: "g-single", Choice: []int{1}}, {ID: "g-single", Choice: []int{0}}}, errs.Invalid, CodeQuizDuplicateAnswer, "g-single"},
		{"option out of range", []QuizAnswer{{ID: "g-single", Choice: []int{3}}}, errs.Invalid, CodeQuizInvalidChoice, "收到选项 3"},
		{"negative option", []QuizAnswer{{ID: "g-multiple", Choice: []int{0, -1}}}, errs.Invalid, CodeQuizInvalidChoice, "收到选项 -1"},
		{"span past the end", []QuizAnswer{{ID: "g-find", Spans: []QuizSpan{{20, 200}}}}, errs.Invalid, CodeQuizInvalidSpan, "[20, 200)"},
		{"negative span", []QuizAnswer{{ID: "g-find", Spans: []QuizSpan{{-1, 3}}}}, errs.Invalid, CodeQuizInvalidSpan, "[-1, 3)"},
		{"empty span", []QuizAnswer{{ID: "g-find", Spans: []QuizSpan{{4, 4}}}}, errs.Invalid, CodeQuizInvalidSpan, "起点须小于终点"},
		{"too many marks", []QuizAnswer{{ID: "g-find", Spans: marks}}, errs.Invalid, CodeQuizTooManyMarks, "最多标出"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := b.GradeAnswers(tc.answers)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			if msg := errs.MessageOf(err); errs.KindOf(err) != tc.kind || errs.CodeOf(err) != tc.code || !quizHasHan(msg) || !strings.Contains(msg, tc.word) {
				t.Errorf("error %v: kind %s code %s message %q, want %s %s", err, errs.KindOf(err), errs.CodeOf(err), errs.MessageOf(err), tc.kind, tc.code)
			}
			if res.Results != nil || res.Score != 0 {
				t.Errorf("a partial result with the error: %+v", res)
			}
		})
	}
}

// TestNewQuizBankErrors checks that a broken bank does not load, and that
// the error names the file and says what is wrong.
func TestNewQuizBankErrors(t *testing.T) {
	t.Parallel()
	r := mustQuizReviewer(t)
	one := func(id, body string) string {
		return fmt.Sprintf(`  - id: %s
    difficulty: 1
    topics: [推诿与转办]
    source: {doc: tone-other-department, section: 推诿说法与替换}
    stem: "题干"
    explanation: "解析。"
    key: "没说是哪个部门"
%s`, id, body)
	}
	single := "    type: single\n    options: [甲, 乙, 丙]\n    answer: [0]\n"
	tests := []struct {
		name  string
		files map[string]string
		words []string // in the error
	}{
		{"empty bank", map[string]string{"README.md": "说明"}, []string{"空"}},
		{"empty file", map[string]string{"a.yaml": ""}, []string{"a.yaml", "空"}},
		{"bad YAML", map[string]string{"a.yaml": "questions: [\n"}, []string{"a.yaml", "YAML"}},
		{"not a list", map[string]string{"a.yaml": "questions: 3\n"}, []string{"a.yaml", "列表"}},
		{"unknown top key", map[string]string{"a.yaml": "quiz: []\n"}, []string{"a.yaml", "quiz"}},
		{"unknown question key", map[string]string{"a.yaml": "questions:\n" + one("x-1", single+"    hint: 提示\n")}, []string{"a.yaml", "hint"}},
		{"bad field type", map[string]string{"a.yaml": "questions:\n" + one("x-1", "    type: single\n    options: [甲, 乙, 丙]\n    answer: 第一个\n")}, []string{"a.yaml", "字段类型"}},
		{"bad form", map[string]string{"a.yaml": "questions:\n" + one("x-1", "    type: single\n    options: [甲, 乙, 丙]\n    answer: [5]\n")}, []string{"a.yaml", "x-1", "超出选项范围"}},
		{"repeated id across files", map[string]string{"a.yaml": "questions:\n" + one("x-1", single), "b.yaml": "questions:\n" + one("x-1", single)}, []string{"b.yaml", "x-1", "重复", "a.yaml"}},
		{"category not found", map[string]string{"a.yaml": "questions:\n" + one("x-find", "    type: find\n    text: \"您好，您反映的路灯问题已转给区城管局，明天修好。\"\n    expect: [stonewalling]\n")}, []string{"a.yaml", "x-find", "stonewalling"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			b, err := NewQuizBank(fsys, r)
			if err == nil {
				t.Fatalf("loaded %d questions", b.Len())
			}
			if !errs.Is(errs.Invalid, err) {
				t.Errorf("kind %s", errs.KindOf(err))
			}
			msg := errs.MessageOf(err)
			for _, w := range tc.words {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			var fe *errs.FileError
			if len(tc.files) > 0 && tc.name != "empty bank" && !errors.As(err, &fe) {
				t.Errorf("error %v names no file", err)
			}
		})
	}
}

// quizBenchAnswers answers 20 questions of the bank (find questions among
// them): the right options, and the spots of find questions plus one
// false mark.
func quizBenchAnswers(tb testing.TB, b *QuizBank) []QuizAnswer {
	tb.Helper()
	qs := b.Pick(16, "", 0, 1)
	for _, q := range b.Pick(b.Len(), "", 0, 2) {
		if q.Type == QuestionFind && !slices.ContainsFunc(qs, func(p Question) bool { return p.ID == q.ID }) && len(qs) < 20 {
			qs = append(qs, q)
		}
	}
	var out []QuizAnswer
	for _, q := range qs {
		a := QuizAnswer{ID: q.ID, Choice: q.Answer}
		for _, s := range b.Expected(q.ID) {
			a.Spans = append(a.Spans, QuizSpan{s.Start, s.End})
		}
		if q.Type == QuestionFind {
			a.Spans = append(a.Spans, QuizSpan{0, 1})
		}
		out = append(out, a)
	}
	if len(out) != 20 {
		tb.Fatalf("%d answers", len(out))
	}
	return out
}

// TestQuizGradeBank grades the benchmark's answers once: the choice
// questions right, the find questions right but for the mark on the first
// character (a false mark unless it touches a finding).
func TestQuizGradeBank(t *testing.T) {
	t.Parallel()
	b := mustQuizBank(t)
	res, err := b.GradeAnswers(quizBenchAnswers(t, b))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Results {
		if r.Type != QuestionFind && !r.Correct {
			t.Errorf("%s: the right options graded wrong", r.ID)
		}
		if r.Type == QuestionFind && r.Found != len(r.Expected) {
			t.Errorf("%s: the spots marked exactly found %d of %d", r.ID, r.Found, len(r.Expected))
		}
	}
	if res.Score < 50 || res.Total != 20 {
		t.Errorf("score %d of %d answers", res.Score, res.Total)
	}
}

// BenchmarkQuizGrade grades a 20-question quiz.
func BenchmarkQuizGrade(bm *testing.B) {
	b := mustQuizBank(bm)
	answers := quizBenchAnswers(bm, b)
	bm.ReportAllocs()
	for bm.Loop() {
		if _, err := b.GradeAnswers(answers); err != nil {
			bm.Fatal(err)
		}
	}
}
