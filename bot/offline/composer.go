// Package offline is the assistant without a model server: a Composer
// that drafts replies from templates, the facts given and the guidance
// retrieved for the post (data files in data/, embedded), an Answerer
// that quotes the knowledge base's passages closest to a question, and a
// Rewriter that replaces stock phrases by plainer wording (data/
// rewrite.yaml). Each checks its output with the reviewer. They implement
// the interfaces of package bot; bot/llm builds on them.
package offline

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/review"
)

// ComposerOptions configure NewComposer.
type ComposerOptions struct {
	// Retriever finds the guidance a draft rests on and cites. nil: drafts
	// cite nothing (and use the templates' fallback phrasing).
	Retriever *knowledge.Retriever
	// Reviewer checks every draft. nil: a reviewer with the built-in
	// phrase lists.
	Reviewer *review.Reviewer
	// Data holds classify.yaml, facts.yaml and templates.yaml (see the
	// comments in them). nil: the embedded defaults (DataFS).
	Data fs.FS
	// Guidance is how many guidance documents one draft cites at most;
	// 0 means 3.
	Guidance int
	// Depth is how many guidance documents (documents the data knows)
	// ranked highest for a post a draft may draw on; 0 means 6.
	Depth int
}

// Composer drafts replies offline from templates, the facts given and
// the tone guidance retrieved for the post; it needs no model server. It
// implements bot.Drafter and is safe for concurrent use.
type Composer struct {
	data      *composerData
	retriever *knowledge.Retriever
	reviewer  *review.Reviewer
	guidance  int
	depth     int
	known     map[string]bool // documents the data can draw on
}

var _ bot.Drafter = (*Composer)(nil)

// NewComposer checks the data files and returns a Composer.
func NewComposer(opts ComposerOptions) (*Composer, error) {
	fsys := opts.Data
	if fsys == nil {
		fsys = DataFS()
	}
	d, err := loadData(fsys)
	if err != nil {
		return nil, err
	}
	rv := opts.Reviewer
	if rv == nil {
		files, err := phrases.Load(builtin.PhrasesFS())
		if err != nil {
			return nil, errs.E("offline.NewComposer", errs.Internal, "内置审核短语表有误", err)
		}
		if rv, err = review.New(review.Options{Phrases: files}); err != nil {
			return nil, errs.E("offline.NewComposer", errs.Internal, "审核规则无法加载", err)
		}
	}
	c := &Composer{data: d, retriever: opts.Retriever, reviewer: rv, guidance: opts.Guidance, depth: opts.Depth, known: map[string]bool{}}
	if c.guidance <= 0 {
		c.guidance = 3
	}
	if c.depth <= 0 {
		c.depth = 6
	}
	for _, g := range d.tmpl.Guidance {
		c.known[g.Doc] = true
	}
	for _, t := range d.tmpl.Tmpls {
		for _, ct := range t.Cites {
			c.known[ct.Doc] = true
		}
	}
	return c, nil
}

// retrieved is a guidance document the search found for the post.
type retrieved struct {
	doc, title string
}

// search returns the depth guidance documents (documents the data can
// draw on) the knowledge base ranks highest for the post and its class,
// best first. Other documents are skipped before counting, and no
// retrieved text is ever copied into a draft, so a passage in the store
// cannot change what a draft says, nor push a guidance document out: the
// ranking only decides which of the known phrasings and citations apply.
func (c *Composer) search(ctx context.Context, post string, class bot.Classification) ([]retrieved, error) {
	if c.retriever == nil {
		return nil, nil
	}
	hits, err := c.retriever.Documents(ctx, knowledge.Request{Query: c.SearchQuery(post, class), K: 100})
	if err != nil {
		return nil, err
	}
	var out []retrieved
	for _, h := range hits {
		if !c.known[h.Doc] || slices.ContainsFunc(out, func(r retrieved) bool { return r.doc == h.Doc }) {
			continue
		}
		out = append(out, retrieved{h.Doc, h.Title})
		if len(out) == c.depth {
			break
		}
	}
	return out, nil
}

// SearchQuery is the query that finds guidance for a post of class: the
// class's query words (classify.yaml) and the post, cut to the
// retriever's limit.
func (c *Composer) SearchQuery(post string, class bot.Classification) string {
	q := post
	if extra := c.data.query(class); extra != "" {
		q = extra + " " + post
	}
	if rs := []rune(q); len(rs) > knowledge.MaxQueryRunes {
		q = string(rs[:knowledge.MaxQueryRunes])
	}
	return q
}

