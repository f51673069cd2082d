package review

// The off-topic check: given the citizen's post, a reply that shares
// almost nothing with it answers something else, and a reply that shares
// nothing with one of the post's questions leaves that question out. The
// comparison is on pairs of adjacent Chinese characters, which needs no
// dictionary and no model; the word lists are data (rules/offtopic.yaml).

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"govreply/internal/errs"
)

//go:embed rules/offtopic.yaml
var offTopicYAML []byte

// offTopicFile is the schema of rules/offtopic.yaml.
type offTopicFile struct {
	StopChars        string       `yaml:"stop_chars"`
	StopBigrams      []string     `yaml:"stop_bigrams"`
	QuestionCues     []string     `yaml:"question_cues"`
	MinPostPairs     int          `yaml:"min_post_pairs"`
	MinShared        float64      `yaml:"min_shared"`
	MinQuestionPairs int          `yaml:"min_question_pairs"`
	ActionQuestions  []string     `yaml:"action_questions"`
	MaxQuestions     int          `yaml:"max_questions"`
	JudgementQs      []string     `yaml:"judgement_questions"`
	YesNoCues        []string     `yaml:"yes_no_cues"`
	Verdicts         []string     `yaml:"verdicts"`
	NegativeVerdicts []string     `yaml:"negative_verdicts"`
	Synonyms         [][]string   `yaml:"synonyms"`
	AnswerKinds      []answerKind `yaml:"answer_kinds"`
}

// answerKind is a kind of question answered by a kind of fact.
type answerKind struct {
	Asks       []string `yaml:"asks"`
	AnsweredBy string   `yaml:"answered_by"`
	re         *regexp.Regexp
}

// offTopicCheck is the Check of the off_topic category.
type offTopicCheck struct {
	canon        *strings.Replacer // synonyms → the first of their group
	stopChars    map[rune]bool
	stopBigrams  map[string]bool
	questionCues []string
	f            offTopicFile
}

func loadOffTopic(data []byte) (*offTopicCheck, error) {
	const name = "rules/offtopic.yaml"
	var f offTopicFile
	if err := phraseDecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	if f.MinPostPairs < 1 || f.MinQuestionPairs < 1 || f.MinShared <= 0 || f.MinShared >= 1 || len(f.QuestionCues) == 0 {
		return nil, &errs.FileError{File: name, Reason: "min_post_pairs、min_question_pairs 至少为 1，min_shared 在 0 和 1 之间，question_cues 不能为空"}
	}
	c := &offTopicCheck{stopChars: map[rune]bool{}, stopBigrams: map[string]bool{}, questionCues: f.QuestionCues, f: f}
	for _, r := range f.StopChars {
		c.stopChars[r] = true
	}
	for _, b := range f.StopBigrams {
		c.stopBigrams[b] = true
	}
	var pairs []string
	for _, g := range f.Synonyms {
		for _, w := range g[1:] {
			pairs = append(pairs, w, g[0])
		}
	}
	// Longer words first, so that 住房公积金 is not read as 住房 + 公积金.
	for i := 0; i < len(pairs); i += 2 {
		for j := i + 2; j < len(pairs); j += 2 {
			if len(pairs[j]) > len(pairs[i]) {
				pairs[i], pairs[i+1], pairs[j], pairs[j+1] = pairs[j], pairs[j+1], pairs[i], pairs[i+1]
			}
		}
	}
	c.canon = strings.NewReplacer(pairs...)
	for i := range c.f.AnswerKinds {
		k := &c.f.AnswerKinds[i]
		re, err := regexp.Compile(k.AnsweredBy)
		if err != nil || len(k.Asks) == 0 {
			return nil, &errs.FileError{File: name, Reason: fmt.Sprintf("answer_kinds 第 %d 项：asks 不能为空，answered_by 须是有效的正则表达式", i+1)}
		}
		k.re = re
	}
	return c, nil
}

// pairs returns the salient pairs of s: adjacent Han characters, neither a
// stop character, the pair not a stop pair; and runs of ASCII letters and
// digits of two or more.
func (c *offTopicCheck) pairs(s string) map[string]bool {
	out := map[string]bool{}
	rs := []rune(c.canon.Replace(s))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			j := i
			for j < len(rs) && rs[j] < unicode.MaxASCII && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			if j-i >= 2 {
				out[strings.ToLower(string(rs[i:j]))] = true
			}
			i = j - 1
			continue
		}
		if i+1 >= len(rs) || !unicode.Is(unicode.Han, r) || !unicode.Is(unicode.Han, rs[i+1]) {
			continue
		}
		if c.stopChars[r] || c.stopChars[rs[i+1]] {
			continue
		}
		if b := string(rs[i : i+2]); !c.stopBigrams[b] {
			out[b] = true
		}
	}
	return out
}

