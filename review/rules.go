package review

// The rule-file checks: patterns, missing elements, length and long
// sentences, read from YAML files (rules/*.yaml, embedded).
//
// # Schema
//
//	checks:                                 # required: at least one check
//	  - rule: commercial.discount           # required: stable id, "<category>.<slug>", unique
//	    category: commercial                # required: a review category (phrases.Categories)
//	    kinds: [comment, reply, post]       # optional: the kinds it applies to; default all
//	                                        #   (missing_*: default comment and reply; post is refused)
//	    severity: error                     # optional: error|warning|info; default: the category's
//	    source: {doc: …, section: …}        # required: document id and a "##" heading of it
//	    message: "……"                       # required: why this is a problem (Chinese)
//	    suggestion: "……"                    # required: what to write instead (Chinese)
//	    patterns:                           # RE2 regular expressions (Go regexp syntax); each
//	      - '立减\s*[0-9]+\s*元?'           #   a string or {pattern: …, suggestion: …}
//	    phrases: [感谢, 谢谢]                # missing_* only: markers matched verbatim
//	    negations: [未经, 不能]              # missing_* only: a marker at most 8 code points
//	                                        #   after one of these, in its clause, does not count
//	    max: 60                             # long_sentence only: longest sentence allowed
//	    when: {register: grave}             # optional, pattern rules: apply only when the
//	                                        #   register is grave, the class is one of
//	                                        #   {classes: [投诉]}, or {post: true} a post is given
//	    with:                               # optional, pattern rules: a match counts only when
//	      - scope: sentence                 #   every group also matches within its scope
//	        patterns: ['不代表|无关']         #   (sentence, near: this and the next sentence, text)
//	    unless:                             # optional, pattern rules: a match does not count
//	      - scope: text                     #   when any group matches within its scope
//	        patterns: ['[0-9]{2,}']
//
// What a check does follows from its category:
//
//   - length: the draft is longer than its kind's limit (Kind.Limit),
//     counted with Length; the finding spans the part beyond the limit.
//   - long_sentence: a sentence (split on 。！？!?；; and newlines) longer
//     than max, counted with Length; the finding spans the sentence.
//   - missing_empathy, missing_action, missing_timeline, missing_contact:
//     none of the phrases or patterns occurs in the draft; the finding
//     spans the whole draft.
//   - every other category: each match of a pattern is a finding on its
//     span. Plain phrases belong in the phrase lists (internal/phrases).
//
// Message and suggestion may use {length}, {limit} and {over} (length),
// {length} and {max} (long_sentence). Unknown keys, placeholders, kinds
// and categories, invalid patterns and patterns that match the empty text
// are errors; every error names the file, the line and the reason.
//
// Speed: all patterns and phrases are matched in one pass over the draft
// (ruleSet), trying each only where its first character occurs. Patterns
// are fastest when bounded ({0,2} rather than *) and free of ^, $, \b and
// \B; a pattern with those, or one that can begin with almost any
// character, is still correct but scans the whole draft on its own.

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/internal/yamlline"
	"govreply/internal/yamlnode"
)

// The embedded defaults are named one by one: other checks keep their own
// data files in rules/ in other formats.
//
//go:embed rules/context.yaml rules/length.yaml rules/patterns.yaml rules/red-lines.yaml rules/typos.yaml
var defaultRulesFS embed.FS

// DefaultRules returns the embedded rule files (the files loadRules reads
// when Options.Rules is nil), for example to combine them with a
// department's own files.
func DefaultRules() fs.FS {
	sub, err := fs.Sub(defaultRulesFS, "rules")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	return sub
}

// loadRules reads every .yaml and .yml file under the root of fsys (nil:
// the embedded defaults) in path order and returns the Check of all their
// rules (one ruleSet, which matches every pattern in one pass). All
// problems are returned, joined.
func loadRules(fsys fs.FS) ([]Check, error) {
	if fsys == nil {
		fsys = DefaultRules()
	}
	names, err := yamlnode.Files(fsys)
	if err != nil {
		return nil, err
	}
	var (
		checks   []ruleCheck
		problems []error
		seen     = map[string]string{} // rule id → "file:line"
	)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			problems = append(problems, &errs.FileError{File: n, Reason: "无法读取文件：" + err.Error()})
			continue
		}
		rs, err := parseRules(n, data)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		for _, r := range rs {
			base := r.base()
			if at, dup := seen[base.id]; dup {
				problems = append(problems, &errs.FileError{File: n, Line: base.line,
					Reason: fmt.Sprintf("规则 id“%s”重复，已在 %s 使用", base.id, at)})
				continue
			}
			seen[base.id] = fmt.Sprintf("%s 第 %d 行", n, base.line)
			checks = append(checks, r)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return []Check{newRuleSet(checks)}, nil
}

