package training

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/internal/yamlline"
	"govreply/internal/yamlnode"
	"govreply/knowledge/builtin"
	"govreply/review"
)

// The quiz bank: questions written from the built-in knowledge base, kept
// as data in data/quiz/*.yaml (one file per group of source documents) and
// embedded. Each question rests on one "##" section (Source) and names the
// key claim of its explanation, which occurs word for word in that section
// (a test checks both).
//
// There are four types of question. single, multiple and truefalse are
// answered with option indexes. find shows a reply with problems in it;
// the trainee marks spans, and the answer key is what the reviewer finds
// in the text (the categories the question expects), never a hand-made
// list of spans.

//go:embed data/quiz/*.yaml
var quizData embed.FS

// QuizFS returns the embedded quiz files (*.yaml at its root).
func QuizFS() fs.FS {
	sub, err := fs.Sub(quizData, "data/quiz")
	if err != nil { // cannot happen: the directory is embedded above
		panic(err)
	}
	return sub
}

// QuestionType is the type of a question.
type QuestionType string

// The question types.
const (
	QuestionSingle    QuestionType = "single"    // one right option of 3–4
	QuestionMultiple  QuestionType = "multiple"  // two or more right options of 4–5
	QuestionTrueFalse QuestionType = "truefalse" // options 正确, 错误
	QuestionFind      QuestionType = "find"      // mark the problems in a reply
)

// QuestionTypes returns the question types.
func QuestionTypes() []QuestionType {
	return []QuestionType{QuestionSingle, QuestionMultiple, QuestionTrueFalse, QuestionFind}
}

// Valid reports whether t is one of the question types.
func (t QuestionType) Valid() bool { return slices.Contains(QuestionTypes(), t) }

// QuizTrue and QuizFalse are the options of every truefalse question, in
// this order (answer 0 is 正确).
const (
	QuizTrue  = "正确"
	QuizFalse = "错误"
)

// quizTopics is the topic vocabulary shared by quizzes and scenarios.
var quizTopics = []string{
	"回复结构", "共情与道歉", "时限与渠道", "推诿与转办", "谣言应对", "突发事件",
	"个人信息", "表扬致谢", "通告发布", "网络语言与语气", "账号管理", "保密与审核",
}

// QuizTopics returns the topic vocabulary, in its canonical order.
func QuizTopics() []string { return slices.Clone(quizTopics) }

// QuizTopicValid reports whether topic is in the vocabulary.
func QuizTopicValid(topic string) bool { return slices.Contains(quizTopics, topic) }

// Difficulties: 1 入门, 2 进阶, 3 困难.
const (
	QuizMinDifficulty = 1
	QuizMaxDifficulty = 3
)

// Limits of a quiz and of a find question.
const (
	QuizDefaultQuestions = 10   // n ≤ 0 asks for this many
	QuizMaxQuestions     = 50   // the most a quiz request may ask for (QuizCheckPick)
	QuizMaxAnswers       = 100  // the most answers graded at once
	QuizMaxMarks         = 20   // the most spans marked on one find question
	QuizMaxTextRunes     = 2000 // the longest find text, in code points
)

// Question is one quiz question with its answer, as written in the data.
// For find questions Answer is empty: the answer key is the reviewer's
// findings of the Expect categories on Text.
type Question struct {
	ID          string       `json:"id" yaml:"id"`
	Type        QuestionType `json:"type" yaml:"type"`
	Stem        string       `json:"stem" yaml:"stem"`
	Options     []string     `json:"options,omitempty" yaml:"options"`
	Answer      []int        `json:"answer,omitempty" yaml:"answer"`
	Text        string       `json:"text,omitempty" yaml:"text"`     // find: the reply to examine
	Kind        review.Kind  `json:"kind,omitempty" yaml:"kind"`     // find: what Text is; "" means comment
	Expect      []string     `json:"expect,omitempty" yaml:"expect"` // find: the review categories to find
	Explanation string       `json:"explanation" yaml:"explanation"`
	Key         string       `json:"key" yaml:"key"` // the explanation's key claim, verbatim in Source
	Source      Source       `json:"source" yaml:"source"`
	Topics      []string     `json:"topics" yaml:"topics"`
	Difficulty  int          `json:"difficulty" yaml:"difficulty"`
}

