package pii

import (
	"slices"
	"strings"
	"time"
)

// isNumSep reports a rune that may join the groups of one number
// (138-1234-5678, 6222 0210 …).
func isNumSep(r rune) bool {
	switch r {
	case ' ', '-', '\u00a0', '\u3000', '\u2010', '\u2011', '\u2012', '\u2013':
		return true
	}
	return false
}

// run is a maximal run of ASCII digits rs[start:end], with a trailing X
// when it is 17 digits long (an ID number's check character).
type run struct{ start, end int }

// numbers finds ID, mobile and bank-card numbers. Runs of digits joined
// by one or two separators form a chain; a chain grouped as a whole
// number (138 1234 5678, 6222 0210 0112 3456 789, +86 138…) is that
// number, else each run is judged alone, so that a number is never a
// piece of a longer one.
func (s *scan) numbers() {
	rs := s.rs
	var chain []run
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		// An ID number's check character, also at the end of its last
		// group (110105 19491231 002X).
		if j < len(rs) && (rs[j] == 'X' || rs[j] == 'x') && (j+1 == len(rs) || !isDigit(rs[j+1]) && !isASCIILetter(rs[j+1])) {
			j++
		}
		if len(chain) > 0 {
			gap := i - chain[len(chain)-1].end
			joined := gap <= 2
			for k := chain[len(chain)-1].end; k < i && joined; k++ {
				joined = isNumSep(rs[k])
			}
			if !joined {
				s.chain(chain)
				chain = chain[:0]
			}
		}
		chain = append(chain, run{i, j})
		i = j
	}
	if len(chain) > 0 {
		s.chain(chain)
	}
}

// chain judges one chain of digit runs: as a whole, one number written in
// groups (grouped); else each run alone (plain), where a run joined to
// the next or the previous by a hyphen is a piece of a longer number
// (0871-13812345678 is not a mobile) while a space may separate two
// numbers (12345 13812345678).
func (s *scan) chain(runs []run) {
	n := len(runs)
	if n > 1 && s.grouped(runs) {
		return
	}
	spaced := func(k int) bool { // are runs k-1 and k (if any) apart?
		if k == 0 || k == n {
			return true
		}
		for p := runs[k-1].end; p < runs[k].start; p++ {
			if s.rs[p] != ' ' && s.rs[p] != '\u00a0' && s.rs[p] != '\u3000' {
				return false
			}
		}
		return true
	}
	for k, r := range runs {
		if spaced(k) && spaced(k+1) {
			s.plain(r)
		}
	}
}

// digits returns the characters of runs, concatenated, and their lengths.
func (s *scan) digits(runs []run) (string, []int) {
	var b strings.Builder
	lens := make([]int, len(runs))
	for k, r := range runs {
		b.WriteString(string(s.rs[r.start:r.end]))
		lens[k] = r.end - r.start
	}
	return b.String(), lens
}

// grouped reports whether the chain as a whole is a personal number, and
// emits it.
func (s *scan) grouped(runs []run) bool {
	start, end := runs[0].start, runs[len(runs)-1].end
	if !s.bounded(start, end) {
		return false
	}
	num, lens := s.digits(runs)
	// +86 / 86 / 0086 prefix, then a mobile in any grouping.
	if (lens[0] == 2 && num[:2] == "86") || (lens[0] == 4 && num[:4] == "0086") {
		rest, rl := num[lens[0]:], lens[1:]
		if isMobile(rest) && (slices.Equal(rl, []int{11}) || mobileGrouping(rl)) {
			if start > 0 && s.rs[start-1] == '+' {
				start--
			}
			if s.mobileContextOK(start) {
				s.emit(Mobile, start, end, maskMobile(rest))
			}
			return true
		}
	}
	if mobileGrouping(lens) && isMobile(num) {
		if s.mobileContextOK(start) {
			s.emit(Mobile, start, end, maskMobile(num))
		}
		return true
	}
	if slices.Equal(lens, []int{6, 8, 4}) && validID(num, s.now) {
		s.emit(IDNumber, start, end, maskID(num))
		return true
	}
	if cardGrouping(lens) && isCard(num) {
		if !s.serialContext(start) {
			s.emit(BankCard, start, end, "")
		}
		return true
	}
	return false
}

// plain judges one run of digits on its own.
func (s *scan) plain(r run) {
	if !s.bounded(r.start, r.end) {
		return
	}
	num := string(s.rs[r.start:r.end])
	switch n := len(num); {
	case n == 18 && validID(num, s.now):
		s.emit(IDNumber, r.start, r.end, maskID(num))
	case n == 11 && isMobile(num):
		if s.mobileContextOK(r.start) {
			s.emit(Mobile, r.start, r.end, maskMobile(num))
		}
	case (n == 13 && strings.HasPrefix(num, "86") || n == 15 && strings.HasPrefix(num, "0086")) && isMobile(num[n-11:]):
		start := r.start
		if start > 0 && s.rs[start-1] == '+' {
			start--
		}
		if s.mobileContextOK(start) {
			s.emit(Mobile, start, r.end, maskMobile(num[n-11:]))
		}
	case n >= 16 && n <= 19 && isCard(num):
		if !s.serialContext(r.start) {
			s.emit(BankCard, r.start, r.end, "")
		}
	}
}

