package offline

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/internal/yamlline"
	"govreply/review"
)

// The composer's data files (classification words, how facts are read,
// templates), embedded. ComposerOptions.Data replaces them.
//
//go:embed data/*.yaml data/posts/*.jsonl
var embeddedData embed.FS

// DataFS returns the composer's embedded data files (classify.yaml,
// facts.yaml, templates.yaml, analyze.yaml, check.yaml at the root, and
// the labelled posts the class is learnt from in posts/*.jsonl).
func DataFS() fs.FS {
	s, err := fs.Sub(embeddedData, "data")
	if err != nil { // cannot happen: data is embedded above
		panic(err)
	}
	return s
}

// The classes and tones of package bot, in its order.
var (
	allClasses = bot.Classes()
	allTones   = bot.Tones()
)

var allKinds = []review.Kind{review.KindComment, review.KindReply, review.KindPost}

// ---- classify.yaml

type classifyFile struct {
	OtherQuery string     `yaml:"other_query"`
	Classes    []classDef `yaml:"classes"`
}

type classDef struct {
	Class    bot.Classification `yaml:"class"`
	Decisive bool               `yaml:"decisive"`
	MinScore int                `yaml:"min_score"`
	Query    string             `yaml:"query"`
	Keywords []struct {
		Word   string `yaml:"word"`
		Weight int    `yaml:"weight"`
	} `yaml:"keywords"`
	Patterns []struct {
		Re     string `yaml:"re"`
		Weight int    `yaml:"weight"`
	} `yaml:"patterns"`

	res []*regexp.Regexp
}

// ---- facts.yaml

type factsFile struct {
	Labels     map[string][]string `yaml:"labels"`
	KeepLabels []string            `yaml:"keep_labels"`
	Guess      []struct {
		Role string `yaml:"role"`
		Re   string `yaml:"re"`
		re   *regexp.Regexp
	} `yaml:"guess"`
	ActionWords     []string `yaml:"action_words"`
	ContactWords    []string `yaml:"contact_words"`
	ContactPatterns []string `yaml:"contact_patterns"`
	Mobile          string   `yaml:"mobile"`
	TimePatterns    []string `yaml:"time_patterns"`
	ShortTimeMax    int      `yaml:"short_time_max"`
	LimitEndings    []string `yaml:"limit_endings"`
	RangeMarks      []string `yaml:"range_marks"`

	contact []*regexp.Regexp
	mobile  *regexp.Regexp
	times   []*regexp.Regexp
}

// Fact roles (facts.yaml).
const (
	roleConclusion = "conclusion"
	roleCause      = "cause"
	roleDone       = "done"
	rolePlan       = "plan"
	roleDeadline   = "deadline"
	roleConditions = "conditions"
	rolePlace      = "place"
	roleAdvice     = "advice"
	roleChannel    = "channel"
	roleSource     = "source"
	roleUnit       = "unit"
)

// factRoles are the roles a fact sentence may have; sentenceRoles those
// whose sentences go into a draft as given (every template places each
// of them exactly once).
var (
	factRoles     = append(slices.Clone(sentenceRoles), roleUnit)
	sentenceRoles = []string{roleConclusion, roleCause, roleDone, rolePlan, roleDeadline, roleConditions, rolePlace, roleAdvice, roleChannel, roleSource}
)

// ---- templates.yaml

