// Package pii finds a citizen's personal data in Chinese text: resident ID
// numbers, mainland mobile numbers, bank-card numbers and home addresses
// detailed enough to find a household.
//
// The contract:
//
//   - An ID number is 18 characters with a valid GB 11643-1999 (ISO 7064
//     MOD 11-2) check character, upper- or lower-case X, and a birth date
//     that is a real date from 1900 up to today (Options.Now).
//   - A mobile number is 11 digits 1[3-9]…, alone or written in groups
//     (138 1234 5678, 138-12345678), optionally after +86, 86 or 0086.
//   - A bank-card number is 16–19 digits, alone or in groups of four, with
//     a payment card's first digit (3, 4, 5, 6 or 9) and a valid Luhn check
//     digit. An ID number is reported once, as an ID number, even when its
//     digits also pass Luhn.
//   - An address is a chain of numbered parts that reaches below a building
//     (3栋2单元501室, 5号楼302), or a unit, room or dash-joined number
//     right after an estate's name (金辰小区502室, 幸福小区5-2-602).
//   - A number is never a piece of a longer one: digits glued to Latin
//     letters, other digits, a decimal point, a currency sign or a unit
//     (元, 年, 号, …), or joined by a hyphen to digits that are not part
//     of the number (0871-13812345678), are not personal data.
//   - A department's own contact details are never matched: hotlines
//     (12345, 110), landlines, 400/800 numbers, a mobile number whose
//     clause calls it a department's line (热线, 值班) unless the clause
//     also points at the citizen (您, 申请人), and an office's address
//     (区政务服务中心二楼3号窗口). Neither is a mobile or card number
//     whose clause calls it a serial number (工单编号…). The detector
//     prefers missing a doubtful case to flagging these.
//   - Full-width digits and letters (１３８, Ｘ) are read as their ASCII
//     forms; offsets stay those of the text as written.
//
// The validations are code; the words the detector matches (address
// markers, office words, context words around a number) are data:
// words.yaml, embedded, which Options.Words may replace.
package pii

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Type is the sort of personal data a Match is.
type Type string

// The types.
const (
	IDNumber Type = "id-number" // a resident ID number
	Mobile   Type = "mobile"    // a mainland mobile number
	BankCard Type = "bank-card" // a bank-card number
	Address  Type = "address"   // a home address down to building, unit or room
)

// Match is one piece of personal data in a text. Start and End are
// offsets in Unicode code points, End exclusive; Text is that span as
// written.
type Match struct {
	Type       Type
	Start, End int
	Text       string
	// Masked is a form that may be published in its place: the ID number
	// with its first 2 and last 3 characters kept (11*************02X),
	// the mobile number with its first 3 and last 4 digits kept
	// (138****5678, without a +86 prefix), the address cut back to the
	// name of its estate or road (金辰小区). It is empty for a bank card,
	// whose number is not published even masked, and for an address that
	// names no estate or road.
	Masked string
}

// CodeInvalidWords is the code of a word-list file New refuses; its kind
// is errs.Invalid.
const CodeInvalidWords errs.Code = "pii_words_invalid"

// Options configure New.
type Options struct {
	// Words is a word-list file in the schema of words.yaml (the file
	// documents each field); nil means the embedded words.yaml.
	Words []byte
	// Now is the clock a birth date must not be later than; nil means
	// time.Now.
	Now func() time.Time
}

// Detector finds personal data. The zero value uses the embedded word
// lists and the real clock. A Detector is safe for concurrent use.
type Detector struct {
	t   *tables // nil: defaultTables
	now func() time.Time
}

// New returns a Detector configured by opts. It fails only on a word-list
// file it cannot use: an *errs.Error of kind errs.Invalid and code
// CodeInvalidWords that wraps an *errs.FileError naming the line and the
// reason.
func New(opts Options) (*Detector, error) {
	d := &Detector{now: opts.Now}
	if opts.Words != nil {
		t, err := parseTables("", opts.Words)
		if err != nil {
			return nil, errs.E("pii.New", errs.Invalid, CodeInvalidWords, "个人信息识别词表有误", err)
		}
		d.t = t
	}
	return d, nil
}

// Find returns the personal data in text, ordered by Start, then End; nil
// when there is none.
func (d *Detector) Find(text string) []Match {
	return d.FindRunes([]rune(text))
}

// FindRunes is Find for a text given as code points; rs is not modified.
func (d *Detector) FindRunes(rs []rune) []Match {
	t := d.t
	if t == nil {
		t = defaultTables
	}
	now := time.Now()
	if d.now != nil {
		now = d.now()
	}
	s := scan{text: rs, rs: normalize(rs), t: t, now: now}
	s.numbers()
	s.addresses()
	slices.SortStableFunc(s.out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	return s.out
}

// normalize returns rs with full-width ASCII (０-９, Ｘ, －, ＋, Ａ…)
// mapped to ASCII, one rune for one rune so that offsets stay those of
// the text; rs itself when there is nothing to map.
func normalize(rs []rune) []rune {
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

// scan is one run of a Detector over one text.
type scan struct {
	text []rune // as written: Match.Text and place names come from here
	rs   []rune // text, normalised
	t    *tables
	now  time.Time
	out  []Match
}

func (s *scan) emit(typ Type, start, end int, masked string) {
	s.out = append(s.out, Match{Type: typ, Start: start, End: end, Text: string(s.text[start:end]), Masked: masked})
}

func isDigit(r rune) bool       { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return r|0x20 >= 'a' && r|0x20 <= 'z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
	}
	return true
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// hasSuffixAt reports whether rs[:end] ends with one of words.
func hasSuffixAt(rs []rune, end int, words []string) bool {
	for _, w := range words {
		if k := end - utf8.RuneCountInString(w); k >= 0 && wordAt(rs, k, w) {
			return true
		}
	}
	return false
}

// hasPrefixAt reports whether rs[i:] starts with one of words.
func hasPrefixAt(rs []rune, i int, words []string) bool {
	return prefixAt(rs, i, words) != ""
}

// prefixAt returns the first of words that rs[i:] starts with, or "".
func prefixAt(rs []rune, i int, words []string) string {
	for _, w := range words {
		if wordAt(rs, i, w) {
			return w
		}
	}
	return ""
}

// wordAt reports whether rs[i:] starts with w.
func wordAt(rs []rune, i int, w string) bool {
	for _, r := range w {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

// Mask returns text with the ID, mobile and bank-card numbers d finds
// masked: an ID or a mobile number as the reviewer suggests publishing it
// (11*************02X, 138****5678), a bank card as 〔银行卡号〕. An
// address is kept: it says where a problem is. What is kept for days and
// read again (a conversation, a citizen's post under review) needs none
// of these numbers.
func (d *Detector) Mask(text string) string {
	rs := []rune(text)
	found := d.FindRunes(rs)
	if len(found) == 0 {
		return text
	}
	var b strings.Builder
	at := 0
	for _, f := range found {
		if f.Start < at {
			continue
		}
		var with string
		switch f.Type {
		case IDNumber, Mobile:
			with = f.Masked
		case BankCard:
			with = "〔银行卡号〕"
		default:
			continue
		}
		b.WriteString(string(rs[at:f.Start]))
		b.WriteString(with)
		at = f.End
	}
	b.WriteString(string(rs[at:]))
	return b.String()
}
