package training

// Figures: the times, dates, numbers and place names a reply states as
// facts. A figure the scenario's facts (its post, known facts and model
// reply) do not contain is invented: the trainee changed or made up a
// fact, which the grader marks and penalises (training/README.md).

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// figure is one figure of a text, at bytes [a, b) of its normalised form.
type figure struct {
	a, b  int
	key   string // canonical: "20点", "6月10日", "3工作日", "周5", "day:明天", "place:城西医院"
	day   string // a clock time's day: 今天, 明天, 后天 or ""
	pm    string // a clock time written without a part of the day: its key twelve hours on
	clock bool
}

var (
	numberRe  = regexp.MustCompile(`\d+(?:\.\d+)?`)
	weekdayRe = regexp.MustCompile(`(下周|下星期|本周|这周|每周|周|星期|礼拜)([一二三四五六日天1-7])`)
	dayWordRe = regexp.MustCompile(`今天晚上|今晚|今夜|明天|明日|明早|明晚|后天`)
)

// dayPeriods are the words before a clock time that give its day and part
// of the day, longest first.
var dayPeriods = []struct{ word, day, period string }{
	{"今天晚上", "今天", "晚上"}, {"今天下午", "今天", "下午"}, {"今天上午", "今天", "上午"},
	{"今天中午", "今天", "中午"}, {"今天早上", "今天", "早上"}, {"今天凌晨", "今天", "凌晨"},
	{"明天晚上", "明天", "晚上"}, {"明天下午", "明天", "下午"}, {"明天上午", "明天", "上午"},
	{"明天中午", "明天", "中午"}, {"明天早上", "明天", "早上"}, {"明天凌晨", "明天", "凌晨"},
	{"后天上午", "后天", "上午"}, {"后天下午", "后天", "下午"}, {"后天晚上", "后天", "晚上"},
	{"今晚", "今天", "晚上"}, {"今夜", "今天", "晚上"}, {"今早", "今天", "早上"},
	{"明晚", "明天", "晚上"}, {"明早", "明天", "早上"},
	{"凌晨", "", "凌晨"}, {"早上", "", "早上"}, {"上午", "", "上午"}, {"中午", "", "中午"},
	{"下午", "", "下午"}, {"傍晚", "", "晚上"}, {"晚上", "", "晚上"}, {"夜里", "", "晚上"},
	{"夜间", "", "晚上"}, {"今天", "今天", ""}, {"今日", "今天", ""}, {"明天", "明天", ""},
	{"明日", "明天", ""}, {"后天", "后天", ""}, {"晚", "", "晚上"}, {"早", "", "早上"},
}

// clockAfter are the words after a clock time written in Chinese numerals
// that make it a time (两点前) rather than a count (两点建议).
var clockAfter = []string{"前", "钟", "半", "整", "分", "以前", "之前", "起", "开始", "后"}

