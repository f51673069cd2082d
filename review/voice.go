package review

// The voice filter: a phrase is the account's fault only when the account
// says it. Quoted (the citizen's words, a rumour's) or refused ("我们不会拿
// 临时工当借口"), it is not. The lists are data: rules/voice.yaml.

import (
	_ "embed"
	"regexp"
	"slices"

	"govreply/internal/errs"
)

//go:embed rules/voice.yaml
var voiceYAML []byte

// voiceFile is the schema of rules/voice.yaml.
type voiceFile struct {
	Categories    []string `yaml:"categories"`
	Quotes        []string `yaml:"quotes"`
	MaxQuote      int      `yaml:"max_quote"`
	RefusedBefore []string `yaml:"refused_before"`
	RefusedAfter  []string `yaml:"refused_after"`
	PastAfter     []string `yaml:"past_after"`
}

// voiceFilter drops findings of its categories that are quoted or refused.
type voiceFilter struct {
	categories    map[string]bool
	closing       map[rune]rune // opening quote → closing quote
	maxQuote      int
	before, after *regexp.Regexp
	pastAfter     *regexp.Regexp // after a vague_time finding: it tells of the past
}

func loadVoice(data []byte) (*voiceFilter, error) {
	const name = "rules/voice.yaml"
	var f voiceFile
	if err := phraseDecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	v := &voiceFilter{categories: map[string]bool{}, closing: map[rune]rune{}, maxQuote: f.MaxQuote}
	for _, c := range f.Categories {
		v.categories[c] = true
	}
	for _, q := range f.Quotes {
		rs := []rune(q)
		if len(rs) != 2 {
			return nil, &errs.FileError{File: name, Reason: "quotes 的每一项应当是一对引号（两个字），收到“" + q + "”"}
		}
		v.closing[rs[0]] = rs[1]
	}
	if v.maxQuote < 1 {
		return nil, &errs.FileError{File: name, Reason: "max_quote 至少为 1"}
	}
	var err error
	if v.before, err = alternation(name, "refused_before", f.RefusedBefore); err != nil {
		return nil, err
	}
	if v.after, err = alternation(name, "refused_after", f.RefusedAfter); err != nil {
		return nil, err
	}
	if v.pastAfter, err = alternation(name, "past_after", f.PastAfter); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *voiceFilter) Filter(d *Draft, fs []Finding) []Finding {
	if !slices.ContainsFunc(fs, func(f Finding) bool { return v.categories[f.Category] }) {
		return fs
	}
	quotes := v.quoteSpans(d.Runes)
	return slices.DeleteFunc(fs, func(f Finding) bool {
		if !v.categories[f.Category] || f.Start == f.End {
			return false
		}
		for _, q := range quotes {
			if q[0] <= f.Start && f.End <= q[1] {
				return true
			}
		}
		if f.Category == "vague_time" && v.pastAfter.MatchString(string(d.Runes[f.End:min(f.End+8, len(d.Runes))])) {
			return true
		}
		s, e := clauseBounds(d.Runes, f.Start, f.End)
		return v.before.MatchString(string(d.Runes[s:f.Start])) || v.after.MatchString(string(d.Runes[f.End:e]))
	})
}

// quoteSpans returns the insides of the quotations of rs, [start, end)
// pairs: an opening quote, then its closing quote within maxQuote runes
// on the same line.
func (v *voiceFilter) quoteSpans(rs []rune) [][2]int {
	var out [][2]int
	for i := 0; i < len(rs); i++ {
		closing, ok := v.closing[rs[i]]
		if !ok {
			continue
		}
		for j := i + 1; j < len(rs) && j <= i+v.maxQuote && rs[j] != '\n'; j++ {
			if rs[j] == closing {
				out = append(out, [2]int{i + 1, j})
				i = j
				break
			}
		}
	}
	return out
}

// clauseBounds returns the clause around runes [start, end): from after
// the last clause mark before start to before the first one after end.
func clauseBounds(rs []rune, start, end int) (int, int) {
	s := start
	for s > 0 && !isClauseEnd(rs[s-1]) {
		s--
	}
	e := end
	for e < len(rs) && !isClauseEnd(rs[e]) {
		e++
	}
	return s, e
}

// isClauseEnd reports a mark that ends a clause: a sentence end or a comma.
func isClauseEnd(r rune) bool {
	switch r {
	case '，', ',', '：', ':':
		return true
	}
	return isSentenceEnd(r)
}
