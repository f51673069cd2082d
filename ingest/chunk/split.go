package chunk

import (
	"strings"
	"unicode/utf8"
)

// isSentenceEnd reports the marks that end a sentence.
func isSentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';':
		return true
	}
	return false
}

// isClauseEnd reports the marks a sentence over budget is cut at.
func isClauseEnd(r rune) bool {
	switch r {
	case '，', '、', ',', '：', ':':
		return true
	}
	return false
}

// isCloser reports closing quotes and brackets that stay with the mark
// before them.
func isCloser(r rune) bool {
	switch r {
	case '”', '’', '」', '』', '）', ')':
		return true
	}
	return false
}

// longBytes is the length beyond which a sentence or clause is treated as
// over budget without counting it, and maxChunkBytes bounds the text of a
// chunk. No real text averages eight bytes per token; the limits matter
// because tiktoken-go's BPE is quadratic in the length of an unbroken run
// (a 100 KB line of "=" would take minutes), so no string longer than a few
// budgets is ever counted.
func (s *splitter) longBytes() int     { return 8 * s.c.budget }
func (s *splitter) maxChunkBytes() int { return 8 * s.c.budget }

// addParagraph turns the paragraph body[a:b] into units: one per sentence
// (a line break also ends a sentence), finer for sentences over budget.
func (s *splitter) addParagraph(a, b, para int) {
	first := len(s.units)
	text := s.body[a:b]
	seg := 0
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		i += n
		switch {
		case r == '\n':
		case isSentenceEnd(r):
			i = absorb(text, i, func(r rune) bool { return isSentenceEnd(r) || isCloser(r) })
		default:
			continue
		}
		s.addSentence(a+seg, a+i, para)
		seg = i
	}
	s.addSentence(a+seg, b, para)

	// A paragraph that fits is packed as a whole; one over budget is packed
	// unit by unit.
	last := len(s.units)
	est := 0
	for i := first; i < last; i++ {
		est += s.units[i].tokens
		if i > first {
			est += s.units[i].gap
		}
	}
	whole := est <= s.c.budget && last > first && s.units[last-1].end-s.units[first].start <= s.maxChunkBytes()
	for i := first; i < last; i++ {
		if whole {
			s.pieceEnd = append(s.pieceEnd, last)
		} else {
			s.pieceEnd = append(s.pieceEnd, i+1)
		}
	}
}

// absorb advances i over the runes accepted by ok.
func absorb(text string, i int, ok func(rune) bool) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !ok(r) {
			break
		}
		i += n
	}
	return i
}

// addSentence adds body[a:b] as one whole unit, or cuts it at clause marks
// when it is over budget.
func (s *splitter) addSentence(a, b, para int) {
	a, b = trimSpan(s.body, a, b)
	if a == b {
		return
	}
	if b-a <= s.longBytes() {
		if n := s.c.counter.Count(s.body[a:b]); n <= s.c.budget {
			s.addUnit(a, b, n, para, true)
			return
		}
	}
	text := s.body[a:b]
	seg := 0
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		i += n
		if isClauseEnd(r) {
			i = absorb(text, i, isCloser)
			s.addClause(a+seg, a+i, para)
			seg = i
		}
	}
	s.addClause(a+seg, b, para)
}

// addClause adds body[a:b] as a unit, or cuts it at token boundaries when it
// is over budget.
func (s *splitter) addClause(a, b, para int) {
	a, b = trimSpan(s.body, a, b)
	if a == b {
		return
	}
	if b-a <= s.longBytes() {
		if n := s.c.counter.Count(s.body[a:b]); n <= s.c.budget {
			s.addUnit(a, b, n, para, false)
			return
		}
	}
	s.addFragments(a, b, para)
}

// addFragments cuts body[a:b] at token boundaries that fall on character
// boundaries, each fragment at most budget tokens. It encodes a window of
// four budgets' bytes at a time, so an unbroken run costs linear, not
// quadratic, time; a window holding fewer tokens than the budget (very long
// tokens) becomes a fragment of its own, and packing joins such fragments
// again.
func (s *splitter) addFragments(a, b, para int) {
	budget := s.c.budget
	counter := s.c.counter
	for a < b {
		a, b = trimSpan(s.body, a, b)
		if a == b {
			return
		}
		rest := s.body[a:b]
		win := rest
		if w := 4 * budget; len(win) > w {
			win = rest[:runeFloor(rest, w)]
		}
		lens := counter.TokenLens(win)
		cut, tokens := len(win), len(lens)
		if len(lens) > budget {
			cut, tokens = s.bestCut(rest, lens)
		} else if _, tb := trimSpan(s.body, a, a+cut); tb < a+cut {
			tokens = counter.Count(s.body[a:tb]) // the window ended in white space
		}
		if _, tb := trimSpan(s.body, a, a+cut); tb > a {
			s.addUnit(a, tb, tokens, para, false)
		}
		a += cut
	}
}

// bestCut returns the longest prefix of text, cut after a token that ends on
// a character boundary, that counts at most budget tokens once trimmed, and
// that count. lens are the byte lengths of text's leading tokens. If no token
// boundary works it falls back to the longest fitting prefix of whole
// characters (at least one character). text starts with a non-space.
func (s *splitter) bestCut(text string, lens []int) (cut, tokens int) {
	budget := s.c.budget
	counter := s.c.counter
	var cands []int
	off := 0
	for i := 0; i < len(lens) && i < budget; i++ {
		off += lens[i]
		if off > len(text) {
			break
		}
		if off == len(text) || utf8.RuneStart(text[off]) {
			cands = append(cands, off)
		}
	}
	for i := len(cands) - 1; i >= 0; i-- {
		if n := counter.Count(strings.TrimSpace(text[:cands[i]])); n <= budget {
			return cands[i], n
		}
	}
	// Last resort: binary search over character boundaries.
	lo := runeNext(text, 0)
	loTokens := counter.Count(strings.TrimSpace(text[:lo])) // one character: at most 4 tokens
	hi := len(text)
	for lo < hi {
		mid := runeFloor(text, lo+(hi-lo+1)/2)
		if mid <= lo {
			mid = runeNext(text, lo)
		}
		if n := counter.Count(strings.TrimSpace(text[:mid])); n <= budget {
			lo, loTokens = mid, n
		} else {
			hi = runeFloor(text, mid-1)
		}
	}
	return lo, loTokens
}

// runeFloor returns the largest character boundary of text not after i.
func runeFloor(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	return i
}

// runeNext returns the character boundary after the rune at i.
func runeNext(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	_, n := utf8.DecodeRuneInString(text[i:])
	return i + n
}

// addUnit appends body[a:b] (trimmed, non-empty) as a unit.
func (s *splitter) addUnit(a, b, tokens, para int, whole bool) {
	gap := 0
	if k := len(s.units); k > 0 {
		prev := s.units[k-1]
		if prev.para != para {
			gap = 1 // paragraphs are joined with "\n"
		} else {
			gap = gapCost(s.body[prev.end:a])
		}
	}
	s.units = append(s.units, unit{start: a, end: b, tokens: tokens, gap: gap, para: para, whole: whole})
}

// gapCost estimates the tokens of the white space between two units of one
// paragraph: a single space usually merges into the next token.
func gapCost(gap string) int {
	switch {
	case gap == "" || gap == " ":
		return 0
	case strings.IndexByte(gap, '\n') >= 0:
		return 1 + len(gap)/8
	default:
		return len(gap) / 8
	}
}