type templatesFile struct {
	Tones map[bot.Tone]map[string]string `yaml:"tones"`
	// Ack acknowledges the post by class and tone; AckEmotion replaces
	// it for a frightened or angry citizen in the classes it lists.
	Ack        map[bot.Classification]map[bot.Tone]string `yaml:"ack"`
	AckEmotion []struct {
		Emotion bot.Emotion          `yaml:"emotion"`
		Classes []bot.Classification `yaml:"classes"`
		Text    map[bot.Tone]string  `yaml:"text"`
	} `yaml:"ack_emotion"`
	Emergency []struct {
		Match []string `yaml:"match"`
		Say   string   `yaml:"say"`
	} `yaml:"emergency"`
	// LongDuration: a duration ({duration}) that says how long a matter
	// has lasted (一个多月, 问了三次), not how often (天天).
	LongDuration string `yaml:"long_duration"`
	longDuration *regexp.Regexp
	// AskPlaceNot: place endings of a body rather than a place; such a
	// place stays out of {ask}.
	AskPlaceNot []string `yaml:"ask_place_not"`
	// MaxOverlap: two variants whose character-bigram overlap reaches it
	// say nearly the same; the composer prefers a third that differs.
	MaxOverlap float64                                  `yaml:"max_overlap"`
	Guidance   []guidanceDef                            `yaml:"guidance"`
	Frames     []map[string]yaml.Node                   `yaml:"frames"`
	Verify     map[string]string                        `yaml:"verify"`
	Tmpls      []templateDef                            `yaml:"templates"`
	frames     map[bot.Classification]map[string]string // resolved: defaults + class overrides
	byCombo    map[comboKey][]*templateDef              // in file order
	guide      map[string]*guidanceDef                  // by id
}

type guidanceDef struct {
	ID       string `yaml:"id"`
	Doc      string `yaml:"doc"`
	Section  string `yaml:"section"`
	Text     string `yaml:"text"`
	Fallback string `yaml:"fallback"`
}

type citeDef struct {
	Doc     string `yaml:"doc"`
	Section string `yaml:"section"`
}

type templateDef struct {
	Name    string               `yaml:"name"` // 完整, 简短, 分条 …: how the variant differs
	Classes []bot.Classification `yaml:"classes"`
	Kinds   []review.Kind        `yaml:"kinds"`
	Tones   []bot.Tone           `yaml:"tones"`
	// Rebuttal: for an announcement, true when it is only for a rebuttal
	// of a rumour, false when only for other announcements; nil for both.
	Rebuttal *bool     `yaml:"rebuttal"`
	Cites    []citeDef `yaml:"cites"`
	// Frames replace the class's frames of those keys in this template
	// (a short variant says its channel shortly).
	Frames map[string]string `yaml:"frames"`
	Text   string            `yaml:"text"`
}

type comboKey struct {
	class bot.Classification
	kind  review.Kind
	tone  bot.Tone
}

// frameKeys are the keys a frames entry may set.
var frameKeys = []string{
	"conclusion_missing", "done_missing", "plan_missing", "deadline_missing", "conditions_missing",
	"place_missing", "advice_missing", "channel_missing", "source_missing",
	"unit_given", "source_given", "praised_missing", "deadline_time", "channel_number", "channel_dm", "channel_text",
	"too_long", "emergency", "title", "next_update",
}

// slotNames are the slots a template may use besides {g:ID}: the fact
// roles and what comes from the post.
var slotNames = append([]string{"value", "greet", "ack", "ask", "subject", "rumour", "duration", "unit", "praised", "emergency", "title", "next_update"}, sentenceRoles...)

// templateClasses are the classes templates exist for: the post classes
// and 发布.
var templateClasses = append(slices.Clone(allClasses), bot.Announcement)

// composerData is the parsed, checked data of a composer.
type composerData struct {
	classify classifyFile
	facts    factsFile
	tmpl     templatesFile
	analyze  analyzeFile
	check    checkFile
	// learnt classifies posts, trained on posts/*.jsonl with the rules'
	// class as a feature; nil when the data has no labelled posts (the
	// rules alone decide).
	learnt *bayes
	// subjects are the labelled subjects of posts/*.jsonl, scored (see
	// learnSubjects); nil without labelled posts.
	subjects map[string]float64
}

// decode reads one YAML file strictly; errors name the file and line.
func decode(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return dataError(name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errs.E("offline.data", errs.Internal, "起草数据文件有误",
			&errs.FileError{File: name, Line: yamlline.Of(err), Reason: err.Error()})
	}
	return nil
}

