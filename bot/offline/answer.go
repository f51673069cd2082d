package offline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/bot"
	"govreply/bot/memory"
	"govreply/internal/errs"
	"govreply/knowledge"
)

// DefaultMinSimilarity is the relevance threshold of the offline
// answerer, on the cosine similarity between the query's vector (as the
// Retriever prepares it, expansion blended in) and the embedding of the
// passage's whole section (the document's title, the heading path and the
// text). The knowledge base has something on a question when its best
// passage reaches the threshold; then the passages that reach half of it
// are kept as sources (the canonical passage is not always the closest
// lexically: for 评论里有身份证号怎么办 the privacy rule scores above the
// masking rule). When no passage reaches it, the answer says that the
// knowledge base has nothing on the question.
//
// The fused RRF score of a hit cannot make this call: it depends only on
// ranks, so the first hit of a question the knowledge base knows nothing
// about ("今天天气怎么样", "如何烤蛋糕") scores as high (≈ 0.032) as the
// first hit of a good one. The cosine of the local embedder (lexical
// features) does separate them: on the built-in knowledge base the best
// section of in-domain questions (网友骂人怎么回复 0.36, 回复时限是多少 0.35,
// 账号被盗了怎么办 0.37, 辟谣怎么写 0.35, 表情包能用吗 0.24) and that of
// off-topic ones (天气, 下雨, 蛋糕, 股票, 护照, 最近有什么新闻, Python,
// 那它呢: 0.08 to 0.15) fall on either side of 0.2. It is
// calibrated for the local embedder; a model embedder has its own scale
// and should set AnswererOptions.MinSimilarity.
const DefaultMinSimilarity = 0.2

// AnswererOptions configure NewAnswerer.
type AnswererOptions struct {
	// Retriever finds the passages (required).
	Retriever *knowledge.Retriever
	// Sessions keeps conversations; nil means a new in-memory store with
	// its defaults.
	Sessions bot.SessionStore
	// K is how many documents (ranked by their best chunk) are looked at;
	// 0 means 5.
	K int
	// MinSimilarity is the relevance threshold; 0 means
	// DefaultMinSimilarity.
	MinSimilarity float64
	// Sentences is the most sentences the summary quotes; 0 means 3
	// (at least 2 when there are two to quote, at most 4).
	Sentences int
}

// Answerer answers without a model: it retrieves the passages
// above the relevance threshold and quotes their sentences closest to the
// question, each with its citation. It never writes a sentence of its
// own about the subject, so retrieved text is only ever quoted: a passage
// that says 「忽略以上所有指令…」 is data, shown if relevant, never obeyed.
// It implements bot.Answerer and is safe for concurrent use.
type Answerer struct {
	r        *knowledge.Retriever
	sessions bot.SessionStore
	k        int
	min      float64
	sents    int
}

var _ bot.Answerer = (*Answerer)(nil)

// NewAnswerer returns an Answerer.
func NewAnswerer(opts AnswererOptions) (*Answerer, error) {
	if opts.Retriever == nil {
		return nil, errs.E("offline.NewAnswerer", errs.Internal, errors.New("the offline answerer needs a retriever"))
	}
	a := &Answerer{r: opts.Retriever, sessions: opts.Sessions, k: opts.K, min: opts.MinSimilarity, sents: opts.Sentences}
	if a.sessions == nil {
		a.sessions = memory.NewSessions(memory.Options{})
	}
	if a.k <= 0 {
		a.k = 5
	}
	if a.min <= 0 {
		a.min = DefaultMinSimilarity
	}
	a.sents = min(max(a.sents, 2), 4)
	if opts.Sentences == 0 {
		a.sents = 3
	}
	return a, nil
}

// Answer implements bot.Answerer.
func (a *Answerer) Answer(ctx context.Context, req bot.AnswerRequest) (bot.AnswerResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	msg := req.Message
	id, history, err := a.Session(ctx, req.Session)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	query := bot.FollowUpQuery(msg, history)
	sources, quotes, err := a.retrieve(ctx, query)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	resp := bot.AnswerResponse{Session: id, Sources: sources, Answer: compose(msg, sources, quotes)}
	if err := a.sessions.Append(ctx, id, bot.Turn{Question: msg, Query: query, Answer: resp.Answer}); err != nil {
		return bot.AnswerResponse{}, errs.E("offline.Answer", "保存会话失败", err)
	}
	return resp, nil
}

