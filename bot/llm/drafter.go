package llm

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"govreply/bot"
	"govreply/bot/offline"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/prompts"
	"govreply/review"
)

// Defaults of DrafterOptions.
const (
	DefaultPassages     = 6
	DefaultOutputTokens = 2048
	DefaultTimeout      = 60 * time.Second
	DefaultTemperature  = 0.7
	variants            = 3
)

// DrafterOptions configure NewDrafter.
type DrafterOptions struct {
	// ModelOptions: MaxOutputTokens 0 means DefaultOutputTokens,
	// Temperature 0 means DefaultTemperature.
	ModelOptions
	// Composer lends its classifier, its data (to_verify explanations),
	// its reviewer and its retriever. nil: offline.NewComposer with
	// Retriever and Reviewer below.
	Composer  *offline.Composer
	Retriever *knowledge.Retriever
	Reviewer  *review.Reviewer
	// Passages is how many retrieved passages the prompt carries at most
	// (fewer when the token budget is short); 0 means DefaultPassages.
	Passages int
}

// Drafter drafts replies with a language model: it classifies the
// post and retrieves guidance as the Composer does, renders the prompt of
// package prompts within the model's token budget, asks for three
// variants, reviews each and regenerates a variant with an error finding
// once, with the findings as feedback. A variant that still fails is
// returned with its failing review, never dropped. It implements Drafter
// and is safe for concurrent use when Model is.
type Drafter struct {
	caller
	c         *offline.Composer
	retriever *knowledge.Retriever
	passages  int
}

var _ bot.Drafter = (*Drafter)(nil)

// NewDrafter returns a Drafter.
func NewDrafter(opts DrafterOptions) (*Drafter, error) {
	cl, err := newCaller("llm.NewDrafter", opts.ModelOptions, DefaultOutputTokens, DefaultTemperature)
	if err != nil {
		return nil, err
	}
	c := opts.Composer
	if c == nil {
		if c, err = offline.NewComposer(offline.ComposerOptions{Retriever: opts.Retriever, Reviewer: opts.Reviewer}); err != nil {
			return nil, err
		}
	}
	d := &Drafter{caller: cl, c: c, retriever: opts.Retriever, passages: opts.Passages}
	if d.retriever == nil {
		d.retriever = c.Retriever()
	}
	if d.passages <= 0 {
		d.passages = DefaultPassages
	}
	return d, nil
}

// Draft implements bot.Drafter.
func (d *Drafter) Draft(ctx context.Context, req bot.DraftRequest) (bot.DraftResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.DraftResponse{}, err
	}
	analysis := d.c.Analyze(req.Post)
	class := analysis.Class
	passages, err := d.retrieve(ctx, req.Post, class, req.Readable)
	if err != nil {
		return bot.DraftResponse{}, errs.E("llm.Draft", "检索写作指引失败", err)
	}
	in := prompts.DraftInput{
		Variants: variants, Class: string(class), Kind: string(req.Kind), Limit: req.Kind.Limit(),
		Tone: string(req.Tone), Post: req.Post, Facts: req.Facts, Passages: passages,
		Reading: reading(analysis), Roles: roles(d.c.Facts(req.Facts)),
	}
	reply, kept, err := d.generate(ctx, in)
	if err != nil {
		return bot.DraftResponse{}, err
	}
	parsed := parseDrafts(reply)
	if len(parsed) == 0 {
		return bot.DraftResponse{}, errs.E("llm.Draft", errs.Unavailable, CodeUnavailable, "大模型没有返回可用的稿件，请重试或改用离线起草")
	}
	resp := bot.DraftResponse{Classification: class, Analysis: &analysis, Facts: d.c.Facts(req.Facts),
		Drafts: []bot.Variant{}, ToVerify: []string{}}
	for _, p := range parsed[:min(len(parsed), variants)] {
		if slices.ContainsFunc(resp.Drafts, func(v bot.Variant) bool { return v.Text == p.text }) {
			continue
		}
		v, err := d.variant(ctx, in, kept, p, req.Kind)
		if err != nil {
			return bot.DraftResponse{}, err
		}
		v.Check = d.c.Check(analysis, req.Facts, req.Kind, v.Text, v.Review)
		resp.Drafts = append(resp.Drafts, v)
	}
	resp.ToVerify = d.c.ToVerify(resp.Drafts)
	return resp, nil
}

