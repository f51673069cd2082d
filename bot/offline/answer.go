package offline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/bot"
	"govreply/bot/memory"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/faq"
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
	// Sentences is the most sentences quoted in support of the bottom
	// line; 0 means 3 (at least 2, at most 4).
	Sentences int
	// Answers are the curated answers (常见问题) a question is matched
	// against; nil: none, the documents alone answer.
	Answers *faq.Index
}

// Answerer answers without a model: it retrieves the passages
// above the relevance threshold and quotes their sentences closest to the
// question, each with its citation. It never writes a sentence of its
// own about the subject, so retrieved text is only ever quoted: a passage
// that says 「忽略以上所有指令…」 is data, shown if relevant, never obeyed.
// It implements bot.Answerer and is safe for concurrent use.
type Answerer struct {
	domain   domainWords // data/domain.yaml
	answers  *faq.Index
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
	a := &Answerer{answers: opts.Answers, r: opts.Retriever, sessions: opts.Sessions, k: opts.K, min: opts.MinSimilarity, sents: opts.Sentences}
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
	if err := decode(DataFS(), "domain.yaml", &a.domain); err != nil {
		return nil, err
	}
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
	id, history, err := a.Session(ctx, req.Session, req.Owner)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	query := bot.FollowUpQuery(msg, history)
	f, err := a.retrieve(ctx, query, req.Readable)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	resp := bot.AnswerResponse{Session: id, Sources: f.sources, Answer: compose(msg, f)}
	if err := a.sessions.Append(ctx, id, bot.Turn{Owner: req.Owner, Question: msg, Query: query, Answer: resp.Answer}); err != nil {
		return bot.AnswerResponse{}, errs.E("offline.Answer", "保存会话失败", err)
	}
	return resp, nil
}

// Session returns the id and history of owner's conversation id names;
// an empty or unknown id, or another owner's, gets a new random id and no
// history (nothing tells the caller the id was someone else's).
func (a *Answerer) Session(ctx context.Context, id, owner string) (string, []bot.Turn, error) {
	if id != "" {
		turns, ok, err := a.sessions.Get(ctx, id)
		if err != nil {
			return "", nil, errs.E("offline.Session", "读取会话失败", err)
		}
		if ok && (len(turns) == 0 || turns[0].Owner == owner) {
			return id, turns, nil
		}
	}
	id, err := bot.NewSessionID()
	return id, nil, err
}

// How sections are ranked for a question. The retrieval ranks chunks; a
// section (a document's "## " part) ranks by its best chunk, as the
// reciprocal rank 1/(rankK+rank), plus answerWeight × the similarity of
// the closest curated answer that cites it, when that similarity reaches
// answerFloor. The figures come from the question set of testdata (see
// TestAnswerSections); they are calibrated for the local embedder.
const (
	sectionDepth = 20   // sections looked at
	searchDepth  = 80   // chunks searched to find them
	rankK        = 10.0 // reciprocal-rank constant
	answerWeight = 0.1
	answerFloor  = 0.4
	// answerDirect: a curated answer this close that cites the best
	// section is the answer's bottom line.
	answerDirect = 0.5
	// answerKnown: a curated answer this close shows the knowledge base
	// has something on the question, whatever the passages' similarity.
	answerKnown = 0.5
)

// quote is a sentence of a source picked for the answer.
type quote struct {
	n    int // the source's N
	pos  int // its position in the source
	text string
}

// found is what retrieve finds for a question: the sources to cite, the
// bottom line, the supporting quotes.
type found struct {
	sources []bot.Source
	bottom  quote // its n is the source it rests on; text "" when none
	curated bool  // bottom is a curated answer's, not a quoted sentence
	quotes  []quote
	weak    bool // no clear answer: the sources may help, no bottom line is drawn
}

// section is a "## " section of a document as the retrieval found it.
type section struct {
	doc, title, heading string
	reference           string   // the document's citation (knowledge.Hit.Reference)
	texts               []string // its chunks found, in rank order
	rank                int      // the rank of its best chunk, from 0; -1: not retrieved
	score               float64
}

