package review

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/yamlline"
)

// piiCheck finds a citizen's personal data in a draft (category pii):
// resident ID numbers (GB 11643-1999 check digit and a real birth date),
// mainland mobile numbers, Luhn-valid bank-card numbers and home addresses
// down to building, unit or room. Official numbers (12345, 110, a
// department's landline, 400/800 numbers) are never flagged: they are not
// 11-digit mobiles, and the check prefers missing a doubtful case to
// flagging a department's own contact details.
//
// The validations are code; the messages, suggestions, guideline and word
// lists are data (rules/pii.yaml, see piiData). The zero value is ready to
// use and safe for concurrent use.
type piiCheck struct {
	// now is the clock a birth date must not be later than; nil means
	// time.Now (tests fix it).
	now func() time.Time
}

// Rule ids of the pii check.
const (
	piiRuleID      = "pii.id-number"
	piiRuleMobile  = "pii.mobile"
	piiRuleBank    = "pii.bank-card"
	piiRuleAddress = "pii.address"
)

//go:embed rules/pii.yaml
var piiYAML []byte

// piiFile is the schema of rules/pii.yaml (the file documents each field).
type piiFile struct {
	Doc   string `yaml:"doc"`
	Rules []struct {
		Rule       string   `yaml:"rule"`
		Section    string   `yaml:"section"`
		Severity   Severity `yaml:"severity"`
		Message    string   `yaml:"message"`
		Suggestion string   `yaml:"suggestion"`
	} `yaml:"rules"`
	Address struct {
		Buildings          []string `yaml:"buildings"`
		Units              []string `yaml:"units"`
		Floors             []string `yaml:"floors"`
		Rooms              []string `yaml:"rooms"`
		RoomsAfterBuilding []string `yaml:"rooms_after_building"`
		RoomNotBefore      []string `yaml:"room_not_before"`
		Others             []string `yaml:"others"`
		Estates            []string `yaml:"estates"`
		Roads              []string `yaml:"roads"`
		Office             []string `yaml:"office"`
		Stops              []string `yaml:"stops"`
	} `yaml:"address"`
	Numbers struct {
		UnitsAfter     []string `yaml:"units_after"`
		SerialBefore   []string `yaml:"serial_before"`
		OfficialBefore []string `yaml:"official_before"`
		CitizenBefore  []string `yaml:"citizen_before"`
	} `yaml:"numbers"`
}

// piiRule is what a finding of one rule says.
type piiRule struct {
	severity   Severity
	message    string
	suggestion string // with {masked}
	source     Source
}

// Levels of one part of an address chain.
const (
	piiLvOther    = iota // 12号, 二期, 3区: neither detailed nor a home
	piiLvBuilding        // 3栋, 5号楼, A座
	piiLvUnit            // 2单元
	piiLvFloor           // 5楼, 3层
	piiLvRoom            // 501室, (after a building) 501号, 501户, 501
	piiLvDash            // 5-2-602: a part of a dash-joined number
)

// piiMarker is one word ending a part of an address chain.
type piiMarker struct {
	word  []rune
	level int
	after bool // a room only after a building, unit or floor; else piiLvOther
}

// piiTables is rules/pii.yaml, compiled.
type piiTables struct {
	rules                                       map[string]piiRule
	markers                                     []piiMarker // longest first
	roomNotBefore                               []string
	estates, roads, office, officeLong, stops   []string
	unitsAfter, serialBefore, official, citizen []string
}

// piiData is the compiled embedded rules/pii.yaml. The file is part of
// the program, and its test loads it, so a broken file fails the tests
// rather than a running server.
var piiData = mustPIITables(piiYAML)

func mustPIITables(data []byte) *piiTables {
	t, err := parsePIITables(data)
	if err != nil {
		panic(err)
	}
	return t
}