// ruleIDRE is the form of a rule id: category, a dot, a lower-case slug.
var ruleIDRE = regexp.MustCompile(`^([a-z_]+)\.[a-z0-9]+(-[a-z0-9]+)*$`)

// placeholderRE finds the placeholders of a message or suggestion.
var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// isSentenceEnd reports whether r ends a sentence for long_sentence:
// 。！？!?；; and line breaks.
func isSentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '；', ';', '\n', '\r':
		return true
	}
	return false
}

// rule is what every check of a rule file shares.
type rule struct {
	id, category string
	severity     Severity
	source       Source
	message      string
	suggestion   string
	kinds        map[Kind]bool
	line         int
}

// applies reports whether the rule checks drafts of kind k.
func (r *rule) applies(k Kind) bool { return r.kinds[k] }

// finding returns a finding of r on runes [start, end) of d.
func (r *rule) finding(d *Draft, start, end int, message, suggestion string) Finding {
	var s, e int
	var ex string
	if start == 0 && end == len(d.Runes) {
		s, e, ex = 0, end, d.Text // the whole draft: no copy
	} else {
		s, e, ex = d.Span(start, end)
	}
	return Finding{Rule: r.id, Category: r.category, Severity: r.severity, Start: s, End: e,
		Excerpt: ex, Message: message, Suggestion: suggestion, Source: r.source}
}

// ruleCheck is a Check read from a rule file.
type ruleCheck interface {
	Check
	base() *rule
}

// patternCheck reports every match of its patterns.
type patternCheck struct {
	rule
	patterns []pattern
	cond     conditions
}

type pattern struct {
	re         *regexp.Regexp
	suggestion string
}

// maxMatches bounds the findings of one pattern in one draft.
const maxMatches = 50

func (c *patternCheck) base() *rule { return &c.rule }

// Check is the reference implementation: each pattern scans the whole
// text. ruleSet gives the same findings faster.
func (c *patternCheck) Check(d *Draft) []Finding {
	if !c.applies(d.Kind) || !c.cond.when.holds(d) {
		return nil
	}
	var ms []match
	for _, p := range c.patterns {
		ms = appendMatches(ms, d.Text, p.re, p.suggestion)
	}
	return c.findings(d, ms)
}

// match is a match of a pattern in code points, [start, end).
type match struct {
	start, end int
	suggestion string
}

// appendMatches appends the matches of re in text (an unanchored scan).
func appendMatches(ms []match, text string, re *regexp.Regexp, suggestion string) []match {
	// Matches come in text order: count code points incrementally.
	bytePos, runePos := 0, 0
	for _, m := range re.FindAllStringIndex(text, maxMatches) {
		start := runePos + utf8.RuneCountInString(text[bytePos:m[0]])
		end := start + utf8.RuneCountInString(text[m[0]:m[1]])
		bytePos, runePos = m[1], end
		if start < end {
			ms = append(ms, match{start, end, suggestion})
		}
	}
	return ms
}

// findings turns the matches of c into findings: overlapping matches are
// one finding on their union.
func (c *patternCheck) findings(d *Draft, ms []match) []Finding {
	if len(c.cond.with)+len(c.cond.unless) > 0 {
		ms = slices.DeleteFunc(ms, func(m match) bool { return !c.cond.hold(d, m) })
	}
	if len(ms) == 0 {
		return nil
	}
	slices.SortFunc(ms, func(a, b match) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
	})
	out := make([]Finding, 0, len(ms))
	cur := ms[0]
	for _, m := range ms[1:] {
		if m.start < cur.end {
			cur.end = max(cur.end, m.end)
			continue
		}
		out = append(out, c.finding(d, cur.start, cur.end, c.message, cur.suggestion))
		cur = m
	}
	return append(out, c.finding(d, cur.start, cur.end, c.message, cur.suggestion))
}

// missingCheck reports a draft in which none of its markers occurs.
type missingCheck struct {
	rule
	phrases   []string
	patterns  []*regexp.Regexp
	negations []string // a marker shortly after one of these does not count
}

func (c *missingCheck) base() *rule { return &c.rule }

// Check is the reference implementation (see ruleSet).
func (c *missingCheck) Check(d *Draft) []Finding {
	if !c.applies(d.Kind) || c.satisfied(withoutPlaceholders(d.body())) {
		return nil
	}
	return []Finding{c.finding(d, 0, len(d.Runes), c.message, c.suggestion)}
}

// satisfied reports whether one of c's markers occurs in text.
func (c *missingCheck) satisfied(text string) bool {
	for _, p := range c.phrases {
		for off := 0; ; {
			i := strings.Index(text[off:], p)
			if i < 0 {
				break
			}
			if !c.negatedAt(text, off+i) {
				return true
			}
			off += i + len(p)
		}
	}
	for _, re := range c.patterns {
		for _, m := range re.FindAllStringIndex(text, maxMatches) {
			if !c.negatedAt(text, m[0]) {
				return true
			}
		}
	}
	return false
}

