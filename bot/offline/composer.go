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
// best first. It searches the built-in collection, where the guidance
// lives, so a department's documents (which also change the corpus's
// term weights) cannot reorder it; other documents are skipped before
// counting, and no retrieved text is ever copied into a draft, so a
// passage in the store cannot change what a draft says, nor push a
// guidance document out: the ranking only decides which of the known
// phrasings and citations apply.
func (c *Composer) search(ctx context.Context, post string, class bot.Classification) ([]retrieved, error) {
	if c.retriever == nil {
		return nil, nil
	}
	hits, err := c.retriever.Documents(ctx, knowledge.Request{Query: c.SearchQuery(post, class), K: 100, Collection: builtin.Collection})
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
	class := analysis.Class
	docs, err := c.search(ctx, req.Post, class)
	if err != nil {
		return bot.DraftResponse{}, errs.E("offline.Draft", "检索写作指引失败", err)
	}
	fc := c.data.parseFacts(req.Facts)
	if class == bot.Announcement && !fc.has(roleConclusion) {
		// A staff request often states what to announce after a colon
		// (发个通知：明天上午9点到12点解放路停电): that is the key fact.
		if _, what, ok := strings.Cut(strings.ReplaceAll(req.Post, ":", "："), "："); ok && utf8.RuneCountInString(what) >= 6 {
			fc.fields[roleConclusion] = []string{sentence(what)}
		}
	}
	if err := c.sanitize(fc); err != nil {
		return bot.DraftResponse{}, err
	}
	resp := bot.DraftResponse{Classification: class, Analysis: &analysis, Facts: fc.list(),
		Drafts: []bot.Variant{}, ToVerify: []string{}}
	r := c.newRenderer(req, analysis, fc, docs)
	// Drafts that pass come first; then, up to three, drafts whose review
	// passes but whose self-check does not (marked so); drafts with an
	// error finding only when there is nothing else.
	var passing, similar, unchecked, failing []bot.Variant
	seen := map[string]bool{}
	for _, tp := range c.data.tmpl.byCombo[comboKey{class, req.Kind, req.Tone}] {
		if len(passing) == 3 {
			break
		}
		if tp.Rebuttal != nil && *tp.Rebuttal != r.rebuttal {
			continue
		}
		v, ok, err := c.variant(tp, r, req)
		if err != nil {
			return bot.DraftResponse{}, err
		}
		if !ok || seen[v.Text] {
			continue
		}
		seen[v.Text] = true
		v.Check = c.data.selfCheck(analysis, fc, req.Kind, v.Text, v.Review)
		switch {
		case v.Passes() && c.tooClose(v, passing):
			similar = append(similar, v)
		case v.Passes():
			passing = append(passing, v)
		case v.Review.Pass:
			unchecked = append(unchecked, v)
		default:
			failing = append(failing, v)
		}
	}
	resp.Drafts = slices.Concat(passing, similar, unchecked)
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

// tooClose reports whether v says nearly what one of vs says: variants
// are meant to differ (templates.yaml max_overlap).
func (c *Composer) tooClose(v bot.Variant, vs []bot.Variant) bool {
	return slices.ContainsFunc(vs, func(w bot.Variant) bool { return overlap(v.Text, w.Text) >= c.data.tmpl.MaxOverlap })
}

// shrinkable roles, in the order they give way to the too_long frame
// when a draft is too long, with the words for what the drafter must
// shorten.
var shrinkable = []struct{ role, what string }{
	{roleCause, "原因"},
	{roleConclusion, "情况说明"},
	{roleConditions, "条件和材料"},
	{roleDone, "已采取的措施"},
	{rolePlan, "下一步安排"},
	{roleAdvice, "提醒事项"},
	{rolePlace, "地点"},
	{roleChannel, "联系方式"},
	{roleSource, "信息来源"},
	{roleDeadline, "时间"},
}

// variant renders one template, fits it to the kind's limit, replaces
// what the reviewer will not pass and reviews it. ok is false when it
// cannot be made to fit.
func (c *Composer) variant(tp *templateDef, r *renderer, req bot.DraftRequest) (bot.Variant, bool, error) {
	r.shrunk, r.tp, r.lean = map[string]bool{}, tp, false
	limit := req.Kind.Limit()
	text := r.render(tp.Text)
	if review.Length(text) > limit { // the courtesies give way first
		r.lean = true
		text = r.render(tp.Text)
	}
	for _, s := range shrinkable {
		if review.Length(text) <= limit {
			break
		}
		if r.facts.has(s.role) {
			r.shrunk[s.role] = true
			text = r.render(tp.Text)
		}
	}
	if review.Length(text) > limit {
		return bot.Variant{}, false, nil
	}
	rc := reviewContext(req, r.class)
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
	return bot.Variant{Style: tp.Name, Text: text, Review: rv, Citations: r.citations(tp)}, true, nil
}

// reviewContext is what the reviewer knows of a draft for req: the post
// it answers and its class, so that its warnings fit (praise needs no
// timeline). A post of the account's own answers no one.
func reviewContext(req bot.DraftRequest, class bot.Classification) review.Context {
	if req.Kind == review.KindPost || class == bot.Announcement {
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

// explain turns a placeholder's text into a to-do for the drafter: the
// verify entry its text ends with (placeholders name the post's subject
// first: 幸福里小区热水恢复时间), the reason in （） kept.
func (c *Composer) explain(item string) string {
	head, reason, _ := strings.Cut(item, "（")
	best := ""
	for k := range c.data.tmpl.Verify {
		if strings.HasSuffix(head, k) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" {
		return item + "。"
	}
	e := c.data.tmpl.Verify[best]
	if subject := strings.TrimSuffix(head, best); subject != "" {
		e = strings.TrimSuffix(subject, "的") + "：" + e
	}
	if reason != "" {
		e += "原因：" + strings.TrimSuffix(reason, "）") + "。"
	}
	return e
}
