// Package knowledge owns govreply's knowledge base: documents, their chunks,
// the Store contract that holds them and the hybrid retrieval over them.
//
// Implementations live in sub-packages named after what they wrap:
// knowledge/postgres (PostgreSQL + pgvector, production) and
// knowledge/memory (the embedded default). Both pass knowledge/storetest.
package knowledge

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"govreply/internal/errs"
)

// DefaultCollection is the collection a document lands in when none is named.
const DefaultCollection = "default"

// Category classifies a knowledge document.
type Category string

// The categories a document may have.
const (
	CategoryRule Category = "rule" // operating rules
	CategoryTone Category = "tone" // tone and wording guidance
	CategoryCase Category = "case" // case studies
	CategoryFAQ  Category = "faq"  // questions, background material
)

// Valid reports whether c is one of the known categories.
func (c Category) Valid() bool {
	switch c {
	case CategoryRule, CategoryTone, CategoryCase, CategoryFAQ:
		return true
	}
	return false
}

// Document is one knowledge document: a rule, tone guide, case or FAQ.
// Its identity is (Collection, ID).
type Document struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Title      string            `json:"title"`
	Category   Category          `json:"category,omitempty"`
	Source     string            `json:"source,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	Effective  string            `json:"effective,omitempty"` // YYYY-MM-DD, optional
	Path       string            `json:"path,omitempty"`      // where it was loaded from
	Hash       string            `json:"hash"`                // content hash; unchanged hash means skip
	Metadata   map[string]string `json:"metadata,omitempty"`
	// Body is the full text as loaded (Markdown-like). Stores keep it,
	// but Get and Documents leave it empty: Store.Text returns it.
	Body string `json:"-"`
	// Chunks is how many chunks the document has, filled by Get and
	// Documents; Put ignores it.
	Chunks    int       `json:"chunks"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Chunk is a retrievable piece of a document.
type Chunk struct {
	Ordinal int      // position within the document, from 0
	Heading []string // heading path, outermost first
	Text    string
	Tokens  int // token count of Text
	// Terms are the chunk's words as segmented by gse, lower-cased: the
	// full-text index is built from them (PostgreSQL's "simple" configuration
	// cannot segment Chinese by itself).
	Terms     []string
	Embedding []float32
}

// HeadingPath joins a heading path the way hits show it.
func HeadingPath(h []string) string { return strings.Join(h, " > ") }

// Hit is one retrieved chunk with its rankings.
type Hit struct {
	Doc        string   `json:"doc"`
	Collection string   `json:"collection"`
	Title      string   `json:"title"`
	Category   Category `json:"category,omitempty"`
	Heading    string   `json:"heading"`
	Ordinal    int      `json:"ordinal"`
	Score      float64  `json:"score"`       // fused RRF score (or the single ranking's RRF term)
	VectorRank int      `json:"vector_rank"` // 1-based; 0 when not in the vector ranking
	TextRank   int      `json:"text_rank"`   // 1-based; 0 when not in the full-text ranking
	Text       string   `json:"text"`
	// Reference identifies an official document the way it is cited: its
	// number, issuer and dates (Reference of its metadata); "" when its
	// metadata has none.
	Reference string `json:"reference,omitempty"`
}

// Reference is how an official document is cited, from the metadata the
// loaders read (发文字号, 发文机关, 成文日期, 发布日期):
// "国办发〔2018〕123号，国务院办公厅，2018年12月07日成文，2018年12月27日发布";
// "" when the metadata has none of them.
func Reference(meta map[string]string) string {
	var parts []string
	for _, f := range []struct{ key, suffix string }{
		{"doc_number", ""}, {"issuer", ""}, {"written_date", "成文"}, {"published_date", "发布"},
	} {
		if v := strings.TrimSpace(meta[f.key]); v != "" {
			parts = append(parts, v+f.suffix)
		}
	}
	return strings.Join(parts, "，")
}

// Mode selects which rankings a search uses.
type Mode string

