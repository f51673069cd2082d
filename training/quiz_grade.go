package training

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"govreply/internal/errs"
)

// QuizSpan is a span of a find question's text that the trainee marks:
// code points, End exclusive.
type QuizSpan struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// QuizAnswer is a trainee's answer to one question: the option indexes
// chosen (single, multiple, truefalse) or the spans marked (find).
type QuizAnswer struct {
	ID     string     `json:"id"`
	Choice []int      `json:"choice,omitempty"`
	Spans  []QuizSpan `json:"spans,omitempty"`
}

// Verdicts of a mark on a find question.
const (
	QuizMarkHit   = "hit"   // it finds one of the expected spots
	QuizMarkOther = "other" // it touches what the reviewer found without finding a spot (another category, a spot already found, too little overlap): not counted either way
	QuizMarkFalse = "false" // it touches nothing the reviewer found: a false mark
)

// QuizMark is one of the trainee's marks on a find question, judged.
// Overlapping marks are merged first.
type QuizMark struct {
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Excerpt string `json:"excerpt"`
	Verdict string `json:"verdict"` // QuizMarkHit, QuizMarkOther or QuizMarkFalse
	Spot    int    `json:"spot"`    // index into Expected of the spot hit, -1 when none
}

// QuestionResult is the outcome of one answer.
type QuestionResult struct {
	ID          string       `json:"id"`
	Type        QuestionType `json:"type"`
	Correct     bool         `json:"correct"`
	Credit      float64      `json:"credit"` // 0 to 1; choice questions 0 or 1
	Explanation string       `json:"explanation"`
	Key         string       `json:"key"`
	Source      Source       `json:"source"`
	Topics      []string     `json:"topics"`
	Difficulty  int          `json:"difficulty"`
	// Choice questions: the right options and those chosen (sorted).
	Answer []int `json:"answer,omitempty"`
	Choice []int `json:"choice,omitempty"`
	// Find questions: the spots the reviewer found (Found set on those
	// the trainee marked), the trainee's marks judged, and the counts.
	Expected   []QuizSpot `json:"expected,omitempty"`
	Marks      []QuizMark `json:"marks,omitempty"`
	Found      int        `json:"found,omitempty"`
	FalseMarks int        `json:"false_marks,omitempty"`
}

// QuizResult is a graded quiz. Score (0–100) is the mean credit of the
// answers; Correct counts the answers fully right.
type QuizResult struct {
	Score   int              `json:"score"`
	Correct int              `json:"correct"`
	Total   int              `json:"total"`
	Results []QuestionResult `json:"results"`
}

// Grading errors; their kind is errs.Invalid (CodeQuizTooManyAnswers:
// errs.TooLarge).
const (
	CodeQuizNoAnswers       errs.Code = "quiz_no_answers"
	CodeQuizTooManyAnswers  errs.Code = "quiz_too_many_answers"
	CodeQuizUnknownQuestion errs.Code = "quiz_unknown_question"
	CodeQuizDuplicateAnswer errs.Code = "quiz_duplicate_answer"
	CodeQuizInvalidChoice   errs.Code = "quiz_invalid_choice"
	CodeQuizInvalidSpan     errs.Code = "quiz_invalid_span"
	CodeQuizTooManyMarks    errs.Code = "quiz_too_many_marks"
)

// GradeAnswers grades answers, in order. A choice question is right when
// the options chosen are exactly the right ones (a partly right multiple
// choice is wrong). A find question earns (found − false marks) / spots,
// at least 0, where a mark finds a spot when their overlap is at least half
// of the shorter of the two (each mark finds at most one spot and each
// spot is found once), and a false mark is one that overlaps nothing the
// reviewer found (a mark on a finding of another category, or on a spot
// another mark found, is not counted either way); it is right when every spot is found with no false
// mark. An unknown or repeated id, an option out of range, a span outside
// the text and too many answers or marks are errors (errs.Invalid, with
// the codes above and a Chinese message); nothing is graded then.
func (b *QuizBank) GradeAnswers(answers []QuizAnswer) (QuizResult, error) {
	const op = "training.GradeAnswers"
	switch {
	case len(answers) == 0:
		return QuizResult{}, errs.E(op, errs.Invalid, CodeQuizNoAnswers, "没有提交任何答案")
	case len(answers) > QuizMaxAnswers:
		return QuizResult{}, errs.E(op, errs.TooLarge, CodeQuizTooManyAnswers, fmt.Sprintf("一次最多提交 %d 题的答案，收到 %d 题", QuizMaxAnswers, len(answers)))
	}
	res := QuizResult{Total: len(answers), Results: make([]QuestionResult, 0, len(answers))}
	seen := make(map[string]bool, len(answers))
	var credit float64
	for _, a := range answers {
		q, ok := b.question(a.ID)
		if !ok {
			return QuizResult{}, errs.E(op, errs.Invalid, CodeQuizUnknownQuestion, fmt.Sprintf("题库中没有编号为 %q 的题目", a.ID))
		}
		if seen[a.ID] {
			return QuizResult{}, errs.E(op, errs.Invalid, CodeQuizDuplicateAnswer, fmt.Sprintf("题目 %s 的答案提交了不止一次", a.ID))
		}
		seen[a.ID] = true
		r := QuestionResult{
			ID: q.ID, Type: q.Type, Explanation: q.Explanation, Key: q.Key, Source: q.Source,
			Topics: slices.Clone(q.Topics), Difficulty: q.Difficulty,
		}
		var err error
		if q.Type == QuestionFind {
			err = b.gradeFind(q, a.Spans, &r)
		} else {
			err = quizGradeChoice(q, a.Choice, &r)
		}
		if err != nil {
			return QuizResult{}, errs.E(op, err)
		}
		if r.Correct {
			res.Correct++
		}
		credit += r.Credit
		res.Results = append(res.Results, r)
	}
	res.Score = int(math.Round(100 * credit / float64(len(answers))))
	return res, nil
}

