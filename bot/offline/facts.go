package offline

import (
	"govreply/bot"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// facts are what the department told the composer, decomposed into roles
// (facts.yaml): each sentence belongs to exactly one role, and a draft
// uses each sentence once, where its role belongs.
type facts struct {
	fields map[string][]string // role → sentences (each ending in 。！？ unless it is a bare value)
	unit   string              // the unit a line labelled 单位 names, "" if none
}

// has reports whether role has any text.
func (f *facts) has(role string) bool { return len(f.fields[role]) > 0 }

// text returns role's sentences joined.
func (f *facts) text(role string) string { return strings.Join(f.fields[role], "") }

// classifyPost returns the class the rules of classify.yaml give post.
func (d *composerData) classifyPost(post string) bot.Classification {
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
	return winner
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

// parseFacts decomposes free-text facts into roles. Mobile numbers are
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
		// A label covers its whole line; else each sentence finds its role.
		if role, rest, ok := d.label(line); ok {
			if slices.Contains(d.facts.KeepLabels, role) {
				rest = line
			}
			f.add(role, rest)
			continue
		}
		for _, s := range splitSentences(line) {
			role, rest, ok := d.label(s)
			if !ok {
				role, rest = d.guessRole(s), s
			}
			f.add(role, rest)
		}
	}
	return f
}

// add files text under role; a unit is kept as a name, not a sentence.
func (f *facts) add(role, text string) {
	text = strings.TrimSpace(text)
	if role == roleUnit {
		if f.unit == "" {
			f.unit = strings.TrimRight(text, "。！？；;，, ")
		}
		return
	}
	if s := sentence(text); s != "" {
		f.fields[role] = append(f.fields[role], s)
	}
}

// label recognises "措施：…" at the start of line.
func (d *composerData) label(line string) (role, rest string, ok bool) {
	i := strings.IndexAny(line, "：:")
	if i <= 0 || utf8.RuneCountInString(line[:i]) > 8 {
		return "", "", false
	}
	name := strings.TrimSpace(line[:i])
	for _, role := range factRoles {
		if slices.Contains(d.facts.Labels[role], name) {
			_, size := utf8.DecodeRuneInString(line[i:])
			return role, line[i+size:], true
		}
	}
	return "", "", false
}

// guessRole gives an unlabelled sentence its role: the first of
// facts.yaml's guesses it meets, else conclusion (what is known).
func (d *composerData) guessRole(s string) string {
	if d.isContact(s) {
		return roleChannel
	}
	for _, g := range d.facts.Guess {
		if g.re.MatchString(s) {
			return g.Role
		}
	}
	switch {
	case d.hasAction(s) && d.hasTime(s):
		return rolePlan
	case d.hasAction(s):
		return roleDone
	case d.hasTime(s):
		return rolePlan
	}
	return roleConclusion
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

// shortTime returns s as a bare time limit ("12月5日前", "3个工作日内")
// when it is one, with 前 appended to a bare date; ok is false when s is
// a sentence.
func (d *composerData) shortTime(s string) (string, bool) {
	v := strings.TrimRight(strings.TrimSpace(s), "。！？；;，, ")
	if v == "" || utf8.RuneCountInString(v) > d.facts.ShortTimeMax || d.hasAction(v) || !d.hasTime(v) {
		return "", false
	}
	// Nothing but the time and its little words (预计, 前, 内).
	rest := v
	for _, re := range d.facts.times {
		rest = re.ReplaceAllString(rest, "")
	}
	for _, w := range append([]string{"预计", "在", "起", "左右", "之前", "以前"}, d.facts.LimitEndings...) {
		rest = strings.ReplaceAll(rest, w, "")
	}
	if utf8.RuneCountInString(rest) > 1 {
		return "", false
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "预计"), "在")
	span := slices.ContainsFunc(d.facts.RangeMarks, func(m string) bool { return strings.Contains(v, m) })
	if !span && !slices.ContainsFunc(d.facts.LimitEndings, func(e string) bool { return strings.HasSuffix(v, e) }) {
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
