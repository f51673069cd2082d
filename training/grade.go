package training

// The rule-based grader of drill replies. How the score is made is
// described in training/README.md ("How a reply is scored"); the numbers
// are in _grading.yaml of the scenario data.

import (
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	"govreply/review"
)

// GradeResult is the outcome of grading one reply to a scenario (the
// response of POST /v1/training/attempts).
type GradeResult struct {
	Scenario string          `json:"scenario"`
	Score    int             `json:"score"` // 0–100
	Elements []ElementResult `json:"elements"`
	// Review is the reviewer's review of the reply with the scenario's
	// post and class as context; nil when the reply could not be reviewed
	// (an empty reply).
	Review *review.Review `json:"review"`
	// ElementScore is the score of the elements alone, before penalties
	// and caps.
	ElementScore int            `json:"element_score"`
	Penalties    []GradePenalty `json:"penalties"`
	Message      string         `json:"message"` // a one-line summary for the trainee (Chinese)
	ModelReply   string         `json:"model_reply"`
	Outcome      string         `json:"outcome,omitempty"`
	Lessons      []string       `json:"lessons"`
	Read         []GradeReading `json:"read"` // the guideline sections to read
}

// ElementResult is one element of a scenario, met or not in a reply.
type ElementResult struct {
	Element string `json:"element"` // the element id
	Name    string `json:"name"`
	Met     bool   `json:"met"`
	Guard   bool   `json:"guard,omitempty"` // a line not to cross rather than a thing to write
	Weight  int    `json:"weight"`
	// Evidence are the words of the reply that meet the element (none for
	// a guard, which is met by what is absent).
	Evidence []GradeSpan `json:"evidence"`
	// Reason says why the element is not met (Chinese); Offending are
	// the words that broke it, when words did.
	Reason    string      `json:"reason,omitempty"`
	Offending []GradeSpan `json:"offending,omitempty"`
	Hint      string      `json:"hint"`
	Source    Source      `json:"source"`
}

// Kinds of GradePenalty.
const (
	PenaltyEmpty         = "empty"          // nothing to grade
	PenaltyGuard         = "guard"          // a guard element not met
	PenaltyElementCap    = "element_cap"    // an element with a cap not met
	PenaltyReviewError   = "review_error"   // an error finding of the reviewer
	PenaltyReviewWarning = "review_warning" // a warning finding the elements do not measure
	PenaltyInvented      = "invented"       // a time, number or place not in the facts
	PenaltyCopy          = "copy"           // the reply mostly repeats the post
	PenaltyLength        = "length"         // over the kind's length limit
)

// GradePenalty is one deduction or cap of a score.
type GradePenalty struct {
	Kind    string     `json:"kind"`
	Points  int        `json:"points"`        // points deducted (0 for a cap alone)
	Cap     int        `json:"cap,omitempty"` // the score is at most this (0: no cap)
	Message string     `json:"message"`
	Span    *GradeSpan `json:"span,omitempty"`
	Source  *Source    `json:"source,omitempty"`
}

// GradeReading is a guideline section to read after an attempt, and why.
type GradeReading struct {
	Source
	Title string `json:"title"` // the document's title
	Why   string `json:"why"`   // the element or finding that sends the trainee there
}

// GradeOptions configure NewGrader.
type GradeOptions struct {
	// Reviewer reviews the reply; nil means the built-in phrase lists and
	// rule files (as serve builds it).
	Reviewer *review.Reviewer
	// Rules holds _grading.yaml at its root; nil means the embedded
	// scenario data (ScenarioDataFS).
	Rules fs.FS
	// Docs are the knowledge base documents, for the titles of the
	// sections to read; nil means builtin.FS.
	Docs fs.FS
}

// Grader grades replies to scenarios. It is safe for concurrent use.
type Grader struct {
	rv     *review.Reviewer
	rules  *gradeRules
	titles map[string]string
}

// NewGrader returns a Grader.
func NewGrader(opts GradeOptions) (*Grader, error) {
	const op = "training.NewGrader"
	if opts.Rules == nil {
		opts.Rules = ScenarioDataFS()
	}
	if opts.Docs == nil {
		opts.Docs = builtin.FS()
	}
	rules, err := loadGradeRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	_, titles, err := faq.ReadSections(opts.Docs)
	if err != nil {
		return nil, err
	}
	rv := opts.Reviewer
	if rv == nil {
		files, err := phrases.Load(builtin.PhrasesFS())
		if err != nil {
			return nil, errs.E(op, errs.Internal, "内置审核短语表有误", err)
		}
		if rv, err = review.New(review.Options{Phrases: files}); err != nil {
			return nil, errs.E(op, errs.Internal, "审核规则无法加载", err)
		}
	}
	return &Grader{rv: rv, rules: rules, titles: titles}, nil
}

