package offline

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/bot"
)

// renderer fills the templates' slots for one request.
type renderer struct {
	c        *Composer
	class    bot.Classification
	tone     bot.Tone
	an       bot.Analysis
	facts    *facts
	docs     []retrieved
	ask      string // the post's matter in its own words: place and subject
	post     string
	rumour   string       // the claim a rumour question or a rebuttal is about
	rebuttal bool         // an announcement that rebuts a rumour
	kind     string       // the request's kind (comment, reply, post)
	value    string       // what {value} renders inside the frame being filled
	tp       *templateDef // the template being rendered
	lean     bool         // leave out the template's ((…)) parts: the draft is over its limit
	shrunk   map[string]bool
	used     []*guidanceDef // guidance phrasings taken from retrieved documents
}

func (c *Composer) newRenderer(req bot.DraftRequest, an bot.Analysis, f *facts, docs []retrieved) *renderer {
	r := &renderer{c: c, class: an.Class, tone: req.Tone, kind: string(req.Kind), an: an, facts: f, docs: docs, shrunk: map[string]bool{}, post: req.Post}
	r.ask = an.Subject
	body := slices.ContainsFunc(c.data.tmpl.AskPlaceNot, func(e string) bool { return strings.HasSuffix(an.Place, e) })
	if an.Place != "" && an.Subject != "" && !body && !strings.Contains(an.Subject, an.Place) && !strings.Contains(an.Place, an.Subject) {
		r.ask = an.Place + an.Subject
	}
	r.rumour = c.data.rumourClaim(req.Post)
	if r.rumour == "" && (an.Class == bot.Rumour || an.Class == bot.Announcement) {
		r.rumour = an.Subject
	}
	r.rebuttal = an.Class == bot.Announcement && c.data.analyze.rebuttal.MatchString(req.Post)
	return r
}

// frame renders the frame key: the class's _urgent form for an
// emergency, else the template's own, else the class's _rebuttal form for
// a rebuttal, its _post form for a post, its plain form.
func (r *renderer) frame(key string) string { return r.frameWith(key, "") }

// frameWith renders a frame with value for its {value} slot.
func (r *renderer) frameWith(key, value string) string {
	fr := r.c.data.tmpl.frames[r.class]
	text, found := fr[key+"_urgent"]
	found = found && r.an.Urgent // an emergency's wording wins over all
	if !found && r.tp != nil {
		text, found = r.tp.Frames[key] // then the template's own wording
	}
	for _, form := range []struct {
		suffix string
		on     bool
	}{{"_rebuttal", r.rebuttal}, {"_post", r.kind == "post"}, {"", true}} {
		if found {
			break
		}
		text, found = fr[key+form.suffix]
		found = found && form.on
	}
	saved := r.value
	r.value = value
	defer func() { r.value = saved }()
	return r.fill(text)
}

var optionalRE = regexp.MustCompile(`\[\[(.*?)\]\]`)

// render fills text's slots. An optional part [[A||B]] is its first
// alternative whose slots all render non-empty, else nothing.
func (r *renderer) render(text string) string {
	r.used = r.used[:0]
	text = droppableRE.ReplaceAllStringFunc(text, func(part string) string {
		if r.lean {
			return ""
		}
		return part[2 : len(part)-2]
	})
	return r.fill(text)
}

// droppableRE matches a ((…)) part: a courtesy left out when the draft is
// over its length limit, before any fact gives way.
var droppableRE = regexp.MustCompile(`\(\((.*?)\)\)`)

func (r *renderer) fill(text string) string {
	text = optionalRE.ReplaceAllStringFunc(text, func(part string) string {
		for _, alt := range strings.Split(part[2:len(part)-2], "||") {
			empty := false
			out := slotRE.ReplaceAllStringFunc(alt, func(s string) string {
				v := r.slot(s[1 : len(s)-1])
				if v == "" {
					empty = true
				}
				return v
			})
			if !empty {
				return out
			}
		}
		return ""
	})
	return slotRE.ReplaceAllStringFunc(text, func(s string) string { return r.slot(s[1 : len(s)-1]) })
}