// figures returns the figures of t: numbers with their units, clock
// times, dates, weekdays, day words and, for the places listed, the names
// of places of the same sorts. Numbers inside an ignored idiom, a numeral
// 一 (一点, 一次), a numeral 两 before a unit that is not a duration (两家)
// and bare numbers of fewer than three digits are not figures.
func (r *gradeRules) figures(t *normText, places []string) []figure {
	s := t.norm
	var skip [][2]int
	for _, p := range r.ignore {
		skip = append(skip, t.find(p)...)
	}
	inSkip := func(a, b int) bool {
		for _, k := range skip {
			if a < k[1] && k[0] < b {
				return true
			}
		}
		return false
	}
	var out []figure
	for _, m := range numberRe.FindAllStringIndex(s, -1) {
		a, b := m[0], m[1]
		if inSkip(a, b) || len(out) > 0 && a < out[len(out)-1].b {
			continue
		}
		if a > 0 {
			if p := s[a-1]; p >= 'a' && p <= 'z' || p == '.' {
				continue // a code (g7) or a version number
			}
		}
		num := s[a:b]
		chinese := !hasDigit(t.span(a, b).Text)
		if v, err := strconv.ParseFloat(num, 64); err == nil && chinese && v == 1 {
			continue
		}
		before, rest := s[:a], s[b:]
		if strings.HasSuffix(before, "第") {
			// 第二人民医院 names a place; 第二天, 第三方 do not state a fact.
			if r.placeAhead(rest) {
				out = append(out, figure{a: a - len("第"), b: b, key: "第" + num})
			}
			continue
		}
		if f, ok := r.clockFigure(t, a, b, chinese); ok {
			out = append(out, f)
			continue
		}
		if u, ok := r.unitAt(rest); ok {
			// 两家, 两位: a Chinese 两 is a figure only before a duration.
			if v, _ := strconv.ParseFloat(num, 64); !chinese || v > 2 || slices.Contains(r.Figures.Durations, u.canon) {
				out = append(out, figure{a: a, b: b + len(u.text), key: num + u.canon})
			}
			continue
		}
		switch {
		case strings.HasPrefix(rest, "月"):
			end := b + len("月")
			key := num + "月"
			if d := numberRe.FindStringIndex(s[end:]); d != nil && d[0] == 0 {
				dd := s[end : end+d[1]]
				after := s[end+d[1]:]
				if strings.HasPrefix(after, "日") || strings.HasPrefix(after, "号") {
					key += dd + "日"
					end += d[1] + len("日")
				}
			}
			out = append(out, figure{a: a, b: end, key: key})
		case strings.HasPrefix(rest, "日") || strings.HasPrefix(rest, "号"):
			out = append(out, figure{a: a, b: b + len("日"), key: num + "日"})
		case len(num) >= 3 && !chinese:
			out = append(out, figure{a: a, b: b, key: num})
		}
	}
	for _, m := range weekdayRe.FindAllStringSubmatchIndex(s, -1) {
		if inSkip(m[0], m[1]) {
			continue
		}
		prefix := ""
		if strings.HasPrefix(s[m[2]:m[3]], "下") {
			prefix = "下"
		}
		out = append(out, figure{a: m[0], b: m[1], key: prefix + "周" + weekdayDigit(s[m[4]:m[5]])})
	}
	for _, m := range dayWordRe.FindAllStringIndex(s, -1) {
		if inSkip(m[0], m[1]) || covered(out, m[0], m[1]) {
			continue
		}
		out = append(out, figure{a: m[0], b: m[1], key: "day:" + canonDay(s[m[0]:m[1]])})
	}
	out = append(out, r.placeFigures(t, places)...)
	return out
}

// clockFigure reads a clock time at the number [a, b): 8点, 20:30, 下午5点半,
// 今晚8点. Its key is the hour on a 24-hour clock (and minutes).
func (r *gradeRules) clockFigure(t *normText, a, b int, chinese bool) (figure, bool) {
	s := t.norm
	rest := s[b:]
	h, err := strconv.Atoi(s[a:b])
	if err != nil || h > 24 {
		return figure{}, false
	}
	m, end := 0, b
	switch {
	case len(rest) >= 3 && rest[0] == ':' && isDigitByte(rest[1]) && isDigitByte(rest[2]):
		m, _ = strconv.Atoi(rest[1:3])
		end = b + 3
	case strings.HasPrefix(rest, "点") || strings.HasPrefix(rest, "时") && !strings.HasPrefix(rest, "时间") && !strings.HasPrefix(rest, "时候"):
		end = b + len("点")
		after := s[end:]
		if strings.HasPrefix(after, "半") {
			m, end = 30, end+len("半")
		} else if d := numberRe.FindStringIndex(after); d != nil && d[0] == 0 && strings.HasPrefix(after[d[1]:], "分") {
			m, _ = strconv.Atoi(after[:d[1]])
			end += d[1] + len("分")
		}
	default:
		return figure{}, false
	}
	start, day, period := a, "", ""
	for _, dp := range dayPeriods {
		if strings.HasSuffix(s[:a], dp.word) {
			start, day, period = a-len(dp.word), dp.day, dp.period
			break
		}
	}
	if period != "" && day == "" {
		for _, dp := range dayPeriods {
			if dp.period == "" && strings.HasSuffix(s[:start], dp.word) {
				start, day = start-len(dp.word), dp.day
				break
			}
		}
	}
	if chinese && start == a && !hasAnyPrefix(s[end:], clockAfter) && !strings.HasPrefix(s[b:], "点半") {
		return figure{}, false // 两点建议: a count, not a time
	}
	switch {
	case period == "中午" && h < 6, (period == "下午" || period == "晚上") && h < 12:
		h += 12
	case period == "凌晨" && h == 12:
		h = 0
	}
	key := strconv.Itoa(h) + "点"
	pm := ""
	if period == "" && h < 12 {
		pm = strconv.Itoa(h+12) + "点" // no part of the day: 5点 may be 17点
	}
	if m > 0 {
		key += strconv.Itoa(m) + "分"
		if pm != "" {
			pm += strconv.Itoa(m) + "分"
		}
	}
	return figure{a: start, b: end, key: key, pm: pm, day: day, clock: true}, true
}