// Classify returns the class of a citizen's post (classify.yaml).
func (c *Composer) Classify(post string) bot.Classification {
	class, _ := c.data.classifyPost(post)
	return class
}

// Retriever returns the retriever the composer finds guidance with (nil
// when it has none).
func (c *Composer) Retriever() *knowledge.Retriever { return c.retriever }

// Reviewer returns the reviewer that checks every draft.
func (c *Composer) Reviewer() *review.Reviewer { return c.reviewer }

// MaxCitations is how many guidance documents one draft cites at most.
func (c *Composer) MaxCitations() int { return c.guidance }

// Draft implements bot.Drafter.
func (c *Composer) Draft(ctx context.Context, req bot.DraftRequest) (bot.DraftResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.DraftResponse{}, err
	}
	analysis := c.data.analyzePost(req.Post)
	// The templates are by class; a staff request for a post (发布) is
	// drafted with those of what it is about.
	class, topic := c.data.classifyPost(req.Post)
	if analysis.Subject != "" {
		topic = analysis.Subject // the citizen's own words for it
	}
	docs, err := c.search(ctx, req.Post, class)
	if err != nil {
		return bot.DraftResponse{}, errs.E("offline.Draft", "检索写作指引失败", err)
	}
	fc := c.data.parseFacts(req.Facts)
	if err := c.sanitize(fc); err != nil {
		return bot.DraftResponse{}, err
	}
	resp := bot.DraftResponse{Classification: class, Analysis: &analysis, Drafts: []bot.Variant{}, ToVerify: []string{}}
	// Drafts that pass come first; then, up to three, drafts whose review
	// passes but whose self-check does not (marked so); drafts with an
	// error finding only when there is nothing else.
	var passing, unchecked, failing []bot.Variant
	seen := map[string]bool{}
	for _, tp := range c.data.tmpl.byCombo[comboKey{class, req.Kind, req.Tone}] {
		if len(passing) == 3 {
			break
		}
		v, ok, err := c.variant(tp, class, topic, req, fc, docs)
		if err != nil {
			return bot.DraftResponse{}, err
		}
		if !ok || seen[v.Text] {
			continue
		}
		seen[v.Text] = true
		v.Check = c.data.selfCheck(analysis, fc, req.Kind, v.Text, v.Review)
		switch {
		case v.Passes():
			passing = append(passing, v)
		case v.Review.Pass:
			unchecked = append(unchecked, v)
		default:
			failing = append(failing, v)
		}
	}
	resp.Drafts = append(passing, unchecked...)
	if len(resp.Drafts) == 0 {
		resp.Drafts = failing
	}
	resp.Drafts = resp.Drafts[:min(len(resp.Drafts), 3)]
	if len(resp.Drafts) == 0 { // every template was over the limit: cannot happen with the shipped data (tested)
		return bot.DraftResponse{}, errs.E("offline.Draft", errs.Internal, errors.New("no template fits the length limit"))
	}
	resp.ToVerify = c.ToVerify(resp.Drafts)
	return resp, nil
}

// shrinkable fact slots, in the order they give way when a draft is too
// long, with the words for what the drafter must shorten.
var shrinkable = []struct{ slot, what string }{
	{"happened", "情况说明"},
	{"action", "措施"},
	{"contact", "联系方式"},
	{"deadline", "时间"},
}

// variant renders one template, fits it to the kind's limit, replaces
// what the reviewer will not pass and reviews it. ok is false when it
// cannot be made to fit.
func (c *Composer) variant(tp *templateDef, class bot.Classification, topic string, req bot.DraftRequest, f *facts, docs []retrieved) (bot.Variant, bool, error) {
	r := &renderer{c: c, class: class, topic: topic, tone: req.Tone, facts: f, docs: docs, shrunk: map[string]bool{}}
	limit := req.Kind.Limit()
	text := r.render(tp.Text)
	for _, s := range shrinkable {
		if review.Length(text) <= limit {
			break
		}
		r.shrunk[s.slot] = true
		text = r.render(tp.Text)
	}
	if review.Length(text) > limit {
		return bot.Variant{}, false, nil
	}
	rc := reviewContext(req, class)
	rv, err := c.reviewer.ReviewWith(text, req.Kind, rc)
	if err != nil {
		return bot.Variant{}, false, err
	}
	// The templates pass the reviewer (tested); an error finding comes
	// from the facts. Replace what it flags, a few rounds at most.
	for round := 0; round < 3 && !rv.Pass; round++ {
		fixed := scrub(text, rv.Findings)
		if fixed == text || review.Length(fixed) > limit {
			break
		}
		text = fixed
		if rv, err = c.reviewer.ReviewWith(text, req.Kind, rc); err != nil {
			return bot.Variant{}, false, err
		}
	}
	return bot.Variant{Text: text, Review: rv, Citations: r.citations(tp)}, true, nil
}