// slot renders one slot.
func (r *renderer) slot(name string) string {
	if id, ok := strings.CutPrefix(name, "g:"); ok {
		return r.phrase(r.c.data.tmpl.guide[id])
	}
	f := r.facts
	switch name {
	case "value":
		return r.value
	case "greet":
		return r.c.data.tmpl.Tones[r.tone]["greet"]
	case "ack":
		return r.fill(r.ack())
	case "ask":
		return r.ask
	case "subject":
		return r.an.Subject
	case "rumour":
		return r.rumour
	case "duration":
		if !r.c.data.tmpl.longDuration.MatchString(r.an.Duration) {
			return "" // 天天, 经常: how often, not how long it has lasted
		}
		return r.an.Duration
	case "emergency":
		if !r.an.Urgent {
			return ""
		}
		return r.frameWith("emergency", r.emergencyNumbers())
	case "title":
		if t := r.c.data.title(r.post, r.an.Subject); t != "" && !r.rebuttal {
			return t
		}
		return r.frame(name)
	case "next_update":
		return r.frame(name)
	case "unit":
		if f.unit == "" || r.mentioned(f.unit) {
			return ""
		}
		return r.frameWith("unit_given", f.unit)
	case "praised":
		if f.unit != "" {
			return f.unit
		}
		return r.frame("praised_missing")
	case roleDeadline:
		return r.deadline()
	case roleChannel:
		return r.channel()
	case roleSource:
		// A bare name (市气象台) is said through source_given.
		v := strings.TrimRight(f.text(roleSource), "。")
		if f.has(roleSource) && !r.shrunk[roleSource] && utf8.RuneCountInString(v) <= 24 && !strings.ContainsAny(v, "。，,；") && r.frame("source_given") != "" {
			return r.frameWith("source_given", v)
		}
		return r.fact(roleSource)
	case rolePlan:
		if !f.has(rolePlan) && f.has(roleDone) {
			return ""
		}
		return r.fact(rolePlan)
	}
	if slices.Contains(sentenceRoles, name) {
		return r.fact(name)
	}
	return ""
}

// ack is the acknowledgement for the post's class, tone and emotion.
func (r *renderer) ack() string {
	for _, ae := range r.c.data.tmpl.AckEmotion {
		if ae.Emotion == r.an.Emotion && slices.Contains(ae.Classes, r.class) {
			return ae.Text[r.tone]
		}
	}
	return r.c.data.tmpl.Ack[r.class][r.tone]
}

// emergencyNumbers are the numbers for the post's danger (templates.yaml
// emergency): the first entry whose words occur in the post's subject or
// analysis, else the last entry's.
func (r *renderer) emergencyNumbers() string {
	em := r.c.data.tmpl.Emergency
	for _, e := range em {
		if slices.ContainsFunc(e.Match, func(w string) bool {
			return strings.Contains(r.an.Subject, w) || strings.Contains(r.ask, w)
		}) {
			return e.Say
		}
	}
	return em[len(em)-1].Say
}

// mentioned reports whether a fact the draft carries names unit.
func (r *renderer) mentioned(unit string) bool {
	for _, role := range sentenceRoles {
		if !r.shrunk[role] && strings.Contains(r.facts.text(role), unit) {
			return true
		}
	}
	return false
}

// fact renders a role's sentences, the too_long frame when they had to
// give way, or the role's missing frame.
func (r *renderer) fact(role string) string {
	if !r.facts.has(role) {
		// A role another role answers needs no placeholder (an inquiry
		// answered by its conditions): frames.<role>_unless.
		for _, other := range strings.Fields(r.c.data.tmpl.frames[r.class][role+"_unless"]) {
			if r.facts.has(other) {
				return ""
			}
		}
		return r.frame(role + "_missing")
	}
	if r.shrunk[role] {
		what := ""
		for _, s := range shrinkable {
			if s.role == role {
				what = s.what
			}
		}
		return r.frameWith("too_long", what)
	}
	return r.facts.text(role)
}

// deadline renders the time limit: a bare time through deadline_time, a
// sentence as it is; nothing when what is done or planned already says
// when.
func (r *renderer) deadline() string {
	f := r.facts
	if !f.has(roleDeadline) {
		for _, role := range []string{roleDone, rolePlan, roleConclusion} {
			if f.has(role) && !r.shrunk[role] && r.c.data.hasTime(f.text(role)) {
				return ""
			}
		}
		return r.frame("deadline_missing")
	}
	if r.shrunk[roleDeadline] {
		return r.frameWith("too_long", "时间")
	}
	if v, ok := r.c.data.shortTime(f.text(roleDeadline)); ok && r.frame("deadline_time") != "" {
		return r.frameWith("deadline_time", v)
	}
	return f.text(roleDeadline)
}