// negationWindow is how many code points before a marker a negation is
// looked for, within the marker's clause.
const negationWindow = 8

// negatedAt reports a marker at byte offset i of text that a negation
// or condition of c's (未经, 一经, 不能 …) shortly before it, in the same
// clause, takes back: "未经核实" is no step, "不能调整" no action.
func (c *missingCheck) negatedAt(text string, i int) bool {
	if len(c.negations) == 0 {
		return false
	}
	start := i
	for n := 0; n < negationWindow && start > 0; n++ {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if isClauseEnd(r) {
			break
		}
		start -= size
	}
	before := text[start:i]
	for _, neg := range c.negations {
		if strings.Contains(before, neg) {
			return true
		}
	}
	return false
}

// gapRE matches the gaps the assistant leaves for facts it cannot
// know, 【待核实：…】. A gap is not content: a marker inside one (核实 for
// an action, 电话 for a channel) does not make the element present.
var gapRE = regexp.MustCompile(`【待核实[^】]*】`)

// withoutPlaceholders is text with every 【待核实：…】 gap blanked.
func withoutPlaceholders(text string) string {
	if !strings.Contains(text, "【待核实") {
		return text
	}
	return gapRE.ReplaceAllString(text, "　")
}

// lengthCheck reports a draft over its kind's limit.
type lengthCheck struct{ rule }

func (c *lengthCheck) base() *rule { return &c.rule }

func (c *lengthCheck) Check(d *Draft) []Finding {
	if !c.applies(d.Kind) {
		return nil
	}
	limit := d.Kind.Limit()
	n := Length(d.Text)
	if n <= limit {
		return nil
	}
	// The first code point at which the count, rounded up, exceeds limit.
	halves, start := 0, len(d.Runes)
	for i, r := range d.Runes {
		if r <= unicode.MaxASCII {
			halves++
		} else {
			halves += 2
		}
		if (halves+1)/2 > limit {
			start = i
			break
		}
	}
	vars := []any{"length", n, "limit", limit, "over", n - limit}
	return []Finding{c.finding(d, start, len(d.Runes), expand(c.message, vars...), expand(c.suggestion, vars...))}
}

// sentenceCheck reports sentences longer than max.
type sentenceCheck struct {
	rule
	max int
}

func (c *sentenceCheck) base() *rule { return &c.rule }

func (c *sentenceCheck) Check(d *Draft) []Finding {
	if !c.applies(d.Kind) {
		return nil
	}
	var out []Finding
	start := 0
	for i := 0; i <= len(d.Runes); i++ {
		if i < len(d.Runes) && !isSentenceEnd(d.Runes[i]) {
			continue
		}
		s, e := start, i
		for s < e && unicode.IsSpace(d.Runes[s]) {
			s++
		}
		for e > s && unicode.IsSpace(d.Runes[e-1]) {
			e--
		}
		start = i + 1
		// No rune counts more than 1, so a short span needs no count.
		if e-s <= c.max {
			continue
		}
		if n := runesLength(d.Runes[s:e]); n > c.max {
			vars := []any{"length", n, "max", c.max}
			out = append(out, c.finding(d, s, e, expand(c.message, vars...), expand(c.suggestion, vars...)))
		}
	}
	return out
}

// runesLength is Length of a text given as code points.
func runesLength(rs []rune) int {
	halves := 0
	for _, r := range rs {
		if r <= unicode.MaxASCII {
			halves++
		} else {
			halves += 2
		}
	}
	return (halves + 1) / 2
}

// expand replaces the placeholders {name} of s with vars, given as name,
// value pairs.
func expand(s string, vars ...any) string {
	for i := 0; i+1 < len(vars) && strings.Contains(s, "{"); i += 2 {
		s = strings.ReplaceAll(s, "{"+vars[i].(string)+"}", fmt.Sprint(vars[i+1]))
	}
	return s
}

// parseRules reads one rule file; name is used in errors.
func parseRules(name string, data []byte) (rs []ruleCheck, err error) {
	p := newRuleParser(name)
	defer func() {
		if r := recover(); r != nil { // yaml.v3 may panic on hostile input
			rs, err = nil, p.Err(nil, "YAML 无法解析：%v", r)
		}
	}()
	if !utf8.Valid(data) {
		return nil, p.Err(nil, "文件不是有效的 UTF-8 文本")
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &errs.FileError{File: name, Line: yamlline.Of(err),
			Reason: "YAML 格式有误，请检查冒号、缩进和引号（" + err.Error() + "）"}
	}
	if root.Kind == 0 || len(root.Content) == 0 ||
		(root.Content[0].Kind == yaml.ScalarNode && root.Content[0].Tag == "!!null") {
		return nil, p.Err(nil, "文件是空的")
	}
	top := root.Content[0]
	m, err := p.Mapping(top, "文件顶层", "checks")
	if err != nil {
		return nil, err
	}
	items, err := p.Sequence(m, top, "文件顶层", "checks")
	if err != nil {
		return nil, err
	}
	ids := map[string]int{}
	for i, item := range items {
		r, err := p.check(item, i+1)
		if err != nil {
			return nil, err
		}
		b := r.base()
		if line, dup := ids[b.id]; dup {
			return nil, p.Err(item, "规则 id“%s”重复，第 %d 行已使用", b.id, line)
		}
		ids[b.id] = b.line
		rs = append(rs, r)
	}
	return rs, nil
}