// QuestionPublic is what a trainee's client sees of a question: no
// answer, explanation, key or source.
type QuestionPublic struct {
	ID      string       `json:"id"`
	Type    QuestionType `json:"type"`
	Stem    string       `json:"stem"`
	Options []string     `json:"options,omitempty"` // every type but find
	Text    string       `json:"text,omitempty"`    // find only
}

// Public returns the client's view of q.
func (q Question) Public() QuestionPublic {
	return QuestionPublic{ID: q.ID, Type: q.Type, Stem: q.Stem, Options: slices.Clone(q.Options), Text: q.Text}
}

// QuizPublic returns the client's view of qs, in order.
func QuizPublic(qs []Question) []QuestionPublic {
	out := make([]QuestionPublic, len(qs))
	for i, q := range qs {
		out[i] = q.Public()
	}
	return out
}

// HasTopic reports whether q is about topic.
func (q Question) HasTopic(topic string) bool { return slices.Contains(q.Topics, topic) }

// kind returns the review kind of a find question's text.
func (q Question) kind() review.Kind { return cmp.Or(q.Kind, review.KindComment) }

// QuizBank is the loaded question bank. It is immutable and safe for
// concurrent use.
type QuizBank struct {
	questions []Question            // in id order
	byID      map[string]int        // index into questions
	spots     map[string][]QuizSpot // find: the spots to mark, from the reviewer
	others    map[string][]QuizSpot // find: reviewer findings of other categories
}

// LoadQuizBank loads the embedded questions and works out the answer key
// of every find question with the reviewer serve uses by default (the
// built-in phrase lists and the embedded rule files).
func LoadQuizBank() (*QuizBank, error) {
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		return nil, errs.E("training.LoadQuizBank", errs.Internal, "内置审核规则无法加载", err)
	}
	r, err := review.New(review.Options{Phrases: files})
	if err != nil {
		return nil, errs.E("training.LoadQuizBank", errs.Internal, "审核器无法创建", err)
	}
	return NewQuizBank(QuizFS(), r)
}

// NewQuizBank loads the questions of the *.yaml files at the root of fsys,
// checks their form (QuizParseFile) and that ids are unique, and reviews
// the text of every find question with r: a find question whose expected
// categories r does not find as spans is an error. All problems are
// returned, joined.
func NewQuizBank(fsys fs.FS, r *review.Reviewer) (*QuizBank, error) {
	const op = "training.NewQuizBank"
	names, err := yamlnode.Files(fsys)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "题库文件无法读取", err)
	}
	var (
		qs       []Question
		problems []error
		where    = map[string]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, &errs.FileError{File: name, Reason: "无法读取文件：" + err.Error()})
			continue
		}
		got, err := QuizParseFile(name, data)
		if err != nil {
			problems = append(problems, err)
		}
		for _, q := range got {
			if first, dup := where[q.ID]; dup {
				problems = append(problems, &errs.FileError{File: name, Reason: fmt.Sprintf("题目 id %q 重复（已见于 %s）", q.ID, first)})
				continue
			}
			where[q.ID] = name
			qs = append(qs, q)
		}
	}
	b := &QuizBank{byID: map[string]int{}, spots: map[string][]QuizSpot{}, others: map[string][]QuizSpot{}}
	slices.SortFunc(qs, func(a, c Question) int { return cmp.Compare(a.ID, c.ID) })
	for _, q := range qs {
		if q.Type == QuestionFind {
			spots, others, err := quizFindKey(r, q)
			if err != nil {
				problems = append(problems, &errs.FileError{File: where[q.ID], Reason: fmt.Sprintf("题目 %s：%s", q.ID, errs.MessageOf(err))})
				continue
			}
			b.spots[q.ID], b.others[q.ID] = spots, others
		}
		b.byID[q.ID] = len(b.questions)
		b.questions = append(b.questions, q)
	}
	if len(problems) > 0 {
		err := errors.Join(problems...)
		lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
		return nil, errs.E(op, errs.Invalid, "题库有误：\n  "+strings.Join(lines, "\n  "), err)
	}
	if len(b.questions) == 0 {
		return nil, errs.E(op, errs.Invalid, "题库是空的")
	}
	return b, nil
}

