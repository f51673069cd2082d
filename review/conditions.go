package review

// Conditions of a pattern rule (rule files: when, with, unless): what
// a phrase list cannot say. A role noun is blame shifting only with a
// disclaimer in the same sentence (with); a denial of a rumour is
// stonewalling only when no fact or figure backs it (unless); a light
// register is out of place only in a grave text (when).

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// conditions are the optional conditions of a pattern rule.
type conditions struct {
	when   when
	with   []group // every group must match in its scope
	unless []group // no group may match in its scope
}

// when limits a rule to a situation.
type when struct {
	grave   bool    // only in the grave register
	classes []Class // only for these classes (given or inferred)
	post    bool    // only when the citizen's post is given
}

// holds reports whether d's situation is one the rule applies to.
func (w when) holds(d *Draft) bool {
	switch {
	case w.grave && !d.Situation.Grave:
		return false
	case len(w.classes) > 0 && !slices.Contains(w.classes, d.Situation.Class):
		return false
	case w.post && strings.TrimSpace(d.Post) == "":
		return false
	}
	return true
}

// Scopes of a group: where around a match it is looked for.
const (
	scopeSentence = "sentence" // the match's sentence
	scopeNear     = "near"     // the match's sentence and the next one
	scopeText     = "text"     // the whole draft
	scopePost     = "post"     // the citizen's post
)

// group is a set of patterns, or a test of the stonewalling context
// (rules/stonewalling.yaml, rules/officialese.yaml), looked for in a scope
// around a match.
type group struct {
	scope string
	re    *regexp.Regexp // nil when test is set
	test  func(folded string) bool
}

// Tests a group may name instead of patterns, run on the scope's text with
// the match blanked out.
var groupTests = map[string]func(c *phraseContext) func(string) bool{
	"referral": func(c *phraseContext) func(string) bool { return c.namesReferral }, // a named body and a channel
	"time":     func(c *phraseContext) func(string) bool { return c.hasTime },       // a concrete time
	"concrete": func(c *phraseContext) func(string) bool { return c.concrete },      // a time, a quantity, a body or a channel
}

// found reports whether g matches in its scope around m.
func (g group) found(d *Draft, m match) bool {
	var text string
	switch g.scope {
	case scopeText:
		text = string(d.Runes[:m.start]) + phraseBlank + string(d.Runes[m.end:])
	case scopePost:
		text = d.Post
	default:
		s, e := sentenceBounds(d.Runes, m.start, m.end)
		if g.scope == scopeNear && e < len(d.Runes) {
			_, e = sentenceBounds(d.Runes, e+1, e+1)
		}
		text = string(d.Runes[s:m.start]) + phraseBlank + string(d.Runes[m.end:e])
	}
	if g.test != nil {
		return g.test(phraseFoldString(text))
	}
	return g.re.MatchString(text)
}

// hold reports whether match m meets the with and unless conditions.
func (c *conditions) hold(d *Draft, m match) bool {
	for _, g := range c.with {
		if !g.found(d, m) {
			return false
		}
	}
	for _, g := range c.unless {
		if g.found(d, m) {
			return false
		}
	}
	return true
}

// sentenceBounds returns the sentence around runes [start, end), its end
// mark included.
func sentenceBounds(rs []rune, start, end int) (int, int) {
	s := min(start, len(rs))
	for s > 0 && !isSentenceEnd(rs[s-1]) {
		s--
	}
	e := min(end, len(rs))
	for e < len(rs) && !isSentenceEnd(rs[e]) {
		e++
	}
	if e < len(rs) {
		e++
	}
	return s, e
}

// conditions reads when, with and unless.
func (p *ruleParser) conditions(m map[string]*yaml.Node, what string) (conditions, error) {
	var c conditions
	if n, ok := m["when"]; ok {
		wm, err := p.Mapping(n, what+"的 when", "register", "classes", "post")
		if err != nil {
			return c, err
		}
		if r, ok := wm["register"]; ok {
			if r.Value != "grave" {
				return c, p.Err(r, "%s的 when.register 只能是 grave（伤亡、灾害等沉重场合）", what)
			}
			c.when.grave = true
		}
		if _, ok := wm["classes"]; ok {
			items, err := p.Sequence(wm, n, what+"的 when", "classes")
			if err != nil {
				return c, err
			}
			for _, it := range items {
				cl := Class(strings.TrimSpace(it.Value))
				if !cl.Valid() {
					return c, p.Err(it, "%s的 when.classes 中“%s”不是留言类别（可用：%s）", what, it.Value, classList())
				}
				c.when.classes = append(c.when.classes, cl)
			}
		}
		if v, ok := wm["post"]; ok {
			if v.Value != "true" {
				return c, p.Err(v, "%s的 when.post 只能是 true", what)
			}
			c.when.post = true
		}
	}
	var err error
	if c.with, err = p.groups(m, what, "with"); err != nil {
		return c, err
	}
	if c.unless, err = p.groups(m, what, "unless"); err != nil {
		return c, err
	}
	return c, nil
}

// groups reads a list of {scope, patterns}.
func (p *ruleParser) groups(m map[string]*yaml.Node, what, key string) ([]group, error) {
	if _, ok := m[key]; !ok {
		return nil, nil
	}
	items, err := p.Sequence(m, nil, what, key)
	if err != nil {
		return nil, err
	}
	var out []group
	for i, it := range items {
		gw := fmt.Sprintf("%s的 %s 第 %d 组", what, key, i+1)
		gm, err := p.Mapping(it, gw, "scope", "patterns", "test")
		if err != nil {
			return nil, err
		}
		g := group{scope: scopeSentence}
		if sc, ok := gm["scope"]; ok {
			g.scope = sc.Value
			if !slices.Contains([]string{scopeSentence, scopeNear, scopeText, scopePost}, g.scope) {
				return nil, p.Err(sc, "%s的 scope“%s”无效，只能是 sentence、near、text 或 post", gw, sc.Value)
			}
		}
		if tn, ok := gm["test"]; ok {
			mk, known := groupTests[tn.Value]
			if !known || gm["patterns"] != nil {
				return nil, p.Err(tn, "%s的 test 只能是 referral、time 或 concrete 之一，且不能与 patterns 同时出现", gw)
			}
			g.test = mk(p.ctx)
			out = append(out, g)
			continue
		}
		ps, err := p.patterns(gm, it, gw, "")
		if err != nil {
			return nil, err
		}
		srcs := make([]string, len(ps))
		for j, pt := range ps {
			srcs[j] = pt.re.String()
		}
		g.re = regexp.MustCompile("(?:" + strings.Join(srcs, ")|(?:") + ")")
		out = append(out, g)
	}
	return out, nil
}