// ruleParser reads one rules file; its yamlnode.Reader makes errors of
// type *errs.FileError.
type ruleParser struct {
	yamlnode.Reader
	name string
	ctx  *phraseContext // the word lists the conditions' tests use
}

func newRuleParser(name string) *ruleParser {
	ctx, err := embeddedPhraseContext()
	if err != nil {
		panic(err) // embedded data, tested
	}
	return &ruleParser{name: name, ctx: ctx, Reader: yamlnode.Reader{Errorf: func(line int, reason string) error {
		return &errs.FileError{File: name, Line: line, Reason: reason}
	}}}
}

// The keys each sort of check accepts.
var (
	commonKeys   = []string{"rule", "category", "kinds", "severity", "source", "message", "suggestion"}
	patternKeys  = append(slices.Clip(commonKeys), "patterns", "when", "with", "unless")
	missingKeys  = append(slices.Clip(commonKeys), "phrases", "patterns", "negations")
	sentenceKeys = append(slices.Clip(commonKeys), "max")
)

// placeholders lists the placeholders message and suggestion may use, by
// category.
var placeholders = map[string][]string{
	"length":        {"length", "limit", "over"},
	"long_sentence": {"length", "max"},
}

func (p *ruleParser) check(n *yaml.Node, idx int) (ruleCheck, error) {
	what := fmt.Sprintf("checks 第 %d 项", idx)
	if n.Kind != yaml.MappingNode {
		return nil, p.Err(n, "%s应当是“键: 值”的形式", what)
	}
	// The category decides which keys are allowed: read it first.
	var category string
	var catNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "category" {
			catNode = n.Content[i+1]
			category = strings.TrimSpace(catNode.Value)
		}
	}
	if catNode == nil {
		return nil, p.Err(n, "%s缺少 category", what)
	}
	def, ok := phrases.DefaultSeverity(category)
	if !ok || catNode.Kind != yaml.ScalarNode {
		return nil, p.Err(catNode, "%s的 category“%s”不是有效的审核类别（可用：%s）",
			what, category, strings.Join(phrases.Categories(), "、"))
	}
	missing := strings.HasPrefix(category, "missing_")
	allowed := patternKeys
	switch {
	case category == "length":
		allowed = commonKeys
	case category == "long_sentence":
		allowed = sentenceKeys
	case missing:
		allowed = missingKeys
	}
	m, err := p.Mapping(n, what, allowed...)
	if err != nil {
		return nil, err
	}
	r := rule{category: category, line: n.Line}
	if r.id, err = p.Text(m, n, what, "rule", true); err != nil {
		return nil, err
	}
	if sm := ruleIDRE.FindStringSubmatch(r.id); sm == nil || sm[1] != category {
		return nil, p.Err(m["rule"], "%s的 rule“%s”应当写成“%s.小写英文短名”，如 %s.my-rule",
			what, r.id, category, category)
	}
	sev, err := p.Text(m, n, what, "severity", false)
	if err != nil {
		return nil, err
	}
	r.severity = Severity(sev)
	if sev == "" {
		r.severity = def
	} else if !r.severity.Valid() {
		return nil, p.Err(m["severity"], "%s的 severity“%s”无效，只能是 error、warning 或 info", what, sev)
	}
	if r.source, err = p.source(m, n, what); err != nil {
		return nil, err
	}
	if r.kinds, err = p.kinds(m, what, missing); err != nil {
		return nil, err
	}
	if r.message, err = p.Text(m, n, what, "message", true); err != nil {
		return nil, err
	}
	if r.suggestion, err = p.Text(m, n, what, "suggestion", true); err != nil {
		return nil, err
	}
	for _, key := range []string{"message", "suggestion"} {
		for _, ph := range placeholderRE.FindAllString(m[key].Value, -1) {
			if !slices.Contains(placeholders[category], ph[1:len(ph)-1]) {
				avail := "无"
				if ps := placeholders[category]; len(ps) > 0 {
					avail = "{" + strings.Join(ps, "}、{") + "}"
				}
				return nil, p.Err(m[key], "%s的 %s 中有未知的占位符 %s（可用：%s）", what, key, ph, avail)
			}
		}
	}

	switch {
	case category == "length":
		return &lengthCheck{rule: r}, nil
	case category == "long_sentence":
		c := &sentenceCheck{rule: r}
		v, ok := m["max"]
		if !ok {
			return nil, p.Err(n, "%s缺少 max（一句最多多少字）", what)
		}
		if c.max, err = strconv.Atoi(v.Value); err != nil || v.Kind != yaml.ScalarNode || c.max < 1 {
			return nil, p.Err(v, "%s的 max 应当是正整数，收到“%s”", what, v.Value)
		}
		return c, nil
	case missing:
		c := &missingCheck{rule: r}
		if _, ok := m["phrases"]; ok {
			items, err := p.Sequence(m, n, what, "phrases")
			if err != nil {
				return nil, err
			}
			for j, it := range items {
				if it.Kind != yaml.ScalarNode || strings.TrimSpace(it.Value) == "" || it.Tag == "!!null" {
					return nil, p.Err(it, "%s的 phrases 第 %d 项应当是一段文字", what, j+1)
				}
				if it.Value != strings.TrimSpace(it.Value) {
					return nil, p.Err(it, "%s的 phrases 第 %d 项“%s”首尾不能有空白", what, j+1, it.Value)
				}
				c.phrases = append(c.phrases, it.Value)
			}
		}
		if _, ok := m["patterns"]; ok {
			ps, err := p.patterns(m, n, what, "")
			if err != nil {
				return nil, err
			}
			for _, pt := range ps {
				c.patterns = append(c.patterns, pt.re)
			}
		}
		if len(c.phrases) == 0 && len(c.patterns) == 0 {
			return nil, p.Err(n, "%s至少要有 phrases 或 patterns 之一，否则每份草稿都会被报缺失", what)
		}
		if _, ok := m["negations"]; ok {
			items, err := p.Sequence(m, n, what, "negations")
			if err != nil {
				return nil, err
			}
			for j, it := range items {
				if it.Kind != yaml.ScalarNode || strings.TrimSpace(it.Value) == "" {
					return nil, p.Err(it, "%s的 negations 第 %d 项应当是一段文字", what, j+1)
				}
				c.negations = append(c.negations, it.Value)
			}
		}
		return c, nil
	default:
		ps, err := p.patterns(m, n, what, r.suggestion)
		if err != nil {
			return nil, err
		}
		cond, err := p.conditions(m, what)
		if err != nil {
			return nil, err
		}
		return &patternCheck{rule: r, patterns: ps, cond: cond}, nil
	}
}