// contactNoise is what may surround a number in a contact fact without
// making it a sentence.
var contactNoise = regexp.MustCompile(`服务热线|咨询电话|办公电话|值班电话|联系电话|热线|电话|拨打|或者|或|和|[0-9\-－—()（）、/ ]|【待核实：电话】`)

// channel renders the follow-up channel.
func (r *renderer) channel() string {
	f := r.facts
	if !f.has(roleChannel) {
		return r.frame("channel_missing")
	}
	if r.shrunk[roleChannel] {
		return r.frameWith("too_long", "联系方式")
	}
	v := strings.TrimRight(strings.TrimSpace(f.text(roleChannel)), "。！？；;，, ")
	numberish := contactNoise.ReplaceAllString(v, "") == "" && (strings.Contains(v, bot.Placeholder("电话")) || slices.ContainsFunc(r.c.data.facts.contact, func(re *regexp.Regexp) bool { return re.MatchString(v) }))
	starters := []string{"有", "请", "可", "如", "欢迎", "拨", "打", "致电", "也", "若", "您"}
	switch {
	case numberish:
		return r.frameWith("channel_number", v)
	case v == "私信" || v == "私信我们" || v == "本号私信" || v == "微博私信":
		return r.frame("channel_dm")
	case utf8.RuneCountInString(v) <= 24 && !strings.ContainsAny(v, "。！？，,") &&
		!slices.ContainsFunc(starters, func(s string) bool { return strings.HasPrefix(v, s) }):
		return r.frameWith("channel_text", v)
	}
	return f.text(roleChannel)
}

// phrase returns a guidance entry's phrasing when its document was
// retrieved for the post (and records it for citation), else its fallback.
func (r *renderer) phrase(g *guidanceDef) string {
	if slices.ContainsFunc(r.docs, func(d retrieved) bool { return d.doc == g.Doc }) {
		if !slices.Contains(r.used, g) {
			r.used = append(r.used, g)
		}
		return g.Text
	}
	return g.Fallback
}

// citations are the template's sources and the guidance phrasings used
// that the search retrieved, best-ranked document first, each document
// and section once, at most Guidance of them.
func (r *renderer) citations(tp *templateDef) []bot.Citation {
	type cand struct {
		rank int
		c    bot.Citation
	}
	var cs []cand
	add := func(doc, section string) {
		i := slices.IndexFunc(r.docs, func(d retrieved) bool { return d.doc == doc })
		if i < 0 || slices.ContainsFunc(cs, func(x cand) bool { return x.c.Doc == doc && x.c.Section == section }) {
			return
		}
		cs = append(cs, cand{i, bot.Citation{Doc: doc, Title: r.docs[i].title, Section: section}})
	}
	for _, ct := range tp.Cites {
		add(ct.Doc, ct.Section)
	}
	for _, g := range r.used {
		add(g.Doc, g.Section)
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.rank - b.rank })
	out := []bot.Citation{}
	for _, x := range cs[:min(len(cs), r.c.guidance)] {
		out = append(out, x.c)
	}
	return out
}

// list returns the facts as the response shows them: each sentence with
// its role, in role order, the unit last.
func (f *facts) list() []bot.Fact {
	var out []bot.Fact
	for _, role := range sentenceRoles {
		for _, s := range f.fields[role] {
			out = append(out, bot.Fact{Role: role, Text: s})
		}
	}
	if f.unit != "" {
		out = append(out, bot.Fact{Role: roleUnit, Text: f.unit})
	}
	return out
}

// overlap is the character-bigram overlap of a and b: shared bigrams over
// all bigrams (Jaccard), 1 for two texts too short to have any.
func overlap(a, b string) float64 {
	ba, bb := bigrams(a), bigrams(b)
	if len(ba) == 0 && len(bb) == 0 {
		return 1
	}
	shared := 0
	for g := range ba {
		if bb[g] {
			shared++
		}
	}
	return float64(shared) / float64(len(ba)+len(bb)-shared)
}

func bigrams(s string) map[[2]rune]bool {
	rs := []rune(s)
	out := make(map[[2]rune]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out[[2]rune{rs[i], rs[i+1]}] = true
	}
	return out
}