// dataError is a problem found in the data file name. The data are
// embedded (a department may replace them in ComposerOptions.Data), so a
// problem is caught by the tests or at start, never during a request.
func dataError(name string, err error) error {
	return errs.E("offline.data", errs.Internal, "起草数据文件有误", &errs.FileError{File: name, Reason: err.Error()})
}

// loadData reads and checks the three data files of fsys.
func loadData(fsys fs.FS) (*composerData, error) {
	d := &composerData{}
	if err := decode(fsys, "classify.yaml", &d.classify); err != nil {
		return nil, err
	}
	if err := decode(fsys, "facts.yaml", &d.facts); err != nil {
		return nil, err
	}
	if err := decode(fsys, "templates.yaml", &d.tmpl); err != nil {
		return nil, err
	}
	if err := decode(fsys, "analyze.yaml", &d.analyze); err != nil {
		return nil, err
	}
	if err := decode(fsys, "check.yaml", &d.check); err != nil {
		return nil, err
	}
	if err := d.checkClassify(); err != nil {
		return nil, dataError("classify.yaml", err)
	}
	if err := d.checkFacts(); err != nil {
		return nil, dataError("facts.yaml", err)
	}
	if err := d.checkTemplates(); err != nil {
		return nil, dataError("templates.yaml", err)
	}
	if err := d.checkAnalyze(); err != nil {
		return nil, dataError("analyze.yaml", err)
	}
	if err := d.checkCheck(); err != nil {
		return nil, dataError("check.yaml", err)
	}
	if err := d.learn(fsys); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *composerData) checkClassify() error {
	seen := map[bot.Classification]bool{}
	for i := range d.classify.Classes {
		c := &d.classify.Classes[i]
		if !slices.Contains(allClasses, c.Class) || c.Class == bot.Other {
			return fmt.Errorf("class %q is not one of 投诉 咨询 建议 求助 谣言 表扬 (其他 is what matches nothing)", c.Class)
		}
		if seen[c.Class] {
			return fmt.Errorf("class %s listed twice", c.Class)
		}
		seen[c.Class] = true
		if c.MinScore <= 0 {
			c.MinScore = 1
		}
		for j := range c.Keywords {
			if c.Keywords[j].Word == "" {
				return fmt.Errorf("class %s: empty keyword", c.Class)
			}
			if c.Keywords[j].Weight == 0 {
				c.Keywords[j].Weight = 1
			}
		}
		for j := range c.Patterns {
			re, err := regexp.Compile(c.Patterns[j].Re)
			if err != nil {
				return fmt.Errorf("class %s: pattern %q: %v", c.Class, c.Patterns[j].Re, err)
			}
			if c.Patterns[j].Weight == 0 {
				c.Patterns[j].Weight = 1
			}
			c.res = append(c.res, re)
		}
	}
	return nil
}

func (d *composerData) checkFacts() error {
	f := &d.facts
	for label := range f.Labels {
		if !slices.Contains(factRoles, label) {
			return fmt.Errorf("labels: unknown role %q (want one of %v)", label, factRoles)
		}
	}
	for i := range f.Guess {
		g := &f.Guess[i]
		if !slices.Contains(sentenceRoles, g.Role) {
			return fmt.Errorf("guess %d: unknown role %q (want one of %v)", i+1, g.Role, sentenceRoles)
		}
		re, err := regexp.Compile(g.Re)
		if err != nil || re.MatchString("") {
			return fmt.Errorf("guess %d: %q is not a pattern that needs at least one character", i+1, g.Re)
		}
		g.re = re
	}
	compile := func(ps []string) ([]*regexp.Regexp, error) {
		var out []*regexp.Regexp
		for _, p := range ps {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %v", p, err)
			}
			out = append(out, re)
		}
		return out, nil
	}
	var err error
	if f.contact, err = compile(f.ContactPatterns); err != nil {
		return err
	}
	if f.times, err = compile(f.TimePatterns); err != nil {
		return err
	}
	if f.mobile, err = regexp.Compile("[0-9]*" + f.Mobile + "[0-9]*"); err != nil || f.Mobile == "" {
		return fmt.Errorf("mobile: %q is not a pattern: %v", f.Mobile, err)
	}
	if f.ShortTimeMax <= 0 {
		return fmt.Errorf("short_time_max is required")
	}
	return nil
}