// placeAhead reports whether a sort of place (place_suffixes) follows
// within the next six characters of rest.
func (r *gradeRules) placeAhead(rest string) bool {
	rs := []rune(rest)
	head := string(rs[:min(len(rs), 8)])
	for _, p := range r.Figures.PlaceSuffixes {
		if i := strings.Index(head, p); i >= 0 && utf8.RuneCountInString(head[:i]) <= 6 {
			return true
		}
	}
	return false
}

// unitAt returns the unit rest begins with.
func (r *gradeRules) unitAt(rest string) (unitVariant, bool) {
	for _, u := range r.units {
		if strings.HasPrefix(rest, u.text) {
			return u, true
		}
	}
	return unitVariant{}, false
}

// placeFigures finds names of places of the sorts of places (城西医院 when
// places lists 城东医院): the Chinese characters before the sort, from the
// last word that is not a name (前往, 到, 的).
func (r *gradeRules) placeFigures(t *normText, places []string) []figure {
	var out []figure
	seen := map[string]bool{}
	for _, p := range places {
		for _, suffix := range r.Figures.PlaceSuffixes {
			if !strings.HasSuffix(p, suffix) || seen[suffix] {
				continue
			}
			seen[suffix] = true
			for _, m := range t.find(suffix) {
				a := m[0]
				for n := 0; n < 6 && a > 0; n++ {
					rr, size := utf8.DecodeLastRuneInString(t.norm[:a])
					if !unicode.Is(unicode.Han, rr) {
						break
					}
					a -= size
				}
				head := t.norm[a:m[0]]
				for _, stop := range r.Figures.PlaceStop {
					if i := strings.LastIndex(head, stop); i >= 0 {
						head, a = head[i+len(stop):], a+i+len(stop)
					}
				}
				if utf8.RuneCountInString(head) < 2 || hasAnySuffix(head, r.Figures.PlaceGeneric) {
					continue
				}
				out = append(out, figure{a: a, b: m[1], key: "place:" + head + suffix})
			}
		}
	}
	return out
}

// factIndex is what the facts of a scenario state: figure keys, and for
// clock times the days they fall on ("" for a time with no day).
type factIndex struct {
	keys   map[string]bool
	clocks map[string]map[string]bool
	text   string // the normalised facts
}

// indexFacts indexes the figures of the facts text of sc.
func (r *gradeRules) indexFacts(sc Scenario) *factIndex {
	text := sc.Post + "\n" + strings.Join(sc.Known, "\n") + "\n" + sc.ModelReply
	t := normalize(text)
	idx := &factIndex{keys: map[string]bool{}, clocks: map[string]map[string]bool{}, text: t.norm}
	for _, f := range r.figures(t, nil) {
		idx.keys[f.key] = true
		if f.clock {
			if idx.clocks[f.key] == nil {
				idx.clocks[f.key] = map[string]bool{}
			}
			idx.clocks[f.key][f.day] = true
		}
		if strings.HasPrefix(f.key, "下周") {
			idx.keys[strings.TrimPrefix(f.key, "下")] = true
		}
	}
	for _, m := range dayWordRe.FindAllString(t.norm, -1) {
		idx.keys["day:"+canonDay(m)] = true
	}
	return idx
}

// supports reports whether the facts state f.
func (idx *factIndex) supports(r *gradeRules, f figure) bool {
	switch {
	case r.allow[f.key]:
		return true
	case f.clock:
		days, ok := idx.clocks[f.key]
		if !ok && f.pm != "" {
			days, ok = idx.clocks[f.pm] // 5点 for 下午5点
		}
		return ok && (f.day == "" || days[""] || days[f.day])
	case strings.HasPrefix(f.key, "place:"):
		return strings.Contains(idx.text, strings.TrimPrefix(f.key, "place:"))
	}
	return idx.keys[f.key]
}

func covered(fs []figure, a, b int) bool {
	for _, f := range fs {
		if f.a <= a && b <= f.b {
			return true
		}
	}
	return false
}

func canonDay(w string) string {
	switch w {
	case "今天晚上", "今晚", "今夜":
		return "今晚"
	case "后天":
		return "后天"
	}
	return "明天"
}

func weekdayDigit(s string) string {
	switch s {
	case "一":
		return "1"
	case "二":
		return "2"
	case "三":
		return "3"
	case "四":
		return "4"
	case "五":
		return "5"
	case "六":
		return "6"
	case "日", "天":
		return "7"
	}
	return s
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func hasAnyPrefix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}