// Search modes.
const (
	ModeHybrid Mode = "hybrid" // both rankings fused by RRF (see RRFScore)
	ModeVector Mode = "vector" // embedding similarity only
	ModeText   Mode = "text"   // full-text only
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeHybrid || m == ModeVector || m == ModeText }

// RRFK is the k constant of Reciprocal Rank Fusion: score = Σ 1/(RRFK + rank).
const RRFK = 60

// FirstRankBonus is added to a chunk's fused score for each ranking that
// puts it first. Plain RRF puts a chunk that one ranking finds first and
// the other fourth below one that both rank second: 1/61 + 1/64 < 2/62.
// With the bonus, a chunk one ranking puts first and the other among its
// first fifteen comes before every chunk neither puts first, so the
// first hit of each ranking stays at the top of the fused list. Measured
// in docs/retrieval.md.
const FirstRankBonus = 0.003

// RRFScore is one ranking's share of a chunk's fused score: 1/(RRFK +
// rank), plus FirstRankBonus at rank 1.
func RRFScore(rank int) float64 {
	s := 1 / float64(RRFK+rank)
	if rank == 1 {
		s += FirstRankBonus
	}
	return s
}

// Query is a prepared search: the words and the vector are already computed
// (see Retriever), so a Store only ranks.
type Query struct {
	Terms []string // full-text terms, lower-cased, deduplicated; OR-ed
	// Weights are the terms' weights (their IDF), parallel to Terms; nil
	// means 1 each. A chunk's text score is Σ weight·TermRank(tf).
	Weights []float64
	// Select is how many leading Terms select full-text candidates; the
	// terms after them only add to the score of chunks already selected.
	// Single characters occur in nearly every chunk: letting them select
	// would make the text ranking score the whole table. 0 means every
	// term selects.
	Select     int
	Vector     []float32 // query embedding; same dimension as the store's
	K          int       // rows wanted; a Store returns min(K, matching chunks)
	Collection string    // "" searches every collection
	Category   Category  // "" searches every collection's categories
	// Readable, when not nil, is every collection the caller may read:
	// chunks of any other collection are never candidates (an empty,
	// non-nil list matches nothing). A Store applies it inside its scan
	// or its SQL, before ranking, like Collection. nil means unrestricted
	// (the CLI, the drafter's built-in guidance).
	Readable []string
	Mode     Mode // "" means ModeHybrid
	// Depth is how many candidates each ranking contributes before fusion;
	// 0 means DefaultDepth(K).
	Depth int
}

// TermRank is the full-text score of one query term that occurs tf times
// in a chunk. It equals PostgreSQL's ts_rank(tsv, one_term_query) for
// unweighted lexemes (0.1 · Σ_{j=1..tf} 1/j² / ζ(2)), so the in-memory store
// ranks exactly as the Postgres store does: it grows with tf and saturates.
func TermRank(tf int) float64 {
	var s float64
	for j := 1; j <= tf; j++ {
		s += 1 / float64(j*j)
	}
	return 0.1 * s / 1.64493406685
}

// DefaultDepth is the per-ranking candidate count used when Query.Depth is 0.
func DefaultDepth(k int) int {
	if d := 4 * k; d > 40 {
		return d
	}
	return 40
}

// Outcome says what Put did.
type Outcome string