func (d *composerData) checkTemplates() error {
	t := &d.tmpl
	for _, tone := range allTones {
		if _, ok := t.Tones[tone]; !ok {
			return fmt.Errorf("tones: %s missing", tone)
		}
	}
	var err error
	if t.longDuration, err = regexp.Compile(t.LongDuration); err != nil || t.LongDuration == "" {
		return fmt.Errorf("long_duration: %q is not a pattern", t.LongDuration)
	}
	if t.MaxOverlap <= 0 || t.MaxOverlap > 1 {
		return fmt.Errorf("max_overlap: %v is not in (0, 1]", t.MaxOverlap)
	}
	t.guide = map[string]*guidanceDef{}
	for i := range t.Guidance {
		g := &t.Guidance[i]
		if g.ID == "" || g.Doc == "" || g.Section == "" || g.Text == "" {
			return fmt.Errorf("guidance %q: id, doc, section and text are required", g.ID)
		}
		if t.guide[g.ID] != nil {
			return fmt.Errorf("guidance %s listed twice", g.ID)
		}
		t.guide[g.ID] = g
	}
	// Frames: the defaults first, then per-class overrides.
	t.frames = map[bot.Classification]map[string]string{}
	defaults := map[string]string{}
	for i, fr := range t.Frames {
		node, ok := fr["classes"]
		if !ok {
			return fmt.Errorf("frames entry %d has no classes", i+1)
		}
		var classes []bot.Classification
		if err := node.Decode(&classes); err != nil {
			return fmt.Errorf("frames entry %d: classes: %v", i+1, err)
		}
		vals := map[string]string{}
		for k, n := range fr {
			if k == "classes" {
				continue
			}
			base := k
			for _, suffix := range []string{"_urgent", "_rebuttal", "_post"} {
				base = strings.TrimSuffix(base, suffix)
			}
			if role, ok := strings.CutSuffix(k, "_unless"); ok && slices.Contains(sentenceRoles, role) {
				base = role + "_missing" // roles whose facts make the placeholder needless
			}
			if !slices.Contains(frameKeys, base) {
				return fmt.Errorf("frames entry %d: unknown key %q", i+1, k)
			}
			var s string
			if err := n.Decode(&s); err != nil {
				return fmt.Errorf("frames entry %d: %s: %v", i+1, k, err)
			}
			vals[k] = s
		}
		if len(classes) == 0 {
			if i != 0 {
				return fmt.Errorf("frames entry %d: the defaults (classes: []) must come first", i+1)
			}
			defaults = vals
			continue
		}
		for _, c := range classes {
			if !slices.Contains(templateClasses, c) {
				return fmt.Errorf("frames entry %d: unknown class %q", i+1, c)
			}
			m := t.frames[c]
			if m == nil {
				m = map[string]string{}
				t.frames[c] = m
			}
			for k, v := range vals {
				m[k] = v
			}
		}
	}
	for _, k := range frameKeys {
		if _, ok := defaults[k]; !ok {
			return fmt.Errorf("frames: the defaults lack %s", k)
		}
	}
	for _, c := range templateClasses {
		m := map[string]string{}
		for k, v := range defaults {
			m[k] = v
		}
		for k, v := range t.frames[c] {
			m[k] = v
		}
		t.frames[c] = m
	}
	for _, c := range templateClasses {
		for _, tone := range allTones {
			e, ok := t.Ack[c][tone]
			if !ok {
				return fmt.Errorf("ack: %s/%s missing", c, tone)
			}
			if err := t.checkSlots(e); err != nil {
				return fmt.Errorf("ack %s/%s: %v", c, tone, err)
			}
		}
	}
	for i, ae := range t.AckEmotion {
		if !ae.Emotion.Valid() || len(ae.Classes) == 0 {
			return fmt.Errorf("ack_emotion %d: emotion %q unknown or no classes", i+1, ae.Emotion)
		}
		for _, tone := range allTones {
			if err := t.checkSlots(ae.Text[tone]); err != nil || ae.Text[tone] == "" {
				return fmt.Errorf("ack_emotion %d: %s: missing or %v", i+1, tone, err)
			}
		}
	}
	t.byCombo = map[comboKey][]*templateDef{}
	for i := range t.Tmpls {
		tp := &t.Tmpls[i]
		if err := t.checkTemplate(tp); err != nil {
			return fmt.Errorf("template %d (%v %s): %v", i+1, tp.Classes, tp.Name, err)
		}
		tones := tp.Tones
		if len(tones) == 0 {
			tones = allTones
		}
		for _, c := range tp.Classes {
			for _, k := range tp.Kinds {
				for _, tone := range tones {
					key := comboKey{c, k, tone}
					t.byCombo[key] = append(t.byCombo[key], tp)
				}
			}
		}
	}
	for _, c := range templateClasses {
		for _, k := range allKinds {
			for _, tone := range allTones {
				if n := len(t.byCombo[comboKey{c, k, tone}]); n < 3 {
					return fmt.Errorf("%s/%s/%s has %d templates, want at least 3", c, k, tone, n)
				}
			}
		}
	}
	return nil
}

