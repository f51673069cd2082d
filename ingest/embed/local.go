// Package embed holds govreply's embedders: Local (the offline default)
// and Remote (real embedding models through langchaingo).
package embed

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

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
		out[i] = l.Vector(l.seg.Analyze(t))
	}
	return out, nil
}

// Segmenter returns the segmenter whose Analysis the embedder reads.
func (l *Local) Segmenter() *segment.Segmenter { return l.seg }

// Vector computes the embedding of a text from its Analysis by
// Segmenter(): Embed(text) is Vector(Segmenter().Analyze(text)), bit for
// bit. Ingest uses it to segment each chunk once for terms and vector.
//
// The vector is the same on every run: features that share a bucket are
// added in the order of their keys ("b:"+bigram, "u:"+character,
// "w:"+word, byte-wise), as float rounding depends on the order. A
// feature alone in its bucket needs no order, so only the colliding few
// are sorted (sorting them all was a tenth of ingest's Go time).
func (l *Local) Vector(a segment.Analysis) []float32 {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	feats := sc.features(a)
	if len(sc.perBucket) < l.dim {
		sc.perBucket = make([]uint16, l.dim)
	}
	for i := range feats {
		b := int(feats[i].hash % uint64(l.dim))
		feats[i].bucket = b
		sc.perBucket[b]++
	}
	v := make([]float32, l.dim)
	shared := sc.shared[:0]
	for _, f := range feats {
		if sc.perBucket[f.bucket] == 1 {
			f.addTo(v)
		} else {
			shared = append(shared, f)
		}
	}
	slices.SortFunc(shared, compareFeatures)
	for _, f := range shared {
		f.addTo(v)
	}
	for _, f := range feats {
		sc.perBucket[f.bucket] = 0
	}
	sc.shared = shared
	normalize(v)
	return v
}

// addTo adds the feature's signed weight to its bucket of v.
func (f feature) addTo(v []float32) {
	if f.hash>>63 == 1 {
		v[f.bucket] -= float32(f.weight)
	} else {
		v[f.bucket] += float32(f.weight)
	}
}

// Feature groups: the first byte of a feature's key.
const (
	groupBigram  = 'b'
	groupUnigram = 'u'
	groupWord    = 'w'
)

// featureKey identifies a feature: group + ":" + term is its key.
type featureKey struct {
	group byte
	term  string
}

// feature is one distinct feature of a text.
type feature struct {
	featureKey
	hash   uint64 // FNV-1a of the key
	bucket int
	weight float64
}

func compareFeatures(a, b feature) int {
	if a.bucket != b.bucket {
		return cmp.Compare(a.bucket, b.bucket)
	}
	if a.group != b.group {
		return cmp.Compare(a.group, b.group)
	}
	return strings.Compare(a.term, b.term)
}

// scratch is the reusable working memory of one Vector call.
type scratch struct {
	tf        map[featureKey]int
	feats     []feature
	shared    []feature // features whose bucket holds others too
	perBucket []uint16  // features per bucket; all zero between calls
}

var scratchPool = sync.Pool{New: func() any { return &scratch{tf: map[featureKey]int{}} }}

// features returns the weighted features of a (see bigramWeight), in no
// particular order; the slice is reused by the next call.
func (sc *scratch) features(a segment.Analysis) []feature {
	clear(sc.tf)
	for _, w := range a.Words {
		sc.tf[featureKey{groupWord, w}]++
	}
	for _, b := range a.Bigrams {
		sc.tf[featureKey{groupBigram, b}]++
	}
	for _, c := range a.Unigrams {
		sc.tf[featureKey{groupUnigram, c}]++
	}
	sc.feats = sc.feats[:0]
	for k, n := range sc.tf {
		sc.feats = append(sc.feats, feature{featureKey: k, hash: k.hash(), weight: k.weight(n)})
	}
	return sc.feats
}

// weight is (1 + ln tf) · group weight · √idf.
func (k featureKey) weight(n int) float64 {
	w := 1.0 // 1 + ln 1
	if n > 1 {
		w += math.Log(float64(n))
	}
	switch k.group {
	case groupWord:
		w *= math.Sqrt(segment.IDF(k.term))
	case groupBigram:
		w *= bigramWeight * math.Sqrt(bigramIDF(k.term))
	case groupUnigram:
		w *= unigramWeight * math.Sqrt(segment.CharIDF(k.term))
	}
	return w
}

// FNV-1a (64-bit) parameters, as hash/fnv.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// hash is the FNV-1a hash of the key's bytes, group + ":" + term,
// computed without building the key.
func (k featureKey) hash() uint64 {
	h := uint64(fnvOffset64)
	h = (h ^ uint64(k.group)) * fnvPrime64
	h = (h ^ ':') * fnvPrime64
	for i := 0; i < len(k.term); i++ {
		h = (h ^ uint64(k.term[i])) * fnvPrime64
	}
	return h
}

// bigramIDF weighs a character bigram: a bigram that is a word keeps its
// IDF; one that straddles two words ("在评" in "在评论区") is mostly noise,
// and the IDF table's median for unknown words would make it loud.
func bigramIDF(b string) float64 {
	if idf, ok := segment.LookupIDF(b); ok {
		return idf
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