// source reads source: {doc, section}.
func (p *ruleParser) source(m map[string]*yaml.Node, parent *yaml.Node, what string) (Source, error) {
	v, ok := m["source"]
	if !ok {
		return Source{}, p.Err(parent, "%s缺少 source（依据的文档 id 和“##”小节标题）", what)
	}
	sm, err := p.Mapping(v, what+"的 source", "doc", "section")
	if err != nil {
		return Source{}, err
	}
	var s Source
	if s.Doc, err = p.Text(sm, v, what+"的 source", "doc", true); err != nil {
		return Source{}, err
	}
	if strings.ContainsAny(s.Doc, " \t\n") {
		return Source{}, p.Err(sm["doc"], "%s的 source.doc 应当是文档 id，不能包含空白", what)
	}
	if s.Section, err = p.Text(sm, v, what+"的 source", "section", true); err != nil {
		return Source{}, err
	}
	s.Section = strings.TrimSpace(strings.TrimLeft(s.Section, "#"))
	if s.Section == "" || strings.Contains(s.Section, "\n") {
		return Source{}, p.Err(sm["section"], "%s的 source.section 应当是文档中一个“##”标题的原文", what)
	}
	return s, nil
}

// kinds reads the optional kinds list.
func (p *ruleParser) kinds(m map[string]*yaml.Node, what string, missing bool) (map[Kind]bool, error) {
	if _, ok := m["kinds"]; !ok {
		if missing {
			return map[Kind]bool{KindComment: true, KindReply: true}, nil
		}
		return map[Kind]bool{KindComment: true, KindReply: true, KindPost: true}, nil
	}
	items, err := p.Sequence(m, nil, what, "kinds")
	if err != nil {
		return nil, err
	}
	out := map[Kind]bool{}
	for _, it := range items {
		k := Kind(strings.TrimSpace(it.Value))
		switch {
		case it.Kind != yaml.ScalarNode || !k.Valid():
			return nil, p.Err(it, "%s的 kinds 中“%s”无效，只能是 comment、reply 或 post", what, it.Value)
		case out[k]:
			return nil, p.Err(it, "%s的 kinds 中“%s”重复出现", what, k)
		case missing && !k.Replying():
			return nil, p.Err(it, "%s：缺少共情、措施、时间、渠道的检查只用于 comment 和 reply，不能用于 %s", what, k)
		}
		out[k] = true
	}
	return out, nil
}