// checkTemplate checks one template: known class, kinds and tones, known
// slots, and every sentence role placed exactly once, so that no fact is
// ever dropped or said twice.
func (t *templatesFile) checkTemplate(tp *templateDef) error {
	if len(tp.Classes) == 0 || len(tp.Kinds) == 0 {
		return fmt.Errorf("no classes or no kinds")
	}
	for _, c := range tp.Classes {
		if !slices.Contains(templateClasses, c) {
			return fmt.Errorf("class %q unknown", c)
		}
	}
	for _, k := range tp.Kinds {
		if !k.Valid() {
			return fmt.Errorf("kind %q unknown", k)
		}
	}
	for _, tone := range tp.Tones {
		if !slices.Contains(allTones, tone) {
			return fmt.Errorf("unknown tone %q", tone)
		}
	}
	if err := t.checkSlots(tp.Text); err != nil {
		return err
	}
	for k, v := range tp.Frames {
		if !slices.Contains(frameKeys, k) {
			return fmt.Errorf("frames: unknown key %q", k)
		}
		if err := t.checkSlots(v); err != nil {
			return fmt.Errorf("frames %s: %v", k, err)
		}
	}
	for _, role := range sentenceRoles {
		if n := strings.Count(tp.Text, "{"+role+"}"); n != 1 {
			return fmt.Errorf("slot {%s} occurs %d times, want exactly once", role, n)
		}
	}
	return nil
}

var slotRE = regexp.MustCompile(`\{([^{}]*)\}`)

// checkSlots reports an unknown slot, an unknown guidance id or an
// unbalanced optional part in text.
func (t *templatesFile) checkSlots(text string) error {
	if strings.Count(text, "[[") != strings.Count(text, "]]") {
		return fmt.Errorf("unbalanced [[ ]] in %q", text)
	}
	for _, m := range slotRE.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if id, ok := strings.CutPrefix(name, "g:"); ok {
			if t.guide[id] == nil {
				return fmt.Errorf("unknown guidance %q", id)
			}
			continue
		}
		if !slices.Contains(slotNames, name) {
			return fmt.Errorf("unknown slot {%s}", name)
		}
	}
	return nil
}
