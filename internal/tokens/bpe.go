package tokens

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// fastBPE counts cl100k_base tokens without building the token list.
//
// It replaces tiktoken-go's encoder on the hot paths (the chunker counts
// every sentence and every chunk, prompt budgeting whole prompts again
// and again as it drops passages): that encoder splits text with a
// backtracking regular expression (dlclark/regexp2) and merges byte pairs
// by rescanning the whole piece after each merge, looking every candidate
// up in a map[string]int. A Chinese clause is one piece of 30 to 100
// bytes, so that is quadratic, and the two together were most of the
// chunker's time. Here the split is a hand-written scanner for the
// cl100k_base pattern, the merges come off a heap, and the ranks of
// strings of up to seven bytes sit in an open-addressing table keyed by
// the packed bytes.
//
// The count is exactly tiktoken-go's: the algorithm is the same (always
// merge the adjacent pair of lowest rank, the leftmost among equals), on
// the same rank table, and FuzzFastCount checks the two against each
// other. Text that is not valid UTF-8 goes to tiktoken-go, which replaces
// bad bytes before it splits.
type fastBPE struct {
	pairs []int32 // ranks of two-byte tokens by b0<<8 | b1, -1 for none
	short rankTable
	long  map[string]int // ranks of tokens of eight bytes or more
	pool  sync.Pool      // *bpeScratch
}

// newFastBPE indexes ranks, tiktoken's map from token bytes to rank.
func newFastBPE(ranks map[string]int) *fastBPE {
	f := &fastBPE{pairs: make([]int32, 1<<16), short: newRankTable(len(ranks)), long: make(map[string]int)}
	for i := range f.pairs {
		f.pairs[i] = -1
	}
	for tok, r := range ranks {
		if len(tok) == 2 {
			f.pairs[int(tok[0])<<8|int(tok[1])] = int32(r)
		}
		if len(tok) <= maxShort {
			f.short.put(packShort(tok), int32(r))
		} else {
			f.long[tok] = r
		}
	}
	f.pool.New = func() any { return new(bpeScratch) }
	return f
}

// count returns the number of tokens of text, which must be valid UTF-8.
func (f *fastBPE) count(text string) int {
	sc := f.pool.Get().(*bpeScratch)
	n := 0
	for len(text) > 0 {
		end := cl100kPiece(text)
		n += f.countPiece(text[:end], sc)
		text = text[end:]
	}
	f.pool.Put(sc)
	return n
}

// rank returns the rank of the token b, or -1 when b is not a token.
func (f *fastBPE) rank(b string) int32 {
	if len(b) <= maxShort {
		return f.short.get(packShort(b))
	}
	if r, ok := f.long[b]; ok {
		return int32(r)
	}
	return -1
}

// bpeScratch holds countPiece's working memory between calls.
type bpeScratch struct {
	next  []int32 // next[i]: start of the part after the one starting at i
	prev  []int32
	alive []bool
	heap  pairHeap
}

// countPiece returns the number of tokens byte-pair encoding gives piece.
//
// Parts are byte ranges, linked by their start offsets. Every adjacent
// pair that is itself a token waits on a heap ordered by (rank, start);
// a popped pair whose parts have since changed is stale and skipped (its
// span no longer matches). Merging the pair at start joins the two parts
// and queues the new part's pairs with its neighbours.
func (f *fastBPE) countPiece(piece string, sc *bpeScratch) int {
	n := len(piece)
	if n <= 1 || f.rank(piece) >= 0 {
		return min(n, 1)
	}
	sc.reset(n)
	for i := 0; i+1 < n; i++ {
		if r := f.pairs[int(piece[i])<<8|int(piece[i+1])]; r >= 0 {
			sc.heap = append(sc.heap, pair{rank: r, start: int32(i), end: int32(i + 2)})
		}
	}
	sc.heap.init()
	parts := n
	for len(sc.heap) > 0 {
		p := sc.heap.pop()
		mid := sc.next[p.start]
		if !sc.alive[p.start] || int(mid) >= n || sc.next[mid] != p.end {
			continue // stale: one of its parts has merged with another
		}
		sc.alive[mid] = false
		sc.next[p.start] = p.end
		if int(p.end) < n {
			sc.prev[p.end] = p.start
		}
		parts--
		if p.start > 0 {
			f.push(sc, piece, sc.prev[p.start], p.end)
		}
		if int(p.end) < n {
			f.push(sc, piece, p.start, sc.next[p.end])
		}
	}
	return parts
}

// push queues the pair spanning piece[start:end] when it is a token.
func (f *fastBPE) push(sc *bpeScratch, piece string, start, end int32) {
	if r := f.rank(piece[start:end]); r >= 0 {
		sc.heap.push(pair{rank: r, start: start, end: end})
	}
}

func (sc *bpeScratch) reset(n int) {
	if cap(sc.next) < n {
		sc.next = make([]int32, n)
		sc.prev = make([]int32, n)
		sc.alive = make([]bool, n)
	}
	sc.next, sc.prev, sc.alive = sc.next[:n], sc.prev[:n], sc.alive[:n]
	for i := range n {
		sc.next[i] = int32(i + 1)
		sc.prev[i] = int32(i - 1)
		sc.alive[i] = true
	}
	sc.heap = sc.heap[:0]
}

