package review

// The review score: 100 less a cost per finding, as rules/score.yaml says.

import (
	_ "embed"

	"govreply/internal/errs"
)

//go:embed rules/score.yaml
var scoreYAML []byte

// scoreTable is rules/score.yaml.
type scoreTable struct {
	Error      int            `yaml:"error"`
	MaxFailing int            `yaml:"max_failing"`
	Warning    int            `yaml:"warning"`
	Info       int            `yaml:"info"`
	InfoCap    int            `yaml:"info_cap"`
	Categories map[string]int `yaml:"categories"`
}

// defaultScore is the embedded score table; the tests check it loads.
var defaultScore = mustScore(scoreYAML)

func mustScore(data []byte) *scoreTable {
	t, err := loadScore(data)
	if err != nil {
		panic(err) // embedded data, tested
	}
	return t
}

func loadScore(data []byte) (*scoreTable, error) {
	const name = "rules/score.yaml"
	var t scoreTable
	if err := phraseDecodeStrict(name, data, &t); err != nil {
		return nil, err
	}
	if t.Error < 1 || t.Warning < 1 || t.Info < 0 || t.InfoCap < 0 || t.MaxFailing < 0 || t.MaxFailing >= 100 {
		return nil, &errs.FileError{File: name, Reason: "error、warning 至少为 1，info、info_cap 不能为负，max_failing 在 0 到 99 之间"}
	}
	return &t, nil
}

// score computes the score of findings fs and whether they pass.
func (t *scoreTable) score(fs []Finding) (int, bool) {
	score, info, pass := 100, 0, true
	for _, f := range fs {
		switch f.Severity {
		case SeverityError:
			score -= t.Error
			pass = false
		case SeverityWarning:
			if c, ok := t.Categories[f.Category]; ok {
				score -= c
			} else {
				score -= t.Warning
			}
		default:
			info += t.Info
		}
	}
	score -= min(info, t.InfoCap)
	if !pass {
		score = min(score, t.MaxFailing)
	}
	return max(score, 0), pass
}