// quizFindKey reviews a find question's text and returns the spots to
// mark (the findings of the expected categories, overlapping ones merged)
// and the findings of other categories (marks on them are not counted as
// false). Findings about the whole text (a missing element, the length)
// cannot be marked and are left out.
func quizFindKey(r *review.Reviewer, q Question) (spots, others []QuizSpot, err error) {
	rv, err := r.Review(q.Text, q.kind())
	if err != nil {
		return nil, nil, err
	}
	n := utf8.RuneCountInString(q.Text)
	var want, rest []review.Finding
	for _, f := range rv.Findings {
		switch {
		case f.Start == 0 && f.End == n, f.End <= f.Start:
		case slices.Contains(q.Expect, f.Category):
			want = append(want, f)
		default:
			rest = append(rest, f)
		}
	}
	spots, others = quizMergeFindings(want, q.Text), quizMergeFindings(rest, q.Text)
	var missing []string
	for _, c := range q.Expect {
		if !slices.ContainsFunc(spots, func(s QuizSpot) bool { return slices.Contains(s.Categories, c) }) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, nil, errs.E("training.quizFindKey", errs.Invalid, "审核器在文本中没有找到预期的问题类别："+strings.Join(missing, "、"))
	}
	return spots, others, nil
}

// QuizSpot is one place in a find question's text where the reviewer
// found a problem: the union of overlapping findings, with their
// categories, and the message, suggestion and source of the first.
type QuizSpot struct {
	Start      int      `json:"start"` // code points, End exclusive
	End        int      `json:"end"`
	Excerpt    string   `json:"excerpt"`
	Categories []string `json:"categories"`
	Names      []string `json:"names"` // the categories in Chinese
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion"`
	Source     Source   `json:"source"`
	Found      bool     `json:"found"` // in a graded result: the trainee marked it
}

// quizMergeFindings merges overlapping findings into spots, in text order.
func quizMergeFindings(fs []review.Finding, text string) []QuizSpot {
	fs = slices.Clone(fs)
	slices.SortStableFunc(fs, func(a, b review.Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	var out []QuizSpot
	for _, f := range fs {
		if k := len(out) - 1; k >= 0 && f.Start < out[k].End {
			out[k].End = max(out[k].End, f.End)
			if !slices.Contains(out[k].Categories, f.Category) {
				out[k].Categories = append(out[k].Categories, f.Category)
			}
			continue
		}
		out = append(out, QuizSpot{
			Start: f.Start, End: f.End, Categories: []string{f.Category},
			Message: f.Message, Suggestion: f.Suggestion,
			Source: Source{Doc: f.Source.Doc, Section: f.Source.Section},
		})
	}
	runes := []rune(text)
	for i := range out {
		slices.Sort(out[i].Categories)
		out[i].Excerpt = string(runes[out[i].Start:out[i].End])
		out[i].Names = make([]string, len(out[i].Categories))
		for j, c := range out[i].Categories {
			out[i].Names[j] = review.CategoryName(c)
		}
	}
	return out
}

// Len returns the number of questions.
func (b *QuizBank) Len() int { return len(b.questions) }

// Questions returns every question, in id order.
func (b *QuizBank) Questions() []Question { return quizClone(b.questions) }

// Question returns the question with id.
func (b *QuizBank) Question(id string) (Question, bool) {
	q, ok := b.question(id)
	if !ok {
		return Question{}, false
	}
	return q.clone(), true
}

// question returns the bank's own question with id (not to be modified).
func (b *QuizBank) question(id string) (*Question, bool) {
	i, ok := b.byID[id]
	if !ok {
		return nil, false
	}
	return &b.questions[i], true
}

// clone returns a deep copy of q, so that callers cannot change the bank.
func (q Question) clone() Question {
	q.Options, q.Answer, q.Expect, q.Topics = slices.Clone(q.Options), slices.Clone(q.Answer), slices.Clone(q.Expect), slices.Clone(q.Topics)
	return q
}

// quizClone returns deep copies of qs.
func quizClone(qs []Question) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		out[i] = q.clone()
	}
	return out
}

// Expected returns the spots the trainee is to mark in find question id:
// the answer key, from the reviewer. It is nil for other questions.
func (b *QuizBank) Expected(id string) []QuizSpot {
	spots := slices.Clone(b.spots[id])
	for i := range spots {
		spots[i].Categories, spots[i].Names = slices.Clone(spots[i].Categories), slices.Clone(spots[i].Names)
	}
	return spots
}