// reading is the analysis as the prompt's <读帖> lines.
func reading(an bot.Analysis) []prompts.Field {
	urgent := "否"
	if an.Urgent {
		urgent = "是"
	}
	fs := []prompts.Field{{Name: "类别", Value: string(an.Class)}}
	for _, f := range []prompts.Field{{Name: "事项", Value: an.Subject}, {Name: "地点", Value: an.Place}, {Name: "持续或反映次数", Value: an.Duration}} {
		if f.Value != "" {
			fs = append(fs, f)
		}
	}
	return append(fs, prompts.Field{Name: "诉求", Value: bot.WantName(an.Wants)},
		prompts.Field{Name: "情绪", Value: bot.EmotionName(an.Emotion)}, prompts.Field{Name: "紧急", Value: urgent})
}

// roles are the decomposed facts as the prompt's <事实分解> lines.
func roles(facts []bot.Fact) []prompts.Field {
	fs := make([]prompts.Field, len(facts))
	for i, f := range facts {
		fs[i] = prompts.Field{Name: bot.RoleName(f.Role), Value: f.Text}
	}
	return fs
}

// variant reviews one parsed draft and, when it has an error finding,
// regenerates it once with the findings as feedback. The second attempt
// is kept even when it fails too: its review then says pass=false.
func (d *Drafter) variant(ctx context.Context, in prompts.DraftInput, kept []prompts.Passage, p parsedDraft, kind review.Kind) (bot.Variant, error) {
	rc := review.Context{Post: in.Post, Class: review.Class(in.Class)}
	if kind == review.KindPost {
		rc = review.Context{}
	}
	rv, err := d.c.Reviewer().ReviewWith(p.text, kind, rc)
	if err != nil {
		return bot.Variant{}, err
	}
	if !rv.Pass {
		retry := in
		retry.Passages = kept
		retry.Previous = p.text
		retry.Findings = feedback(rv.Findings)
		reply, kept2, err := d.generate(ctx, retry)
		if err != nil {
			return bot.Variant{}, err
		}
		if again := parseDrafts(reply); len(again) > 0 {
			p, kept = again[0], kept2
			if rv, err = d.c.Reviewer().ReviewWith(p.text, kind, rc); err != nil {
				return bot.Variant{}, err
			}
		}
	}
	return bot.Variant{Text: p.text, Review: rv, Citations: d.cite(p.refs, kept)}, nil
}

// retrieve returns the passages for the post, best first, numbered from
// 1: the best chunks for the composer's query, each heading once and at
// most two per document.
func (d *Drafter) retrieve(ctx context.Context, post string, class bot.Classification, readable []string) ([]prompts.Passage, error) {
	if d.retriever == nil {
		return nil, nil
	}
	hits, err := d.retriever.Search(ctx, knowledge.Request{Query: d.c.SearchQuery(post, class), K: 4 * d.passages, Readable: readable})
	if err != nil {
		return nil, err
	}
	var out []prompts.Passage
	perDoc := map[string]int{}
	seen := map[string]bool{}
	for _, h := range hits {
		key := h.Collection + "\x00" + h.Doc
		if perDoc[key] == 2 || seen[key+"\x00"+h.Heading] {
			continue
		}
		perDoc[key]++
		seen[key+"\x00"+h.Heading] = true
		out = append(out, prompts.Passage{N: len(out) + 1, Doc: h.Doc, Title: h.Title, Section: h.Heading, Text: h.Text, Reference: h.Reference})
		if len(out) == d.passages {
			break
		}
	}
	return out, nil
}

// generate renders in within the token budget, dropping the lowest-ranked
// passages first, and calls the model. It returns the reply and the
// passages the prompt carried.
func (d *Drafter) generate(ctx context.Context, in prompts.DraftInput) (string, []prompts.Passage, error) {
	sys, user, n, err := d.budget.fit(in)
	if err != nil {
		return "", nil, err
	}
	reply, err := d.call(ctx, sys, user)
	return reply, in.Passages[:n], err
}

// call sends one request, bounded by the timeout and ended when ctx ends
// (the HTTP request upstream is cancelled with it).
func (d *Drafter) call(ctx context.Context, sys, user string) (string, error) {
	resp, err := d.complete(ctx, "起草", sys, user)
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Content) == "" {
		return "", emptyReply("请重试或改用离线起草")
	}
	return resp.Choices[0].Content, nil
}

