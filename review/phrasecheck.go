package review

import (
	"bytes"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/internal/yamlline"
)

// The phrase check matches every phrase of every phrase list (the
// knowledge base's and a department's own) with one Aho-Corasick automaton
// over the normalised draft, keeps the leftmost-longest matches, and turns
// each into a finding of the list's rule. Two categories depend on context,
// with word lists in data files of their own:
//
//   - stonewalling: a refusal is not reported when the same or the next
//     sentence names an alternative (a specific body or a concrete channel);
//     see rules/stonewalling.yaml;
//   - officialese: stock phrases are reported only when they stack up, or
//     when a single one stands in a draft with no concrete content; see
//     rules/officialese.yaml.

//go:embed rules/stonewalling.yaml
var stonewallingContextYAML []byte

//go:embed rules/officialese.yaml
var officialeseContextYAML []byte

// Categories with a context rule.
const (
	phraseCatStonewalling = "stonewalling"
	phraseCatOfficialese  = "officialese"
)

// phraseTarget is one list a phrase is in: the finding a match of it
// reports (all but the span), copied from the list so that the check does
// not depend on the files staying unchanged.
type phraseTarget struct {
	finding Finding
	generic bool // the phrase names a generic body (请咨询相关部门): never excused
}

// phraseCheck is the Check over the phrase lists. It is immutable once
// built, so safe for concurrent use.
type phraseCheck struct {
	ac      *ahocorasick.Automaton // over the normalised phrases; nil when there are none
	phrases []string               // normalised phrase of each pattern id
	targets [][]phraseTarget       // by pattern id: at most one per category
	ctx     *phraseContext
}

// newPhraseCheck builds the check over files, in order. A phrase listed
// again in the same category (a department's file repeating a built-in
// phrase, or two spellings that normalise alike) is reported once, under
// the first list that has it.
func newPhraseCheck(files []*phrases.File) (Check, error) {
	ctx, err := embeddedPhraseContext()
	if err != nil {
		return nil, err
	}
	pc := &phraseCheck{ctx: ctx}
	ids := map[string]int{} // normalised phrase → pattern id
	for _, f := range files {
		if f == nil {
			continue
		}
		for li := range f.Lists {
			l := &f.Lists[li]
			for ei := range l.Entries {
				e := &l.Entries[ei]
				p := phraseFoldString(e.Phrase)
				if p == "" {
					return nil, &errs.FileError{File: f.Name, Line: e.Line, Reason: "短语为空"}
				}
				id, ok := ids[p]
				if !ok {
					id = len(pc.phrases)
					ids[p] = id
					pc.phrases = append(pc.phrases, p)
					pc.targets = append(pc.targets, nil)
				}
				if slices.ContainsFunc(pc.targets[id], func(t phraseTarget) bool { return t.finding.Category == l.Category }) {
					continue
				}
				pc.targets[id] = append(pc.targets[id], phraseTarget{
					finding: Finding{
						Rule:       l.Rule,
						Category:   l.Category,
						Severity:   l.Severity,
						Message:    l.Message,
						Suggestion: e.Suggestion,
						Source:     Source{Doc: f.Doc, Section: l.Section},
					},
					generic: ctx.namesGenericBody(p),
				})
			}
		}
	}
	if len(pc.phrases) == 0 {
		return pc, nil
	}
	// All overlapping matches are asked for and the leftmost-longest ones
	// chosen in Check: the library's own LeftmostLongest FindAll (v0.3.1)
	// misses a longer match that starts right after a shorter one (patterns
	// "bc" and "b" in "bbc" give b, b instead of b, bc).
	pc.ac, err = ahocorasick.NewBuilder().AddStrings(pc.phrases).Build()
	if err != nil {
		return nil, errs.E("review.newPhraseCheck", errs.Internal, "审核短语表无法编译", err)
	}
	return pc, nil
}

// phraseSpan is a match in code points of the draft, End exclusive.
type phraseSpan struct{ start, end, id int }