// reviewContext is what the reviewer knows of a draft for req: the post
// it answers and its class, so that its warnings fit (praise needs no
// timeline). A post of the account's own answers no one.
func reviewContext(req bot.DraftRequest, class bot.Classification) review.Context {
	if req.Kind == review.KindPost {
		return review.Context{}
	}
	return review.Context{Post: req.Post, Class: class}
}

// sanitize reviews each fact sentence on its own and replaces what the
// reviewer will not pass (a citizen's address, 临时工, 内部通报 …) by a
// placeholder, before the facts go into any draft.
func (c *Composer) sanitize(f *facts) error {
	for field, ss := range f.fields {
		for i, s := range ss {
			rv, err := c.reviewer.Review(s, review.KindPost)
			if err != nil {
				return err
			}
			if !rv.Pass {
				f.fields[field][i] = scrub(s, rv.Findings)
			}
		}
	}
	return nil
}

// scrub replaces the span of every error finding (other than length) by a
// placeholder naming the problem.
func scrub(text string, findings []review.Finding) string {
	rs := []rune(text)
	var errs []review.Finding
	for _, f := range findings {
		if f.Severity == review.SeverityError && f.Category != "length" && f.End > f.Start {
			errs = append(errs, f)
		}
	}
	// Right to left, skipping overlaps, so offsets stay valid.
	slices.SortFunc(errs, func(a, b review.Finding) int { return b.Start - a.Start })
	next := len(rs) + 1
	for _, f := range errs {
		if f.End > next || f.End > len(rs) {
			continue
		}
		what := bot.ProblemName(f.Category)
		if what == "" {
			what = "审核未通过"
		}
		ph := []rune(bot.Placeholder("不宜公开的内容（" + what + "）"))
		rs = slices.Concat(rs[:f.Start], ph, rs[f.End:])
		next = f.Start
	}
	return string(rs)
}

var placeholderRE = regexp.MustCompile(`【待核实：([^】]*)】`)

// ToVerify lists what the drafts leave for the drafter, in order of first
// appearance, explained by templates.yaml's verify entries.
func (c *Composer) ToVerify(vs []bot.Variant) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range vs {
		for _, m := range placeholderRE.FindAllStringSubmatch(v.Text, -1) {
			item := m[1]
			if seen[item] {
				continue
			}
			seen[item] = true
			out = append(out, c.explain(item))
		}
	}
	return out
}

// explain turns a placeholder's text into a to-do for the drafter.
func (c *Composer) explain(item string) string {
	if e, ok := c.data.tmpl.Verify[item]; ok {
		return e
	}
	if head, rest, ok := strings.Cut(item, "（"); ok {
		if e, ok := c.data.tmpl.Verify[head]; ok {
			return e + "原因：" + strings.TrimSuffix(rest, "）") + "。"
		}
	}
	return item + "。"
}

// renderer fills one template's slots for one request.
type renderer struct {
	c      *Composer
	class  bot.Classification
	topic  string
	tone   bot.Tone
	facts  *facts
	docs   []retrieved
	shrunk map[string]bool // fact slots replaced by the too_long frame
	used   []*guidanceDef  // guidance phrasings taken from retrieved documents
}

func (r *renderer) frame(key string) string { return r.c.data.tmpl.frames[r.class][key] }

var optionalRE = regexp.MustCompile(`\[\[(.*?)\]\]`)

// render fills text's slots; an optional part [[…]] is left out when any
// slot in it renders empty.
func (r *renderer) render(text string) string {
	r.used = r.used[:0]
	return r.fill(text)
}