// Selection errors (QuizCheckPick); their kind is errs.Invalid.
const (
	CodeQuizInvalidCount      errs.Code = "quiz_invalid_count"
	CodeQuizInvalidTopic      errs.Code = "quiz_invalid_topic"
	CodeQuizInvalidDifficulty errs.Code = "quiz_invalid_difficulty"
)

// QuizCheckPick validates the parameters of a quiz request (as the API
// and CLI receive them): n from 0 (the default) to QuizMaxQuestions, a
// topic from the vocabulary or "", a difficulty from 1 to 3 or 0 (any).
func QuizCheckPick(n int, topic string, difficulty int) error {
	const op = "training.QuizCheckPick"
	switch {
	case n < 0 || n > QuizMaxQuestions:
		return errs.E(op, errs.Invalid, CodeQuizInvalidCount, fmt.Sprintf("题目数量须在 1 到 %d 之间（不填为 %d 题），收到 %d", QuizMaxQuestions, QuizDefaultQuestions, n))
	case topic != "" && !QuizTopicValid(topic):
		return errs.E(op, errs.Invalid, CodeQuizInvalidTopic, fmt.Sprintf("没有“%s”这个主题，可选：%s", topic, strings.Join(quizTopics, "、")))
	case difficulty != 0 && (difficulty < QuizMinDifficulty || difficulty > QuizMaxDifficulty):
		return errs.E(op, errs.Invalid, CodeQuizInvalidDifficulty, fmt.Sprintf("难度须为 1（入门）、2（进阶）或 3（困难），收到 %d", difficulty))
	}
	return nil
}

// Pick returns up to n questions (QuizDefaultQuestions when n ≤ 0) about
// topic ("" for any) of difficulty (0 for any), without repeats, in an
// order shuffled by seed: the same arguments give the same quiz.
func (b *QuizBank) Pick(n int, topic string, difficulty int, seed int64) []Question {
	if n <= 0 {
		n = QuizDefaultQuestions
	}
	var pool []Question
	for _, q := range b.questions {
		if (topic == "" || q.HasTopic(topic)) && (difficulty == 0 || q.Difficulty == difficulty) {
			pool = append(pool, q)
		}
	}
	quizShuffle(pool, seed)
	return quizClone(pool[:min(n, len(pool))])
}

// quizPlacementSeed fixes the placement test: every trainee takes the
// same one, so that their results compare.
const quizPlacementSeed = 20240601

// Placement returns a placement test of up to n questions
// (QuizDefaultQuestions when n ≤ 0): spread over the topics (taken in
// turn, so that twelve questions or more cover every topic) and the
// difficulties (in turn), with the question types mixed, ordered from easy
// to hard. It is the same test every time for the same n.
func (b *QuizBank) Placement(n int) []Question {
	if n <= 0 {
		n = QuizDefaultQuestions
	}
	n = min(n, len(b.questions))
	order := slices.Clone(b.questions)
	quizShuffle(order, quizPlacementSeed)
	used := map[string]bool{}
	types := map[QuestionType]int{}
	var out []Question
	// take picks the least used type among the unused questions that
	// match, first in shuffled order; it reports whether it found one.
	take := func(match func(Question) bool) bool {
		best := -1
		for i, q := range order {
			if used[q.ID] || !match(q) {
				continue
			}
			if best < 0 || types[q.Type] < types[order[best].Type] {
				best = i
			}
		}
		if best < 0 {
			return false
		}
		q := order[best]
		used[q.ID] = true
		types[q.Type]++
		out = append(out, q)
		return true
	}
	nt := len(quizTopics)
	for k := 0; len(out) < n; k++ {
		topic := quizTopics[k%nt]
		// Shift the difficulty each round, so that a topic gets a
		// different one each time it comes round.
		d := (k+k/nt)%QuizMaxDifficulty + 1
		near := func(q Question) int { return quizAbs(q.Difficulty - d) }
		switch {
		case take(func(q Question) bool { return q.HasTopic(topic) && q.Difficulty == d }):
		case take(func(q Question) bool { return q.HasTopic(topic) && near(q) == 1 }):
		case take(func(q Question) bool { return q.HasTopic(topic) }):
		case take(func(q Question) bool { return q.Difficulty == d }):
		default:
			take(func(Question) bool { return true })
		}
	}
	slices.SortStableFunc(out, func(a, c Question) int { return cmp.Compare(a.Difficulty, c.Difficulty) })
	return quizClone(out)
}