// bounded reports whether rs[start:end] stands alone as a number: not
// glued to Latin letters (a code such as SN2024…), not a decimal's part,
// not an amount (¥…, …元) or a count.
func (s *scan) bounded(start, end int) bool {
	rs := s.rs
	if start > 0 {
		p := rs[start-1]
		if isASCIILetter(p) || isDigit(p) || p == '¥' || p == '$' || p == '￥' {
			return false
		}
		if p == '.' && start > 1 && isDigit(rs[start-2]) {
			return false
		}
	}
	if end < len(rs) {
		n := rs[end]
		if isASCIILetter(n) || isDigit(n) {
			return false
		}
		if n == '.' && end+1 < len(rs) && isDigit(rs[end+1]) {
			return false
		}
		if hasPrefixAt(rs, end, s.t.unitsAfter) {
			return false
		}
	}
	return true
}

// clause returns the text of the clause before rune i, at most 12 runes,
// cut at the last clause punctuation.
func (s *scan) clause(i int) string {
	from := max(0, i-12)
	for k := i - 1; k >= from; k-- {
		if strings.ContainsRune("。！？；，,;!?\n、", s.rs[k]) {
			from = k + 1
			break
		}
	}
	return string(s.rs[from:i])
}

// serialContext reports a number whose clause names it a serial number.
func (s *scan) serialContext(i int) bool {
	return containsAny(s.clause(i), s.t.serialBefore)
}

// mobileContextOK reports whether a mobile number at rune i is a
// citizen's: not a serial number, and not a department's line unless the
// clause also points at the citizen.
func (s *scan) mobileContextOK(i int) bool {
	c := s.clause(i)
	if containsAny(c, s.t.serialBefore) {
		return false
	}
	return !containsAny(c, s.t.official) || containsAny(c, s.t.citizen)
}

// isMobile reports an 11-digit mainland mobile number (1[3-9]…).
func isMobile(num string) bool {
	return len(num) == 11 && num[0] == '1' && num[1] >= '3' && num[1] <= '9' && allDigits(num)
}

// mobileGrouping reports the ways a mobile number is written in groups.
func mobileGrouping(lens []int) bool {
	return slices.Equal(lens, []int{3, 4, 4}) || slices.Equal(lens, []int{3, 8}) || slices.Equal(lens, []int{7, 4})
}

// cardGrouping reports a card number in groups of four (the last group
// may be shorter): 16–19 digits.
func cardGrouping(lens []int) bool {
	total := 0
	for k, n := range lens {
		if n != 4 && !(k == len(lens)-1 && n >= 1 && n < 4) {
			return false
		}
		total += n
	}
	return total >= 16 && total <= 19
}

// isCard reports a bank-card number: 16–19 digits, an issuer prefix of a
// payment card (3 JCB/Amex, 4 Visa, 5 Mastercard, 6 UnionPay, 9 the older
// domestic cards) and a valid Luhn check digit. A serial number starting
// with a date (2024…) is thus never a card.
func isCard(num string) bool {
	if len(num) < 16 || len(num) > 19 || !allDigits(num) || !strings.ContainsRune("34569", rune(num[0])) {
		return false
	}
	return luhn(num)
}

// luhn reports whether the last digit of num is its Luhn check digit.
func luhn(num string) bool {
	sum := 0
	double := false
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// idWeights are the GB 11643-1999 (ISO 7064 MOD 11-2) weights of the
// first 17 digits; idCheck maps the weighted sum mod 11 to the check
// character.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// validID reports an 18-character resident ID number with a valid check
// character and a birth date (characters 7–14) that is a real date from
// 1900 up to the day of now.
func validID(num string, now time.Time) bool {
	if len(num) != 18 || !allDigits(num[:17]) {
		return false
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(num[i]-'0') * w
	}
	last := num[17]
	if last == 'x' {
		last = 'X'
	}
	if idCheck[sum%11] != last {
		return false
	}
	y := atoi(num[6:10])
	m := atoi(num[10:12])
	dd := atoi(num[12:14])
	if y < 1900 || m < 1 || m > 12 || dd < 1 {
		return false
	}
	born := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	if born.Day() != dd || born.Month() != time.Month(m) {
		return false // 0230, 0931, …
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return !born.After(today)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// maskMobile keeps the first 3 and last 4 digits: 138****1234.
func maskMobile(num string) string { return num[:3] + "****" + num[7:] }

// maskID keeps the first 2 and last 3 characters: 34*************01X.
func maskID(num string) string {
	return num[:2] + strings.Repeat("*", 13) + strings.ToUpper(num[15:])
}
