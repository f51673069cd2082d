// Package segment splits Chinese (and mixed) text into words with gse,
// using gse's embedded dictionary so nothing is read from disk or network.
package segment

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/go-ego/gse"
)

//go:embed stopwords.txt
var stopwordsText string

var (
	once     sync.Once
	shared   *Segmenter
	stopOnce sync.Once
	stops    map[string]bool
)

// Segmenter wraps a gse segmenter. It is safe for concurrent use: gse's
// cutting only reads its dictionary.
type Segmenter struct {
	seg gse.Segmenter
}

// Default returns the process-wide segmenter, loading gse's embedded
// dictionary on first use (about a second; done once per process).
func Default() *Segmenter {
	once.Do(func() {
		s := &Segmenter{}
		s.seg.SkipLog = true
		// LoadDictEmbed only fails on a malformed dictionary, and the
		// dictionary is compiled into the binary.
		if err := s.seg.LoadDictEmbed("zh_s"); err != nil {
			panic("segment: embedded gse dictionary: " + err.Error())
		}
		shared = s
	})
	return shared
}

// Words cuts text into words in gse's search mode (long words are also
// cut into their dictionary sub-words), lower-cased, with punctuation and
// whitespace dropped. Stop words are kept.
func (s *Segmenter) Words(text string) []string {
	raw := s.seg.CutSearch(text, true)
	out := raw[:0]
	for _, w := range raw {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || !hasWordRune(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// Terms returns the search terms of text: its words without stop words,
// then the character bigrams of its CJK runs (Bigrams). Bigrams let a
// query match text that gse segmented differently ("被盗" against "盗号").
// It implements knowledge.Segmenter; the full-text index holds the same
// terms.
func (s *Segmenter) Terms(text string) []string {
	words, bigrams := s.Analyze(text)
	return append(words, bigrams...)
}

// Analyze returns the non-stop words of text (search mode) and its bigrams.
func (s *Segmenter) Analyze(text string) (words, bigrams []string) {
	if Knob("STOPBREAK", 0) == 0 {
		for _, w := range s.Words(text) {
			if !IsStopword(w) {
				words = append(words, w)
			}
		}
		return words, oldBigrams(text)
	}
	precise := s.seg.Cut(text, true)
	var run []rune
	flush := func() {
		switch {
		case len(run) == 1:
			if !IsStopword(string(run)) {
				bigrams = append(bigrams, string(run))
			}
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				bigrams = append(bigrams, string(run[i:i+2]))
			}
		}
		run = run[:0]
	}
	for _, w := range precise {
		w = strings.ToLower(strings.TrimSpace(w))
		if IsStopword(w) {
			flush()
			continue
		}
		if hasWordRune(w) {
			rs := []rune(w)
			for _, n := range []int{2, 3} {
				for i := 0; i+n < len(rs)+1 && len(rs) > n; i++ {
					g := string(rs[i : i+n])
					if f, _, ok := s.seg.Find(g); ok && f > 0 {
						words = append(words, g)
					}
				}
			}
			words = append(words, w)
		}
		for _, r := range w {
			if unicode.Is(unicode.Han, r) {
				run = append(run, r)
			} else {
				flush()
			}
		}
	}
	flush()
	return words, bigrams
}

// Freq returns gse's dictionary frequency of word (0 when unknown). The
// local embedder uses it as a corpus-independent document frequency.
func (s *Segmenter) Freq(word string) float64 {
	f, _, ok := s.seg.Find(word)
	if !ok {
		return 0
	}
	return f
}

// TotalFreq is the sum of all dictionary frequencies.
func (s *Segmenter) TotalFreq() float64 { return s.seg.Dict.TotalFreq() }

// IsStopword reports whether w is a function word too common to help a
// search (的, 了, 怎么, …). The list is data: stopwords.txt.
func IsStopword(w string) bool {
	stopOnce.Do(func() {
		stops = map[string]bool{}
		for _, line := range strings.Split(stopwordsText, "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") {
				stops[line] = true
			}
		}
	})
	return stops[w]
}

func hasWordRune(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

var (
	idfOnce   sync.Once
	idfTable  map[string]float32
	idfMedian float64
)

// IDF returns the inverse document frequency of a word from jieba's table
// (shipped in gse); unknown words get the table's median, as jieba does.
func IDF(word string) float64 {
	idfOnce.Do(loadIDF)
	if v, ok := idfTable[word]; ok {
		return float64(v)
	}
	return idfMedian
}

func loadIDF() {
	idfTable = make(map[string]float32, 360000)
	vals := make([]float64, 0, 360000)
	for line := range strings.Lines(gse.ZhIdf) {
		word, val, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(val, 32)
		if err != nil {
			continue
		}
		idfTable[strings.ToLower(word)] = float32(f)
		vals = append(vals, f)
	}
	sort.Float64s(vals)
	if len(vals) > 0 {
		idfMedian = vals[len(vals)/2]
	} else {
		idfMedian = 10
	}
}

// Known reports whether word is in the IDF table.
func Known(word string) bool {
	idfOnce.Do(loadIDF)
	_, ok := idfTable[word]
	return ok
}

// Weight implements knowledge.TermWeigher: a term's weight is its IDF.
func (s *Segmenter) Weight(term string) float64 { return IDF(term) }

// WeightedTerms returns the deduplicated terms of a query with weights.
func (s *Segmenter) WeightedTerms(text string) ([]string, []float64) {
	words, bigrams := s.Analyze(text)
	seen := map[string]bool{}
	var terms []string
	var weights []float64
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		weights = append(weights, WordIDF(w))
	}
	bw := Knob("TBW", 1)
	for _, b := range bigrams {
		if seen[b] {
			continue
		}
		seen[b] = true
		terms = append(terms, b)
		weights = append(weights, bw*BigramIDF(b))
	}
	return terms, weights
}

// WordIDF weighs a word.
func WordIDF(w string) float64 {
	idfOnce.Do(loadIDF)
	if v, ok := idfTable[w]; ok {
		return float64(v)
	}
	return Knob("UWORD", idfMedian)
}

// BigramIDF weighs a bigram.
func BigramIDF(b string) float64 {
	idfOnce.Do(loadIDF)
	if v, ok := idfTable[b]; ok {
		return float64(v)
	}
	return Knob("UBI", idfMedian)
}

// Bigrams returns the bigrams of text.
func Bigrams(text string) []string {
	_, b := Default().Analyze(text)
	return b
}

// Bigrams returns the overlapping two-character windows of every run of
// CJK characters in text (a run of one character yields that character).
func oldBigrams(text string) []string {
	var out []string
	var run []rune
	flush := func() {
		switch {
		case len(run) == 1:
			if !IsStopword(string(run)) {
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