// Check reports the phrases of the lists found in d.
func (pc *phraseCheck) Check(d *Draft) []Finding {
	if pc.ac == nil || len(d.Runes) == 0 {
		return nil
	}
	norm, buf, offs := phraseNormalise(d.Runes)
	raw := pc.ac.FindAllOverlapping(buf)
	if len(raw) == 0 {
		return nil
	}
	ms := make([]phraseSpan, 0, len(raw))
	for _, m := range raw {
		// Both ends fall on code-point boundaries: a valid UTF-8 pattern
		// can only match a valid UTF-8 text at whole characters.
		s, _ := slices.BinarySearch(offs, m.Start)
		e, _ := slices.BinarySearch(offs, m.End)
		ms = append(ms, phraseSpan{s, e, m.PatternID})
	}
	ms = phraseLeftmostLongest(ms)

	var (
		out   []Finding
		stock = map[int]bool{} // officialese phrases found (pattern ids)
		sents []phraseSpan     // sentences of the draft, made on first need
	)
	for _, m := range ms {
		for _, t := range pc.targets[m.id] {
			switch t.finding.Category {
			case phraseCatStonewalling:
				if sents == nil {
					sents = phraseSentences(norm)
				}
				if pc.ctx.stonewallingExcused(t, norm, sents, m) {
					continue
				}
			case phraseCatOfficialese:
				stock[m.id] = true
			}
			f := t.finding
			f.Start, f.End, f.Excerpt = d.Span(m.start, m.end)
			out = append(out, f)
		}
	}
	// Officialese: a lone stock phrase in a draft that says something
	// concrete is not a finding.
	if len(stock) > 0 && len(stock) < pc.ctx.minStock && pc.ctx.concrete(phraseBlankSpans(norm, ms)) {
		out = slices.DeleteFunc(out, func(f Finding) bool { return f.Category == phraseCatOfficialese })
	}
	return out
}

// phraseLeftmostLongest chooses, from all (overlapping) matches, the
// non-overlapping ones a left-to-right reading finds: the match that starts
// first and, of those starting there, the longest; then the same from its
// end on. Two matches with the same start and end are the same phrase, as
// patterns are distinct, so the order is total.
func phraseLeftmostLongest(ms []phraseSpan) []phraseSpan {
	slices.SortFunc(ms, func(a, b phraseSpan) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return b.end - a.end
		}
		return a.id - b.id
	})
	out := ms[:0]
	next := 0
	for _, m := range ms {
		if m.start >= next {
			out = append(out, m)
			next = m.end
		}
	}
	return out
}

// phraseFold is the normalisation of one code point for matching: full-width
// ASCII (U+FF01–U+FF5E) and the ideographic space become their half-width
// forms, and Latin letters are lower-cased. It maps one code point to one,
// so offsets in the normalised text are offsets in the draft.
func phraseFold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	if unicode.Is(unicode.Latin, r) {
		return unicode.ToLower(r)
	}
	return r
}

// phraseFoldString applies phraseFold to every code point of s.
func phraseFoldString(s string) string { return strings.Map(phraseFold, s) }

// phraseNormalise folds runes and returns them, their UTF-8 encoding and the
// byte offset in it of every code point (plus the length at the end).
func phraseNormalise(runes []rune) (norm []rune, buf []byte, offs []int) {
	norm = make([]rune, len(runes))
	buf = make([]byte, 0, len(runes)*3)
	offs = make([]int, len(runes)+1)
	for i, r := range runes {
		f := phraseFold(r)
		norm[i] = f
		offs[i] = len(buf)
		buf = utf8.AppendRune(buf, f)
	}
	offs[len(runes)] = len(buf)
	return norm, buf, offs
}

// phraseSentenceEnd reports a code point (normalised) that ends a sentence.
func phraseSentenceEnd(r rune) bool {
	switch r {
	case '。', '!', '?', ';', '…', '\n', '\r':
		return true
	}
	return false
}

// phraseSentences splits norm into sentences, each with the terminators (and
// spaces) that follow it, so that "！！" or a blank line is no sentence of
// its own.
func phraseSentences(norm []rune) []phraseSpan {
	var out []phraseSpan
	start := 0
	for i := 0; i < len(norm); {
		if !phraseSentenceEnd(norm[i]) {
			i++
			continue
		}
		for i < len(norm) && (phraseSentenceEnd(norm[i]) || unicode.IsSpace(norm[i])) {
			i++
		}
		out = append(out, phraseSpan{start: start, end: i})
		start = i
	}
	if start < len(norm) {
		out = append(out, phraseSpan{start: start, end: len(norm)})
	}
	return out
}

// phraseBlank is what stands in for text that must not count as context (the
// matched phrase, masked words): it is no letter, digit or Han character.
const phraseBlank = "\x00"

// phraseBlankSpans returns norm as a string with the spans of ms blanked out.
func phraseBlankSpans(norm []rune, ms []phraseSpan) string {
	var b strings.Builder
	b.Grow(len(norm) * 3)
	prev := 0
	for _, m := range ms {
		b.WriteString(string(norm[prev:m.start]))
		b.WriteString(phraseBlank)
		prev = m.end
	}
	b.WriteString(string(norm[prev:]))
	return b.String()
}

// phraseContext holds the word lists of the context rules
// (rules/stonewalling.yaml, rules/officialese.yaml), normalised.
type phraseContext struct {
	// stonewalling
	neverExcused   map[string]bool
	followUp       map[string]bool
	bodySuffixes   []string
	selfPrefixes   map[rune]bool
	generic        []string
	masker         *strings.Replacer // generic bodies, self references, not-bodies → blank
	channels       []string
	phoneMinDigits int
	// officialese
	minStock      int
	timeUnits     []string
	cnNumerals    map[rune]bool
	cnTimeUnits   []string
	timeWords     []string
	quantityUnits []string
}

