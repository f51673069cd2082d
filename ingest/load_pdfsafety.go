package ingest

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

// pdfMaxObjects bounds object numbers, table sizes and counts.
const pdfMaxObjects = 4_000_000

var (
	pdfSizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	pdfCountRE     = regexp.MustCompile(`/N\s+(\d+)`)
	pdfXrefWRE     = regexp.MustCompile(`/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)`)
	pdfIndexRE     = regexp.MustCompile(`/Index\s*\[([\d\s]*)\]`)
	pdfPrevRE      = regexp.MustCompile(`/Prev\s+(\d+)(\s+\d+\s+R)?`)
	pdfStartxrefRE = regexp.MustCompile(`startxref\s+(\d+)`)
	pdfObjHeadRE   = regexp.MustCompile(`(\d+)\s+\d+\s+obj\b`)
	pdfExtendsRE   = regexp.MustCompile(`/Extends\s+(\d+)\s+\d+\s+R`)
)

// pdfInt parses a decimal number, saturating instead of overflowing.
func pdfInt(b []byte) int64 {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 1 << 62
	}
	return n
}

// pdfStructureOK reports whether data passes the checks above.
func pdfStructureOK(data []byte) bool {
	for _, re := range []*regexp.Regexp{pdfSizeRE, pdfCountRE} {
		for _, m := range re.FindAllSubmatch(data, -1) {
			if pdfInt(m[1]) > pdfMaxObjects {
				return false
			}
		}
	}
	for _, m := range pdfXrefWRE.FindAllSubmatch(data, -1) {
		for _, g := range m[1:] {
			if pdfInt(g) > 1<<20 {
				return false
			}
		}
	}
	for _, m := range pdfIndexRE.FindAllSubmatch(data, -1) {
		f := bytes.Fields(m[1])
		for i := 0; i+1 < len(f); i += 2 {
			if pdfInt(f[i])+pdfInt(f[i+1]) > pdfMaxObjects {
				return false
			}
		}
	}
	return pdfXrefTablesOK(data) && pdfPrevChainOK(data) && pdfExtendsOK(data)
}

// pdfNextWord returns the next white-space-separated word at or after pos
// and the offset just past it.
func pdfNextWord(data []byte, pos int) (word []byte, next int) {
	for pos < len(data) && pdfIsSpace(data[pos]) {
		pos++
	}
	start := pos
	for pos < len(data) && !pdfIsSpace(data[pos]) {
		pos++
	}
	return data[start:pos], pos
}

// pdfXrefTablesOK checks the subsection headers ("first count") of every
// classic cross-reference table.
func pdfXrefTablesOK(data []byte) bool {
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
			w, next := pdfNextWord(data, pos)
			first, ok := pdfDigits(w)
			if !ok {
				break // "trailer" or the end of the table
			}
			w, next = pdfNextWord(data, next)
			count, ok := pdfDigits(w)
			if !ok || first+count > pdfMaxObjects {
				return !ok // a malformed table fails in the library, safely
			}
			pos = next
			for e := int64(0); e < count*3 && pos < len(data); e++ {
				_, pos = pdfNextWord(data, pos)
			}
		}
	}
}

// pdfDigits parses a word of decimal digits.
func pdfDigits(w []byte) (int64, bool) {
	if len(w) == 0 {
		return 0, false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return pdfInt(w), true
}

// pdfSkipToToken returns the offset of the first byte at or after off that
// is not white space or part of a comment: where the library's lexer,
// started at off, finds its first token.
func pdfSkipToToken(data []byte, off int64) int64 {
	for off >= 0 && off < int64(len(data)) {
		c := data[off]
		switch {
		case pdfIsSpace(c):
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

// pdfPrevChainOK rejects files where following /Prev from startxref could
// come back to a section already read: every /Prev must lead to a distinct
// token position, none of them the one startxref leads to.
func pdfPrevChainOK(data []byte) bool {
	seen := map[int64]bool{}
	if all := pdfStartxrefRE.FindAllSubmatch(data, -1); len(all) > 0 {
		seen[pdfSkipToToken(data, pdfInt(all[len(all)-1][1]))] = true
	}
	for _, m := range pdfPrevRE.FindAllSubmatch(data, -1) {
		if len(m[2]) > 0 {
			continue // "/Prev 12 0 R": an outline link, not an offset
		}
		p := pdfSkipToToken(data, pdfInt(m[1]))
		if seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

// pdfExtendsOK rejects object streams whose /Extends links form a cycle.
func pdfExtendsOK(data []byte) bool {
	if !bytes.Contains(data, []byte("/Extends")) {
		return true
	}
	heads := pdfObjHeadRE.FindAllSubmatchIndex(data, -1)
	links := map[int64]int64{}
	for _, m := range pdfExtendsRE.FindAllSubmatchIndex(data, -1) {
		// The object that holds this /Extends: the last header before it.
		owner := int64(-1)
		for _, h := range heads {
			if h[0] > m[0] {
				break
			}
			owner = pdfInt(data[h[2]:h[3]])
		}
		if owner < 0 {
			return false
		}
		links[owner] = pdfInt(data[m[2]:m[3]])
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

// pdfSafeCMap reports whether the library can parse a ToUnicode CMap
// without looping forever: no hex string may run into the end of the data
// (the library's lexer then reads white space forever), and each
// begincodespacerange/beginbfchar/beginbfrange must follow a literal count
// of at most 10000 (the library loops that many times).
func pdfSafeCMap(data []byte) bool {
	prevCount := int64(-1) // the previous token when it was an integer, else -1
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case pdfIsSpace(c):
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
				if !pdfIsSpace(h) && unhexByte(h) < 0 {
					return true // the library stops here with an error, safely
				}
			}
		case pdfIsDelim(c):
			i++
		default:
			start := i
			for i < len(data) && !pdfIsSpace(data[i]) && !pdfIsDelim(data[i]) {
				i++
			}
			word := data[start:i]
			if n, ok := pdfDigits(word); ok {
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
