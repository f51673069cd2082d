package pii

import (
	"slices"
	"strings"
	"unicode"
)

// part is one numbered part of an address chain.
type part struct {
	start, end, level int
}

// addresses finds home addresses: a chain of numbered parts that reaches
// below a building (3栋2单元501室, 5号楼302, 12号3栋5楼), or a unit, room
// or dash-joined number right after an estate's name (金辰小区502室,
// 幸福小区5-2-602), whose place name and next words are not an office's.
func (s *scan) addresses() {
	rs := s.rs
	for i := 0; i < len(rs); {
		// A chain starts where a number starts, not inside one or a word.
		if !isAddrNum(rs[i]) || (i > 0 && isAddrNum(rs[i-1])) {
			i++
			continue
		}
		parts, end := s.addressChain(i)
		if len(parts) == 0 {
			i++
			continue
		}
		s.address(i, end, parts)
		i = end
	}
}

// hanNumerals are the Chinese numerals of an address part's number.
const hanNumerals = "一二三四五六七八九十百零〇两"

// isAddrNum reports a rune that may start the number of an address part.
func isAddrNum(r rune) bool {
	return isDigit(r) || isASCIILetter(r) || strings.ContainsRune(hanNumerals, r)
}

// addrNumber returns the end of the number of an address part at i
// (digits, Chinese numerals, or one Latin letter), or i.
func addrNumber(rs []rune, i int) int {
	j := i
	switch {
	case j < len(rs) && isDigit(rs[j]):
		for j < len(rs) && isDigit(rs[j]) && j-i < 5 {
			j++
		}
		if j < len(rs) && isDigit(rs[j]) {
			return i // too long for a building or room
		}
	case j < len(rs) && isASCIILetter(rs[j]):
		j++
		if j < len(rs) && (isASCIILetter(rs[j]) || isDigit(rs[j])) {
			return i // a word or a code, not a building letter
		}
	default:
		for j < len(rs) && j-i < 4 && strings.ContainsRune(hanNumerals, rs[j]) {
			j++
		}
	}
	return j
}

// addressChain reads the parts of an address chain starting at i.
func (s *scan) addressChain(i int) ([]part, int) {
	rs := s.rs
	var parts []part
	deep := func() bool { // a building, unit or floor already read
		return slices.ContainsFunc(parts, func(p part) bool {
			return p.level == lvBuilding || p.level == lvUnit || p.level == lvFloor
		})
	}
	for i < len(rs) {
		j := addrNumber(rs, i)
		if j == i {
			break
		}
		// A dash-joined number: 5-2-602, 3-502.
		if isDigit(rs[i]) && j+1 < len(rs) && rs[j] == '-' && isDigit(rs[j+1]) {
			parts = append(parts, part{i, j + 1, lvDash})
			i = j + 1
			continue
		}
		if m, ok := s.marker(j); ok {
			level := m.level
			if m.after && !deep() {
				level = lvOther
			}
			parts = append(parts, part{i, j + len(m.word), level})
			i = j + len(m.word)
			continue
		}
		// A bare number ending the chain: the room after a building, unit
		// or floor (2单元501), or the last of a dash-joined number.
		n := j - i
		bare := isDigit(rs[i]) && (j == len(rs) || !hasPrefixAt(rs, j, s.t.unitsAfter))
		switch {
		case bare && len(parts) > 0 && parts[len(parts)-1].level == lvDash && n <= 4:
			parts = append(parts, part{i, j, lvDash})
		case bare && deep() && n >= 3 && n <= 4:
			parts = append(parts, part{i, j, lvRoom})
		}
		break
	}
	// A dash-joined number must end in a number, not a dash.
	for len(parts) > 0 && parts[len(parts)-1].level == lvDash && rs[parts[len(parts)-1].end-1] == '-' {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return nil, i
	}
	return parts, parts[len(parts)-1].end
}

// marker returns the address marker at rs[j:], longest first.
func (s *scan) marker(j int) (marker, bool) {
	for _, m := range s.t.markers {
		if j+len(m.word) > len(s.rs) || !slices.Equal(s.rs[j:j+len(m.word)], m.word) {
			continue
		}
		if m.level == lvRoom && !m.after {
			k := j + len(m.word)
			if n := addrNumber(s.rs, k); n > k && hasPrefixAt(s.rs, n, s.t.roomNotBefore) {
				continue // 3室2厅: a flat's layout
			}
		}
		return m, true
	}
	return marker{}, false
}

// address judges one chain rs[start:end] and emits it with its place.
func (s *scan) address(start, end int, parts []part) {
	rs := s.rs
	// The place name before the chain: Han characters back to a stop word
	// or a punctuation mark, at most 12.
	from := start
	for from > 0 && start-from < 12 && unicode.Is(unicode.Han, rs[from-1]) && !hasSuffixAt(rs, from, s.t.stops) {
		from--
	}
	place := string(rs[from:start])
	if containsAny(place, s.t.office) {
		return
	}
	// The words right after the chain: "3号楼服务大厅".
	after := string(rs[end:min(end+4, len(rs))])
	if k := strings.IndexAny(after, "。！？；，,;!?\n、"); k >= 0 {
		after = after[:k]
	}
	if containsAny(after, s.t.officeLong) {
		return
	}
	// How detailed the chain is. With an estate or road named before it,
	// a building and anything below it is a home; an estate and a unit or
	// room alone too (金辰小区502室). With no place named, only a unit with
	// a building or a room (3栋2单元, 1单元301室) is surely a home: "3号楼
	// 201室" or "3号楼2层" may be an office's.
	estate := false
	for _, w := range s.t.estates {
		if strings.HasSuffix(place, w) {
			estate = true
			break
		}
	}
	placed := estate || s.placeName(from, start) < start
	detailed := false
	dashes := 0
	building, unit := false, false
	for _, p := range parts {
		switch p.level {
		case lvBuilding:
			building = true
		case lvUnit:
			detailed = detailed || building || estate
			unit = true
		case lvFloor:
			detailed = detailed || (building || unit) && placed
		case lvRoom:
			detailed = detailed || unit || building && placed || estate
		case lvDash:
			dashes++
			detailed = detailed || (building || unit) && placed
		}
	}
	if dashes >= 2 && estate {
		detailed = true
	}
	if !detailed {
		return
	}
	// Start the match at the place's name: an estate or road marker and
	// at most 4 characters before it, which is also the masked form.
	name := ""
	if p := s.placeName(from, start); p < start {
		from, name = p, string(s.text[p:start])
	} else {
		from = start
	}
	s.emit(Address, from, end, name)
}

// placeName returns where the name of an estate or road in rs[from:start]
// begins: up to 4 characters before its first estate or road marker; start
// when there is none.
func (s *scan) placeName(from, start int) int {
	for k := from; k < start; k++ {
		if w := prefixAt(s.rs[:start], k, s.t.estates); w != "" {
			return max(from, k-4)
		}
		if w := prefixAt(s.rs[:start], k, s.t.roads); w != "" {
			return max(from, k-4)
		}
	}
	return start
}