// quizAbs returns |x|.
func quizAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// quizShuffle shuffles qs by seed (Fisher–Yates over PCG, whose output is
// fixed, so the order does not change with the Go release).
func quizShuffle(qs []Question, seed int64) {
	r := rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
	for i := len(qs) - 1; i > 0; i-- {
		j := int(r.Uint64() % uint64(i+1))
		qs[i], qs[j] = qs[j], qs[i]
	}
}

// quizIDRE is the form of a question id: lower-case words and digits
// joined by hyphens.
var quizIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// quizFields are the keys a question may have.
var quizFields = []string{
	"id", "type", "stem", "options", "answer", "text", "kind", "expect",
	"explanation", "key", "source", "topics", "difficulty",
}

// QuizParseFile reads one quiz file, a mapping with the key questions
// holding a sequence of questions, and checks the form of each (see
// QuizCheckQuestion). name is used in errors. It returns the questions
// that are well formed and every problem found, joined.
func QuizParseFile(name string, data []byte) (qs []Question, err error) {
	rd := yamlnode.Reader{Errorf: func(line int, reason string) error {
		return &errs.FileError{File: name, Line: line, Reason: reason}
	}}
	defer func() {
		if r := recover(); r != nil { // yaml.v3 may panic on hostile input
			qs, err = nil, rd.Err(nil, "YAML 无法解析：%v", r)
		}
	}()
	if !utf8.Valid(data) {
		return nil, rd.Err(nil, "文件不是有效的 UTF-8 文本")
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &errs.FileError{File: name, Line: yamlline.Of(err), Reason: "YAML 格式有误，请检查冒号、缩进和引号（" + err.Error() + "）"}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, rd.Err(nil, "文件是空的")
	}
	top, err := rd.Mapping(root.Content[0], "题库文件", "questions")
	if err != nil {
		return nil, err
	}
	items, err := rd.Sequence(top, root.Content[0], "题库文件", "questions")
	if err != nil {
		return nil, err
	}
	var problems []error
	for i, n := range items {
		what := fmt.Sprintf("第 %d 题", i+1)
		if _, err := rd.Mapping(n, what, quizFields...); err != nil {
			problems = append(problems, err)
			continue
		}
		var q Question
		if err := n.Decode(&q); err != nil {
			problems = append(problems, rd.Err(n, "%s的字段类型有误：%v", what, err))
			continue
		}
		if err := QuizCheckQuestion(q); err != nil {
			problems = append(problems, rd.Err(n, "%s（%s）：%s", what, q.ID, errs.MessageOf(err)))
			continue
		}
		qs = append(qs, q)
	}
	return qs, errors.Join(problems...)
}