// stonewallingContextFile is the schema of rules/stonewalling.yaml.
type stonewallingContextFile struct {
	NeverExcused   []string `yaml:"never_excused"`
	FollowUpRules  []string `yaml:"follow_up_rules"`
	BodySuffixes   []string `yaml:"body_suffixes"`
	SelfPrefixes   []string `yaml:"self_prefixes"`
	GenericBodies  []string `yaml:"generic_bodies"`
	SelfReferences []string `yaml:"self_references"`
	NotBodies      []string `yaml:"not_bodies"`
	Channels       []string `yaml:"channels"`
	PhoneMinDigits int      `yaml:"phone_min_digits"`
}

// officialeseContextFile is the schema of rules/officialese.yaml.
type officialeseContextFile struct {
	MinStockPhrases int      `yaml:"min_stock_phrases"`
	TimeUnits       []string `yaml:"time_units"`
	CNNumerals      string   `yaml:"cn_numerals"`
	CNTimeUnits     []string `yaml:"cn_time_units"`
	TimeWords       []string `yaml:"time_words"`
	QuantityUnits   []string `yaml:"quantity_units"`
}

// phraseDecodeStrict decodes a YAML file, rejecting unknown keys.
func phraseDecodeStrict(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return &errs.FileError{File: name, Line: yamlline.Of(err), Reason: "YAML 格式有误：" + err.Error()}
	}
	return nil
}

// embeddedPhraseContext is the context of the embedded files, read once:
// the phrase check and every rule file's conditions share it.
var embeddedPhraseContext = sync.OnceValues(func() (*phraseContext, error) {
	return loadPhraseContext(stonewallingContextYAML, officialeseContextYAML)
})

// loadPhraseContext reads the two context files.
func loadPhraseContext(stonewalling, officialese []byte) (*phraseContext, error) {
	var sf stonewallingContextFile
	if err := phraseDecodeStrict("rules/stonewalling.yaml", stonewalling, &sf); err != nil {
		return nil, err
	}
	var of officialeseContextFile
	if err := phraseDecodeStrict("rules/officialese.yaml", officialese, &of); err != nil {
		return nil, err
	}
	words := func(ws []string) []string {
		out := make([]string, 0, len(ws))
		for _, w := range ws {
			if w = phraseFoldString(strings.TrimSpace(w)); w != "" {
				out = append(out, w)
			}
		}
		return out
	}
	set := func(ws []string) map[string]bool {
		m := map[string]bool{}
		for _, w := range ws {
			m[w] = true
		}
		return m
	}
	c := &phraseContext{
		neverExcused:   set(sf.NeverExcused),
		followUp:       set(sf.FollowUpRules),
		bodySuffixes:   words(sf.BodySuffixes),
		selfPrefixes:   map[rune]bool{},
		generic:        words(sf.GenericBodies),
		channels:       words(sf.Channels),
		phoneMinDigits: sf.PhoneMinDigits,
		minStock:       of.MinStockPhrases,
		timeUnits:      words(of.TimeUnits),
		cnNumerals:     map[rune]bool{},
		cnTimeUnits:    words(of.CNTimeUnits),
		timeWords:      words(of.TimeWords),
		quantityUnits:  words(of.QuantityUnits),
	}
	for _, p := range words(sf.SelfPrefixes) {
		for _, r := range p {
			c.selfPrefixes[r] = true
		}
	}
	for _, r := range phraseFoldString(of.CNNumerals) {
		c.cnNumerals[r] = true
	}
	var pairs []string
	for _, w := range slices.Concat(c.generic, words(sf.SelfReferences), words(sf.NotBodies)) {
		pairs = append(pairs, w, phraseBlank)
	}
	c.masker = strings.NewReplacer(pairs...)
	switch {
	case len(c.bodySuffixes) == 0:
		return nil, &errs.FileError{File: "rules/stonewalling.yaml", Reason: "body_suffixes 不能为空"}
	case c.phoneMinDigits < 3:
		return nil, &errs.FileError{File: "rules/stonewalling.yaml", Reason: "phone_min_digits 至少为 3"}
	case c.minStock < 1:
		return nil, &errs.FileError{File: "rules/officialese.yaml", Reason: "min_stock_phrases 至少为 1"}
	case len(c.timeUnits) == 0:
		return nil, &errs.FileError{File: "rules/officialese.yaml", Reason: "time_units 不能为空"}
	}
	return c, nil
}