// patterns reads the patterns list; each item is a regular expression or
// {pattern, suggestion}. def is the suggestion of items that give none.
func (p *ruleParser) patterns(m map[string]*yaml.Node, parent *yaml.Node, what, def string) ([]pattern, error) {
	items, err := p.Sequence(m, parent, what, "patterns")
	if err != nil {
		return nil, err
	}
	var out []pattern
	for j, it := range items {
		iw := fmt.Sprintf("%s的 patterns 第 %d 项", what, j+1)
		pt := pattern{suggestion: def}
		src, node := it.Value, it
		switch {
		case it.Kind == yaml.MappingNode:
			im, err := p.Mapping(it, iw, "pattern", "suggestion")
			if err != nil {
				return nil, err
			}
			if src, err = p.Text(im, it, iw, "pattern", true); err != nil {
				return nil, err
			}
			node = im["pattern"]
			if s, err := p.Text(im, it, iw, "suggestion", false); err != nil {
				return nil, err
			} else if s != "" {
				pt.suggestion = s
			}
		case it.Kind != yaml.ScalarNode || it.Tag == "!!null" || strings.TrimSpace(src) == "":
			return nil, p.Err(it, "%s应当是一个正则表达式，或写成 {pattern: …, suggestion: …}", iw)
		}
		re, err := regexp.Compile(src)
		if err != nil {
			return nil, p.Err(node, "%s的正则表达式无法解析：%s", iw, regexpReason(err))
		}
		if re.MatchString("") {
			return nil, p.Err(node, "%s的正则表达式能匹配空文本，会在每份草稿里都命中，请让它至少匹配一个字", iw)
		}
		// Each top-level alternative is matched on its own: ruleSet then
		// tries, at each place, only the alternatives that can begin
		// there, each a small program (see "Speed" above).
		for _, alt := range splitAlternatives(src) {
			part := pt
			if part.re, err = regexp.Compile(alt); err != nil || part.re.MatchString("") {
				part.re = re // a piece that does not stand alone: keep the whole
				out = append(out, part)
				break
			}
			out = append(out, part)
		}
	}
	return out, nil
}

// splitAlternatives splits a regular expression at its top-level "|"
// (outside parentheses and character classes). An expression that sets
// flags for the whole of itself ("(?i)…") is not split.
func splitAlternatives(src string) []string {
	if strings.HasPrefix(src, "(?") && len(src) > 2 && src[2] != ':' {
		return []string{src}
	}
	var out []string
	depth, start, class := 0, 0, false
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\\':
			i++ // the escaped byte; multi-byte runes need no care, their bytes are ≥ 0x80
		case class:
			class = c != ']'
		case c == '[':
			class = true
			if i+1 < len(src) && src[i+1] == ']' {
				i++ // "[]…]": a leading ] is literal
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			out = append(out, src[start:i])
			start = i + 1
		}
	}
	return append(out, src[start:])
}

// regexpReason explains a regexp compile error in Chinese, with Go's
// message for the detail.
func regexpReason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		if r, ok := syntaxReasons[se.Code]; ok {
			return fmt.Sprintf("%s，出错处“%s”", r, se.Expr)
		}
	}
	return err.Error()
}

// syntaxReasons are the Chinese reasons of regexp/syntax errors.
var syntaxReasons = map[syntax.ErrorCode]string{
	syntax.ErrMissingParen:          "缺少右括号“)”",
	syntax.ErrUnexpectedParen:       "多了一个右括号“)”",
	syntax.ErrMissingBracket:        "缺少右方括号“]”",
	syntax.ErrInvalidCharRange:      "字符范围无效",
	syntax.ErrInvalidEscape:         "转义序列无效（Go 正则不支持这种 \\ 写法）",
	syntax.ErrInvalidPerlOp:         "不支持的写法（Go 正则不支持 (?= (?! (?<= 等环视）",
	syntax.ErrMissingRepeatArgument: "“*”“+”“?”前面缺少要重复的内容",
	syntax.ErrInvalidRepeatOp:       "重复符号用法无效",
	syntax.ErrInvalidRepeatSize:     "重复次数 {m,n} 无效",
	syntax.ErrNestingDepth:          "嵌套过深",
	syntax.ErrLarge:                 "表达式过大",
	syntax.ErrTrailingBackslash:     "末尾多了一个反斜杠",
	syntax.ErrInvalidNamedCapture:   "命名分组无效",
	syntax.ErrInvalidUTF8:           "不是有效的 UTF-8",
	syntax.ErrInternalError:         "正则引擎内部错误",
}