var (
	defaultGraderOnce sync.Once
	defaultGrader     *Grader
	defaultGraderErr  error
)

// DefaultGrader returns the Grader with the built-in reviewer and rules,
// built once.
func DefaultGrader() (*Grader, error) {
	defaultGraderOnce.Do(func() { defaultGrader, defaultGraderErr = NewGrader(GradeOptions{}) })
	return defaultGrader, defaultGraderErr
}

// Grade grades reply to sc with the DefaultGrader. If the built-in rules
// cannot be loaded (the tests prevent it), the result has score 0 and
// says so.
func Grade(sc Scenario, reply string) GradeResult {
	g, err := DefaultGrader()
	if err != nil {
		res := baseResult(sc)
		res.Message = "评分规则无法加载：" + errs.MessageOf(err)
		return res
	}
	return g.Grade(sc, reply)
}

// baseResult is the part of a result that does not depend on the reply.
func baseResult(sc Scenario) GradeResult {
	return GradeResult{Scenario: sc.ID, ModelReply: sc.ModelReply, Outcome: sc.Outcome,
		Lessons: sc.Lessons, Elements: []ElementResult{}, Penalties: []GradePenalty{}, Read: []GradeReading{}}
}

// grading is the state of grading one reply.
type grading struct {
	g        *Grader
	sc       Scenario
	t        *normText
	rv       *review.Review
	invented []figure
	facts    *factIndex
	quotes   [][2]int // quoted byte ranges of t.norm, computed on first use
}

// Grade grades reply to sc. The same reply to the same scenario always
// gets the same result.
func (g *Grader) Grade(sc Scenario, reply string) GradeResult {
	res := baseResult(sc)
	c, err := sc.compiled()
	if err != nil {
		res.Message = "场景数据有误：" + err.Error()
		return res
	}
	if strings.TrimSpace(reply) == "" {
		res.Penalties = append(res.Penalties, GradePenalty{Kind: PenaltyEmpty, Message: "回复是空的：请写出要发布的回复再提交。"})
		for _, e := range sc.Elements {
			res.Elements = append(res.Elements, ElementResult{Element: e.ID, Name: e.Name, Guard: e.Guard(),
				Weight: e.Weight, Evidence: []GradeSpan{}, Reason: "回复是空的。", Hint: e.Hint, Source: e.Source})
		}
		res.Message = "0 分：回复是空的。"
		g.addReadings(&res)
		return res
	}
	ctx := review.Context{Class: sc.Class}
	if sc.Kind.Replying() {
		ctx.Post = sc.Post
	}
	rv, err := g.rv.ReviewWith(reply, sc.Kind, ctx)
	if err != nil {
		res.Penalties = append(res.Penalties, GradePenalty{Kind: PenaltyEmpty, Message: "这条回复无法审核：" + errs.MessageOf(err)})
		res.Message = "0 分：" + errs.MessageOf(err)
		return res
	}
	res.Review = &rv
	st := &grading{g: g, sc: sc, t: normalize(reply), rv: &rv, facts: g.rules.indexFacts(sc)}
	for _, f := range g.rules.figures(st.t, sc.Places) {
		if !st.facts.supports(g.rules, f) {
			st.invented = append(st.invented, f)
		}
	}
	for i, e := range sc.Elements {
		res.Elements = append(res.Elements, st.matchElement(e, c.elements[i], c.facts))
	}
	st.score(&res, reply)
	g.addReadings(&res)
	return res
}

