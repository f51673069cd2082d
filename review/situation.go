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
	// Greeted: the draft greets the citizen (您好), which is
	// acknowledgement enough for some classes (greeting_classes).
	Greeted bool
	// Explained: the draft gives the rule behind a decision (a document by
	// name, 按照……规定), which answers a complaint about a rule without a
	// step or a time.
	Explained bool
}

// needs reports whether a reply in situation s must contain the element
// of the missing_* category cat: what its class needs (every element when
// the class is unknown), then a deferred answer needs a time, an explained
// one no step or time, and a greeting is acknowledgement enough for the
// greeting classes.
func (s Situation) needs(t *situationTable, cat string) bool {
	switch {
	case s.Deferred && cat == "missing_timeline":
		return true
	case s.Explained && (cat == "missing_action" || cat == "missing_timeline"):
		return false
	case s.Greeted && cat == "missing_empathy" && slices.Contains(t.greetingClasses, s.Class):
		return false
	}
	key := string(s.Class)
	if s.Condolence {
		key = situationCondolence
	}
	need, ok := t.needs[key]
	return !ok || slices.Contains(need, cat)
}

// maxCues bounds the cue matches counted per class.
const maxCues = 20

// signOffRunes is how far from the end of a draft a sign-off may begin.
const signOffRunes = 60

// situationCondolence is the key of the needs table for condolences.
const situationCondolence = "吊唁"

//go:embed rules/situation.yaml
var situationYAML []byte

// situationFile is the schema of rules/situation.yaml.
type situationFile struct {
	Grave           []string            `yaml:"grave"`
	Relief          []string            `yaml:"relief"`
	Condolence      []string            `yaml:"condolence"`
	Deferred        []string            `yaml:"deferred"`
	Needs           map[string][]string `yaml:"needs"`
	PostCues        map[string][]string `yaml:"post_cues"`
	DraftCues       map[string][]string `yaml:"draft_cues"`
	SignOff         []string            `yaml:"sign_off"`
	LongPost        int                 `yaml:"long_post"`
	GreetingClasses []string            `yaml:"greeting_classes"`
	Greeting        []string            `yaml:"greeting"`
	Explained       []string            `yaml:"explained"`
}

// Tags of the situation's marker sets: the flags, then one per class (in
// the order of Classes()).
const (
	tagGrave = iota
	tagRelief
	tagCondolence
	tagDeferred
	tagGreeting
	tagExplained
	tagClasses
)

// situationTable is rules/situation.yaml, compiled: every list of the
// draft in one markerSet and every list of the post in another, so that
// each text is scanned once.
type situationTable struct {
	draft, post     *markerSet     // tagged with the tags above
	signOff         *regexp.Regexp // anchored at the end of the text
	longPost        int            // characters from which a post is an appeal
	greetingClasses []Class        // classes for which a greeting is acknowledgement
	needs           map[string][]string
}

