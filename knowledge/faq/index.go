package faq

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"

	"govreply/knowledge"
	"govreply/knowledge/builtin"
)

// Index matches questions against curated answers: each entry's questions
// are embedded once, as the retriever prepares a query (expansion
// included), and a question is compared with them by cosine similarity.
// It is safe for concurrent use.
type Index struct {
	entries  []Entry
	sections Sections
	titles   map[string]string
	r        *knowledge.Retriever

	once sync.Once
	vecs []entryVec
	err  error
}

type entryVec struct {
	entry int
	vec   []float32
}

// NewIndex returns an index of entries, searched with r. sections and
// titles hold the text of the sections the entries cite and the titles
// of their documents, by document id, so that an answer can show them;
// either may be nil.
func NewIndex(entries []Entry, sections Sections, titles map[string]string, r *knowledge.Retriever) *Index {
	return &Index{entries: entries, sections: sections, titles: titles, r: r}
}

// BuiltinIndex returns an index of the built-in curated answers, with
// the built-in documents' sections, searched with r.
func BuiltinIndex(r *knowledge.Retriever) (*Index, error) {
	entries, secs, titles, err := Builtin(builtin.FS(), builtin.AnswersFS())
	if err != nil {
		return nil, err
	}
	return NewIndex(entries, secs, titles, r), nil
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Section returns the text of a cited section and its document's title,
// ok false when the index does not hold the section.
func (ix *Index) Section(c Cite) (title, text string, ok bool) {
	text, ok = ix.sections[c.Doc][c.Section]
	return ix.titles[c.Doc], text, ok
}

// Match is an entry and how close a question came to one of its
// questions.
type Match struct {
	Entry      *Entry
	Similarity float64 // the best cosine over the entry's questions
}

// Match ranks the entries by their closest question to the query vector
// (as knowledge.Retriever.Prepare returns it), best first, one Match per
// entry, those below min left out.
func (ix *Index) Match(ctx context.Context, vec []float32, min float64) ([]Match, error) {
	if err := ix.embed(ctx); err != nil {
		return nil, err
	}
	best := make([]float64, len(ix.entries))
	for _, v := range ix.vecs {
		best[v.entry] = math.Max(best[v.entry], knowledge.Cosine(vec, v.vec))
	}
	var out []Match
	for i, s := range best {
		if s >= min {
			out = append(out, Match{Entry: &ix.entries[i], Similarity: s})
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int { return cmp.Compare(b.Similarity, a.Similarity) })
	return out, nil
}

// Warm prepares the entry questions now rather than at the first
// question (about 0.2 s with the local embedder), as a server does at
// start. Its error is the one Match would return.
func (ix *Index) Warm(ctx context.Context) error { return ix.embed(ctx) }

// embed prepares every entry question once. A failure (an embedding
// server down) is kept and returned to every caller.
func (ix *Index) embed(ctx context.Context) error {
	ix.once.Do(func() {
		for i, e := range ix.entries {
			for _, q := range e.Questions {
				p, err := ix.r.Prepare(ctx, knowledge.Request{Query: q, K: 1})
				if err != nil {
					ix.err = err
					return
				}
				ix.vecs = append(ix.vecs, entryVec{i, p.Vector})
			}
		}
	})
	return ix.err
}