// matchElement decides whether the reply meets e.
func (st *grading) matchElement(e Element, ce compiledElement, facts map[string]compiledFact) ElementResult {
	r := ElementResult{Element: e.ID, Name: e.Name, Guard: e.Guard(), Weight: e.Weight, Hint: e.Hint,
		Source: e.Source, Evidence: []GradeSpan{}}
	var misses []string
	held := 0
	// cond records one positive condition: its evidence when it holds, or
	// why not.
	cond := func(spans []GradeSpan, miss string) {
		if len(spans) > 0 {
			held++
			r.Evidence = append(r.Evidence, spans...)
		} else {
			misses = append(misses, miss)
		}
	}
	m := e.Match
	if len(ce.any) > 0 {
		sp, why := st.firstOf(ce.any)
		cond(sp, cmpOr(why, "没有写到“"+e.Name+"”，例如"+quoteList(m.Any, 3)))
	}
	if len(ce.all) > 0 {
		var spans []GradeSpan
		var why string
		for i, g := range ce.all {
			sp, w := st.firstOf(g)
			if sp == nil {
				spans, why = nil, cmpOr(w, "缺少"+quoteList(m.All[i], 3)+"这样的说法")
				break
			}
			spans = append(spans, sp...)
		}
		cond(spans, why)
	}
	if len(ce.regex) > 0 {
		var spans []GradeSpan
		why := "没有写到“" + e.Name + "”"
		for _, re := range ce.regex {
			for _, mm := range re.FindAllStringIndex(st.t.norm, -1) {
				if f, bad := st.inventedIn(mm[0], mm[1]); bad {
					why = st.inventedWhy(f)
					continue
				}
				spans = []GradeSpan{st.t.span(mm[0], mm[1])}
				break
			}
			if spans != nil {
				break
			}
		}
		cond(spans, why)
	}
	if m.TimeLimit {
		cond(st.timeLimit())
	}
	if m.Contact {
		sp, _ := st.firstOf(st.g.rules.contact)
		cond(sp, "没有留下后续渠道（如12345、私信、电话、窗口）")
	}
	for _, id := range m.Fact {
		cond(st.fact(id, facts[id]))
	}
	if held < m.need() {
		r.Reason = strings.Join(misses, "；")
	}
	// Lines not to cross: a phrase of not, a review finding of review_clean.
	var crossed []string
	for i, p := range ce.not {
		for _, mm := range st.t.find(p) {
			if st.quoted(mm[0], mm[1]) {
				continue // someone else's words, quoted
			}
			r.Offending = append(r.Offending, st.t.span(mm[0], mm[1]))
			crossed = append(crossed, "出现了不该有的“"+m.Not[i]+"”")
			break
		}
	}
	for _, f := range st.rv.Findings {
		if slices.Contains(m.ReviewClean, f.Category) {
			r.Offending = append(r.Offending, GradeSpan{Text: f.Excerpt, Start: f.Start, End: f.End})
			crossed = append(crossed, "审核发现“"+review.CategoryName(f.Category)+"”问题："+clip(f.Excerpt, 24))
		}
	}
	if len(crossed) > 0 {
		r.Reason = strings.Join(append(crossed, nonEmpty(r.Reason)...), "；")
	}
	r.Met = held >= m.need() && len(crossed) == 0
	if !r.Met && r.Reason == "" {
		r.Reason = "没有写到“" + e.Name + "”"
	}
	if !r.Met || r.Guard {
		r.Evidence = []GradeSpan{}
	}
	return r
}

// firstOf returns the first occurrence of any of the normalised phrases
// ps that does not state an invented figure, or why there is none (""
// when no phrase occurs at all).
func (st *grading) firstOf(ps []string) ([]GradeSpan, string) {
	best, why := [2]int{-1, -1}, ""
	for _, p := range ps {
		for _, m := range st.t.find(p) {
			if f, bad := st.inventedIn(m[0], m[1]); bad {
				why = st.inventedWhy(f)
				continue
			}
			if best[0] < 0 || m[0] < best[0] {
				best = m
			}
			break
		}
	}
	if best[0] < 0 {
		return nil, why
	}
	return []GradeSpan{st.t.span(best[0], best[1])}, ""
}

// timeLimit finds a concrete time that is not invented.
func (st *grading) timeLimit() ([]GradeSpan, string) {
	why := "没有具体时间（日期、钟点或“N个工作日内”）；“尽快”“近期”不算"
	best := [2]int{-1, -1}
	for _, re := range st.g.rules.timeRes {
		for _, m := range re.FindAllStringIndex(st.t.norm, -1) {
			if f, bad := st.inventedIn(m[0], m[1]); bad {
				why = st.inventedWhy(f)
				continue
			}
			if best[0] < 0 || m[0] < best[0] || m[0] == best[0] && m[1] > best[1] {
				best = [2]int{m[0], m[1]}
			}
			break
		}
	}
	if best[0] < 0 {
		return nil, why
	}
	return []GradeSpan{st.t.span(best[0], best[1])}, ""
}