// parsePIITables reads and checks a pii data file. Errors name the file,
// the line where known, and the reason.
func parsePIITables(data []byte) (*piiTables, error) {
	const name = "review/rules/pii.yaml"
	var f piiFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if line := yamlline.Of(err); line > 0 {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if f.Doc == "" {
		return nil, fmt.Errorf("%s: 缺少 doc", name)
	}
	t := &piiTables{rules: map[string]piiRule{}}
	for _, r := range f.Rules {
		switch {
		case !slices.Contains([]string{piiRuleID, piiRuleMobile, piiRuleBank, piiRuleAddress}, r.Rule):
			return nil, fmt.Errorf("%s: 未知规则 %q", name, r.Rule)
		case t.rules[r.Rule] != piiRule{}:
			return nil, fmt.Errorf("%s: 规则 %s 重复", name, r.Rule)
		case r.Section == "" || r.Message == "" || r.Suggestion == "":
			return nil, fmt.Errorf("%s: 规则 %s 须有 section、message 和 suggestion", name, r.Rule)
		case !r.Severity.Valid():
			return nil, fmt.Errorf("%s: 规则 %s 的 severity %q 无效", name, r.Rule, r.Severity)
		case !strings.Contains(r.Suggestion, "{masked}"):
			return nil, fmt.Errorf("%s: 规则 %s 的 suggestion 须含 {masked}", name, r.Rule)
		}
		t.rules[r.Rule] = piiRule{r.Severity, r.Message, r.Suggestion, Source{Doc: f.Doc, Section: r.Section}}
	}
	if len(t.rules) != 4 {
		return nil, fmt.Errorf("%s: 须定义 %s、%s、%s、%s 四条规则", name, piiRuleID, piiRuleMobile, piiRuleBank, piiRuleAddress)
	}
	a, n := f.Address, f.Numbers
	lists := []struct {
		key  string
		list []string
	}{
		{"address.buildings", a.Buildings}, {"address.units", a.Units}, {"address.floors", a.Floors},
		{"address.rooms", a.Rooms}, {"address.rooms_after_building", a.RoomsAfterBuilding},
		{"address.room_not_before", a.RoomNotBefore}, {"address.others", a.Others},
		{"address.estates", a.Estates}, {"address.roads", a.Roads}, {"address.office", a.Office},
		{"address.stops", a.Stops}, {"numbers.units_after", n.UnitsAfter},
		{"numbers.serial_before", n.SerialBefore}, {"numbers.official_before", n.OfficialBefore},
		{"numbers.citizen_before", n.CitizenBefore},
	}
	for _, l := range lists {
		if len(l.list) == 0 {
			return nil, fmt.Errorf("%s: %s 不能为空", name, l.key)
		}
		for _, w := range l.list {
			if w == "" || strings.ContainsFunc(w, unicode.IsSpace) {
				return nil, fmt.Errorf("%s: %s 含空词或带空白的词 %q", name, l.key, w)
			}
		}
	}
	add := func(words []string, level int, after bool) {
		for _, w := range words {
			t.markers = append(t.markers, piiMarker{[]rune(w), level, after})
		}
	}
	add(a.Buildings, piiLvBuilding, false)
	add(a.Units, piiLvUnit, false)
	add(a.Floors, piiLvFloor, false)
	add(a.Rooms, piiLvRoom, false)
	add(a.RoomsAfterBuilding, piiLvRoom, true)
	add(a.Others, piiLvOther, false)
	// Longest first; for the same word the earlier list (the deeper level
	// for 号 and 户) wins, which the stable sort keeps.
	slices.SortStableFunc(t.markers, func(x, y piiMarker) int { return len(y.word) - len(x.word) })
	t.roomNotBefore, t.estates, t.roads, t.office, t.stops = a.RoomNotBefore, a.Estates, a.Roads, a.Office, a.Stops
	for _, w := range a.Office {
		if utf8.RuneCountInString(w) > 1 {
			t.officeLong = append(t.officeLong, w)
		}
	}
	t.unitsAfter, t.serialBefore, t.official, t.citizen = n.UnitsAfter, n.SerialBefore, n.OfficialBefore, n.CitizenBefore
	return t, nil
}

// Check implements Check.
func (c piiCheck) Check(d *Draft) []Finding {
	rs := piiNormalize(d.Runes)
	now := time.Now()
	if c.now != nil {
		now = c.now()
	}
	s := piiScan{d: d, rs: rs, t: piiData, now: now}
	s.numbers()
	s.addresses()
	return s.out
}

// piiNormalize returns rs with full-width ASCII (０-９, Ｘ, －, ＋, Ａ…)
// mapped to ASCII, one rune for one rune so that offsets stay those of
// the draft; rs itself when there is nothing to map.
func piiNormalize(rs []rune) []rune {
	var out []rune
	for i, r := range rs {
		if r >= 0xFF01 && r <= 0xFF5E {
			if out == nil {
				out = slices.Clone(rs)
			}
			out[i] = r - 0xFEE0
		}
	}
	if out == nil {
		return rs
	}
	return out
}

// piiScan is one run of the check over one draft.
type piiScan struct {
	d   *Draft
	rs  []rune // d.Runes, normalised
	t   *piiTables
	now time.Time
	out []Finding
}

func (s *piiScan) emit(rule string, start, end int, masked string) {
	r := s.t.rules[rule]
	start, end, excerpt := s.d.Span(start, end)
	s.out = append(s.out, Finding{
		Rule: rule, Category: "pii", Severity: r.severity,
		Start: start, End: end, Excerpt: excerpt,
		Message:    r.message,
		Suggestion: strings.ReplaceAll(r.suggestion, "{masked}", masked),
		Source:     r.source,
	})
}

func piiIsDigit(r rune) bool       { return r >= '0' && r <= '9' }
func piiIsASCIILetter(r rune) bool { return r|0x20 >= 'a' && r|0x20 <= 'z' }

// piiIsNumSep reports a rune that may join the groups of one number
// (138-1234-5678, 6222 0210 …).
func piiIsNumSep(r rune) bool {
	switch r {
	case ' ', '-', '\u00a0', '\u3000', '\u2010', '\u2011', '\u2012', '\u2013':
		return true
	}
	return false
}

// piiRun is a maximal run of ASCII digits rs[start:end], with a trailing
// X when it is 17 digits long (an ID number's check character).
type piiRun struct{ start, end int }

// numbers finds ID, mobile and bank-card numbers. Runs of digits joined
// by one or two separators form a chain; a chain grouped as a whole
// number (138 1234 5678, 6222 0210 0112 3456 789, +86 138…) is that
// number, else each run is judged alone, so that a number is never a
// piece of a longer one.
func (s *piiScan) numbers() {
	rs := s.rs
	var chain []piiRun
	for i := 0; i < len(rs); {
		if !piiIsDigit(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && piiIsDigit(rs[j]) {
			j++
		}
		// An ID number's check character, also at the end of its last
		// group (110105 19491231 002X).
		if j < len(rs) && (rs[j] == 'X' || rs[j] == 'x') && (j+1 == len(rs) || !piiIsDigit(rs[j+1]) && !piiIsASCIILetter(rs[j+1])) {
			j++
		}
		if len(chain) > 0 {
			gap := i - chain[len(chain)-1].end
			joined := gap <= 2
			for k := chain[len(chain)-1].end; k < i && joined; k++ {
				joined = piiIsNumSep(rs[k])
			}
			if !joined {
				s.chain(chain)
				chain = chain[:0]
			}
		}
		chain = append(chain, piiRun{i, j})
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
func (s *piiScan) chain(runs []piiRun) {
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
func (s *piiScan) digits(runs []piiRun) (string, []int) {
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
func (s *piiScan) grouped(runs []piiRun) bool {
	start, end := runs[0].start, runs[len(runs)-1].end
	if !s.bounded(start, end) {
		return false
	}
	num, lens := s.digits(runs)
	// +86 / 86 / 0086 prefix, then a mobile in any grouping.
	if (lens[0] == 2 && num[:2] == "86") || (lens[0] == 4 && num[:4] == "0086") {
		rest, rl := num[lens[0]:], lens[1:]
		if piiIsMobile(rest) && (slices.Equal(rl, []int{11}) || piiMobileGrouping(rl)) {
			if start > 0 && s.rs[start-1] == '+' {
				start--
			}
			if s.mobileContextOK(start) {
				s.emit(piiRuleMobile, start, end, piiMaskMobile(rest))
			}
			return true
		}
	}
	if piiMobileGrouping(lens) && piiIsMobile(num) {
		if s.mobileContextOK(start) {
			s.emit(piiRuleMobile, start, end, piiMaskMobile(num))
		}
		return true
	}
	if slices.Equal(lens, []int{6, 8, 4}) && s.validID(num) {
		s.emit(piiRuleID, start, end, piiMaskID(num))
		return true
	}
	if piiCardGrouping(lens) && piiIsCard(num) {
		if !s.serialContext(start) {
			s.emit(piiRuleBank, start, end, "您的账户")
		}
		return true
	}
	return false
}

// plain judges one run of digits on its own.
func (s *piiScan) plain(r piiRun) {
	if !s.bounded(r.start, r.end) {
		return
	}
	num := string(s.rs[r.start:r.end])
	switch n := len(num); {
	case n == 18 && s.validID(num):
		s.emit(piiRuleID, r.start, r.end, piiMaskID(num))
	case n == 11 && piiIsMobile(num):
		if s.mobileContextOK(r.start) {
			s.emit(piiRuleMobile, r.start, r.end, piiMaskMobile(num))
		}
	case (n == 13 && strings.HasPrefix(num, "86") || n == 15 && strings.HasPrefix(num, "0086")) && piiIsMobile(num[n-11:]):
		start := r.start
		if start > 0 && s.rs[start-1] == '+' {
			start--
		}
		if s.mobileContextOK(start) {
			s.emit(piiRuleMobile, start, r.end, piiMaskMobile(num[n-11:]))
		}
	case n >= 16 && n <= 19 && piiIsCard(num):
		if !s.serialContext(r.start) {
			s.emit(piiRuleBank, r.start, r.end, "您的账户")
		}
	}
}

// bounded reports whether rs[start:end] stands alone as a number: not
// glued to Latin letters (a code such as SN2024…), not a decimal's part,
// not an amount (¥…, …元) or a count.
func (s *piiScan) bounded(start, end int) bool {
	rs := s.rs
	if start > 0 {
		p := rs[start-1]
		if piiIsASCIILetter(p) || piiIsDigit(p) || p == '¥' || p == '$' || p == '￥' {
			return false
		}
		if p == '.' && start > 1 && piiIsDigit(rs[start-2]) {
			return false
		}
	}
	if end < len(rs) {
		n := rs[end]
		if piiIsASCIILetter(n) || piiIsDigit(n) {
			return false
		}
		if n == '.' && end+1 < len(rs) && piiIsDigit(rs[end+1]) {
			return false
		}
		if piiHasPrefixAt(rs, end, s.t.unitsAfter) {
			return false
		}
	}
	return true
}

// clause returns the text of the clause before rune i, at most 12 runes,
// cut at the last clause punctuation.
func (s *piiScan) clause(i int) string {
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
func (s *piiScan) serialContext(i int) bool {
	return piiContainsAny(s.clause(i), s.t.serialBefore)
}

// mobileContextOK reports whether a mobile number at rune i is a
// citizen's: not a serial number, and not a department's line unless the
// clause also points at the citizen.
func (s *piiScan) mobileContextOK(i int) bool {
	c := s.clause(i)
	if piiContainsAny(c, s.t.serialBefore) {
		return false
	}
	return !piiContainsAny(c, s.t.official) || piiContainsAny(c, s.t.citizen)
}

func piiContainsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// piiHasSuffixAt reports whether rs[:end] ends with one of words.
func piiHasSuffixAt(rs []rune, end int, words []string) bool {
	for _, w := range words {
		if k := end - utf8.RuneCountInString(w); k >= 0 && piiWordAt(rs, k, w) {
			return true
		}
	}
	return false
}

// piiHasPrefixAt reports whether rs[i:] starts with one of words.
func piiHasPrefixAt(rs []rune, i int, words []string) bool {
	return piiPrefixAt(rs, i, words) != ""
}

func piiPrefixAt(rs []rune, i int, words []string) string {
	for _, w := range words {
		if piiWordAt(rs, i, w) {
			return w
		}
	}
	return ""
}

// piiWordAt reports whether rs[i:] starts with w.
func piiWordAt(rs []rune, i int, w string) bool {
	for _, r := range w {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

// piiIsMobile reports an 11-digit mainland mobile number (1[3-9]…).
func piiIsMobile(num string) bool {
	return len(num) == 11 && num[0] == '1' && num[1] >= '3' && num[1] <= '9' && piiAllDigits(num)
}

// piiMobileGrouping reports the ways a mobile number is written in groups.
func piiMobileGrouping(lens []int) bool {
	return slices.Equal(lens, []int{3, 4, 4}) || slices.Equal(lens, []int{3, 8}) || slices.Equal(lens, []int{7, 4})
}

// piiCardGrouping reports a card number in groups of four (the last group
// may be shorter): 16–19 digits.
func piiCardGrouping(lens []int) bool {
	total := 0
	for k, n := range lens {
		if n != 4 && !(k == len(lens)-1 && n >= 1 && n < 4) {
			return false
		}
		total += n
	}
	return total >= 16 && total <= 19
}

func piiAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !piiIsDigit(rune(s[i])) {
			return false
		}
	}
	return true
}

// piiIsCard reports a bank-card number: 16–19 digits, an issuer prefix of a
// payment card (3 JCB/Amex, 4 Visa, 5 Mastercard, 6 UnionPay, 9 the older
// domestic cards) and a valid Luhn check digit. A serial number starting
// with a date (2024…) is thus never a card.
func piiIsCard(num string) bool {
	if len(num) < 16 || len(num) > 19 || !piiAllDigits(num) || !strings.ContainsRune("34569", rune(num[0])) {
		return false
	}
	return piiLuhn(num)
}

// piiLuhn reports whether the last digit of num is its Luhn check digit.
func piiLuhn(num string) bool {
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

// piiIDWeights are the GB 11643-1999 (ISO 7064 MOD 11-2) weights of the
// first 17 digits; piiIDCheck maps the weighted sum mod 11 to the check
// character.
var piiIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const piiIDCheck = "10X98765432"

// validID reports an 18-character resident ID number with a valid check
// character and a birth date (characters 7–14) that is a real date from
// 1900 up to today.
func (s *piiScan) validID(num string) bool {
	if len(num) != 18 || !piiAllDigits(num[:17]) {
		return false
	}
	sum := 0
	for i, w := range piiIDWeights {
		sum += int(num[i]-'0') * w
	}
	last := num[17]
	if last == 'x' {
		last = 'X'
	}
	if piiIDCheck[sum%11] != last {
		return false
	}
	y := piiAtoi(num[6:10])
	m := piiAtoi(num[10:12])
	dd := piiAtoi(num[12:14])
	if y < 1900 || m < 1 || m > 12 || dd < 1 {
		return false
	}
	born := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	if born.Day() != dd || born.Month() != time.Month(m) {
		return false // 0230, 0931, …
	}
	today := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, time.UTC)
	return !born.After(today)
}

// piiIDShaped reports 18 characters laid out as an ID number: an area
// code not starting with 0 or 9 and a birth date's digits (18xx–20xx, a
// month 01–12, a day 01–31) where an ID has them.
func piiIDShaped(num string) bool {
	if len(num) != 18 || !piiAllDigits(num[:17]) || num[0] == '0' || num[0] == '9' {
		return false
	}
	c := piiAtoi(num[6:8])
	m, d := piiAtoi(num[10:12]), piiAtoi(num[12:14])
	return c >= 18 && c <= 20 && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

func piiAtoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// piiMaskMobile keeps the first 3 and last 4 digits: 138****1234.
func piiMaskMobile(num string) string { return num[:3] + "****" + num[7:] }

// piiMaskID keeps the first 2 and last 3 characters: 34*************01X.
func piiMaskID(num string) string {
	return num[:2] + strings.Repeat("*", 13) + strings.ToUpper(num[15:])
}

// piiPart is one numbered part of an address chain.
type piiPart struct {
	start, end, level int
}

// addresses finds home addresses: a chain of numbered parts that reaches
// below a building (3栋2单元501室, 5号楼302, 12号3栋5楼), or a unit, room
// or dash-joined number right after an estate's name (金辰小区502室,
// 幸福小区5-2-602), whose place name and next words are not an office's.
func (s *piiScan) addresses() {
	rs := s.rs
	for i := 0; i < len(rs); {
		// A chain starts where a number starts, not inside one or a word.
		if !piiIsAddrNum(rs[i]) || (i > 0 && piiIsAddrNum(rs[i-1])) {
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

// piiIsAddrNum reports a rune that may start the number of an address part.
func piiIsAddrNum(r rune) bool {
	return piiIsDigit(r) || piiIsASCIILetter(r) || strings.ContainsRune("一二三四五六七八九十百零〇两", r)
}

// piiAddrNumber returns the end of the number of an address part at i
// (digits, Chinese numerals, or one Latin letter), or i.
func piiAddrNumber(rs []rune, i int) int {
	j := i
	switch {
	case j < len(rs) && piiIsDigit(rs[j]):
		for j < len(rs) && piiIsDigit(rs[j]) && j-i < 5 {
			j++
		}
		if j < len(rs) && piiIsDigit(rs[j]) {
			return i // too long for a building or room
		}
	case j < len(rs) && piiIsASCIILetter(rs[j]):
		j++
		if j < len(rs) && (piiIsASCIILetter(rs[j]) || piiIsDigit(rs[j])) {
			return i // a word or a code, not a building letter
		}
	default:
		for j < len(rs) && j-i < 4 && strings.ContainsRune("一二三四五六七八九十百零〇两", rs[j]) {
			j++
		}
	}
	return j
}

// addressChain reads the parts of an address chain starting at i.
func (s *piiScan) addressChain(i int) ([]piiPart, int) {
	rs := s.rs
	var parts []piiPart
	deep := func() bool { // a building, unit or floor already read
		return slices.ContainsFunc(parts, func(p piiPart) bool {
			return p.level == piiLvBuilding || p.level == piiLvUnit || p.level == piiLvFloor
		})
	}
	for i < len(rs) {
		j := piiAddrNumber(rs, i)
		if j == i {
			break
		}
		// A dash-joined number: 5-2-602, 3-502.
		if piiIsDigit(rs[i]) && j+1 < len(rs) && rs[j] == '-' && piiIsDigit(rs[j+1]) {
			parts = append(parts, piiPart{i, j + 1, piiLvDash})
			i = j + 1
			continue
		}
		if m, ok := s.marker(j); ok {
			level := m.level
			if m.after && !deep() {
				level = piiLvOther
			}
			parts = append(parts, piiPart{i, j + len(m.word), level})
			i = j + len(m.word)
			continue
		}
		// A bare number ending the chain: the room after a building, unit
		// or floor (2单元501), or the last of a dash-joined number.
		n := j - i
		bare := piiIsDigit(rs[i]) && (j == len(rs) || !piiHasPrefixAt(rs, j, s.t.unitsAfter))
		switch {
		case bare && len(parts) > 0 && parts[len(parts)-1].level == piiLvDash && n <= 4:
			parts = append(parts, piiPart{i, j, piiLvDash})
		case bare && deep() && n >= 3 && n <= 4:
			parts = append(parts, piiPart{i, j, piiLvRoom})
		}
		break
	}
	// A dash-joined number must end in a number, not a dash.
	for len(parts) > 0 && parts[len(parts)-1].level == piiLvDash && rs[parts[len(parts)-1].end-1] == '-' {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return nil, i
	}
	return parts, parts[len(parts)-1].end
}

// marker returns the address marker at rs[j:], longest first.
func (s *piiScan) marker(j int) (piiMarker, bool) {
	for _, m := range s.t.markers {
		if j+len(m.word) > len(s.rs) || !slices.Equal(s.rs[j:j+len(m.word)], m.word) {
			continue
		}
		if m.level == piiLvRoom && !m.after {
			k := j + len(m.word)
			if n := piiAddrNumber(s.rs, k); n > k && piiHasPrefixAt(s.rs, n, s.t.roomNotBefore) {
				continue // 3室2厅: a flat's layout
			}
		}
		return m, true
	}
	return piiMarker{}, false
}

// address judges one chain rs[start:end] and emits it with its place.
func (s *piiScan) address(start, end int, parts []piiPart) {
	rs := s.rs
	// The place name before the chain: Han characters back to a stop word
	// or a punctuation mark, at most 12.
	from := start
	for from > 0 && start-from < 12 && unicode.Is(unicode.Han, rs[from-1]) && !piiHasSuffixAt(rs, from, s.t.stops) {
		from--
	}
	place := string(rs[from:start])
	if piiContainsAny(place, s.t.office) {
		return
	}
	// The words right after the chain: "3号楼服务大厅".
	after := string(rs[end:min(end+4, len(rs))])
	if k := strings.IndexAny(after, "。！？；，,;!?\n、"); k >= 0 {
		after = after[:k]
	}
	if piiContainsAny(after, s.t.officeLong) {
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
		case piiLvBuilding:
			building = true
		case piiLvUnit:
			detailed = detailed || building || estate
			unit = true
		case piiLvFloor:
			detailed = detailed || (building || unit) && placed
		case piiLvRoom:
			detailed = detailed || unit || building && placed || estate
		case piiLvDash:
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
	// Start the finding at the place's name: an estate or road marker and
	// at most 4 characters before it; the suggestion keeps that name.
	name := ""
	if p := s.placeName(from, start); p < start {
		from, name = p, string(s.d.Runes[p:start])
	} else {
		from = start
	}
	if name == "" {
		name = "××路××小区"
	}
	s.emit(piiRuleAddress, from, end, name)
}

// placeName returns where the name of an estate or road in rs[from:start]
// begins: up to 4 characters before its first estate or road marker; start
// when there is none.
func (s *piiScan) placeName(from, start int) int {
	for k := from; k < start; k++ {
		if w := piiPrefixAt(s.rs[:start], k, s.t.estates); w != "" {
			return max(from, k-4)
		}
		if w := piiPrefixAt(s.rs[:start], k, s.t.roads); w != "" {
			return max(from, k-4)
		}
	}
	return start
}
