package memory

import (
	"cmp"
	"context"
	"math"
	"slices"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// candidate is a chunk being ranked.
type candidate struct {
	e     *entry
	c     *chunk
	score float64 // the ranking's own score (similarity or text score)
}

// Search implements knowledge.Store by scoring every chunk: cosine
// similarity for the vector ranking, Σ weight·TermRank(tf) for the text
// ranking, then Reciprocal Rank Fusion, as knowledge/postgres does in SQL.
func (s *Store) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	const op = "memory.Search"
	if q.K <= 0 {
		return nil, errs.E(op, errs.Invalid, "k 必须大于 0")
	}
	mode := cmp.Or(q.Mode, knowledge.ModeHybrid)
	if !mode.Valid() {
		return nil, errs.E(op, errs.Invalid, "未知的检索模式 "+string(mode))
	}
	if mode != knowledge.ModeText && len(q.Vector) != s.dim {
		return nil, errs.E(op, errs.Invalid, "查询向量维度与知识库不一致")
	}
	depth := q.Depth
	if depth <= 0 {
		depth = knowledge.DefaultDepth(q.K)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var vec, txt []candidate
	for _, e := range s.docs {
		if !matches(e.doc, q.Collection, q.Category, q.Readable) {
			continue
		}
		for i := range e.chunks {
			c := &e.chunks[i]
			if mode != knowledge.ModeText {
				vec = append(vec, candidate{e, c, dot(q.Vector, c.Embedding)})
			}
			if mode != knowledge.ModeVector {
				if sc := textScore(q, c.tf); sc > 0 {
					txt = append(txt, candidate{e, c, sc})
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.E(op, err)
	}
	return fuse(top(vec, depth), top(txt, depth), q.K), nil
}

// textScore is the weighted sum of TermRank over the query terms in c.
func textScore(q knowledge.Query, tf map[string]int) float64 {
	if !selected(q, tf) {
		return 0
	}
	var s float64
	for i, t := range q.Terms {
		n := tf[t]
		if n == 0 {
			continue
		}
		w := 1.0
		if i < len(q.Weights) {
			w = q.Weights[i]
		}
		s += w * knowledge.TermRank(n)
	}
	return s
}

// top orders candidates best first (ties by doc id, ordinal) and cuts to n.
func top(cs []candidate, n int) []candidate {
	slices.SortFunc(cs, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), byPosition(a, b))
	})
	if len(cs) > n {
		cs = cs[:n]
	}
	return cs
}

func byPosition(a, b candidate) int {
	return cmp.Or(cmp.Compare(a.e.doc.ID, b.e.doc.ID),
		cmp.Compare(a.e.doc.Collection, b.e.doc.Collection),
		cmp.Compare(a.c.Ordinal, b.c.Ordinal))
}

// fuse merges two rankings with Reciprocal Rank Fusion.
func fuse(vec, txt []candidate, k int) []knowledge.Hit {
	type fused struct {
		candidate
		hit knowledge.Hit
	}
	byChunk := map[*chunk]*fused{}
	var all []*fused
	add := func(cs []candidate, setRank func(*knowledge.Hit, int)) {
		for i, c := range cs {
			f, ok := byChunk[c.c]
			if !ok {
				f = &fused{candidate: c, hit: hitOf(c)}
				byChunk[c.c] = f
				all = append(all, f)
			}
			setRank(&f.hit, i+1)
			f.hit.Score += knowledge.RRFScore(i + 1)
		}
	}
	add(vec, func(h *knowledge.Hit, r int) { h.VectorRank = r })
	add(txt, func(h *knowledge.Hit, r int) { h.TextRank = r })
	slices.SortFunc(all, func(a, b *fused) int {
		return cmp.Or(cmp.Compare(b.hit.Score, a.hit.Score), cmp.Compare(textOrder(a.hit), textOrder(b.hit)),
			byPosition(a.candidate, b.candidate))
	})
	if len(all) > k {
		all = all[:k]
	}
	hits := make([]knowledge.Hit, len(all))
	for i, f := range all {
		hits[i] = f.hit
	}
	return hits
}

// textOrder breaks a tie of fused scores (a chunk ranked 1st and 3rd
// against one ranked 3rd and 1st) in favour of the better full-text rank,
// the ranking that holds the exact words; no text rank comes last.
func textOrder(h knowledge.Hit) int {
	if h.TextRank == 0 {
		return math.MaxInt
	}
	return h.TextRank
}

func hitOf(c candidate) knowledge.Hit {
	return knowledge.Hit{
		Doc:        c.e.doc.ID,
		Collection: c.e.doc.Collection,
		Title:      c.e.doc.Title,
		Category:   c.e.doc.Category,
		Heading:    knowledge.HeadingPath(c.c.Heading),
		Ordinal:    c.c.Ordinal,
		Text:       c.c.Text,
		Reference:  knowledge.Reference(c.e.doc.Metadata),
	}
}

// dot is the cosine similarity of two L2-normalised vectors. Vectors from
// a remote model may not be normalised, so fall back to the full formula.
func dot(a, b []float32) float64 {
	var s, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		s += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return s / (math.Sqrt(na) * math.Sqrt(nb))
}

// selected reports whether a chunk holds one of the terms that select
// full-text candidates (Query.Select).
func selected(q knowledge.Query, tf map[string]int) bool {
	sel := q.Terms
	if q.Select > 0 && q.Select < len(sel) {
		sel = sel[:q.Select]
	}
	for _, t := range sel {
		if tf[t] > 0 {
			return true
		}
	}
	return false
}