// pair is a candidate merge: the adjacent parts spanning [start, end).
type pair struct {
	rank       int32
	start, end int32
}

// pairHeap is a binary min-heap of pairs by (rank, start), written out
// rather than through container/heap, whose interface boxes every pair.
type pairHeap []pair

func (p pair) before(q pair) bool {
	return p.rank < q.rank || p.rank == q.rank && p.start < q.start
}

func (h pairHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairHeap) push(p pair) {
	*h = append(*h, p)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s[i].before(s[parent]) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *pairHeap) pop() pair {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	*h = s[:last]
	h.down(0)
	return top
}

func (h pairHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h[r].before(h[l]) {
			c = r
		}
		if !h[c].before(h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// maxShort is the longest token rankTable holds: seven bytes and the
// length fit one uint64.
const maxShort = 7

// packShort packs a string of at most maxShort bytes with its length in
// the top byte, so that "a" and "a\x00" differ.
func packShort(s string) uint64 {
	k := uint64(len(s)) << 56
	for i := 0; i < len(s); i++ {
		k |= uint64(s[i]) << (8 * i)
	}
	return k
}

// rankTable is an open-addressing hash table from packed short tokens to
// ranks. Keys are never zero (the length byte is at least one).
type rankTable struct {
	keys  []uint64
	ranks []int32
	mask  uint64
}

func newRankTable(n int) rankTable {
	size := 1
	for size < 2*n {
		size <<= 1
	}
	return rankTable{keys: make([]uint64, size), ranks: make([]int32, size), mask: uint64(size - 1)}
}

func (t *rankTable) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> 20 & t.mask }

func (t *rankTable) put(k uint64, r int32) {
	i := t.slot(k)
	for t.keys[i] != 0 && t.keys[i] != k {
		i = (i + 1) & t.mask
	}
	t.keys[i], t.ranks[i] = k, r
}

func (t *rankTable) get(k uint64) int32 {
	for i := t.slot(k); ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case k:
			return t.ranks[i]
		case 0:
			return -1
		}
	}
}

// cl100kPiece returns the byte length of the first piece of text (valid
// UTF-8, not empty) as cl100k_base's pre-tokenising pattern splits it:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// The alternatives are tried in order, as the regular expression does;
// \s is unicode.IsSpace, as in regexp2. Every character starts some
// alternative, so the pieces cover the text.
func cl100kPiece(text string) int {
	r0, n0 := utf8.DecodeRuneInString(text)
	if r0 == '\'' {
		if n := contraction(text[1:]); n > 0 {
			return 1 + n
		}
	}
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if isLetter(r0) {
		return n0 + letters(text[n0:])
	}
	if r0 != '\r' && r0 != '\n' && !isNumber(r0) {
		if n := letters(text[n0:]); n > 0 {
			return n0 + n
		}
	}
	// \p{N}{1,3}
	if isNumber(r0) {
		end := n0
		for i := 1; i < 3 && end < len(text); i++ {
			r, n := utf8.DecodeRuneInString(text[end:])
			if !isNumber(r) {
				break
			}
			end += n
		}
		return end
	}
	// " ?[^\s\p{L}\p{N}]+[\r\n]*"
	start := 0
	if r0 == ' ' {
		start = 1
	}
	if n := others(text[start:]); n > 0 {
		end := start + n
		for end < len(text) && (text[end] == '\r' || text[end] == '\n') {
			end++
		}
		return end
	}
	// Only whitespace is left: r0 is a space (a letter, number or other
	// character has matched above).
	run, lastBreak := 0, -1
	for run < len(text) {
		r, n := utf8.DecodeRuneInString(text[run:])
		if !unicode.IsSpace(r) {
			break
		}
		if r == '\r' || r == '\n' {
			lastBreak = run
		}
		run += n
	}
	// \s*[\r\n]+: up to the run's last line break.
	if lastBreak >= 0 {
		return lastBreak + 1
	}
	// \s+(?!\S): the run, less its last character when text goes on.
	if run == len(text) {
		return run
	}
	_, last := utf8.DecodeLastRuneInString(text[:run])
	if run-last > 0 {
		return run - last
	}
	return run // \s+
}

// contraction returns the length of s|t|re|ve|m|ll|d (any case) at the
// start of s, or 0.
func contraction(s string) int {
	lower := func(i int) byte {
		if i >= len(s) {
			return 0
		}
		return s[i] | 0x20 // ASCII letters only; others never match below
	}
	switch lower(0) {
	case 's', 't', 'm', 'd':
		return 1
	case 'r', 'v':
		if lower(1) == 'e' {
			return 2
		}
	case 'l':
		if lower(1) == 'l' {
			return 2
		}
	}
	return 0
}

// letters returns the byte length of the run of letters starting s.
func letters(s string) int {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isLetter(r) {
			break
		}
		i += n
	}
	return i
}

// others returns the byte length of the run of characters that are not
// whitespace, letters or numbers starting s.
func others(s string) int {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || isLetter(r) || isNumber(r) {
			break
		}
		i += n
	}
	return i
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	}
	return unicode.IsLetter(r)
}

func isNumber(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsNumber(r)
}