func (s *section) text() string { return strings.Join(s.texts, "\n") }

// sections groups hits by section, best first, at most sectionDepth.
func sections(hits []knowledge.Hit) []*section {
	var out []*section
	for _, h := range hits {
		i := slices.IndexFunc(out, func(s *section) bool { return s.doc == h.Doc && s.heading == h.Heading })
		if i < 0 {
			if len(out) == sectionDepth {
				continue
			}
			out = append(out, &section{doc: h.Doc, title: h.Title, heading: h.Heading, reference: h.Reference, rank: len(out)})
			i = len(out) - 1
		}
		out[i].texts = append(out[i].texts, h.Text)
	}
	return out
}

// cites reports whether c names s (a heading path ends with the heading).
func cites(c faq.Cite, s *section) bool {
	return c.Doc == s.doc && (s.heading == c.Section || strings.HasSuffix(s.heading, " › "+c.Section))
}

// retrieve ranks the sections for query and picks what the answer says.
// No sources means the knowledge base has nothing on the question.
func (a *Answerer) retrieve(ctx context.Context, query string, readable []string) (found, error) {
	none := found{sources: []bot.Source{}}
	// One prepared query (segmentation, expansion, embedding) serves the
	// search, the curated answers and the sections' similarity.
	q, err := a.r.Prepare(ctx, knowledge.Request{Query: query, K: searchDepth, Readable: readable})
	if err != nil {
		return none, errs.E("offline.retrieve", "检索知识库失败", err)
	}
	hits, err := a.r.Store.Search(ctx, q)
	if err != nil {
		return none, errs.E("offline.retrieve", "检索知识库失败", err)
	}
	secs := sections(hits)
	if len(secs) == 0 {
		return none, nil
	}
	var matches []faq.Match
	if a.answers != nil {
		if matches, err = a.answers.Match(ctx, q.Vector, answerFloor); err != nil {
			return none, errs.E("offline.retrieve", "匹配常见问题失败", err)
		}
	}
	// A section a close curated answer cites is a candidate even when the
	// retrieval missed it (号被盗了咋整 → 账号被盗或异常时).
	for _, m := range matches {
		for _, c := range m.Entry.Cites {
			if slices.ContainsFunc(secs, func(s *section) bool { return cites(c, s) }) {
				continue
			}
			if title, text, ok := a.answers.Section(c); ok {
				secs = append(secs, &section{doc: c.Doc, title: title, heading: c.Section, texts: []string{strings.TrimSpace(text)}, rank: -1})
			}
		}
	}
	for _, s := range secs {
		if s.rank >= 0 {
			s.score = 1 / (rankK + float64(s.rank+1))
		}
		for _, m := range matches { // best first: the first that cites s
			if slices.ContainsFunc(m.Entry.Cites, func(c faq.Cite) bool { return cites(c, s) }) {
				s.score += answerWeight * m.Similarity
				break
			}
		}
		s.score += a.intentBonus(query, s.heading)
	}
	slices.SortStableFunc(secs, func(x, y *section) int { return cmp.Compare(y.score, x.score) })
	secs = secs[:min(len(secs), a.k)]

	// One embedding call for every section and every candidate sentence.
	var texts []string
	var sents [][]string
	for _, s := range secs {
		// The whole section: its title and heading say what it is about
		// in words a question uses (账号被盗, 代运营合同) when its text
		// does not repeat them.
		texts = append(texts, s.title+"\n"+s.heading+"\n"+s.text())
	}
	for _, s := range secs {
		ss := sentences(s.text())
		sents = append(sents, ss)
		texts = append(texts, ss...)
	}
	vecs, err := a.r.Embedder.Embed(ctx, texts)
	if err != nil {
		return none, errs.E("offline.retrieve", "计算相关度失败", err)
	}
	if len(vecs) != len(texts) {
		return none, errs.E("offline.retrieve", errs.Unavailable, knowledge.CodeEmbedderUnavailable, "计算相关度失败：向量模型返回的向量数与文本数不符", fmt.Errorf("%d vectors for %d texts", len(vecs), len(texts)))
	}
	topMatch := 0.0
	if len(matches) > 0 {
		topMatch = matches[0].Similarity
	}
	best := 0.0
	var f found
	type cand struct {
		quote
		score float64
	}
	var cands []cand
	next := len(secs)
	for i, s := range secs {
		sim := knowledge.Cosine(q.Vector, vecs[i])
		sv := vecs[next : next+len(sents[i])]
		next += len(sents[i])
		best = max(best, sim)
		// The best section is always a source; others when they are
		// close enough, or from the same document (its neighbours).
		if i > 0 && sim < a.min/2 && s.doc != secs[0].doc {
			continue
		}
		n := len(f.sources) + 1
		f.sources = append(f.sources, bot.Source{N: n, Doc: s.doc, Title: s.title, Section: s.heading, Text: s.text(), Reference: s.reference})
		if i > 0 && s.doc != secs[0].doc {
			continue // quotes come from the best section and its neighbours
		}
		for j, sent := range sents[i] {
			if strings.HasSuffix(sent, "？") || strings.HasSuffix(sent, "?") {
				continue // a question the text asks is no answer
			}
			score := knowledge.Cosine(q.Vector, sv[j])
			if i == 0 {
				score += 0.1 // the best section first
			}
			cands = append(cands, cand{quote{n, j, sent}, score})
		}
	}
	switch a.relevance(query, best, topMatch) {
	case irrelevant:
		return none, nil
	case weak:
		f.weak = true
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.score, x.score) })
	// The bottom line: the closest curated answer that cites the best
	// section, when close enough, else the best section's sentence
	// closest to the question.
	for _, m := range matches {
		if m.Similarity < answerDirect {
			break
		}
		if !slices.ContainsFunc(m.Entry.Cites, func(c faq.Cite) bool { return cites(c, secs[0]) }) {
			continue
		}
		f.bottom, f.curated = quote{n: 1, text: m.Entry.Answer}, true
		for _, p := range m.Entry.Points {
			if strings.Contains(f.sources[0].Text, p) && len(f.quotes) < a.sents {
				f.quotes = append(f.quotes, quote{n: 1, pos: strings.Index(f.sources[0].Text, p), text: p})
			}
		}
		break
	}
	for _, c := range cands {
		if !f.curated && !f.weak && f.bottom.text == "" && c.n == 1 && utf8.RuneCountInString(c.text) >= minBottomRunes {
			f.bottom = c.quote
			continue
		}
		if len(f.quotes) == a.sents {
			break
		}
		if c.text == f.bottom.text || slices.ContainsFunc(f.quotes, func(p quote) bool {
			return p.text == c.text || strings.Contains(p.text, c.text) || strings.Contains(c.text, p.text)
		}) {
			continue
		}
		f.quotes = append(f.quotes, c.quote)
	}
	slices.SortStableFunc(f.quotes, func(x, y quote) int {
		if x.n != y.n {
			return x.n - y.n
		}
		return x.pos - y.pos
	})
	return f, nil
}