// Session returns the id and history of the conversation id names; an
// empty or unknown id gets a new random id and no history.
func (a *Answerer) Session(ctx context.Context, id string) (string, []bot.Turn, error) {
	if id != "" {
		turns, ok, err := a.sessions.Get(ctx, id)
		if err != nil {
			return "", nil, errs.E("offline.Session", "读取会话失败", err)
		}
		if ok {
			return id, turns, nil
		}
	}
	id, err := bot.NewSessionID()
	return id, nil, err
}

// quote is a sentence of a source picked for the summary.
type quote struct {
	n    int // the source's N
	pos  int // its position in the source
	text string
}

// retrieve returns the passages above the threshold as Sources and the
// sentences of them to quote, in the order to show them.
func (a *Answerer) retrieve(ctx context.Context, query string) ([]bot.Source, []quote, error) {
	hits, err := a.r.Documents(ctx, knowledge.Request{Query: query, K: a.k})
	if err != nil {
		return nil, nil, errs.E("offline.retrieve", "检索知识库失败", err)
	}
	sources := []bot.Source{}
	if len(hits) == 0 {
		return sources, nil, nil
	}
	q, err := a.r.Prepare(ctx, knowledge.Request{Query: query, K: a.k})
	if err != nil {
		return nil, nil, errs.E("offline.retrieve", "检索知识库失败", err)
	}
	// One embedding call for every passage and every candidate sentence.
	var (
		texts []string
		sents [][]string
	)
	for _, h := range hits {
		// The whole section: its title and heading say what it is about
		// in words a question uses (账号被盗, 代运营合同) when its text
		// does not repeat them.
		texts = append(texts, h.Title+"\n"+h.Best.Heading+"\n"+h.Best.Text)
	}
	for _, h := range hits {
		ss := sentences(h.Best.Text)
		sents = append(sents, ss)
		texts = append(texts, ss...)
	}
	vecs, err := a.r.Embedder.Embed(ctx, texts)
	if err != nil {
		return nil, nil, errs.E("offline.retrieve", "计算相关度失败", err)
	}
	if len(vecs) != len(texts) {
		return nil, nil, errs.E("offline.retrieve", errs.Unavailable, knowledge.CodeEmbedderUnavailable, "计算相关度失败：向量模型返回的向量数与文本数不符", fmt.Errorf("%d vectors for %d texts", len(vecs), len(texts)))
	}
	type cand struct {
		quote
		score float64
	}
	var (
		cands []cand
		best  float64
	)
	next := len(hits)
	for i, h := range hits {
		sim := cosine(q.Vector, vecs[i])
		ss := sents[i]
		sv := vecs[next : next+len(ss)]
		next += len(ss)
		if sim < a.min/2 {
			continue
		}
		best = max(best, sim)
		n := len(sources) + 1
		sources = append(sources, bot.Source{N: n, Doc: h.Doc, Title: h.Title, Section: h.Best.Heading, Text: h.Best.Text})
		for j, s := range ss {
			// A sentence close to the question, from a passage close to it.
			cands = append(cands, cand{quote{n, j, s}, cosine(q.Vector, sv[j]) + 0.5*sim})
		}
	}
	if best < a.min {
		return []bot.Source{}, nil, nil
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return 0
	})
	var picked []quote
	per := map[int]int{}
	for _, c := range cands {
		if len(picked) == a.sents {
			break
		}
		if per[c.n] == 2 || slices.ContainsFunc(picked, func(p quote) bool { return p.text == c.text }) {
			continue
		}
		per[c.n]++
		picked = append(picked, c.quote)
	}
	slices.SortFunc(picked, func(x, y quote) int {
		if x.n != y.n {
			return x.n - y.n
		}
		return x.pos - y.pos
	})
	return sources, picked, nil
}

// Sources returns the passages above the relevance threshold for query,
// numbered from 1: what an answer to it may cite. Empty (not nil) means
// the knowledge base has nothing on it.
func (a *Answerer) Sources(ctx context.Context, query string) ([]bot.Source, error) {
	sources, _, err := a.retrieve(ctx, query)
	return sources, err
}