func (r *renderer) fill(text string) string {
	text = optionalRE.ReplaceAllStringFunc(text, func(part string) string {
		inner := part[2 : len(part)-2]
		empty := false
		out := slotRE.ReplaceAllStringFunc(inner, func(s string) string {
			v := r.slot(s[1 : len(s)-1])
			if v == "" {
				empty = true
			}
			return v
		})
		if empty {
			return ""
		}
		return out
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
	case "greet":
		return r.c.data.tmpl.Tones[r.tone]["greet"]
	case "topic":
		return r.topic
	case "empathy":
		return r.fill(r.c.data.tmpl.Empathy[r.class][r.tone])
	case "happened":
		if r.answerFromAction() {
			return r.fact(fieldAction, "答复内容", "happened_missing")
		}
		return r.fact(fieldHappened, "情况说明", "happened_missing")
	case "action":
		if r.answerFromAction() {
			return r.frame("action_missing")
		}
		return r.fact(fieldAction, "措施", "action_missing")
	case "unit":
		switch {
		case f.unit == "":
			return r.frame("unit_missing")
		case r.mentioned(f.unit):
			return ""
		}
		return strings.ReplaceAll(r.frame("unit_given"), "{value}", f.unit)
	case "unit_name":
		if f.unit != "" {
			return f.unit
		}
		return r.frame("unit_name_missing")
	case "deadline":
		return r.deadline()
	case "contact":
		return r.contact()
	}
	return ""
}

// answerFromAction reports whether the action facts stand in for the
// missing happened facts (frames.happened_from_action).
func (r *renderer) answerFromAction() bool {
	return r.frame("happened_from_action") == "yes" && !r.facts.has(fieldHappened) && r.facts.has(fieldAction)
}

// mentioned reports whether a fact the draft carries names unit.
func (r *renderer) mentioned(unit string) bool {
	for _, field := range []string{fieldHappened, fieldAction, fieldDeadline, fieldContact} {
		if !r.shrunk[field] && strings.Contains(r.facts.text(field), unit) {
			return true
		}
	}
	return false
}

// fact renders a fact field, its too_long frame when it had to give way,
// or the missing frame.
func (r *renderer) fact(field, what, missing string) string {
	if !r.facts.has(field) {
		return r.frame(missing)
	}
	if r.shrunk[field] {
		if r.frame(missing) == "" { // not needed: leave it out
			return ""
		}
		return strings.ReplaceAll(r.frame("too_long"), "{what}", what)
	}
	return r.facts.text(field)
}

// deadline renders the time limit: a bare time through deadline_time, a
// sentence as it is; nothing when the action already says when.
func (r *renderer) deadline() string {
	f := r.facts
	if !f.has(fieldDeadline) {
		if f.has(fieldAction) && !r.shrunk[fieldAction] && r.c.data.hasTime(f.text(fieldAction)) {
			return ""
		}
		return r.frame("deadline_missing")
	}
	if r.shrunk[fieldDeadline] {
		return strings.ReplaceAll(r.frame("too_long"), "{what}", "时间")
	}
	if v, ok := r.c.data.shortTime(f.text(fieldDeadline)); ok && r.frame("deadline_time") != "" {
		return strings.ReplaceAll(r.frame("deadline_time"), "{value}", v)
	}
	return f.text(fieldDeadline)
}

// contactNoise is what may surround a number in a contact fact without
// making it a sentence.
var contactNoise = regexp.MustCompile(`服务热线|咨询电话|办公电话|值班电话|联系电话|热线|电话|拨打|或者|或|和|[0-9\-－—()（）、/ ]|【待核实：电话】`)

// contact renders the follow-up channel.
func (r *renderer) contact() string {
	f := r.facts
	if !f.has(fieldContact) {
		return r.frame("contact_missing")
	}
	if r.shrunk[fieldContact] {
		return strings.ReplaceAll(r.frame("too_long"), "{what}", "联系方式")
	}
	v := strings.TrimRight(strings.TrimSpace(f.text(fieldContact)), "。！？；;，, ")
	numberish := contactNoise.ReplaceAllString(v, "") == "" && (strings.Contains(v, bot.Placeholder("电话")) || slices.ContainsFunc(r.c.data.facts.contact, func(re *regexp.Regexp) bool { return re.MatchString(v) }))
	starters := []string{"有", "请", "可", "如", "欢迎", "拨", "打", "致电", "也", "若", "您"}
	switch {
	case numberish:
		return strings.ReplaceAll(r.frame("contact_number"), "{value}", v)
	case v == "私信" || v == "私信我们" || v == "本号私信" || v == "微博私信":
		return r.frame("contact_dm")
	case utf8.RuneCountInString(v) <= 24 && !strings.ContainsAny(v, "。！？，,") &&
		!slices.ContainsFunc(starters, func(s string) bool { return strings.HasPrefix(v, s) }):
		return strings.ReplaceAll(r.frame("contact_text"), "{value}", v)
	}
	return f.text(fieldContact)
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
