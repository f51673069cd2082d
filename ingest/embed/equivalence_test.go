package embed

import (
	"context"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"testing"
	"unicode"

	"govreply/ingest/segment"
	"govreply/internal/texttest"
)

// referenceVector is the local embedder written the plain way (string
// keys in a map, sorted, hashed with hash/fnv): the fast Vector, which
// works on a segment.Analysis, must give exactly its vectors, so that
// vectors already stored under the name "local-lexical-v2" stay valid.
func referenceVector(dim int, text string) []float32 {
	tf := map[string]int{}
	for _, w := range segment.Default().Words(text) {
		if !segment.IsStopword(w) {
			tf["w:"+w]++
		}
	}
	for _, b := range referenceBigrams(text) {
		tf["b:"+b]++
	}
	for _, r := range text {
		if c := string(r); unicode.Is(unicode.Han, r) && !segment.IsStopword(c) {
			tf["u:"+c]++
		}
	}
	v := make([]float32, dim)
	for _, f := range slices.Sorted(maps.Keys(tf)) {
		w := 1 + math.Log(float64(tf[f]))
		switch f[0] {
		case 'w':
			w *= math.Sqrt(segment.IDF(f[2:]))
		case 'b':
			w *= bigramWeight * math.Sqrt(bigramIDF(f[2:]))
		case 'u':
			w *= unigramWeight * math.Sqrt(segment.CharIDF(f[2:]))
		}
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		if i := int(x % uint64(dim)); x>>63 == 1 {
			v[i] -= float32(w)
		} else {
			v[i] += float32(w)
		}
	}
	normalize(v)
	return v
}

// referenceBigrams is segment.Bigrams as it was, on rune slices.
func referenceBigrams(text string) []string {
	var out []string
	var run []rune
	flush := func() {
		switch {
		case len(run) == 1:
			if !segment.IsStopword(string(run)) {
				out = append(out, string(run))
			}
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				out = append(out, string(run[i:i+2]))
			}
		}
		run = run[:0]
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
		} else {
			flush()
		}
	}
	flush()
	return out
}

// equivalenceTexts are varied texts: the built-in knowledge base's
// documents, and random mixes of Chinese, Latin, digits, punctuation,
// emoji, stop words, repeats and invalid UTF-8.
func equivalenceTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{"", " ", "的", "我们的", "a", "政务微博", "政政政政政", "回复回复回复 Weibo weibo WEIBO",
		"\xff\xfe政务\xff微博", "🙂政务🙂微博🙂", "１２３ＡＢＣ全角", "2024年3月5日 12345 热线12345"}
	texts = append(texts, texttest.Builtin(t)...)
	pieces := []string{"网友", "反映", "小区", "停水", "我们", "的", "了", "，", "。", "！", "\n", " ", "Weibo", "APP",
		"12345", "🙂", "\xff", "「", "」", "政务微博", "回复", "答复", "最晚", "最迟", "在评论区", "a", "·", "—", "\t"}
	return append(texts, texttest.Mix(1, 2, 300, 80, pieces)...)
}

func TestVectorMatchesReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, dim := range []int{16, 64, 1536} {
		l, err := NewLocal(dim)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range equivalenceTexts(t) {
			want := referenceVector(dim, text)
			got, _ := l.Embed(ctx, []string{text})
			if !slices.Equal(got[0], want) {
				t.Fatalf("dim %d: vector of %q differs from the reference", dim, text)
			}
			if !slices.Equal(l.Vector(l.Segmenter().Analyze(text)), want) {
				t.Fatalf("dim %d: Vector(Analyze(%q)) differs from the reference", dim, text)
			}
		}
	}
}

func TestBigramsMatchReference(t *testing.T) {
	t.Parallel()
	for _, text := range equivalenceTexts(t) {
		if got, want := segment.Bigrams(text), referenceBigrams(text); !slices.Equal(got, want) {
			t.Fatalf("Bigrams(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestTermsMatchReference pins the terms stored per chunk: words without
// stop words, then bigrams, then characters, computed the plain way
// rather than through Analyze.
func TestTermsMatchReference(t *testing.T) {
	t.Parallel()
	seg := segment.Default()
	for _, text := range equivalenceTexts(t) {
		var want []string
		for _, w := range seg.Words(text) {
			if !segment.IsStopword(w) {
				want = append(want, w)
			}
		}
		want = append(want, referenceBigrams(text)...)
		if got := seg.Terms(text); !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("Terms(%q) = %q, want %q", text, got, want)
		}
	}
}
