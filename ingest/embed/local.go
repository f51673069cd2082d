// Package embed holds govreply's embedders: Local (the offline default)
// and Remote (real embedding models through langchaingo).
package embed

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"

	"govreply/ingest/segment"
)

// DefaultLocalDim is the local embedder's default dimension.
const DefaultLocalDim = 1536

// bigramWeight scales character-bigram features against word features:
// bigrams rescue paraphrases that gse segments differently, but words are
// the sharper signal.
const bigramWeight = 0.6

// Local is the offline embedder. It is lexical, not semantic: a text's
// vector is the IDF-weighted bag of its gse words and CJK character
// bigrams, hashed into Dim buckets with a sign bit (the "hashing trick"),
// then L2-normalised. Cosine similarity of two vectors therefore measures
// shared informative words. The IDF table is jieba's, shipped inside gse,
// so vectors depend only on the text: the same on every machine and
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
func (l *Local) Name() string { return "local-lexical-v1:" + strconv.Itoa(l.dim) }

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

// vector computes one embedding.
func (l *Local) vector(text string) []float32 {
	v := make([]float32, l.dim)
	nh := int(segment.Knob("EHASH", 1))
	for f, w := range l.features(text) {
		for k := 0; k < nh; k++ {
			h := fnv.New64a()
			h.Write([]byte(f))
			if k > 0 {
				h.Write([]byte{byte(k)})
			}
			x := h.Sum64()
			i := int(x % uint64(l.dim))
			if x>>63 == 1 {
				v[i] -= float32(w)
			} else {
				v[i] += float32(w)
			}
		}
	}
	normalize(v)
	return v
}

// features returns the weighted features of text: "w:" words and "b:"
// bigrams, weight = (1 + ln tf) · idf.
func (l *Local) features(text string) map[string]float64 {
	tf := map[string]int{}
	words, bigrams := l.seg.Analyze(text)
	for _, w := range words {
		tf["w:"+w]++
	}
	for _, b := range bigrams {
		tf["b:"+b]++
	}
	bw := segment.Knob("EBW", bigramWeight)
	tfm := segment.Knob("ETF", 0)
	out := make(map[string]float64, len(tf))
	for f, n := range tf {
		var w float64
		switch tfm {
		case 0:
			w = 1 + math.Log(float64(n))
		case 1:
			w = float64(n)
		case 2:
			w = 1
		case 3:
			w = math.Sqrt(float64(n))
		}
		p := segment.Knob("EIDFP", 1)
		if f[0] == 'b' {
			w *= bw * math.Pow(bigramIDF(f[2:]), p)
		} else {
			w *= math.Pow(segment.WordIDF(f[2:]), p)
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
	return segment.Knob("EUBI", 1)
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