// questions returns the questions of the post: each clause that asks
// something, with the clause before it when it says too little on its own
// ("旁边的井盖也缺了一角，能不能一起处理？").
func (c *offTopicCheck) questions(post string) []string {
	var out []string
	prev, start := "", 0
	rs := []rune(post)
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && !isClauseEnd(rs[i]) {
			continue
		}
		clause := strings.TrimSpace(string(rs[start:min(i+1, len(rs))]))
		start = i + 1
		asks := strings.ContainsAny(clause, "？?") || c.hasCue(clause)
		skip := containsAny(clause, c.f.ActionQuestions) || containsAny(clause, c.f.JudgementQs)
		if asks && !skip {
			// 管不管, 合理吗 are answered by what is done or found, in words
			// of its own: they are skipped.
			if len(c.pairs(clause)) < 2 {
				clause = prev + clause
			}
			out = append(out, clause)
		}
		prev = clause
	}
	return out
}

func (c *offTopicCheck) hasCue(s string) bool { return containsAny(s, c.questionCues) }

// containsAny reports whether s contains one of words.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// answeredByKind reports whether q is a question of a kind (要多久) and
// whether the reply answers it with a fact of that kind (3个工作日).
func (c *offTopicCheck) answeredByKind(q, reply string) (kind, answered bool) {
	for _, k := range c.f.AnswerKinds {
		if containsAny(q, k.Asks) {
			kind = true
			if k.re.MatchString(reply) {
				return true, true
			}
		}
	}
	return kind, false
}

// answersYesNo reports a yes-or-no question q and a reply with a clause
// that starts with a verdict (可以, 不能 …) among its first two clauses, or
// with a negative one (不能, 无法 …) anywhere.
func (c *offTopicCheck) answersYesNo(q, reply string) bool {
	if !containsAny(q, c.f.YesNoCues) {
		return false
	}
	start, clauses := true, 0
	rs := []rune(reply)
	for i := range rs {
		if isClauseEnd(rs[i]) || rs[i] == '！' || rs[i] == '!' {
			if !start {
				clauses++
			}
			start = true
			continue
		}

		if !start || unicode.IsSpace(rs[i]) {
			continue
		}
		start = false
		rest := string(rs[i:min(i+4, len(rs))])
		verdicts := c.f.NegativeVerdicts
		if clauses < 2 {
			verdicts = c.f.Verdicts // the verdict comes first, after a greeting at most
		}
		for _, v := range verdicts {
			if strings.HasPrefix(rest, v) {
				return true
			}
		}
	}
	return false
}

func (c *offTopicCheck) Check(d *Draft) []Finding {
	if !d.Kind.Replying() || strings.TrimSpace(d.Post) == "" || d.Situation.Condolence || d.Situation.Class == ClassPraise {
		return nil
	}
	post := c.pairs(d.Post)
	reply := c.pairs(d.Text)
	shared := 0
	for p := range post {
		if reply[p] {
			shared++
		}
	}
	// A question answered shows the reply is on the post's topic even when
	// the rest of the post (a story) shares little with it.
	var missed string
	anyAnswered := false
	qs := c.questions(d.Post)
	for _, q := range qs {
		qp := c.pairs(q)
		kind, answered := c.answeredByKind(q, d.Text)
		answered = answered || c.answersYesNo(q, d.Text)
		for p := range qp {
			if reply[p] && !kind {
				answered = true
				break
			}
		}
		anyAnswered = anyAnswered || answered
		// Many questions are a rant, not points to answer one by one.
		if !answered && len(qp) >= c.f.MinQuestionPairs && missed == "" && len(qs) <= c.f.MaxQuestions {
			missed = q
		}
	}
	switch {
	case missed != "":
		return []Finding{c.finding(d, "网友问到“"+clip(missed, 30)+"”，回复没有回应这一点。", "逐条回应网友提出的问题；这一点暂时答不了的，说明原因和什么时候答复。")}
	case !anyAnswered && len(post) >= c.f.MinPostPairs && float64(shared) < c.f.MinShared*float64(len(post)):
		// A post too short to judge as a whole is judged by its questions.
		return []Finding{c.finding(d, "回复和网友的留言几乎没有共同的内容，像是在回答别的事。", "先回应对方说的事：对方问什么就答什么，反映什么就说这件事查了没有、怎么处理。")}
	}
	return nil
}

// finding is an off_topic finding on the whole draft.
func (c *offTopicCheck) finding(d *Draft, message, suggestion string) Finding {
	return Finding{Rule: "off_topic.not-answered", Category: "off_topic", Severity: SeverityWarning,
		Start: 0, End: len(d.Runes), Excerpt: d.Text, Message: message, Suggestion: suggestion,
		Source: Source{Doc: "tone-reply-five-steps", Section: "先回答对方问的"}}
}

// clip shortens s to at most n code points, with an ellipsis.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