// fact finds the key words of a fact.
func (st *grading) fact(id string, f compiledFact) ([]GradeSpan, string) {
	var spans []GradeSpan
	var missing []string
	why := ""
	for _, g := range f.keys {
		sp, w := st.firstOf(g)
		if sp == nil {
			missing = append(missing, "“"+g[0]+"”")
			if w != "" {
				why = w
			}
			continue
		}
		spans = append(spans, sp...)
	}
	if len(f.keys)-len(missing) >= f.need {
		return spans, ""
	}
	if why != "" {
		return nil, why
	}
	known := ""
	for _, sf := range st.sc.Facts {
		if sf.ID == id {
			known = st.sc.Known[sf.Known-1]
		}
	}
	return nil, "没有写到已知情况“" + clip(strings.TrimPrefix(known, "（训练设定）"), 30) + "”（缺" + strings.Join(missing, "、") + "）"
}

// quoted reports whether bytes [a, b) of the normalised reply lie inside
// quotation marks (“…”, 「…」, "…"): words the reply quotes, not its own.
func (st *grading) quoted(a, b int) bool {
	if st.quotes == nil {
		st.quotes = quotedSpans(st.t.norm)
	}
	for _, q := range st.quotes {
		if q[0] <= a && b <= q[1] {
			return true
		}
	}
	return false
}

// quotedSpans returns the byte ranges of s inside quotation marks.
func quotedSpans(s string) [][2]int {
	out := [][2]int{}
	for _, pair := range [][2]string{{"“", "”"}, {"「", "」"}, {"‘", "’"}} {
		for off := 0; ; {
			i := strings.Index(s[off:], pair[0])
			if i < 0 {
				break
			}
			start := off + i + len(pair[0])
			j := strings.Index(s[start:], pair[1])
			if j < 0 {
				break
			}
			out = append(out, [2]int{start, start + j})
			off = start + j + len(pair[1])
		}
	}
	for off, open := 0, -1; off < len(s); off++ {
		if s[off] == '"' {
			if open < 0 {
				open = off + 1
			} else {
				out = append(out, [2]int{open, off})
				open = -1
			}
		}
	}
	return out
}

// inventedIn returns an invented figure overlapping bytes [a, b).
func (st *grading) inventedIn(a, b int) (figure, bool) {
	for _, f := range st.invented {
		if a < f.b && f.a < b {
			return f, true
		}
	}
	return figure{}, false
}

func (st *grading) inventedWhy(f figure) string {
	return "“" + st.t.span(f.a, f.b).Text + "”与已知情况不符"
}

