package training

// The grading rules: _grading.yaml of the scenario data (its README.md
// documents each key; training/README.md, "How a reply is scored",
// explains the method).

import (
	"cmp"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
)

// gradeRules is _grading.yaml.
type gradeRules struct {
	Elements     int `yaml:"elements"`      // points spread over the positive elements by weight
	GuardPenalty int `yaml:"guard_penalty"` // each guard element not met
	Review       struct {
		Error      int      `yaml:"error"`       // each error finding
		Warning    int      `yaml:"warning"`     // each warning not in measured
		WarningCap int      `yaml:"warning_cap"` // at most this for all warnings
		Measured   []string `yaml:"measured"`    // warning categories the elements already measure: no cost
	} `yaml:"review"`
	Invented struct {
		Each    int    `yaml:"each"`
		Total   int    `yaml:"total"`
		Cap     int    `yaml:"cap"`
		Source  Source `yaml:"source"`
		Message string `yaml:"message"` // with {figure}
	} `yaml:"invented"`
	Caps struct {
		ReviewError int `yaml:"review_error"`
		Length      int `yaml:"length"`
		Copy        int `yaml:"copy"`
	} `yaml:"caps"`
	CopyOverlap  float64  `yaml:"copy_overlap"`
	CopySource   Source   `yaml:"copy_source"`
	LengthSource Source   `yaml:"length_source"`
	TimeLimit    []string `yaml:"time_limit"` // RE2 patterns of a concrete time
	Contact      []string `yaml:"contact"`    // phrases of a channel
	Figures      struct {
		Units         [][]string `yaml:"units"`          // each: canonical unit, then variants
		Durations     []string   `yaml:"durations"`      // canonical units of time spans: 两个工作日 is a figure, 两家 is not
		Ignore        []string   `yaml:"ignore"`         // idioms whose numerals are not figures (这两天)
		Allow         []string   `yaml:"allow"`          // figures that are always fine (12345)
		PlaceSuffixes []string   `yaml:"place_suffixes"` // sorts of place (体育馆, 医院)
		PlaceStop     []string   `yaml:"place_stop"`     // words before a place that are not its name (前往, 在)
		PlaceGeneric  []string   `yaml:"place_generic"`  // names that are not proper names (当地, 附近)
	} `yaml:"figures"`

	timeRes []*regexp.Regexp
	contact []string
	units   []unitVariant // longest variant first
	ignore  []string
	allow   map[string]bool
}

type unitVariant struct{ text, canon string }

// loadGradeRules reads _grading.yaml from fsys.
func loadGradeRules(fsys fs.FS) (*gradeRules, error) {
	const op = "training.loadGradeRules"
	fail := func(line int, format string, args ...any) error {
		return errs.E(op, errs.Invalid, CodeInvalidScenario, "评分规则有误",
			&errs.FileError{File: gradeRulesFile, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	data, err := fs.ReadFile(fsys, gradeRulesFile)
	if err != nil {
		return nil, fail(0, "读不到评分规则：%v", err)
	}
	var r gradeRules
	if err := decodeStrict(data, &r); err != nil {
		return nil, fail(yamlline.Of(err), "YAML 格式有误（%v）", err)
	}
	switch {
	case r.Elements < 1 || r.Elements > 100:
		return nil, fail(0, "elements 须在 1 到 100 之间")
	case r.GuardPenalty < 0 || r.Review.Error < 0 || r.Review.Warning < 0 || r.Review.WarningCap < 0 || r.Invented.Each < 0 || r.Invented.Total < 0:
		return nil, fail(0, "扣分不能为负")
	case !validCap(r.Invented.Cap) || !validCap(r.Caps.ReviewError) || !validCap(r.Caps.Length) || !validCap(r.Caps.Copy):
		return nil, fail(0, "封顶分须在 1 到 100 之间")
	case r.CopyOverlap <= 0 || r.CopyOverlap > 1:
		return nil, fail(0, "copy_overlap 须在 0 到 1 之间")
	case r.Invented.Message == "" || r.Invented.Source.Doc == "" || r.CopySource.Doc == "" || r.LengthSource.Doc == "":
		return nil, fail(0, "invented 须有 message 和 source，须有 copy_source 和 length_source")
	case len(r.TimeLimit) == 0 || len(r.Contact) == 0:
		return nil, fail(0, "须有 time_limit 和 contact")
	}
	for _, c := range r.Review.Measured {
		if !slices.Contains(reviewCategories, c) {
			return nil, fail(0, "review.measured 的 %q 不是审核类别", c)
		}
	}
	for _, p := range r.TimeLimit {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fail(0, "time_limit 的 %q 无效（%v）", p, err)
		}
		r.timeRes = append(r.timeRes, re)
	}
	for _, p := range r.Contact {
		r.contact = append(r.contact, normPhrase(p))
	}
	for _, u := range r.Figures.Units {
		if len(u) == 0 {
			return nil, fail(0, "figures.units 里有空的一组")
		}
		for _, v := range u {
			r.units = append(r.units, unitVariant{text: normPhrase(v), canon: u[0]})
		}
	}
	slices.SortStableFunc(r.units, func(a, b unitVariant) int {
		return cmp.Compare(utf8.RuneCountInString(b.text), utf8.RuneCountInString(a.text))
	})
	for _, p := range r.Figures.Ignore {
		r.ignore = append(r.ignore, normPhrase(p))
	}
	r.allow = map[string]bool{}
	for _, a := range r.Figures.Allow {
		r.allow[normPhrase(a)] = true
	}
	return &r, nil
}

func validCap(c int) bool { return c >= 1 && c <= 100 }
