package knowledge

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/textcheck"
)

// MaxQueryRunes is the longest query Retriever accepts. A citizen's post
// fits (Weibo caps them at 2,000 characters); a pasted document does not.
const MaxQueryRunes = 2000

// TermWeigher is an optional capability of a Segmenter: how informative a
// term is (an IDF). Without it every term weighs 1.
type TermWeigher interface {
	Weight(term string) float64
}

// WeightedSegmenter is an optional capability of a Segmenter that weighs a
// query's terms itself, because a term's weight can depend on the role it
// plays in the query (ingest/segment weighs a single character that is
// only part of a longer word lower than the same character standing as a
// word). It is preferred over TermWeigher. Terms must be deduplicated and
// Weights parallel to them.
type WeightedSegmenter interface {
	WeightedTerms(text string) (terms []string, weights []float64)
}

// TermCounter is an optional capability of a Store: how many chunks of a
// collection hold each term, kept exact as documents are put and deleted.
// With it the Retriever weighs a query's terms by the corpus being
// searched as well as by the segmenter's general dictionary, so that a
// word rare in this corpus counts for more than one that every chunk of
// it holds, whatever a newspaper corpus says of either.
//
// TermCounts returns the number of chunks in collection ("" means every
// collection) and, parallel to terms, how many of those chunks hold each
// term among their Chunk.Terms. The counts reflect every Put and Delete
// that returned before the call; two stores holding the same documents
// return the same counts.
type TermCounter interface {
	TermCounts(ctx context.Context, collection string, terms []string) (TermCounts, error)
}

// TermCounts is what TermCounter returns.
type TermCounts struct {
	Chunks int   // chunks in the collection
	Counts []int // per term, the chunks that hold it
}

// Expander is an optional part of a Retriever that widens a query with
// other wordings of what it says: a domain thesaurus's synonyms, and the
// official term for a colloquial one (把评论区关了 → 关闭评论, 冲数据 →
// 刷量), so that a question asked the way people talk still finds guidance
// written the way rules are. knowledge/thesaurus implements it.
//
// Expand returns the phrases to add for text: each one means what some
// part of text means but is worded differently, and none is contained in
// text already. The result has no duplicates and depends only on text
// (same text, same phrases in the same order), so a query is ranked the
// same in every store and on every run; nil means nothing to add. It must
// be safe for concurrent use and cannot fail.
//
// The Retriever gives the expansion less say than the question itself:
// its terms weigh ExpansionWeight times their own weight (a term the
// question has keeps the question's weight), and its embedding is blended
// into the question's at ExpansionVectorWeight (see Prepare).
type Expander interface {
	Expand(text string) []string
}

// ExpansionWeight scales the full-text weight of a term that only the
// expansion adds. An expansion term is evidence at one remove (the
// question did not use it, a synonym of it did), so it weighs less than
// the question's own terms: enough to bring up a document whose only link
// to the question is a thesaurus pair, not so much that a ubiquitous
// synonym (官微 → 政务微博) outvotes what the question actually says.
// Measured on the retrieval dev set (docs/retrieval.md): hybrid MRR is
// 0.888 to 0.913 for any weights from 0.2 to 0.5; from 0.5 the text
// ranking alone overtakes the fused one, so 0.3 keeps a margin.
const ExpansionWeight = 0.3

// ExpansionVectorWeight is the share of the expansion in the query
// vector: the vector is the unit sum of the question's embedding and this
// times the expansion's (both normalised first). Embedding the question
// and its expansion as one text instead gives every synonym full weight
// and makes vector-only ranking worse than no expansion; of 0.1 to 0.8,
// 0.3 is best for the fused ranking (docs/retrieval.md).
const ExpansionVectorWeight = 0.3

// Retriever turns a question into a Query (terms, weights, vector) and
// runs it on a Store. It is the one place where a search is prepared, so
// the CLI, the API and the assistant rank identically.
type Retriever struct {
	Store     Store
	Embedder  Embedder
	Segmenter Segmenter
	// Expander, when set, adds other wordings of the question to the
	// query (see Expander); nil searches for the question's own words.
	Expander Expander
}

// Request is a search as a caller states it.
type Request struct {
	Query      string
	K          int
	Collection string
	Category   Category
	Mode       Mode
	// Readable is the caller's readable collections (Query.Readable); nil
	// is unrestricted.
	Readable []string
}