// score computes res.Score from the element results, the review and the
// traps, as training/README.md describes.
func (st *grading) score(res *GradeResult, reply string) {
	r := st.g.rules
	total, met := 0, 0
	for _, e := range res.Elements {
		if e.Guard {
			continue
		}
		total += e.Weight
		if e.Met {
			met += e.Weight
		}
	}
	elements := r.Elements
	if total > 0 {
		elements = int(math.Round(float64(r.Elements) * float64(met) / float64(total)))
	}
	res.ElementScore = elements
	score, capAt := elements, 100
	add := func(p GradePenalty) {
		res.Penalties = append(res.Penalties, p)
		score -= p.Points
		if p.Cap > 0 {
			capAt = min(capAt, p.Cap)
		}
	}
	// Guards and capped elements.
	guarded := map[string]bool{} // review categories an unmet guard already paid for
	for i, e := range res.Elements {
		if e.Met {
			continue
		}
		el := st.sc.Elements[i]
		if e.Guard {
			for _, c := range el.Match.ReviewClean {
				guarded[c] = true
			}
			add(GradePenalty{Kind: PenaltyGuard, Points: r.GuardPenalty, Cap: el.Cap,
				Message: "没守住“" + e.Name + "”：" + e.Reason, Source: &res.Elements[i].Source})
		} else if el.Cap > 0 {
			add(GradePenalty{Kind: PenaltyElementCap, Cap: el.Cap,
				Message: "缺少关键要素“" + e.Name + "”，得分不超过 " + fmt.Sprint(el.Cap) + " 分", Source: &res.Elements[i].Source})
		}
	}
	// The review.
	warnings := 0
	for _, f := range st.rv.Findings {
		src := Source{Doc: f.Source.Doc, Section: f.Source.Section}
		sp := &GradeSpan{Text: f.Excerpt, Start: f.Start, End: f.End}
		name := review.CategoryName(f.Category)
		switch f.Severity {
		case review.SeverityError:
			p := GradePenalty{Kind: PenaltyReviewError, Points: r.Review.Error, Cap: r.Caps.ReviewError,
				Message: "审核错误（" + name + "）：" + f.Message, Span: sp, Source: &src}
			if guarded[f.Category] {
				p.Points = 0 // paid for by the guard
			}
			add(p)
		case review.SeverityWarning:
			if slices.Contains(r.Review.Measured, f.Category) {
				continue
			}
			pts := min(r.Review.Warning, max(r.Review.WarningCap-warnings, 0))
			warnings += pts
			add(GradePenalty{Kind: PenaltyReviewWarning, Points: pts,
				Message: "审核提示（" + name + "）：" + f.Message, Span: sp, Source: &src})
		}
	}
	// Invented figures.
	inv := 0
	for _, f := range st.invented {
		pts := min(r.Invented.Each, max(r.Invented.Total-inv, 0))
		inv += pts
		sp := st.t.span(f.a, f.b)
		src := r.Invented.Source
		add(GradePenalty{Kind: PenaltyInvented, Points: pts, Cap: r.Invented.Cap,
			Message: strings.ReplaceAll(r.Invented.Message, "{figure}", sp.Text), Span: &sp, Source: &src})
	}
	// Copying the post.
	if ov := overlapRatio(reply, st.sc.Post); ov >= r.CopyOverlap {
		src := r.CopySource
		add(GradePenalty{Kind: PenaltyCopy, Cap: r.Caps.Copy, Source: &src,
			Message: fmt.Sprintf("回复有 %d%% 的内容在重复网友原帖，没有回应对方。", int(math.Round(ov*100)))})
	}
	// Over the length limit.
	if lengthSrc := r.LengthSource; st.rv.Length > st.rv.Limit {
		add(GradePenalty{Kind: PenaltyLength, Cap: r.Caps.Length,
			Message: fmt.Sprintf("超出字数上限：%d 字，%s最多 %d 字，发不出去。", st.rv.Length, review.KindName(st.sc.Kind), st.rv.Limit),
			Source:  &lengthSrc})
	}
	res.Score = max(min(score, capAt), 0)
	res.Message = st.summary(res, elements, capAt)
}

// summary is the one-line account of a score.
func (st *grading) summary(res *GradeResult, elements, capAt int) string {
	met, total := 0, 0
	for _, e := range res.Elements {
		if !e.Guard {
			total++
			if e.Met {
				met++
			}
		}
	}
	deducted := 0
	for _, p := range res.Penalties {
		deducted += p.Points
	}
	s := fmt.Sprintf("%d 分：要素 %d/%d（%d 分）", res.Score, met, total, elements)
	if deducted > 0 {
		s += fmt.Sprintf("，扣 %d 分", deducted)
	}
	if capAt < 100 && res.Score == capAt {
		s += fmt.Sprintf("，封顶 %d 分", capAt)
	}
	return s + "。"
}

// addReadings fills res.Read: the sources of the elements not met, then
// of the findings, each section once.
func (g *Grader) addReadings(res *GradeResult) {
	seen := map[Source]bool{}
	add := func(s Source, why string) {
		if s.Doc == "" || seen[s] {
			return
		}
		seen[s] = true
		res.Read = append(res.Read, GradeReading{Source: s, Title: g.titles[s.Doc], Why: why})
	}
	for _, e := range res.Elements {
		if !e.Met {
			add(e.Source, "要素“"+e.Name+"”")
		}
	}
	if res.Review != nil {
		for _, f := range res.Review.Findings {
			if f.Severity != review.SeverityInfo {
				add(Source{Doc: f.Source.Doc, Section: f.Source.Section}, "审核："+review.CategoryName(f.Category))
			}
		}
	}
	for _, p := range res.Penalties {
		if p.Source != nil && (p.Kind == PenaltyInvented || p.Kind == PenaltyCopy || p.Kind == PenaltyLength) {
			add(*p.Source, p.Message)
		}
	}
}

// quoteList quotes the first n phrases: “道歉”“抱歉”.
func quoteList(ps []string, n int) string {
	var b strings.Builder
	for i, p := range ps {
		if i == n {
			break
		}
		b.WriteString("“" + p + "”")
	}
	return b.String()
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
