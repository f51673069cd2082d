package review

// The situation of a draft: what the citizen's post is (its class, given
// or inferred) and the register of the text (grave: deaths, injuries,
// disasters). A reply's missing_* warnings follow the situation (praise
// needs thanks, not a timeline), and some rules apply only in a grave
// register (an emoji at a funeral). The cue words are data:
// rules/situation.yaml.

import (
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Situation is what the reviewer made of a draft's context.
type Situation struct {
	Class    Class // given, or inferred from the post or the draft; "" unknown
	Inferred bool  // Class was inferred, not given
	Grave    bool  // the draft or the post speaks of deaths, injuries or a disaster
	// Condolence: the draft offers condolences or sympathy for a loss,
	// which needs sympathy and nothing else.
	Condolence bool
	// Deferred: the draft answers a question only later (核实后答复), so it
	// needs a time.
	Deferred bool
}

// needs reports whether a reply in situation s must contain the element
// of the missing_* category cat.
func (s Situation) needs(t *situationTable, cat string) bool {
	key := string(s.Class)
	if s.Condolence {
		key = situationCondolence
	}
	need, ok := t.needs[key]
	if !ok {
		return true // unknown: a reply needs every element
	}
	if s.Deferred && cat == "missing_timeline" {
		return true
	}
	return slices.Contains(need, cat)
}

// situationCondolence is the key of the needs table for condolences.
const situationCondolence = "吊唁"

//go:embed rules/situation.yaml
var situationYAML []byte

// situationFile is the schema of rules/situation.yaml.
type situationFile struct {
	Grave      []string            `yaml:"grave"`
	Relief     []string            `yaml:"relief"`
	Condolence []string            `yaml:"condolence"`
	Deferred   []string            `yaml:"deferred"`
	Needs      map[string][]string `yaml:"needs"`
	PostCues   map[string][]string `yaml:"post_cues"`
	DraftCues  map[string][]string `yaml:"draft_cues"`
	SignOff    []string            `yaml:"sign_off"`
}

// situationTable is rules/situation.yaml, compiled.
type situationTable struct {
	grave, relief, condolence, deferred *regexp.Regexp
	signOff                             *regexp.Regexp // anchored at the end of the text
	needs                               map[string][]string
	postCues, draftCues                 []classCues
}

// classCues are the cue patterns of one class.
type classCues struct {
	class Class
	re    *regexp.Regexp
}

func loadSituation(data []byte) (*situationTable, error) {
	const name = "rules/situation.yaml"
	var f situationFile
	if err := phraseDecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	t := &situationTable{needs: f.Needs}
	var err error
	if t.grave, err = alternation(name, "grave", f.Grave); err != nil {
		return nil, err
	}
	if t.relief, err = alternation(name, "relief", f.Relief); err != nil {
		return nil, err
	}
	if t.condolence, err = alternation(name, "condolence", f.Condolence); err != nil {
		return nil, err
	}
	if t.deferred, err = alternation(name, "deferred", f.Deferred); err != nil {
		return nil, err
	}
	for key, cats := range f.Needs {
		if key != situationCondolence && !Class(key).Valid() {
			return nil, &errs.FileError{File: name, Reason: "needs 中的“" + key + "”不是留言类别（可用：" + classList() + "、" + situationCondolence + "）"}
		}
		for _, c := range cats {
			if !strings.HasPrefix(c, "missing_") {
				return nil, &errs.FileError{File: name, Reason: "needs 中的“" + c + "”不是 missing_* 类别"}
			}
		}
	}
	if t.signOff, err = alternation(name, "sign_off", f.SignOff); err != nil {
		return nil, err
	}
	t.signOff = regexp.MustCompile("(?:" + t.signOff.String() + `)\s*$`)
	if t.postCues, err = loadCues(name, "post_cues", f.PostCues); err != nil {
		return nil, err
	}
	if t.draftCues, err = loadCues(name, "draft_cues", f.DraftCues); err != nil {
		return nil, err
	}
	return t, nil
}

// loadCues compiles the cue lists of each class, in the order of Classes.
func loadCues(name, key string, m map[string][]string) ([]classCues, error) {
	for k := range m {
		if !Class(k).Valid() {
			return nil, &errs.FileError{File: name, Reason: key + " 中的“" + k + "”不是留言类别（可用：" + classList() + "）"}
		}
	}
	var out []classCues
	for _, c := range Classes() {
		if len(m[string(c)]) == 0 {
			continue
		}
		re, err := alternation(name, key+"."+string(c), m[string(c)])
		if err != nil {
			return nil, err
		}
		out = append(out, classCues{class: c, re: re})
	}
	return out, nil
}

// alternation compiles patterns (RE2) into one alternation.
func alternation(name, key string, patterns []string) (*regexp.Regexp, error) {
	if len(patterns) == 0 {
		return nil, &errs.FileError{File: name, Reason: key + " 不能为空"}
	}
	re, err := regexp.Compile("(?:" + strings.Join(patterns, ")|(?:") + ")")
	if err != nil {
		return nil, &errs.FileError{File: name, Reason: key + " 的正则表达式无法解析：" + regexpReason(err)}
	}
	if re.MatchString("") {
		return nil, &errs.FileError{File: name, Reason: key + " 中有能匹配空文本的表达式"}
	}
	return re, nil
}

// situate fills in d.Situation: the class (kept when given; else the
// class whose cues occur most in the post, else in the draft; a tie is
// unknown), the register, and whether the draft offers condolences or
// defers its answer.
func (t *situationTable) situate(d *Draft) {
	if loc := t.signOff.FindStringIndex(d.Text); loc != nil {
		d.bodyText = d.Text[:loc[0]]
		d.signOffAt = utf8.RuneCountInString(d.bodyText)
	}
	s := &d.Situation
	s.Grave = (t.grave.MatchString(d.Text) || (d.Post != "" && t.grave.MatchString(d.Post))) && !t.relief.MatchString(d.Text)
	s.Condolence = t.condolence.MatchString(d.Text)
	s.Deferred = t.deferred.MatchString(d.Text)
	if s.Class != "" {
		return
	}
	c := Class("")
	if d.Post != "" {
		c = bestClass(t.postCues, d.Post)
	}
	if c == "" {
		c = bestClass(t.draftCues, d.Text)
	}
	s.Class, s.Inferred = c, c != ""
}

// bestClass returns the class with the most cue matches in text, or ""
// when none matches or two classes tie.
func bestClass(cues []classCues, text string) Class {
	best, bestN, tie := Class(""), 0, false
	for _, c := range cues {
		n := len(c.re.FindAllStringIndex(text, 20))
		switch {
		case n > bestN:
			best, bestN, tie = c.class, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if tie {
		best = ""
	}
	// A question or a suggestion inside a complaint is still a complaint:
	// the reply owes a step, a time and a channel.
	if best != ClassComplaint && best != ClassHelp {
		if c := complaintOrHelp(cues, text); c != "" {
			return c
		}
	}
	return best
}

// complaintOrHelp returns 投诉 or 求助, whichever has more cue matches in
// text (投诉 on a tie), or "" when neither has any.
func complaintOrHelp(cues []classCues, text string) Class {
	var complaint, help int
	for _, c := range cues {
		switch c.class {
		case ClassComplaint:
			complaint = len(c.re.FindAllStringIndex(text, 20))
		case ClassHelp:
			help = len(c.re.FindAllStringIndex(text, 20))
		}
	}
	switch {
	case complaint == 0 && help == 0:
		return ""
	case help > complaint:
		return ClassHelp
	}
	return ClassComplaint
}

// situationFilter drops the missing_* findings that the situation does
// not call for: a thank-you for praise asked for a timeline.
type situationFilter struct{ t *situationTable }

func (f situationFilter) Filter(d *Draft, fs []Finding) []Finding {
	return slices.DeleteFunc(fs, func(x Finding) bool {
		return strings.HasPrefix(x.Category, "missing_") && !d.Situation.needs(f.t, x.Category)
	})
}