// Search validates req and returns the ranked chunks.
func (r *Retriever) Search(ctx context.Context, req Request) ([]Hit, error) {
	q, err := r.Prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	hits, err := r.Store.Search(ctx, q)
	if err != nil {
		return nil, errs.E("retrieve.Search", err)
	}
	return hits, nil
}

// Prepare validates req and computes its Query. With an Expander, the
// expansion's terms follow the question's at ExpansionWeight (Terms stay
// deduplicated; multi-character ones select candidates like the
// question's), and the query vector blends the expansion's embedding in
// at ExpansionVectorWeight.
func (r *Retriever) Prepare(ctx context.Context, req Request) (Query, error) {
	const op = "retrieve.Prepare"
	text := strings.TrimSpace(req.Query)
	switch n := utf8.RuneCountInString(text); {
	case textcheck.Problem(text) != "":
		return Query{}, errs.E(op, errs.Invalid, "检索内容"+textcheck.Problem(text))
	case n == 0:
		return Query{}, errs.E(op, errs.Invalid, "检索内容不能为空")
	case n > MaxQueryRunes:
		return Query{}, errs.E(op, errs.TooLarge, fmt.Sprintf("检索内容过长：%d 字，最多 %d 字", n, MaxQueryRunes))
	}
	if req.K <= 0 || req.K > 100 {
		return Query{}, errs.E(op, errs.Invalid, "k 须在 1 到 100 之间")
	}
	mode := cmp.Or(req.Mode, ModeHybrid)
	if !mode.Valid() {
		return Query{}, errs.E(op, errs.Invalid, "检索模式须为 hybrid、vector 或 text")
	}
	if req.Category != "" && !req.Category.Valid() {
		return Query{}, errs.E(op, errs.Invalid, "类别须为 rule、tone、case 或 faq")
	}
	q := Query{K: req.K, Collection: req.Collection, Category: req.Category, Mode: mode, Readable: req.Readable}
	terms, weights := r.terms(text)
	extra := r.expansion(text)
	if extra != "" {
		et, ew := r.terms(extra)
		terms, weights = addExpansion(terms, weights, et, ew)
	}
	if tc, ok := r.Store.(TermCounter); ok && len(terms) > 0 {
		counts, err := tc.TermCounts(ctx, req.Collection, terms)
		if err != nil {
			return Query{}, errs.E(op, err)
		}
		weights = corpusWeights(weights, counts)
	}
	q.Terms, q.Weights, q.Select = selectFirst(terms, weights)
	if mode != ModeText {
		v, err := r.vector(ctx, text, extra)
		if err != nil {
			return Query{}, errs.E(op, err)
		}
		q.Vector = v
	}
	return q, nil
}

// corpusWeights scales each term's dictionary weight by how rare the
// term is in the corpus searched: w · (idf/idfMax)², where idf is BM25's
// ln(1 + (N - df + 0.5)/(df + 0.5)) over the N chunks and idfMax its value
// for a term in one chunk. A term every chunk holds loses its weight, one
// in a single chunk (or in none) keeps all of it. The dictionary weight
// still tells a content word from a function word in a small corpus,
// where counts say little; the square lets the corpus speak loudly where
// they do (docs/retrieval.md has the measurements).
func corpusWeights(weights []float64, tc TermCounts) []float64 {
	n := float64(tc.Chunks)
	if n < 1 || len(tc.Counts) != len(weights) {
		return weights
	}
	idfMax := math.Log(1 + (n-1+0.5)/(1+0.5))
	out := make([]float64, len(weights))
	for i, w := range weights {
		df := float64(min(tc.Counts[i], tc.Chunks))
		share := 1.0
		if df > 0 && idfMax > 0 {
			share = min(math.Log(1+(n-df+0.5)/(df+0.5))/idfMax, 1)
		}
		out[i] = w * share * share
	}
	return out
}

// expansion returns the Expander's phrases for text as one text, phrases
// separated by spaces (so no bigram spans two of them); "" when there is
// no Expander or nothing to add.
func (r *Retriever) expansion(text string) string {
	if r.Expander == nil {
		return ""
	}
	return strings.Join(r.Expander.Expand(text), " ")
}