// QuizCheckQuestion checks the form of one question: a well-formed id; a
// known type; a stem, an explanation, a key and a source; one to three topics
// from the vocabulary; a difficulty from 1 to 3; distinct options with
// answers in range (single: 3–4 options, one answer; multiple: 4–5
// options, two or more answers; truefalse: exactly 正确, 错误 and one
// answer); for find, a text of at most QuizMaxTextRunes code points within
// its kind's length limit, one or more categories to find (each one the
// reviewer points at in the text, not a missing element of the whole),
// and no options or answer. Whether the source resolves, the key occurs in
// it and the reviewer finds the categories is checked against the
// knowledge base and the reviewer elsewhere (tests, NewQuizBank).
func QuizCheckQuestion(q Question) error {
	problem := func(format string, args ...any) error {
		return errs.E("training.QuizCheckQuestion", errs.Invalid, fmt.Sprintf(format, args...))
	}
	switch {
	case !quizIDRE.MatchString(q.ID):
		return problem("id %q 须由小写字母、数字和连字符组成", q.ID)
	case !q.Type.Valid():
		return problem("题型 %q 须为 single、multiple、truefalse 或 find", q.Type)
	case strings.TrimSpace(q.Stem) == "":
		return problem("缺少题干（stem）")
	case strings.TrimSpace(q.Explanation) == "":
		return problem("缺少解析（explanation）")
	case strings.TrimSpace(q.Key) == "":
		return problem("缺少要点（key）")
	case q.Source.Doc == "" || q.Source.Section == "":
		return problem("出处（source）须有 doc 和 section")
	case len(q.Topics) == 0 || len(q.Topics) > 3:
		return problem("主题（topics）须有 1 到 3 个，收到 %d 个", len(q.Topics))
	case q.Difficulty < QuizMinDifficulty || q.Difficulty > QuizMaxDifficulty:
		return problem("难度（difficulty）须为 1、2 或 3，收到 %d", q.Difficulty)
	}
	for i, t := range q.Topics {
		if !QuizTopicValid(t) {
			return problem("主题“%s”不在主题表中（%s）", t, strings.Join(quizTopics, "、"))
		}
		if slices.Contains(q.Topics[:i], t) {
			return problem("主题“%s”重复", t)
		}
	}
	if q.Type == QuestionFind {
		return quizCheckFind(q, problem)
	}
	if q.Text != "" || q.Kind != "" || len(q.Expect) > 0 {
		return problem("只有 find 题才有 text、kind 和 expect")
	}
	lo, hi := quizOptionCounts[q.Type][0], quizOptionCounts[q.Type][1]
	if len(q.Options) < lo || len(q.Options) > hi {
		return problem("%s 题须有 %d 到 %d 个选项，收到 %d 个", q.Type, lo, hi, len(q.Options))
	}
	if q.Type == QuestionTrueFalse && (q.Options[0] != QuizTrue || q.Options[1] != QuizFalse) {
		return problem("判断题的选项须为 [%s, %s]", QuizTrue, QuizFalse)
	}
	for i, o := range q.Options {
		if strings.TrimSpace(o) == "" {
			return problem("第 %d 个选项是空的", i+1)
		}
		if slices.Contains(q.Options[:i], o) {
			return problem("选项“%s”重复", o)
		}
	}
	for i, a := range q.Answer {
		if a < 0 || a >= len(q.Options) {
			return problem("答案 %d 超出选项范围（0 到 %d）", a, len(q.Options)-1)
		}
		if slices.Contains(q.Answer[:i], a) {
			return problem("答案 %d 重复", a)
		}
	}
	switch {
	case q.Type == QuestionMultiple && len(q.Answer) < 2:
		return problem("多选题须有两个或更多正确选项，收到 %d 个", len(q.Answer))
	case q.Type == QuestionMultiple && len(q.Answer) == len(q.Options):
		return problem("多选题不能所有选项都正确")
	case q.Type != QuestionMultiple && len(q.Answer) != 1:
		return problem("%s 题须恰有一个正确选项，收到 %d 个", q.Type, len(q.Answer))
	}
	return nil
}

// quizOptionCounts are the fewest and most options of each choice type.
var quizOptionCounts = map[QuestionType][2]int{
	QuestionSingle:    {3, 4},
	QuestionMultiple:  {4, 5},
	QuestionTrueFalse: {2, 2},
}

// quizCheckFind checks the fields of a find question.
func quizCheckFind(q Question, problem func(string, ...any) error) error {
	if len(q.Options) > 0 || len(q.Answer) > 0 {
		return problem("find 题没有选项和答案：答案由审核器在 text 中的发现给出")
	}
	if !q.kind().Valid() {
		return problem("kind %q 须为 comment、reply 或 post", q.Kind)
	}
	if strings.TrimSpace(q.Text) == "" {
		return problem("find 题缺少回复文本（text）")
	}
	if n := utf8.RuneCountInString(q.Text); n > QuizMaxTextRunes {
		return problem("回复文本过长：最多 %d 字，收到 %d 字", QuizMaxTextRunes, n)
	}
	if l, lim := review.Length(q.Text), q.kind().Limit(); l > lim {
		return problem("回复文本按微博计 %d 字，超过 %s 的上限 %d 字", l, review.KindName(q.kind()), lim)
	}
	if len(q.Expect) == 0 {
		return problem("find 题须列出要找的问题类别（expect）")
	}
	for i, c := range q.Expect {
		if _, ok := phrases.DefaultSeverity(c); !ok {
			return problem("没有“%s”这个审核类别", c)
		}
		if quizWholeCategory(c) {
			return problem("“%s”针对整条回复，无法在文本中标出，不能作为 find 题的答案", c)
		}
		if slices.Contains(q.Expect[:i], c) {
			return problem("类别“%s”重复", c)
		}
	}
	return nil
}

// quizWholeCategory reports a review category whose findings span the
// whole draft (a missing element, the length, an off-topic answer).
func quizWholeCategory(c string) bool {
	return strings.HasPrefix(c, "missing_") || c == "length" || c == "off_topic"
}
