// Package embed holds govreply's embedders: Local (the offline default)
// and Remote (real embedding models through langchaingo).
package embed

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"

	"govreply/ingest/segment"
)

// DefaultLocalDim is the local embedder's default dimension.
const DefaultLocalDim = 1536

// Feature groups and their weights. A text's vector sums three views of
// it, each feature weighted (1 + ln tf) · group weight · √idf:
//
//   - "w:" gse words (stop words dropped): the sharpest signal;
//   - "b:" character bigrams: rescue text that gse segments differently; a
//     bigram that is not a word of the IDF table (one straddling two words,
//     "在评" in "在评论区") weighs 1 instead of the table's median, which
//     would make such junctions loud;
//   - "u:" single characters: match near-synonyms that share a character
//     (答复/回复, 最晚/最迟). They also lift the cosine of texts that really
//     are related above the noise that hashing into Dim buckets adds (about
//     1/√Dim): words and bigrams alone are shared too sparsely between a
//     short question and a chunk to stand clear of it.
//
// √idf rather than idf: the cosine multiplies the query's weight by the
// chunk's, so idf on both sides would rank by idf², letting one rare or
// unknown word (微博, 官微, unknown to the 2012 IDF table, get its median)
// outweigh everything else the question says.
const (
	bigramWeight  = 1.0
	unigramWeight = 1.5
)

// Local is the offline embedder. It is lexical, not semantic: a text's
// vector is the IDF-weighted bag of its gse words, CJK character bigrams
// and CJK characters, hashed into Dim buckets with a sign bit (the
// "hashing trick"), then L2-normalised. Cosine similarity of two vectors
// therefore measures shared informative words and characters. The IDF
// table is jieba's, shipped inside gse (character IDFs are derived from
// it), so vectors depend only on the text: the same on every machine and
// unchanged when the corpus grows. No model weights, no network.
type Local struct {
	dim int
	seg *segment.Segmenter
}

// NewLocal returns a local embedder of dimension dim (0 → DefaultLocalDim).
func NewLocal(dim int) (*Local, error) {
	if dim == 0 {
		dim = DefaultLocalDim
	}
	if dim < 16 || dim > 2000 {
		return nil, fmt.Errorf("本地向量维度须在 16 到 2000 之间，收到 %d", dim)
	}
	return &Local{dim: dim, seg: segment.Default()}, nil
}

// Name identifies the embedder and its dimension.
// v2: character features and √idf weights (vectors differ from v1's, so a
// store filled by v1 must be re-embedded).
func (l *Local) Name() string { return "local-lexical-v2:" + strconv.Itoa(l.dim) }

// Dimensions returns the vector length.
func (l *Local) Dimensions() int { return l.dim }

// Embed implements knowledge.Embedder. It never fails.
func (l *Local) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = l.vector(t)
	}
	return out, nil
}

// vector computes one embedding. Features are added in sorted order so
// that float rounding, and so the vector, is the same on every run (map
// order is random).
func (l *Local) vector(text string) []float32 {
	v := make([]float32, l.dim)
	feats := l.features(text)
	for _, f := range slices.Sorted(maps.Keys(feats)) {
		w := feats[f]
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		i := int(x % uint64(l.dim))
		if x>>63 == 1 {
			v[i] -= float32(w)
		} else {
			v[i] += float32(w)
		}
	}
	normalize(v)
	return v
}

// features returns the weighted features of text (see bigramWeight).
func (l *Local) features(text string) map[string]float64 {
	tf := map[string]int{}
	for _, w := range l.seg.Words(text) {
		if segment.IsStopword(w) {
			continue
		}
		tf["w:"+w]++
	}
	for _, b := range segment.Bigrams(text) {
		tf["b:"+b]++
	}
	for _, c := range segment.Unigrams(text) {
		tf["u:"+c]++
	}
	out := make(map[string]float64, len(tf))
	for f, n := range tf {
		w := 1 + math.Log(float64(n))
		switch f[0] {
		case 'w':
			w *= math.Sqrt(segment.IDF(f[2:]))
		case 'b':
			w *= bigramWeight * math.Sqrt(bigramIDF(f[2:]))
		case 'u':
			w *= unigramWeight * math.Sqrt(segment.CharIDF(f[2:]))
		}
		out[f] = w
	}
	return out
}

// bigramIDF weighs a character bigram: a bigram that is a word keeps its
// IDF; one that straddles two words ("在评" in "在评论区") is mostly noise,
// and the IDF table's median for unknown words would make it loud.
func bigramIDF(b string) float64 {
	if segment.Known(b) {
		return segment.IDF(b)
	}
	return 1
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	n := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= n
	}
}