// namesGenericBody reports a (normalised) phrase that itself refers to no
// body in particular (请咨询相关部门): it is the unnamed referral.
func (c *phraseContext) namesGenericBody(phrase string) bool {
	return slices.ContainsFunc(c.generic, func(g string) bool { return strings.Contains(phrase, g) })
}

// stonewallingExcused reports a stonewalling match that the context
// excuses (see rules/stonewalling.yaml).
func (c *phraseContext) stonewallingExcused(t phraseTarget, norm []rune, sents []phraseSpan, m phraseSpan) bool {
	if c.neverExcused[t.finding.Rule] || t.generic {
		return false
	}
	i, _ := slices.BinarySearchFunc(sents, m.start, func(s phraseSpan, p int) int {
		switch {
		case s.end <= p:
			return -1
		case s.start > p:
			return 1
		}
		return 0
	})
	ws, we := sents[i].start, sents[min(i+1, len(sents)-1)].end
	we = max(we, m.end) // a match may run over a sentence end ("…")
	window := string(norm[ws:m.start]) + phraseBlank + string(norm[m.end:we])
	if c.followUp[t.finding.Rule] {
		return c.hasTime(window)
	}
	return c.hasNamedAlternative(window)
}

// hasNamedAlternative reports a specific body or a concrete channel in s.
func (c *phraseContext) hasNamedAlternative(s string) bool {
	return c.hasChannel(s) || c.hasBody(s)
}

// namesReferral reports a referral that leaves the citizen somewhere to
// go: a specific body and a concrete channel (tone-other-department,
// 合格的转介回复有四样).
func (c *phraseContext) namesReferral(s string) bool {
	return c.hasChannel(s) && c.hasBody(s)
}

// hasChannel reports a channel word or a phone-like number in s.
func (c *phraseContext) hasChannel(s string) bool {
	if slices.ContainsFunc(c.channels, func(w string) bool { return strings.Contains(s, w) }) {
		return true
	}
	found := false
	c.digitRuns(s, true, func(digits int, rest string) bool {
		found = digits >= c.phoneMinDigits && !phraseHasPrefix(rest, c.timeUnits) && !phraseHasPrefix(rest, c.quantityUnits)
		return !found
	})
	return found
}

// hasBody reports a specific body in s: a body suffix right after a Han
// character that does not refer to ourselves or to no one in particular,
// once generic bodies, self references and not-bodies are blanked out.
func (c *phraseContext) hasBody(s string) bool {
	s = c.masker.Replace(s)
	for _, suf := range c.bodySuffixes {
		for off := 0; ; {
			i := strings.Index(s[off:], suf)
			if i < 0 {
				break
			}
			i += off
			off = i + len(suf)
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			if unicode.Is(unicode.Han, r) && !c.selfPrefixes[r] {
				return true
			}
		}
	}
	return false
}

// hasTime reports a concrete time in s: digits with a time unit, a
// Chinese numeral with a time unit, or a time word.
func (c *phraseContext) hasTime(s string) bool {
	if slices.ContainsFunc(c.timeWords, func(w string) bool { return strings.Contains(s, w) }) {
		return true
	}
	found := false
	c.digitRuns(s, false, func(_ int, rest string) bool {
		found = phraseHasPrefix(rest, c.timeUnits)
		return !found
	})
	if found {
		return true
	}
	for i, r := range s {
		if c.cnNumerals[r] && phraseHasPrefix(s[i+utf8.RuneLen(r):], c.cnTimeUnits) {
			return true
		}
	}
	return false
}

// hasQuantity reports digits with a unit of quantity in s.
func (c *phraseContext) hasQuantity(s string) bool {
	found := false
	c.digitRuns(s, false, func(_ int, rest string) bool {
		found = phraseHasPrefix(rest, c.quantityUnits)
		return !found
	})
	return found
}

// concrete reports concrete content in s (see rules/officialese.yaml): a
// time, a number with a unit, a named body or a channel.
func (c *phraseContext) concrete(s string) bool {
	return c.hasTime(s) || c.hasQuantity(s) || c.hasNamedAlternative(s)
}

// digitRuns calls fn with the number of digits of every run of ASCII
// digits in s (with '-' allowed between digits when dashes is set, as in
// 0871-64112233) and the text after it, until fn returns false.
func (c *phraseContext) digitRuns(s string, dashes bool, fn func(digits int, rest string) bool) {
	for i := 0; i < len(s); {
		if !phraseIsDigit(s[i]) {
			i++
			continue
		}
		n := 0
		for i < len(s) && (phraseIsDigit(s[i]) || dashes && s[i] == '-' && i+1 < len(s) && phraseIsDigit(s[i+1])) {
			if s[i] != '-' {
				n++
			}
			i++
		}
		if !fn(n, s[i:]) {
			return
		}
	}
}

func phraseIsDigit(b byte) bool { return '0' <= b && b <= '9' }

func phraseHasPrefix(s string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(s, p) })
}