// addExpansion appends the expansion's terms that the question lacks, at
// ExpansionWeight times their weight. Terms stay deduplicated.
func addExpansion(terms []string, weights []float64, et []string, ew []float64) ([]string, []float64) {
	have := make(map[string]bool, len(terms))
	for _, t := range terms {
		have[t] = true
	}
	for i, t := range et {
		if have[t] {
			continue
		}
		have[t] = true
		terms = append(terms, t)
		weights = append(weights, ExpansionWeight*ew[i])
	}
	return terms, weights
}

// vector embeds the question and, when there is an expansion, blends the
// expansion's embedding in: unit(unit(q) + ExpansionVectorWeight·unit(e)).
// Both texts go to the embedder in one call, and the blend is a fixed
// sequence of float operations, so the vector is as deterministic as the
// embedder.
func (r *Retriever) vector(ctx context.Context, text, extra string) ([]float32, error) {
	texts := []string{text}
	if extra != "" {
		texts = append(texts, extra)
	}
	vecs, err := r.Embedder.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	if len(vecs) != len(texts) {
		return nil, errs.E("retrieve.embed", errs.Unavailable, CodeEmbedderUnavailable, "向量模型返回的向量数与文本数不符",
			fmt.Errorf("%d vectors for %d texts", len(vecs), len(texts)))
	}
	if extra == "" {
		return vecs[0], nil
	}
	return blend(vecs[0], vecs[1], ExpansionVectorWeight), nil
}

// blend returns unit(unit(a) + w·unit(b)); a zero b leaves a as it is.
func blend(a, b []float32, w float64) []float32 {
	na, nb := norm(a), norm(b)
	if nb == 0 || len(a) != len(b) {
		return a
	}
	out := make([]float32, len(a))
	for i := range a {
		var x float64
		if na > 0 {
			x = float64(a[i]) / na
		}
		out[i] = float32(x + w*float64(b[i])/nb)
	}
	if n := norm(out); n > 0 {
		for i := range out {
			out[i] = float32(float64(out[i]) / n)
		}
	}
	return out
}

// norm is the Euclidean length of v.
func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// terms segments text into deduplicated terms and their weights.
func (r *Retriever) terms(text string) ([]string, []float64) {
	if ws, ok := r.Segmenter.(WeightedSegmenter); ok {
		return ws.WeightedTerms(text)
	}
	w, _ := r.Segmenter.(TermWeigher)
	seen := map[string]bool{}
	var terms []string
	var weights []float64
	for _, t := range r.Segmenter.Terms(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, t)
		if w != nil {
			weights = append(weights, w.Weight(t))
		} else {
			weights = append(weights, 1)
		}
	}
	return terms, weights
}

// DocHit is a document ranked by its best chunk.
type DocHit struct {
	Doc   string
	Title string
	Best  Hit // the document's best-ranked chunk
}

// Documents ranks documents by their best chunk, each counted once, and
// returns at most k of them. It searches deeper than k chunks so that a
// document with many strong chunks cannot crowd the others out.
func (r *Retriever) Documents(ctx context.Context, req Request) ([]DocHit, error) {
	k := req.K
	req.K = min(100, max(10*k, 50))
	hits, err := r.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []DocHit
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.Collection+"\x00"+h.Doc] {
			continue
		}
		seen[h.Collection+"\x00"+h.Doc] = true
		out = append(out, DocHit{Doc: h.Doc, Title: h.Title, Best: h})
		if len(out) == k {
			break
		}
	}
	return out, nil
}

// selectFirst orders terms so that those of two or more characters come
// first (stable) and returns how many there are: they select full-text
// candidates, single characters only score them (see Query.Select).
func selectFirst(terms []string, weights []float64) ([]string, []float64, int) {
	ts := make([]string, 0, len(terms))
	ws := make([]float64, 0, len(weights))
	for pass := 0; pass < 2; pass++ {
		for i, t := range terms {
			if (utf8.RuneCountInString(t) > 1) == (pass == 0) {
				ts = append(ts, t)
				ws = append(ws, weights[i])
			}
		}
	}
	sel := 0
	for _, t := range ts {
		if utf8.RuneCountInString(t) > 1 {
			sel++
		}
	}
	if sel == len(ts) {
		sel = 0
	}
	return ts, ws, sel
}
