package review

// The brief-reply check: a comment or reply of a few words answers a
// citizen with nothing and reads as 敷衍. The threshold and the exempt
// words are data (rules/brief.yaml).

import (
	_ "embed"
	"regexp"
	"unicode"

	"govreply/internal/errs"
)

//go:embed rules/brief.yaml
var briefYAML []byte

// briefFile is the schema of rules/brief.yaml.
type briefFile struct {
	MinChars int      `yaml:"min_chars"`
	Exempt   []string `yaml:"exempt"`
}

// briefCheck reports a reply too short to say anything.
type briefCheck struct {
	minChars int
	exempt   *regexp.Regexp
}

func loadBrief(data []byte) (*briefCheck, error) {
	const name = "rules/brief.yaml"
	var f briefFile
	if err := phraseDecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	if f.MinChars < 1 {
		return nil, &errs.FileError{File: name, Reason: "min_chars 至少为 1"}
	}
	ex, err := alternation(name, "exempt", f.Exempt)
	if err != nil {
		return nil, err
	}
	return &briefCheck{minChars: f.MinChars, exempt: ex}, nil
}

func (c *briefCheck) Check(d *Draft) []Finding {
	if !d.Kind.Replying() || d.Situation.Condolence || d.Situation.Class == ClassPraise {
		return nil
	}
	n := 0
	for _, r := range d.Runes {
		if unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
			if n >= c.minChars {
				return nil
			}
		}
	}
	if c.exempt.MatchString(d.Text) {
		return nil
	}
	return []Finding{{Rule: "stonewalling.perfunctory", Category: "stonewalling", Severity: SeverityError,
		Start: 0, End: len(d.Runes), Excerpt: d.Text,
		Message:    "回复只有寥寥几个字，没有回应对方说的事：查了什么、谁在办、什么时候有结果、怎么再联系，一样都没有，读起来就是敷衍。",
		Suggestion: "按“回应—事实—措施—时间—渠道”写完整，如“您反映的路灯不亮，区城管局已派人检修，明晚8点前修好；没修好请拨12345”。",
		Source:     Source{Doc: "tone-reply-five-steps", Section: "五个部分"}}}
}