// domainWords are the words of data/domain.yaml.
type domainWords struct {
	Words    []string `yaml:"words"`     // of the work of a government account
	OffWords []string `yaml:"off_words"` // of everyday life outside it
	Intents  []struct {
		Cues     []string `yaml:"cues"`
		Headings []string `yaml:"headings"`
	} `yaml:"intents"`
	IntentBonus float64 `yaml:"intent_bonus"`
}

// intentBonus is domain.yaml's intent_bonus when query asks what a
// section of that heading answers (怎么办 → 经验教训), else 0.
func (a *Answerer) intentBonus(query, heading string) float64 {
	for _, in := range a.domain.Intents {
		if slices.ContainsFunc(in.Cues, func(c string) bool { return strings.Contains(query, c) }) &&
			slices.ContainsFunc(in.Headings, func(h string) bool { return strings.Contains(heading, h) }) {
			return a.domain.IntentBonus
		}
	}
	return 0
}

// How much the knowledge base has on a question.
type relevance int

const (
	irrelevant relevance = iota // nothing: the answer says so
	weak                        // a question of the domain it has no clear answer to: sections that may help
	relevant                    // an answer
)

// relevance says how much the knowledge base has on query: an answer
// when its best section's similarity reaches the threshold or a curated
// answer is close (answerKnown). For a question with a word of the
// domain (data/domain.yaml words), three quarters of either is enough,
// and half of either gives the sections that may help, said as such. A
// question with a word of everyday life outside the domain (off_words:
// 苹果手机 shares 截图 with sections on angry netizens and secrecy) needs
// a section half as close again as the threshold, or a close curated
// answer.
func (a *Answerer) relevance(query string, section, curated float64) relevance {
	has := func(words []string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(query, w) })
	}
	switch {
	case has(a.domain.Words):
	case has(a.domain.OffWords):
		if section >= a.min*3/2 || curated >= answerKnown {
			return relevant
		}
		return irrelevant
	default:
		if section >= a.min || curated >= answerKnown {
			return relevant
		}
		return irrelevant
	}
	switch {
	case section >= a.min*3/4 || curated >= answerKnown*3/4:
		return relevant
	case section >= a.min/2 || curated >= answerKnown/2:
		return weak
	}
	return irrelevant
}