// Put outcomes.
const (
	Added     Outcome = "added"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// CanRead reports whether a readable list (Query.Readable,
// Filter.Readable) lets collection be read: nil lets every collection.
func CanRead(readable []string, collection string) bool {
	return readable == nil || slices.Contains(readable, collection)
}

// Filter narrows Documents.
type Filter struct {
	Collection string   // "" = all
	Category   Category // "" = all
	// Readable, when not nil, limits the listing to these collections, as
	// Query.Readable limits a search.
	Readable []string
	ID       string // "" = any; else the documents of that id, one per collection holding it
}

// Store holds documents and their chunks and ranks chunks for a query.
//
// Put stores doc with exactly the given chunks, atomically: a reader sees the
// old version or the new one, never a mix, and a failed Put leaves the old
// version in place. When a document with the same (Collection, ID) and Hash
// is already stored, Put changes nothing and returns Unchanged. Put returns
// only after the write is durable. Every chunk must carry an embedding of
// the store's dimension.
//
// Put also stores doc.Body; an Unchanged Put keeps the stored body, an
// update replaces it.
//
// Get returns the stored document (without Body, with Chunks counted) or
// an error of kind NotFound. Text returns a stored document's body: the
// Markdown text Put was given, or, for a document stored with an empty
// body (by a version that kept only the chunks), its chunks' texts in
// ordinal order as JoinChunks joins them; NotFound when the document is
// absent. Delete removes a document, its body and its chunks (NotFound if
// absent). Documents lists the documents f matches (without Body, with
// Chunks counted), ordered by collection then id.
//
// Search ranks chunks: a vector ranking by cosine distance to q.Vector and
// a full-text ranking of the chunks matching any of q.Terms, each cut to
// q.Depth candidates and fused with Reciprocal Rank Fusion (RRFK). Filters
// apply before the cut, so a filtered search still returns K rows when K
// chunks match. Hits are ordered by Score descending, ties by document id
// then ordinal.
//
// Ping reports whether the store can serve (for Postgres: reachable and
// migrated). Close releases resources.
type Store interface {
	Put(ctx context.Context, doc Document, chunks []Chunk) (Outcome, error)
	Get(ctx context.Context, collection, id string) (Document, error)
	Text(ctx context.Context, collection, id string) (string, error)
	Delete(ctx context.Context, collection, id string) error
	Documents(ctx context.Context, f Filter) ([]Document, error)
	Search(ctx context.Context, q Query) ([]Hit, error)
	Ping(ctx context.Context) error
	Close() error
}

// JoinChunks rebuilds a document's text from its chunks, in the order
// given: each chunk's text, under Markdown headings for the part of its
// heading path that differs from the chunk before it (level i+1 for the
// path's i-th heading, at most 6), so that the headings nest as the path
// says. Chunks that overlap repeat the sentences they share. Stores use it
// for documents stored without a body.
func JoinChunks(chunks []Chunk) string {
	var (
		b    strings.Builder
		prev []string
	)
	para := func(s string) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	for _, c := range chunks {
		same := 0
		for same < len(c.Heading) && same < len(prev) && c.Heading[same] == prev[same] {
			same++
		}
		if same == len(c.Heading) && same < len(prev) && same > 0 {
			same-- // back to an outer section: say its heading again
		}
		for i := same; i < len(c.Heading); i++ {
			para(strings.Repeat("#", min(i+1, 6)) + " " + strings.Join(strings.Fields(c.Heading[i]), " "))
		}
		prev = c.Heading
		if t := strings.TrimSpace(c.Text); t != "" {
			para(t)
		}
	}
	return b.String()
}

// Embedder turns texts into vectors. Implementations live in ingest.
//
// Embed returns one vector per text, in order, each of length Dimensions().
// It must be safe for concurrent use. Name identifies the model, so a store
// built with one embedder is not searched with another. An embedder whose
// model server fails (down, refusing, answering garbage) returns an
// errs.Error of kind Unavailable with CodeEmbedderUnavailable, or of kind
// Timeout with CodeEmbedderTimeout, whose message names the server.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Dimensions() int
	Name() string
}

// Codes of an embedder's failures (see Embedder).
const (
	CodeEmbedderUnavailable errs.Code = "embedder_unavailable"
	CodeEmbedderTimeout     errs.Code = "embedder_timeout"
)

// Segmenter splits text into search terms (gse in ingest).
// Terms returns lower-cased words with punctuation and spaces dropped.
type Segmenter interface {
	Terms(text string) []string
}

// Cosine is the cosine similarity of two vectors: 0 when either is zero
// or their lengths differ.
func Cosine(a, b []float32) float64 {
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
