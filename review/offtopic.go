package review

// The off-topic check: given the citizen's post, a reply that shares
// almost nothing with it answers something else, and a reply that shares
// nothing with one of the post's questions leaves that question out. The
// comparison is on pairs of adjacent Chinese characters, which needs no
// dictionary and no model; the word lists are data (rules/offtopic.yaml).

import (
	_ "embed"
	"strings"
	"unicode"

	"govreply/internal/errs"
)

//go:embed rules/offtopic.yaml
var offTopicYAML []byte

// offTopicFile is the schema of rules/offtopic.yaml.
type offTopicFile struct {
	StopChars        string   `yaml:"stop_chars"`
	StopBigrams      []string `yaml:"stop_bigrams"`
	QuestionCues     []string `yaml:"question_cues"`
	MinPostPairs     int      `yaml:"min_post_pairs"`
	MinShared        float64  `yaml:"min_shared"`
	MinQuestionPairs int      `yaml:"min_question_pairs"`
	ActionQuestions  []string `yaml:"action_questions"`
	MaxQuestions     int      `yaml:"max_questions"`
}

// offTopicCheck is the Check of the off_topic category.
type offTopicCheck struct {
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
	return c, nil
}

// pairs returns the salient pairs of s: adjacent Han characters, neither a
// stop character, the pair not a stop pair; and runs of ASCII letters and
// digits of two or more.
func (c *offTopicCheck) pairs(s string) map[string]bool {
	out := map[string]bool{}
	rs := []rune(s)
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

// questions returns the question clauses of the post.
func (c *offTopicCheck) questions(post string) []string {
	var out []string
	start := 0
	rs := []rune(post)
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && !isSentenceEnd(rs[i]) && rs[i] != '，' && rs[i] != ',' {
			continue
		}
		clause := string(rs[start:min(i+1, len(rs))])
		start = i + 1
		if c.asksAction(clause) {
			continue // 管不管: answered by what is done, not by its words
		}
		if strings.ContainsAny(clause, "？?") || c.hasCue(clause) {
			out = append(out, strings.TrimSpace(clause))
		}
	}
	return out
}

// asksAction reports a question that asks for something to be done.
func (c *offTopicCheck) asksAction(s string) bool {
	for _, q := range c.f.ActionQuestions {
		if strings.Contains(s, q) {
			return true
		}
	}
	return false
}

func (c *offTopicCheck) hasCue(s string) bool {
	for _, q := range c.questionCues {
		if strings.Contains(s, q) {
			return true
		}
	}
	return false
}

func (c *offTopicCheck) Check(d *Draft) []Finding {
	if !d.Kind.Replying() || strings.TrimSpace(d.Post) == "" || d.Situation.Condolence {
		return nil
	}
	post := c.pairs(d.Post)
	if len(post) < c.f.MinPostPairs {
		return nil
	}
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
		answered := false
		for p := range qp {
			if reply[p] {
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
	case !anyAnswered && float64(shared) < c.f.MinShared*float64(len(post)):
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