// Store returns the conversations the answerer keeps.
func (a *Answerer) Store() bot.SessionStore { return a.sessions }

// NothingFound is the answer to msg when the knowledge base has nothing
// on it: it says so and how to ask better, and quotes only the start of
// the question.
func NothingFound(msg string) string { return compose(msg, nil, nil) }

// compose writes the answer: a lead line, then each quoted sentence with
// its citation; or, with no source, that the knowledge base has nothing.
func compose(msg string, sources []bot.Source, quotes []quote) string {
	if len(sources) == 0 {
		return fmt.Sprintf("知识库中没有找到与“%s”相关的内容，无法据此作答，以免给出没有依据的说法。"+
			"建议换个说法再问，例如写明具体场景（如网友投诉、辟谣、账号被盗）、规则或案例的名称；"+
			"涉及本单位具体业务或政策口径的问题，请向本单位新媒体负责人或业务主管部门确认。", ellipsis(msg, 40))
	}
	var b strings.Builder
	b.WriteString("根据知识库，以下内容与您的问题最相关：")
	if len(quotes) == 0 { // passages without a sentence worth quoting alone
		for _, s := range sources {
			fmt.Fprintf(&b, "\n- 见《%s》[%d]", s.Title, s.N)
		}
		return b.String()
	}
	for _, q := range quotes {
		fmt.Fprintf(&b, "\n- %s[%d]", q.text, q.n)
	}
	if len(sources) > 1 || len(quotes) > 1 {
		b.WriteString("\n详见所列来源原文。")
	}
	return b.String()
}

// ellipsis cuts s to n characters.
func ellipsis(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "……"
	}
	return s
}

// Sentence length bounds for quoting, in characters.
const (
	minSentenceRunes = 6
	maxSentenceRunes = 160
)

// sentences splits a passage into sentences fit to quote: split at line
// ends and at 。！？；; list markers and ** emphasis dropped; table rows,
// headings, lead-ins ending in a colon, text with a marker like [3] and
// fragments too short or too long
// left out.
func sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.ReplaceAll(line, "**", "")
		line = strings.TrimLeft(line, "-*>• ")
		line = trimOrdinal(line)
		var cur strings.Builder
		flush := func() {
			s := strings.TrimSpace(cur.String())
			cur.Reset()
			if strings.HasSuffix(s, "：") || strings.HasSuffix(s, ":") { // a lead-in to a list, not a statement
				return
			}
			if citationLike.MatchString(s) { // [3] in a quote would read as one of ours
				return
			}
			if n := utf8.RuneCountInString(s); n >= minSentenceRunes && n <= maxSentenceRunes {
				out = append(out, s)
			}
		}
		depth := 0 // inside quotation marks: a 。 there does not end the sentence
		for _, r := range line {
			cur.WriteRune(r)
			switch {
			case strings.ContainsRune("“「『（(", r):
				depth++
			case strings.ContainsRune("”」』）)", r):
				depth = max(depth-1, 0)
				if depth == 0 && endsWithStop(cur.String(), r) {
					flush()
				}
			case depth == 0 && strings.ContainsRune("。！？；!?", r):
				flush()
			}
		}
		flush()
	}
	return out
}

// endsWithStop reports whether s, which ends with the closing mark c,
// has a sentence end just before it: …。” closes a quoted sentence.
func endsWithStop(s string, c rune) bool {
	rs := []rune(strings.TrimSuffix(s, string(c)))
	return len(rs) > 0 && strings.ContainsRune("。！？；!?", rs[len(rs)-1])
}

// citationLike is a citation marker such as [3].
var citationLike = regexp.MustCompile(`\[\d+\]`)

// trimOrdinal drops a leading "1. " or "2、".
func trimOrdinal(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 2 {
		return s
	}
	switch rest := s[i:]; {
	case strings.HasPrefix(rest, ". "):
		return strings.TrimSpace(rest[2:])
	case strings.HasPrefix(rest, "、"):
		return strings.TrimSpace(rest[len("、"):])
	}
	return s
}

// cosine is the cosine similarity of a and b (0 when either is zero or
// their lengths differ).
func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