// ruleSet is the Check of all the rules of the rule files. Rather than
// scanning the draft once per pattern (Go's regexp has no fast path for a
// pattern without a literal prefix), it scans the draft once: at each code
// point it tries, anchored there, only the markers (patterns and phrases)
// whose matches can begin with that code point. The findings are those of
// the rules' own Check methods, which the tests compare it with.
type ruleSet struct {
	rules   []ruleCheck
	markers []marker
	ascii   [utf8.RuneSelf][]int32 // first code point → markers
	other   map[rune][]int32
	slow    []int32 // markers without a usable first code point set: full scans
}

// marker is one pattern or phrase of a pattern or missing rule.
type marker struct {
	rule       int // index into ruleSet.rules
	missing    bool
	phrase     string         // a missing rule's literal phrase, or
	re         *regexp.Regexp // the pattern; anchored ("^(?:…)") unless slow
	window     int            // bytes a match can span; 0: the rest of the text
	suggestion string
}

// maxFirstRunes bounds the first code point set of a prefiltered pattern:
// a pattern that can begin with almost anything is cheaper to scan for.
const maxFirstRunes = 4096

// maxWindow is the longest bounded match (in bytes) tried on a window of
// the text rather than on all the rest of it.
const maxWindow = 1024

func newRuleSet(rules []ruleCheck) *ruleSet {
	s := &ruleSet{rules: rules, other: map[rune][]int32{}}
	add := func(m marker, first []rune) {
		i := int32(len(s.markers))
		s.markers = append(s.markers, m)
		if first == nil {
			s.slow = append(s.slow, i)
			return
		}
		for j := 0; j+1 < len(first); j += 2 {
			for r := first[j]; r <= first[j+1]; r++ {
				var l []int32
				if r < utf8.RuneSelf {
					l = s.ascii[r]
				} else {
					l = s.other[r]
				}
				if len(l) > 0 && l[len(l)-1] == i {
					continue // overlapping ranges
				}
				if r < utf8.RuneSelf {
					s.ascii[r] = append(l, i)
				} else {
					s.other[r] = append(l, i)
				}
			}
		}
	}
	addPattern := func(ri int, missing bool, re *regexp.Regexp, suggestion string) {
		m := marker{rule: ri, missing: missing, re: re, suggestion: suggestion}
		first, window := prefilter(re.String())
		if first != nil {
			m.re = regexp.MustCompile(`^(?:` + re.String() + `)`)
			m.window = window
		}
		add(m, first)
	}
	for ri, r := range rules {
		switch c := r.(type) {
		case *patternCheck:
			for _, p := range c.patterns {
				addPattern(ri, false, p.re, p.suggestion)
			}
		case *missingCheck:
			for _, p := range c.phrases {
				r, _ := utf8.DecodeRuneInString(p)
				add(marker{rule: ri, missing: true, phrase: p}, []rune{r, r})
			}
			for _, re := range c.patterns {
				addPattern(ri, true, re, "")
			}
		}
	}
	return s
}

// prefilter returns the code points a match of the regular expression src
// can begin with (as ranges, lo-hi pairs) and the longest match in bytes
// (0 when unbounded or over maxWindow). It returns nil when the set is
// unknown or too large, or when src has an assertion (^, $, \b, \B) that
// would see a window of the text differently from the whole.
func prefilter(src string) ([]rune, int) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, 0
	}
	re = re.Simplify()
	first, nullable, ok := firstRunes(re)
	if !ok || nullable || len(first) == 0 {
		return nil, 0
	}
	n := 0
	for j := 0; j+1 < len(first); j += 2 {
		n += int(first[j+1]-first[j]) + 1
	}
	if n > maxFirstRunes {
		return nil, 0
	}
	window, bounded := maxBytes(re)
	if !bounded || window > maxWindow {
		window = 0
	}
	return first, window
}

// firstRunes returns the code points a match of re can begin with, as
// lo-hi pairs, whether re matches the empty text, and false when re
// has an assertion or matches any character first.
func firstRunes(re *syntax.Regexp) (first []rune, nullable, ok bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return nil, false, true
	case syntax.OpEmptyMatch:
		return nil, true, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, true, true
		}
		r := re.Rune[0]
		first = []rune{r, r}
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				first = append(first, f, f)
			}
		}
		return first, false, true
	case syntax.OpCharClass:
		return slices.Clone(re.Rune), false, true
	case syntax.OpCapture:
		return firstRunes(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		first, _, ok = firstRunes(re.Sub[0])
		return first, true, ok
	case syntax.OpPlus:
		return firstRunes(re.Sub[0])
	case syntax.OpRepeat:
		first, nullable, ok = firstRunes(re.Sub[0])
		return first, nullable || re.Min == 0, ok
	case syntax.OpConcat:
		nullable = true
		for _, sub := range re.Sub {
			f, n, ok := firstRunes(sub)
			if !ok {
				return nil, false, false
			}
			first = append(first, f...)
			if !n {
				nullable = false
				break
			}
		}
		return first, nullable, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			f, n, ok := firstRunes(sub)
			if !ok {
				return nil, false, false
			}
			first = append(first, f...)
			nullable = nullable || n
		}
		return first, nullable, true
	}
	// Assertions, any character.
	return nil, false, false
}

