package offline

import (
	"govreply/bot"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// facts are what the department told the composer, sorted into fields.
type facts struct {
	fields map[string][]string // field → sentences (each ending in 。！？ unless it is a bare value)
	unit   string              // the first responsible unit named anywhere, "" if none
}

// has reports whether field has any text.
func (f *facts) has(field string) bool { return len(f.fields[field]) > 0 }

// text returns field's sentences joined.
func (f *facts) text(field string) string { return strings.Join(f.fields[field], "") }

// classify returns the class of post and its topic ("" when none).
func (d *composerData) classifyPost(post string) (bot.Classification, string) {
	best, bestScore := bot.Other, 0
	var winner bot.Classification
	for _, c := range d.classify.Classes {
		score := 0
		for _, k := range c.Keywords {
			if strings.Contains(post, k.Word) {
				score += k.Weight
			}
		}
		for i, re := range c.res {
			if re.MatchString(post) {
				score += c.Patterns[i].Weight
			}
		}
		if score < c.MinScore {
			continue
		}
		if c.Decisive {
			winner = c.Class
			break
		}
		if score > bestScore {
			best, bestScore = c.Class, score
		}
	}
	if winner == "" {
		winner = best
	}
	topic := ""
	for _, t := range d.classify.Topics {
		if slices.ContainsFunc(t.Match, func(w string) bool { return strings.Contains(post, w) }) {
			topic = t.Say
			break
		}
	}
	return winner, topic
}

// query returns the search words of class c.
func (d *composerData) query(c bot.Classification) string {
	for _, cd := range d.classify.Classes {
		if cd.Class == c {
			return cd.Query
		}
	}
	return d.classify.OtherQuery
}

// parseFacts sorts free-text facts into fields. Mobile numbers are
// replaced by a placeholder first: a public reply never carries one (it
// may be a citizen's), and the drafter is told so.
func (d *composerData) parseFacts(text string) *facts {
	f := &facts{fields: map[string][]string{}}
	text = d.facts.mobile.ReplaceAllStringFunc(text, func(m string) string {
		if len(m) != 11 { // part of a longer number: a card, an order number, not a mobile
			return m
		}
		return bot.Placeholder("电话")
	})
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*·•0123456789.、）)"))
		if line == "" {
			continue
		}
		if field, rest, ok := d.label(line); ok {
			if rest = strings.TrimSpace(rest); rest != "" {
				if field == fieldUnit {
					if f.unit == "" {
						f.unit = strings.TrimRight(rest, "。！？；;，, ")
					}
					continue
				}
				f.fields[field] = append(f.fields[field], sentence(rest))
			}
			continue
		}
		for _, s := range splitSentences(line) {
			field, rest, ok := d.label(s)
			switch {
			case ok && field == fieldUnit:
				if f.unit == "" {
					f.unit = strings.TrimRight(strings.TrimSpace(rest), "。！？；;，, ")
				}
				continue
			case ok:
				s = rest
			default:
				field = d.guessField(s)
			}
			if s = sentence(s); s != "" {
				f.fields[field] = append(f.fields[field], s)
			}
		}
	}
	if f.unit == "" {
		for _, field := range []string{fieldAction, fieldHappened, fieldDeadline, fieldContact} {
			if u := d.findUnit(f.text(field)); u != "" {
				f.unit = u
				break
			}
		}
	}
	return f
}

// label recognises "措施：…" at the start of line.
func (d *composerData) label(line string) (field, rest string, ok bool) {
	i := strings.IndexAny(line, "：:")
	if i <= 0 || utf8.RuneCountInString(line[:i]) > 8 {
		return "", "", false
	}
	name := strings.TrimSpace(line[:i])
	for _, field := range factFields {
		if slices.Contains(d.facts.Labels[field], name) {
			_, size := utf8.DecodeRuneInString(line[i:])
			return field, line[i+size:], true
		}
	}
	return "", "", false
}

// guessField sorts an unlabelled sentence: contact, action, deadline,
// else happened.
func (d *composerData) guessField(s string) string {
	switch {
	case d.isContact(s):
		return fieldContact
	case d.hasAction(s):
		return fieldAction
	case d.hasTime(s):
		return fieldDeadline
	}
	return fieldHappened
}

func (d *composerData) isContact(s string) bool {
	if slices.ContainsFunc(d.facts.ContactWords, func(w string) bool { return strings.Contains(s, w) }) {
		return true
	}
	if strings.Contains(s, bot.Placeholder("电话")) {
		return true
	}
	return slices.ContainsFunc(d.facts.contact, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

func (d *composerData) hasAction(s string) bool {
	return slices.ContainsFunc(d.facts.ActionWords, func(w string) bool { return strings.Contains(s, w) })
}

func (d *composerData) hasTime(s string) bool {
	for _, re := range d.facts.times {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// findUnit returns the first specific unit named in s ("区水务局"), or "".
func (d *composerData) findUnit(s string) string {
	for _, m := range d.facts.unit.FindAllString(s, -1) {
		m = d.trimUnit(m)
		if slices.Contains(d.facts.GenericUnits, m) {
			continue
		}
		if slices.ContainsFunc(d.facts.GenericUnits, func(g string) bool { return strings.HasSuffix(m, g) }) {
			continue
		}
		if slices.ContainsFunc(d.facts.SelfPrefixes, func(p string) bool { return strings.HasPrefix(m, p) }) {
			continue
		}
		if utf8.RuneCountInString(m) < 2 || slices.Contains(d.facts.UnitSuffixes, m) {
			continue
		}
		return m
	}
	return ""
}

// trimUnit drops the verbs a unit match may start with ("安排城管中队" →
// "城管中队"): unit_trim and action words.
func (d *composerData) trimUnit(m string) string {
	for {
		cut := false
		for _, w := range slices.Concat(d.facts.UnitTrim, d.facts.ActionWords) {
			if rest, ok := strings.CutPrefix(m, w); ok && rest != "" {
				m, cut = rest, true
			}
		}
		if !cut {
			return m
		}
	}
}

// shortTime returns s as a bare time limit ("12月5日前", "3个工作日内")
// when it is one, with 前 appended to a bare date; ok is false when s is
// a sentence.
func (d *composerData) shortTime(s string) (string, bool) {
	v := strings.TrimRight(strings.TrimSpace(s), "。！？；;，, ")
	if v == "" || utf8.RuneCountInString(v) > d.facts.ShortTimeMax || d.hasAction(v) || !d.hasTime(v) {
		return "", false
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "预计"), "在")
	if !slices.ContainsFunc(d.facts.LimitEndings, func(e string) bool { return strings.HasSuffix(v, e) }) {
		v += "前"
	}
	return v, true
}

// splitSentences splits a line after 。！？；; and !?, keeping the marks.
func splitSentences(line string) []string {
	var out []string
	start := 0
	for i, r := range line {
		if strings.ContainsRune("。！？；;!?", r) {
			end := i + utf8.RuneLen(r)
			if s := strings.TrimSpace(line[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(line[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// sentence ends s with a full stop when it has no end mark, and turns a
// trailing ; or ， into one.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, "；;，,、 ")
	if s == "" {
		return ""
	}
	if last, _ := utf8.DecodeLastRuneInString(s); strings.ContainsRune("。！？!?", last) {
		return s
	}
	return s + "。"
}