func loadSituation(data []byte) (*situationTable, error) {
	const name = "rules/situation.yaml"
	var f situationFile
	if err := phraseDecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	t := &situationTable{needs: f.Needs, longPost: f.LongPost,
		draft: &markerSet{first: map[rune][]int32{}}, post: &markerSet{first: map[rune][]int32{}}}
	if t.longPost < 1 {
		return nil, &errs.FileError{File: name, Reason: "long_post 至少为 1"}
	}
	for _, l := range []struct {
		key      string
		patterns []string
		tag      int
		post     bool // also looked for in the post
	}{
		{"grave", f.Grave, tagGrave, true},
		{"relief", f.Relief, tagRelief, false},
		{"condolence", f.Condolence, tagCondolence, false},
		{"deferred", f.Deferred, tagDeferred, false},
		{"greeting", f.Greeting, tagGreeting, false},
		{"explained", f.Explained, tagExplained, false},
	} {
		if _, err := alternation(name, l.key, l.patterns); err != nil {
			return nil, err
		}
		t.draft.add(l.tag, l.patterns)
		if l.post {
			t.post.add(l.tag, l.patterns)
		}
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
	var err error
	if t.signOff, err = alternation(name, "sign_off", f.SignOff); err != nil {
		return nil, err
	}
	t.signOff = regexp.MustCompile("(?:" + t.signOff.String() + `)\s*$`)
	for _, c := range f.GreetingClasses {
		if !Class(c).Valid() {
			return nil, &errs.FileError{File: name, Reason: "greeting_classes 中的“" + c + "”不是留言类别（可用：" + classList() + "）"}
		}
		t.greetingClasses = append(t.greetingClasses, Class(c))
	}
	if err := addCues(t.post, name, "post_cues", f.PostCues); err != nil {
		return nil, err
	}
	if err := addCues(t.draft, name, "draft_cues", f.DraftCues); err != nil {
		return nil, err
	}
	return t, nil
}

// addCues adds the cue lists of every class to set, tagged tagClasses +
// the class's index in Classes().
func addCues(set *markerSet, name, key string, m map[string][]string) error {
	for k := range m {
		if !Class(k).Valid() {
			return &errs.FileError{File: name, Reason: key + " 中的“" + k + "”不是留言类别（可用：" + classList() + "）"}
		}
	}
	for i, c := range Classes() {
		if len(m[string(c)]) == 0 {
			continue
		}
		if _, err := alternation(name, key+"."+string(c), m[string(c)]); err != nil {
			return err
		}
		set.add(tagClasses+i, m[string(c)])
	}
	return nil
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
// unknown), the register, and whether the draft offers condolences, defers
// its answer, greets or explains.
func (t *situationTable) situate(d *Draft) {
	// A sign-off is a line or two at the very end: look only there.
	end := tail(d.Text, signOffRunes)
	if loc := t.signOff.FindStringIndex(end); loc != nil {
		d.bodyText = d.Text[:len(d.Text)-len(end)+loc[0]]
		d.signOffAt = utf8.RuneCountInString(d.bodyText)
	}
	ntags := tagClasses + len(Classes())
	dn := t.draft.counts(d.Text, ntags, maxCues)
	var pn []int
	if d.Post != "" {
		pn = t.post.counts(d.Post, ntags, maxCues)
	}
	s := &d.Situation
	s.Grave = (dn[tagGrave] > 0 || pn != nil && pn[tagGrave] > 0) && dn[tagRelief] == 0
	s.Condolence = dn[tagCondolence] > 0
	s.Deferred = dn[tagDeferred] > 0
	s.Greeted = dn[tagGreeting] > 0
	s.Explained = dn[tagExplained] > 0
	if s.Class != "" {
		return
	}
	c := Class("")
	if pn != nil {
		c = bestClass(pn[tagClasses:])
		// A long letter that asks or suggests is still an appeal: it
		// raises a problem that the reply owes a step and a time for.
		if (c == ClassInquiry || c == ClassSuggestion) && utf8.RuneCountInString(d.Post) > t.longPost {
			c = ClassComplaint
		}
	}
	if c == "" {
		c = bestClass(dn[tagClasses:])
	}
	s.Class, s.Inferred = c, c != ""
}

// bestClass returns the class with the most cue matches (counts, in the
// order of Classes()), or "" when none matches or two classes tie. A
// question or a suggestion inside a complaint is still a complaint: the
// reply owes a step, a time and a channel.
func bestClass(counts []int) Class {
	n := map[Class]int{}
	for i, c := range Classes() {
		n[c] = counts[i]
	}
	switch {
	case n[ClassHelp] > n[ClassComplaint]:
		return ClassHelp
	case n[ClassComplaint] > 0:
		return ClassComplaint
	}
	best, bestN, tie := Class(""), 0, false
	for _, c := range Classes() {
		switch {
		case n[c] > bestN:
			best, bestN, tie = c, n[c], false
		case n[c] == bestN && n[c] > 0:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// situationFilter drops the missing_* findings that the situation does
// not call for: a thank-you for praise asked for a timeline.
type situationFilter struct{ t *situationTable }

func (f situationFilter) Filter(d *Draft, fs []Finding) []Finding {
	return slices.DeleteFunc(fs, func(x Finding) bool {
		return strings.HasPrefix(x.Category, "missing_") && !d.Situation.needs(f.t, x.Category)
	})
}
