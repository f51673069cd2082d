package training

// Text preparation for the element matchers: a reply (and every phrase a
// matcher looks for) is normalised the same way, so that 两个工作日 meets
// a phrase written 2个工作日 and a full-width １２３４５ meets 12345.
// Offsets into the normalised text map back to code points of the text as
// written, which is what evidence reports.

import (
	"strings"
	"unicode/utf8"
)

// GradeSpan is a span of a reply: its text as written and its offsets in
// Unicode code points, End exclusive (as review findings count them).
type GradeSpan struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// normText is a text prepared for matching.
type normText struct {
	src  []rune // the text as written
	norm string // the normalised text
	// runeAt maps a byte offset of norm (at a rune start, or len(norm))
	// to its rune index in norm.
	runeAt []int
	// from and to give, for each rune of norm, the span of src it came
	// from: a converted numeral's digits all come from the whole numeral.
	from, to []int
}

// span returns the text as written behind the norm byte range [a, b).
func (t *normText) span(a, b int) GradeSpan {
	ra, rb := t.runeAt[a], t.runeAt[b]
	if rb <= ra {
		s := t.srcIndex(ra)
		return GradeSpan{Start: s, End: s}
	}
	s, e := t.from[ra], t.to[rb-1]
	return GradeSpan{Text: string(t.src[s:e]), Start: s, End: e}
}

// srcIndex is the code point of src at which norm rune i begins.
func (t *normText) srcIndex(i int) int {
	if i < len(t.from) {
		return t.from[i]
	}
	return len(t.src)
}

// numeral values of the Chinese numeral characters; 十百千 are multipliers.
var numeralDigits = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var numeralMultipliers = map[rune]int{'十': 10, '百': 100, '千': 1000}

// numeralUnits are the words after which a run of Chinese numerals is read
// as a number (三个工作日, 两名, 十二点, 五千米). A numeral before anything
// else (一定, 统一, 万一, 一起) is left as written.
var numeralUnits = []string{
	"个", "天", "日", "号", "月", "年", "点", "时", "小时", "分钟", "秒",
	"趟", "次", "遍", "回", "人", "名", "位", "户", "处", "条", "辆", "周",
	"岁", "层", "栋", "幢", "家", "所", "件", "项", "批", "元", "块", "米",
	"公里", "千米", "毫米", "厘米", "级", "倍", "成", "台", "座", "间", "套",
	"份", "万", "亿", "吨", "斤", "公斤", "克", "路", "期", "班", "场", "轮",
	"节", "站", "工作日", "星期", "礼拜", "%", "％",
}

// normalize prepares text for matching: full-width ASCII becomes ASCII,
// Latin letters lower case, and a run of Chinese numerals before a unit
// (or after 第) becomes Arabic digits.
func normalize(text string) *normText {
	src := []rune(text)
	t := &normText{src: src}
	var b strings.Builder
	b.Grow(len(text))
	emit := func(r rune, from, to int) {
		t.from = append(t.from, from)
		t.to = append(t.to, to)
		b.WriteRune(r)
	}
	for i := 0; i < len(src); {
		r := src[i]
		if isNumeral(r) {
			j := i
			for j < len(src) && isNumeral(src[j]) {
				j++
			}
			after := string(src[j:min(j+3, len(src))])
			ordinal := i > 0 && src[i-1] == '第'
			if v, ok := numeralValue(src[i:j]); ok && (ordinal || hasUnitPrefix(after)) {
				for _, d := range v {
					emit(d, i, j)
				}
				i = j
				continue
			}
			for k := i; k < j; k++ {
				emit(src[k], k, k+1)
			}
			i = j
			continue
		}
		r = foldRune(r)
		// Clock times in one form: 8时 and 8:00 read 8点, 20:30 reads 20点30分.
		if prevDigit := b.Len() > 0 && isDigitByte(b.String()[b.Len()-1]); prevDigit {
			switch {
			case r == '时' && !hasAnyPrefix(string(src[i+1:min(i+2, len(src))]), []string{"间", "候", "期", "段", "许"}) || r == '时' && i+1 == len(src):
				emit('点', i, i+1)
				i++
				continue
			case r == ':' && i+2 < len(src) && isDigitRune(foldRune(src[i+1])) && isDigitRune(foldRune(src[i+2])) &&
				(i+3 == len(src) || !isDigitRune(foldRune(src[i+3]))):
				if mm := string([]rune{foldRune(src[i+1]), foldRune(src[i+2])}); mm == "00" {
					emit('点', i, i+3)
				} else {
					emit('点', i, i+1)
					emit(rune(mm[0]), i+1, i+2)
					emit(rune(mm[1]), i+2, i+3)
					emit('分', i+2, i+3)
				}
				i += 3
				continue
			}
		}
		emit(r, i, i+1)
		i++
	}
	t.norm = b.String()
	t.runeAt = make([]int, len(t.norm)+1)
	n := 0
	for off := range t.norm {
		t.runeAt[off] = n
		n++
	}
	t.runeAt[len(t.norm)] = n
	// Fill the bytes inside a multi-byte rune with the index of the next
	// rune, so a search result that ends there still maps somewhere sane.
	last := n
	for off := len(t.norm) - 1; off >= 0; off-- {
		if utf8.RuneStart(t.norm[off]) {
			last = t.runeAt[off]
		} else {
			t.runeAt[off] = last
		}
	}
	return t
}