// cite maps a draft's passage numbers to citations, in the order given,
// each document and section once, at most the composer's Guidance.
// Numbers the prompt did not carry are ignored.
func (d *Drafter) cite(refs []int, kept []prompts.Passage) []bot.Citation {
	out := []bot.Citation{}
	for _, n := range refs {
		if n < 1 || n > len(kept) || len(out) == d.c.MaxCitations() {
			continue
		}
		p := kept[n-1]
		c := bot.Citation{Doc: p.Doc, Title: p.Title, Section: p.Section}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// feedback describes the error findings of a review for the model.
func feedback(fs []review.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity != review.SeverityError {
			continue
		}
		what := bot.ProblemName(f.Category)
		if what == "" {
			what = f.Category
		}
		s := what + "：" + f.Message
		if f.Excerpt != "" && f.Category != "length" {
			s = what + "：“" + f.Excerpt + "”——" + f.Message
		}
		if f.Suggestion != "" {
			s += "（建议：" + f.Suggestion + "）"
		}
		out = append(out, s)
	}
	return out
}

// parsedDraft is one draft in a model's reply.
type parsedDraft struct {
	text string
	refs []int // passage numbers, as cited
}

var (
	// A draft's header: 【稿件1】, also [稿件 1]、### 稿件一：, **方案2**.
	draftMarkRE = regexp.MustCompile(`(?m)^[ \t#*>]*(?:[【\[［][ \t]*` + draftWords + `[ \t]*[】\]］]|` + draftWords + `[ \t*]*(?:[:：]|$))[ \t*]*[:：]?[ \t*]*`)
	// The sources line: 【依据】1,3 (also 依据：、【引用】、【参考】).
	basisRE = regexp.MustCompile(`(?m)^[ \t*]*[【\[［]?\s*(?:依据|引用|参考资料|参考)\s*[】\]］]?\s*[:：]?(.*)$`)
	// Inline markers the model should not write: [1] ［2］ [1,3].
	inlineRefRE = regexp.MustCompile(`[\[［]\s*([0-9０-９][0-9０-９,，、\s]*)[\]］]`)
	numberRE    = regexp.MustCompile(`[0-9]+`)
	draftWords  = `(?:稿件|回复稿|草稿|方案|版本)[ \t]*[0-9０-９一二三四五]`
	// Placeholders written with other brackets or a half-width colon.
	looseVerifyRE = regexp.MustCompile(`[【\[［]\s*待核实\s*[:：]\s*([^】\]］\n]*?)\s*[】\]］]`)
	fenceLineRE   = regexp.MustCompile("(?m)^\\s*```.*$")
)

// parseDrafts reads the drafts of a model's reply in the format of
// prompts/draft.txt, tolerating other headers, a missing sources line,
// inline [n] markers and code fences. A reply without headers is one
// draft.
func parseDrafts(reply string) []parsedDraft {
	reply = fenceLineRE.ReplaceAllString(strings.ReplaceAll(reply, "\r\n", "\n"), "")
	locs := draftMarkRE.FindAllStringIndex(reply, -1)
	var segs []string
	if len(locs) == 0 {
		segs = []string{reply}
	}
	for i, l := range locs {
		end := len(reply)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		segs = append(segs, reply[l[1]:end])
	}
	var out []parsedDraft
	for _, s := range segs {
		var p parsedDraft
		addRefs := func(list string) {
			list = toASCIIDigits(list)
			for _, m := range numberRE.FindAllString(list, -1) {
				if n, err := strconv.Atoi(m); err == nil && !slices.Contains(p.refs, n) {
					p.refs = append(p.refs, n)
				}
			}
		}
		s = basisRE.ReplaceAllStringFunc(s, func(line string) string {
			addRefs(basisRE.FindStringSubmatch(line)[1])
			return ""
		})
		s = inlineRefRE.ReplaceAllStringFunc(s, func(m string) string {
			addRefs(m)
			return ""
		})
		s = looseVerifyRE.ReplaceAllStringFunc(s, func(m string) string {
			return bot.Placeholder(looseVerifyRE.FindStringSubmatch(m)[1])
		})
		s = strings.Trim(strings.TrimSpace(s), "*")
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, p)
			out[len(out)-1].text = s
		}
	}
	return out
}

func toASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}
