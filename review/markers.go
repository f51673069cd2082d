package review

// markerSet matches a list of regular expressions against a draft in one
// pass, the way ruleSet does: at each code point it tries, anchored there,
// only the patterns whose matches can begin with it. Go's regexp scans an
// alternation without a literal prefix slowly; the situation's word lists
// run on every draft and must not.

import (
	"regexp"
	"unicode/utf8"
)

type markerSet struct {
	res     []*regexp.Regexp // anchored ("^(?:…)") unless slow
	windows []int            // bytes a match can span; 0: the rest of the text
	tags    []int            // the tag of each pattern
	first   map[rune][]int32 // first code point → patterns
	slow    []int32          // patterns without a usable first code point set
}

// add adds patterns of tag, each top-level alternative on its own.
func (m *markerSet) add(tag int, patterns []string) {
	var alts []string
	for _, p := range patterns {
		parts := splitAlternatives(p)
		for _, part := range parts {
			if re, err := regexp.Compile(part); err != nil || re.MatchString("") {
				parts = []string{p} // a piece that does not stand alone
				break
			}
		}
		alts = append(alts, parts...)
	}
	for _, p := range alts {
		i := int32(len(m.res))
		m.tags = append(m.tags, tag)
		first, window := prefilter(p)
		if first == nil {
			m.res = append(m.res, regexp.MustCompile(p))
			m.windows = append(m.windows, 0)
			m.slow = append(m.slow, i)
			continue
		}
		m.res = append(m.res, regexp.MustCompile(`^(?:`+p+`)`))
		m.windows = append(m.windows, window)
		for j := 0; j+1 < len(first); j += 2 {
			for r := first[j]; r <= first[j+1]; r++ {
				if l := m.first[r]; len(l) == 0 || l[len(l)-1] != i {
					m.first[r] = append(l, i)
				}
			}
		}
	}
}

// counts returns, by tag (0 to ntags-1), the number of places in text
// where a pattern of the tag matches, each tag's next match looked for
// after the end of its last, up to limit.
func (m *markerSet) counts(text string, ntags, limit int) []int {
	n := make([]int, ntags)
	next := make([]int, ntags)
	for i, r := range text {
		for _, pi := range m.first[r] {
			tag := m.tags[pi]
			if i < next[tag] || n[tag] >= limit {
				continue
			}
			rest := text[i:]
			if w := m.windows[pi]; w > 0 && len(rest) > w {
				rest = rest[:w]
			}
			if loc := m.res[pi].FindStringIndex(rest); loc != nil && loc[1] > 0 {
				n[tag]++
				next[tag] = i + loc[1]
			}
		}
	}
	for _, pi := range m.slow {
		tag := m.tags[pi]
		n[tag] = min(limit, n[tag]+len(m.res[pi].FindAllStringIndex(text, limit)))
	}
	return n
}

// tail returns the end of text from at most n code points before its end.
func tail(text string, n int) string {
	i := len(text)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return text[i:]
}