// quizGradeChoice grades the options chosen for a choice question.
func quizGradeChoice(q *Question, choice []int, r *QuestionResult) error {
	chosen := slices.Clone(choice)
	slices.Sort(chosen)
	chosen = slices.Compact(chosen)
	for _, c := range chosen {
		if c < 0 || c >= len(q.Options) {
			return errs.E("training.quizGradeChoice", errs.Invalid, CodeQuizInvalidChoice, fmt.Sprintf("题目 %s 只有 %d 个选项（编号 0 到 %d），收到选项 %d", q.ID, len(q.Options), len(q.Options)-1, c))
		}
	}
	right := slices.Clone(q.Answer)
	slices.Sort(right)
	r.Answer, r.Choice = right, chosen
	r.Correct = slices.Equal(chosen, right)
	if r.Correct {
		r.Credit = 1
	}
	return nil
}

// gradeFind grades the spans marked on a find question against the
// spots of its answer key.
func (b *QuizBank) gradeFind(q *Question, spans []QuizSpan, r *QuestionResult) error {
	if len(spans) > QuizMaxMarks {
		return errs.E("training.gradeFind", errs.Invalid, CodeQuizTooManyMarks, fmt.Sprintf("题目 %s 最多标出 %d 处，收到 %d 处", q.ID, QuizMaxMarks, len(spans)))
	}
	runes := []rune(q.Text)
	for _, s := range spans {
		if s.Start < 0 || s.End > len(runes) || s.Start >= s.End {
			return errs.E("training.gradeFind", errs.Invalid, CodeQuizInvalidSpan, fmt.Sprintf("题目 %s 的标记 [%d, %d) 不在文本范围内（文本共 %d 字，起点须小于终点）", q.ID, s.Start, s.End, len(runes)))
		}
	}
	spots := b.Expected(q.ID)
	marks := quizMergeMarks(spans)
	hits := quizMatch(marks, spots)
	r.Expected = spots
	r.Marks = make([]QuizMark, len(marks))
	others := b.others[q.ID]
	for i, m := range marks {
		touches := func(s QuizSpot) bool { return quizOverlap(m, QuizSpan{s.Start, s.End}) > 0 }
		mk := QuizMark{Start: m.Start, End: m.End, Excerpt: string(runes[m.Start:m.End]), Spot: hits[i]}
		switch {
		case hits[i] >= 0:
			mk.Verdict = QuizMarkHit
			r.Expected[hits[i]].Found = true
			r.Found++
		case slices.ContainsFunc(spots, touches) || slices.ContainsFunc(others, touches):
			mk.Verdict = QuizMarkOther
		default:
			mk.Verdict = QuizMarkFalse
			r.FalseMarks++
		}
		r.Marks[i] = mk
	}
	if len(spots) > 0 {
		r.Credit = max(0, float64(r.Found-r.FalseMarks)/float64(len(spots)))
	}
	r.Correct = r.Found == len(spots) && r.FalseMarks == 0
	return nil
}

// quizMergeMarks sorts marks and merges those that overlap, so that one
// stretch of text counts once however often it is marked.
func quizMergeMarks(spans []QuizSpan) []QuizSpan {
	ms := slices.Clone(spans)
	slices.SortFunc(ms, func(a, b QuizSpan) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End)) })
	var out []QuizSpan
	for _, m := range ms {
		if k := len(out) - 1; k >= 0 && m.Start < out[k].End {
			out[k].End = max(out[k].End, m.End)
			continue
		}
		out = append(out, m)
	}
	return out
}

// quizOverlap returns the number of code points a and b share.
func quizOverlap(a, b QuizSpan) int { return max(0, min(a.End, b.End)-max(a.Start, b.Start)) }

// quizCounts reports whether mark m finds spot s: they overlap by at least
// half of the shorter of the two.
func quizCounts(m, s QuizSpan) bool {
	ov := quizOverlap(m, s)
	return ov > 0 && 2*ov >= min(m.End-m.Start, s.End-s.Start)
}

// quizMatch pairs marks with the spots they find, one to one, the pairs
// that overlap most first (ties: earlier mark, then earlier spot). It
// returns, for each mark, the index of its spot or -1.
func quizMatch(marks []QuizSpan, spots []QuizSpot) []int {
	type pair struct{ m, s, ov int }
	var pairs []pair
	for i, m := range marks {
		for j, sp := range spots {
			s := QuizSpan{sp.Start, sp.End}
			if quizCounts(m, s) {
				pairs = append(pairs, pair{i, j, quizOverlap(m, s)})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.ov, a.ov), cmp.Compare(a.m, b.m), cmp.Compare(a.s, b.s))
	})
	hit := make([]int, len(marks))
	for i := range hit {
		hit[i] = -1
	}
	taken := make([]bool, len(spots))
	for _, p := range pairs {
		if hit[p.m] < 0 && !taken[p.s] {
			hit[p.m], taken[p.s] = p.s, true
		}
	}
	return hit
}
