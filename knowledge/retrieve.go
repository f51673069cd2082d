package knowledge

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
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

// Retriever turns a question into a Query (terms, weights, vector) and
// runs it on a Store. It is the one place where a search is prepared, so
// the CLI, the API and the assistant rank identically.
type Retriever struct {
	Store     Store
	Embedder  Embedder
	Segmenter Segmenter
}

// Request is a search as a caller states it.
type Request struct {
	Query      string
	K          int
	Collection string
	Category   Category
	Mode       Mode
}

// Search validates req and returns the ranked chunks.
func (r *Retriever) Search(ctx context.Context, req Request) ([]Hit, error) {
	q, err := r.Prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	hits, err := r.Store.Search(ctx, q)
	if err != nil {
		return nil, E("retrieve.Search", err)
	}
	return hits, nil
}

// Prepare validates req and computes its Query.
func (r *Retriever) Prepare(ctx context.Context, req Request) (Query, error) {
	const op = "retrieve.Prepare"
	text := strings.TrimSpace(req.Query)
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return Query{}, E(op, Invalid, "检索内容不是有效的 UTF-8 文本")
	case n == 0:
		return Query{}, E(op, Invalid, "检索内容不能为空")
	case n > MaxQueryRunes:
		return Query{}, E(op, TooLarge, fmt.Sprintf("检索内容过长：%d 字，最多 %d 字", n, MaxQueryRunes))
	}
	if req.K <= 0 || req.K > 100 {
		return Query{}, E(op, Invalid, "k 须在 1 到 100 之间")
	}
	mode := cmp.Or(req.Mode, ModeHybrid)
	if !mode.Valid() {
		return Query{}, E(op, Invalid, "检索模式须为 hybrid、vector 或 text")
	}
	if req.Category != "" && !req.Category.Valid() {
		return Query{}, E(op, Invalid, "类别须为 rule、tone、case 或 faq")
	}
	q := Query{K: req.K, Collection: req.Collection, Category: req.Category, Mode: mode}
	q.Terms, q.Weights, q.Select = selectFirst(r.terms(text))
	if mode != ModeText {
		vecs, err := r.Embedder.Embed(ctx, []string{text})
		if err != nil {
			return Query{}, E(op, err)
		}
		q.Vector = vecs[0]
	}
	return q, nil
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
