package segment

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// This file is gse's search-mode cut with its HMM, CutSearch(text, true),
// done without gse's per-call maps and string conversions: the DAG and
// routes live in slices, dictionary lookups read byte slices of the text,
// and each word's frequency is looked up once. The words are the same, in
// the same order (TestCutSearchMatchesGse compares them with gse's).

// edge is a dictionary word of the text: runes [start, end] inclusive.
type edge struct {
	end  int
	freq float64
}

// route is the best segmentation of the text from a rune on: its log
// probability and the last rune of its first word.
type route struct {
	freq  float64
	index int
}

// dag holds the state of one cut.
type dag struct {
	seg   *gse.Segmenter
	text  string  // lower-cased, valid UTF-8
	key   []byte  // text as bytes, for lookups without conversions
	off   []int   // off[i] is the byte offset of rune i; off[n] = len(text)
	first []int   // edges of rune k are edges[first[k]:first[k+1]]
	edges []edge  // dictionary words, by start rune, then by end
	alone []route // route of a rune that starts no word (gse's fallback)
	rs    []route // best routes (routes)
	logT  float64 // ln of the dictionary's total frequency
}

// dagPool recycles a dag's slices between cuts: ingest cuts every chunk,
// and they were a fifth of its allocations.
var dagPool = sync.Pool{New: func() any { return new(dag) }}

// release returns d to dagPool; d must not be used afterwards. The words
// a cut returned stay valid: they are substrings of the text, not of d.
func (d *dag) release() {
	d.seg, d.text = nil, ""
	dagPool.Put(d)
}

// cutSearch returns gse's CutSearch(text, true).
func (s *Segmenter) cutSearch(text string) []string {
	d := newDAG(s.gse(), text)
	defer d.release()
	words := d.cut()
	out := make([]string, 0, len(words)*2)
	buf := d.key[:0] // the text's bytes are no longer needed
	for _, w := range words {
		out, buf = d.grams(out, buf, w)
		out = append(out, w)
	}
	d.key = buf
	return out
}

// newDAG lower-cases text as gse does and finds its dictionary words.
func newDAG(seg *gse.Segmenter, text string) *dag {
	if gse.ToLower {
		text = strings.ToLower(text)
	}
	if !utf8.ValidString(text) {
		text = string([]rune(text)) // as gse's []rune round trip: U+FFFD per bad byte
	}
	d := dagPool.Get().(*dag)
	d.seg, d.text, d.logT = seg, text, math.Log(seg.Dict.TotalFreq())
	d.key = append(d.key[:0], text...)
	d.off, d.edges = d.off[:0], d.edges[:0]
	for i := range text {
		d.off = append(d.off, i)
	}
	d.off = append(d.off, len(text))
	d.build()
	return d
}

// find looks up runes [a, b) in the dictionary.
func (d *dag) find(a, b int) (float64, bool) {
	freq, _, ok := d.seg.Dict.Find(d.key[d.off[a]:d.off[b]])
	return freq, ok
}

// build records, for every rune, the words that start at it: the
// fragments that extend it while they are a dictionary prefix and have a
// positive frequency (gse's getDag).
func (d *dag) build() {
	n := len(d.off) - 1
	d.first = slices.Grow(d.first[:0], n+1)[:n+1]
	d.alone = slices.Grow(d.alone[:0], n)[:n]
	for k := range n {
		d.first[k] = len(d.edges)
		for i := k; i < n; i++ {
			freq, ok := d.find(k, i+1)
			if i == k {
				d.alone[k] = aloneRoute(freq, ok, d.logT, k)
			}
			if !ok {
				break
			}
			if freq > 0 {
				d.edges = append(d.edges, edge{end: i, freq: freq})
			}
		}
	}
	d.first[n] = len(d.edges)
}

// aloneRoute is the step of a rune that starts no word, as gse's calc
// weighs it: ln(freq) when the rune is in the trie (−Inf for a mere
// prefix), else ln(1). Its freq excludes the rest of the route.
func aloneRoute(freq float64, ok bool, logT float64, k int) route {
	if ok {
		return route{freq: math.Log(freq) - logT, index: k}
	}
	return route{freq: math.Log(1.0) - logT, index: k}
}

// routes computes the best route from every rune (gse's calc), with the
// same arithmetic and tie-breaking, so the same floats.
func (d *dag) routes() []route {
	n := len(d.off) - 1
	d.rs = append(slices.Grow(d.rs[:0], n+1)[:n], route{}) // rs[n] is the zero route
	rs := d.rs
	for idx := n - 1; idx >= 0; idx-- {
		es := d.edges[d.first[idx]:d.first[idx+1]]
		if len(es) == 0 {
			a := d.alone[idx]
			rs[idx] = route{freq: a.freq + rs[idx+1].freq, index: idx}
			continue
		}
		for j, e := range es {
			r := route{freq: math.Log(e.freq) - d.logT + rs[e.end+1].freq, index: e.end}
			if v := rs[idx]; j == 0 || v.freq < r.freq || (v.freq == r.freq && v.index < r.index) {
				rs[idx] = r
			}
		}
	}
	return rs
}

// cut walks the best route (gse's cutDAG): a multi-rune word is taken as
// it is; runs of single runes are handed to the HMM, or split into runes
// when the run itself is a known word.
func (d *dag) cut() []string {
	rs := d.routes()
	n := len(d.off) - 1
	result := make([]string, 0, n/2+1)
	bufStart := -1
	flush := func(end int) {
		if bufStart >= 0 {
			result = d.single(result, bufStart, end)
			bufStart = -1
		}
	}
	for x := 0; x < n; {
		y := rs[x].index + 1
		if y-x == 1 {
			if bufStart < 0 {
				bufStart = x
			}
		} else {
			flush(x)
			result = append(result, d.text[d.off[x]:d.off[y]])
		}
		x = y
	}
	flush(n)
	return result
}

// single cuts the run of single-rune steps [a, b) (gse's hmm).
func (d *dag) single(out []string, a, b int) []string {
	run := d.text[d.off[a]:d.off[b]]
	if b-a == 1 {
		return append(out, run)
	}
	if v, ok := d.find(a, b); !ok || v == 0 {
		return append(out, d.seg.HMMCut(run)...)
	}
	for i := a; i < b; i++ {
		out = append(out, d.text[d.off[i]:d.off[i+1]])
	}
	return out
}

// grams appends the dictionary words of two and three runes inside w, as
// gse's search mode does before the word itself; buf is reused.
func (d *dag) grams(out []string, buf []byte, w string) ([]string, []byte) {
	var offs [64]int
	off := offs[:0]
	for i := range w {
		off = append(off, i)
	}
	off = append(off, len(w))
	n := len(off) - 1
	for _, incr := range []int{2, 3} {
		for i := 0; i+incr <= n && n > incr; i++ {
			buf = append(buf[:0], w[off[i]:off[i+incr]]...)
			if v, _, ok := d.seg.Dict.Find(buf); ok && v > 0 {
				out = append(out, w[off[i]:off[i+incr]])
			}
		}
	}
	return out, buf
}
