package pdf

import (
	"bytes"
	"regexp"
	"strconv"
)

// The PDF library (github.com/ledongthuc/pdf) trusts the numbers in a file:
// it allocates cross-reference tables of the declared size, follows /Prev
// and /Extends chains without cycle checks and loops over declared counts
// in ToUnicode maps. A hostile or badly broken file can therefore exhaust
// memory (an allocation failure is fatal, not a panic) or loop forever.
// The checks here run on the raw bytes before the library sees them.

// maxObjects bounds object numbers, table sizes and counts.
const maxObjects = 4_000_000

var (
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	countRE     = regexp.MustCompile(`/N\s+(\d+)`)
	xrefWRE     = regexp.MustCompile(`/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)`)
	indexRE     = regexp.MustCompile(`/Index\s*\[([\d\s]*)\]`)
	prevRE      = regexp.MustCompile(`/Prev\s+(\d+)(\s+\d+\s+R)?`)
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)`)
	objHeadRE   = regexp.MustCompile(`(\d+)\s+\d+\s+obj\b`)
	extendsRE   = regexp.MustCompile(`/Extends\s+(\d+)\s+\d+\s+R`)
)

// parseInt parses a decimal number, saturating instead of overflowing.
func parseInt(b []byte) int64 {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 1 << 62
	}
	return n
}

// structureOK reports whether data passes the checks above.
func structureOK(data []byte) bool {
	for _, re := range []*regexp.Regexp{sizeRE, countRE} {
		for _, m := range re.FindAllSubmatch(data, -1) {
			if parseInt(m[1]) > maxObjects {
				return false
			}
		}
	}
	for _, m := range xrefWRE.FindAllSubmatch(data, -1) {
		for _, g := range m[1:] {
			if parseInt(g) > 1<<20 {
				return false
			}
		}
	}
	for _, m := range indexRE.FindAllSubmatch(data, -1) {
		f := bytes.Fields(m[1])
		for i := 0; i+1 < len(f); i += 2 {
			if parseInt(f[i])+parseInt(f[i+1]) > maxObjects {
				return false
			}
		}
	}
	return xrefTablesOK(data) && prevChainOK(data) && extendsOK(data)
}

// nextWord returns the next white-space-separated word at or after pos
// and the offset just past it.
func nextWord(data []byte, pos int) (word []byte, next int) {
	for pos < len(data) && isSpace(data[pos]) {
		pos++
	}
	start := pos
	for pos < len(data) && !isSpace(data[pos]) {
		pos++
	}
	return data[start:pos], pos
}

// xrefTablesOK checks the subsection headers ("first count") of every
// classic cross-reference table.
func xrefTablesOK(data []byte) bool {
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("xref"))
		if i < 0 {
			return true
		}
		pos := off + i + len("xref")
		off = pos
		if i := pos - len("xref"); i > 0 && (data[i-1] >= 'a' && data[i-1] <= 'z') {
			continue // "startxref"
		}
		for {
			w, next := nextWord(data, pos)
			first, ok := parseDigits(w)
			if !ok {
				break // "trailer" or the end of the table
			}
			w, next = nextWord(data, next)
			count, ok := parseDigits(w)
			if !ok || first+count > maxObjects {
				return !ok // a malformed table fails in the library, safely
			}
			pos = next
			for e := int64(0); e < count*3 && pos < len(data); e++ {
				_, pos = nextWord(data, pos)
			}
		}
	}
}

// parseDigits parses a word of decimal digits.
func parseDigits(w []byte) (int64, bool) {
	if len(w) == 0 {
		return 0, false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return parseInt(w), true
}

// skipToToken returns the offset of the first byte at or after off that
// is not white space or part of a comment: where the library's lexer,
// started at off, finds its first token.
func skipToToken(data []byte, off int64) int64 {
	for off >= 0 && off < int64(len(data)) {
		c := data[off]
		switch {
		case isSpace(c):
			off++
		case c == '%':
			for off < int64(len(data)) && data[off] != '\r' && data[off] != '\n' {
				off++
			}
		default:
			return off
		}
	}
	return off
}

// prevChainOK rejects files where following /Prev from startxref could
// come back to a section already read: every /Prev must lead to a distinct
// token position, none of them the one startxref leads to.
func prevChainOK(data []byte) bool {
	seen := map[int64]bool{}
	if all := startxrefRE.FindAllSubmatch(data, -1); len(all) > 0 {
		seen[skipToToken(data, parseInt(all[len(all)-1][1]))] = true
	}
	for _, m := range prevRE.FindAllSubmatch(data, -1) {
		if len(m[2]) > 0 {
			continue // "/Prev 12 0 R": an outline link, not an offset
		}
		p := skipToToken(data, parseInt(m[1]))
		if seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

// extendsOK rejects object streams whose /Extends links form a cycle.
func extendsOK(data []byte) bool {
	if !bytes.Contains(data, []byte("/Extends")) {
		return true
	}
	heads := objHeadRE.FindAllSubmatchIndex(data, -1)
	links := map[int64]int64{}
	for _, m := range extendsRE.FindAllSubmatchIndex(data, -1) {
		// The object that holds this /Extends: the last header before it.
		owner := int64(-1)
		for _, h := range heads {
			if h[0] > m[0] {
				break
			}
			owner = parseInt(data[h[2]:h[3]])
		}
		if owner < 0 {
			return false
		}
		links[owner] = parseInt(data[m[2]:m[3]])
	}
	if len(links) != bytes.Count(data, []byte("/Extends")) {
		return false // an /Extends the pattern could not read
	}
	for start := range links {
		cur := start
		for steps := 0; ; steps++ {
			next, ok := links[cur]
			if !ok {
				break
			}
			if next == start || steps > len(links) {
				return false
			}
			cur = next
		}
	}
	return true
}

// safeCMap reports whether the library can parse a ToUnicode CMap
// without looping forever: no hex string may run into the end of the data
// (the library's lexer then reads white space forever), and each
// begincodespacerange/beginbfchar/beginbfrange must follow a literal count
// of at most 10000 (the library loops that many times).
func safeCMap(data []byte) bool {
	prevCount := int64(-1) // the previous token when it was an integer, else -1
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case isSpace(c):
			i++
			continue
		case c == '%':
			for i < len(data) && data[i] != '\r' && data[i] != '\n' {
				i++
			}
			continue
		case c == '(':
			i++
			for depth := 1; i < len(data) && depth > 0; i++ {
				switch data[i] {
				case '(':
					depth++
				case ')':
					depth--
				case '\\':
					i++
				}
			}
		case c == '<' && i+1 < len(data) && data[i+1] == '<':
			i += 2
		case c == '<':
			i++
			for {
				if i >= len(data) {
					return false
				}
				h := data[i]
				i++
				if h == '>' {
					break
				}
				if !isSpace(h) && unhexByte(h) < 0 {
					return true // the library stops here with an error, safely
				}
			}
		case isDelim(c):
			i++
		default:
			start := i
			for i < len(data) && !isSpace(data[i]) && !isDelim(data[i]) {
				i++
			}
			word := data[start:i]
			if n, ok := parseDigits(word); ok {
				prevCount = n
				continue
			}
			switch string(word) {
			case "begincodespacerange", "beginbfchar", "beginbfrange":
				if prevCount < 0 || prevCount > 10000 {
					return false
				}
			}
		}
		prevCount = -1
	}
	return true
}