// normPhrase normalises a phrase of the data as normalize does a reply.
func normPhrase(p string) string { return normalize(p).norm }

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

func isNumeral(r rune) bool {
	_, d := numeralDigits[r]
	_, m := numeralMultipliers[r]
	return d || m
}

func hasUnitPrefix(s string) bool {
	for _, u := range numeralUnits {
		if strings.HasPrefix(s, u) {
			return true
		}
	}
	return false
}

// numeralValue returns the Arabic digits of a run of Chinese numerals:
// positional (二〇二五) or with multipliers (三十五, 一百二十, 十二).
func numeralValue(rs []rune) ([]rune, bool) {
	hasMult := false
	for _, r := range rs {
		if _, ok := numeralMultipliers[r]; ok {
			hasMult = true
		}
	}
	if !hasMult {
		out := make([]rune, 0, len(rs))
		for _, r := range rs {
			out = append(out, rune('0'+numeralDigits[r]))
		}
		return out, true
	}
	total, cur := 0, -1
	for _, r := range rs {
		if m, ok := numeralMultipliers[r]; ok {
			if cur < 0 {
				cur = 1 // 十二: an implied 一
			}
			total += cur * m
			cur = -1
			continue
		}
		if cur >= 0 { // two digits in a row with multipliers: not a number
			return nil, false
		}
		cur = numeralDigits[r]
	}
	if cur > 0 {
		total += cur
	}
	return []rune(itoa(total)), true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// foldRune maps a full-width ASCII character to ASCII and a Latin letter
// to lower case.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	return r
}

// find returns the byte ranges of norm where the normalised phrase p
// occurs, left to right, not overlapping.
func (t *normText) find(p string) [][2]int {
	if p == "" {
		return nil
	}
	var out [][2]int
	for off := 0; ; {
		i := strings.Index(t.norm[off:], p)
		if i < 0 {
			return out
		}
		out = append(out, [2]int{off + i, off + i + len(p)})
		off += i + len(p)
	}
}

// overlapRatio is the share of the character bigrams of reply (letters,
// digits and Chinese characters; punctuation and spaces left out) that also
// occur in post: 1 for a reply copied from the post, near 0 for one in its
// own words.
func overlapRatio(reply, post string) float64 {
	rb, pb := bigrams(reply), bigrams(post)
	if len(rb) == 0 {
		return 0
	}
	shared := 0
	for g := range rb {
		if pb[g] {
			shared++
		}
	}
	return float64(shared) / float64(len(rb))
}

// bigrams returns the set of adjacent pairs of word characters of s.
func bigrams(s string) map[[2]rune]bool {
	var rs []rune
	for _, r := range normalize(s).norm {
		if isWordRune(r) {
			rs = append(rs, r)
		}
	}
	out := make(map[[2]rune]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out[[2]rune{rs[i], rs[i+1]}] = true
	}
	return out
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 0x3400 && r <= 0x9FFF
}