// maxBytes returns the longest match of re in bytes and whether it is
// bounded.
func maxBytes(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch:
		return 0, true
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				n += utf8.UTFMax
			} else {
				n += utf8.RuneLen(r)
			}
		}
		return n, true
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0, true
		}
		return max(utf8.RuneLen(re.Rune[len(re.Rune)-1]), 1), true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, true
	case syntax.OpCapture, syntax.OpQuest:
		return maxBytes(re.Sub[0])
	case syntax.OpRepeat:
		n, ok := maxBytes(re.Sub[0])
		if !ok || re.Max < 0 {
			return 0, false
		}
		return n * re.Max, true
	case syntax.OpConcat:
		total := 0
		for _, sub := range re.Sub {
			n, ok := maxBytes(sub)
			if !ok {
				return 0, false
			}
			total += n
		}
		return total, true
	case syntax.OpAlternate:
		most := 0
		for _, sub := range re.Sub {
			n, ok := maxBytes(sub)
			if !ok {
				return 0, false
			}
			most = max(most, n)
		}
		return most, true
	case syntax.OpStar, syntax.OpPlus:
		return 0, false
	}
	return 0, true // assertions match no text
}

func (s *ruleSet) Check(d *Draft) []Finding {
	text := d.Text
	skip := make([]bool, len(s.rules)) // rule does not apply, or a missing rule is satisfied
	for i, r := range s.rules {
		skip[i] = !r.base().applies(d.Kind)
		if c, ok := r.(*patternCheck); ok && !c.cond.when.holds(d) {
			skip[i] = true
		}
	}
	matches := make([][]match, len(s.rules))
	counts := make([]int, len(s.markers)) // matches of each marker
	next := make([]int, len(s.markers))   // byte offset a marker's next match may start at
	found := func(mi int32, m *marker, start, end, at int) {
		if m.missing {
			if start < d.signOff() && !s.rules[m.rule].(*missingCheck).negatedAt(text, at) {
				skip[m.rule] = true
			}
			return
		}
		counts[mi]++
		matches[m.rule] = append(matches[m.rule], match{start, end, m.suggestion})
	}
	runeIdx := 0
	for i, r := range text {
		var cands []int32
		if r < utf8.RuneSelf {
			cands = s.ascii[r]
		} else {
			cands = s.other[r]
		}
		for _, mi := range cands {
			m := &s.markers[mi]
			if skip[m.rule] || i < next[mi] || counts[mi] >= maxMatches {
				continue
			}
			end := -1
			if m.phrase != "" {
				if strings.HasPrefix(text[i:], m.phrase) {
					end = i + len(m.phrase)
				}
			} else {
				rest := text[i:]
				if m.window > 0 && len(rest) > m.window {
					rest = rest[:m.window]
				}
				if loc := m.re.FindStringIndex(rest); loc != nil && loc[1] > 0 {
					end = i + loc[1]
				}
			}
			if end < 0 {
				continue
			}
			next[mi] = end
			found(mi, m, runeIdx, runeIdx+utf8.RuneCountInString(text[i:end]), i)
		}
		runeIdx++
	}
	for _, mi := range s.slow {
		m := &s.markers[mi]
		switch {
		case skip[m.rule]:
		case m.missing:
			for _, loc := range m.re.FindAllStringIndex(d.body(), maxMatches) {
				if !s.rules[m.rule].(*missingCheck).negatedAt(d.body(), loc[0]) {
					skip[m.rule] = true
					break
				}
			}
		default:
			matches[m.rule] = appendMatches(matches[m.rule], text, m.re, m.suggestion)
		}
	}
	if masked := withoutPlaceholders(d.body()); masked != d.body() {
		// A marker found inside a gap does not count: decide the missing
		// rules again on the text without gaps (rare: assistant drafts).
		for i, r := range s.rules {
			if c, ok := r.(*missingCheck); ok {
				skip[i] = !c.applies(d.Kind) || c.satisfied(masked)
			}
		}
	}
	var out []Finding
	for i, r := range s.rules {
		switch c := r.(type) {
		case *patternCheck:
			if !skip[i] {
				out = append(out, c.findings(d, matches[i])...)
			}
		case *missingCheck:
			if !skip[i] {
				out = append(out, c.finding(d, 0, len(d.Runes), c.message, c.suggestion))
			}
		default:
			out = append(out, r.Check(d)...)
		}
	}
	return out
}