// Sources returns the sections the knowledge base holds on query, best
// first, numbered from 1: what an answer to it may cite. Empty (not nil)
// means the knowledge base has nothing on it.
func (a *Answerer) Sources(ctx context.Context, query string, readable []string) ([]bot.Source, error) {
	f, err := a.retrieve(ctx, query, readable)
	return f.sources, err
}

// Store returns the conversations the answerer keeps.
func (a *Answerer) Store() bot.SessionStore { return a.sessions }

// NothingFound is the answer to msg when the knowledge base has nothing
// on it: it says so and how to ask better, without quoting the question.
func NothingFound(msg string) string { return compose(msg, found{}) }

// Lines of an answer.
const (
	BottomLinePrefix = "结论："
	SupportLine      = "依据："
)

// compose writes the answer: the bottom line with its citation, then the
// supporting sentences, each quoted word for word with its citation; or,
// with no source, that the knowledge base has nothing.
func compose(msg string, f found) string {
	if len(f.sources) == 0 {
		// The question is not quoted back: it may carry a citizen's
		// number or name, and an answer is stored and shown again.
		return "知识库中没有找到与这个问题相关的内容，无法据此作答，以免给出没有依据的说法。" +
			"建议换个说法再问，例如写明具体场景（如网友投诉、辟谣、账号被盗）、规则或案例的名称；" +
			"涉及本单位具体业务或政策口径的问题，请向本单位新媒体负责人或业务主管部门确认。"
	}
	var b strings.Builder
	switch {
	case f.weak:
		fmt.Fprintf(&b, "%s知识库里没有直接回答这个问题的内容，《%s》“%s”一节可能有关，请对照原文判断[1]", BottomLinePrefix, f.sources[0].Title, f.sources[0].Section)
	case f.bottom.text != "":
		fmt.Fprintf(&b, "%s%s[%d]", BottomLinePrefix, f.bottom.text, f.bottom.n)
	default:
		fmt.Fprintf(&b, "%s见《%s》“%s”一节[1]", BottomLinePrefix, f.sources[0].Title, f.sources[0].Section)
	}
	if len(f.quotes) > 0 {
		b.WriteString("\n" + SupportLine)
		for _, q := range f.quotes {
			fmt.Fprintf(&b, "\n- %s[%d]", q.text, q.n)
		}
	}
	return b.String()
}

// Sentence length bounds for quoting, in characters; a bottom line drawn
// from a section is a sentence of at least minBottomRunes (用办结率说话 is
// a slogan, not an answer).
const (
	minBottomRunes   = 12
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
