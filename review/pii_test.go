package review

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// piiNow is the fixed clock of the tests: birth dates after it are in the
// future.
var piiNow = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func runPII(text string) []Finding {
	d := &Draft{Text: text, Kind: KindReply, Runes: []rune(text)}
	return piiCheck{now: piiNow}.Check(d)
}

// withIDCheck appends the GB 11643 check character to 17 digits, computed
// here independently of the code under test.
func withIDCheck(d17 string) string {
	sum := 0
	for i, w := range []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(d17[i]-'0') * w
	}
	return d17 + string("10X98765432"[sum%11])
}

// wrongIDCheck returns d17 with a check character that is not its own.
func wrongIDCheck(d17 string) string {
	good := withIDCheck(d17)[17]
	for _, c := range "0123456789X" {
		if byte(c) != good {
			return d17 + string(c)
		}
	}
	panic("unreachable")
}

// withLuhn appends the Luhn check digit.
func withLuhn(body string) string {
	for c := '0'; c <= '9'; c++ {
		if piiLuhn(body + string(c)) {
			return body + string(c)
		}
	}
	panic("unreachable")
}

// span is an expected finding: rule and excerpt (the offsets are those of
// the excerpt's first occurrence in the text).
type span struct {
	rule, excerpt string
}

func checkPII(t *testing.T, text string, want []span) []Finding {
	t.Helper()
	got := runPII(text)
	rs := []rune(text)
	var gotSpans []span
	for _, f := range got {
		gotSpans = append(gotSpans, span{f.Rule, f.Excerpt})
		if f.Category != "pii" || f.Severity != SeverityError {
			t.Errorf("%q: finding %+v: want category pii, severity error", text, f)
		}
		if f.Start < 0 || f.End > len(rs) || f.Start > f.End || string(rs[f.Start:f.End]) != f.Excerpt {
			t.Errorf("%q: finding %+v: offsets do not match the excerpt", text, f)
		}
		if f.Message == "" || f.Suggestion == "" || strings.Contains(f.Suggestion, "{masked}") {
			t.Errorf("%q: finding %+v: message or suggestion missing", text, f)
		}
		if f.Source != (Source{Doc: "rule-reply-pii-masking", Section: "常见信息的脱敏写法"}) {
			t.Errorf("%q: finding %+v: source", text, f)
		}
	}
	if !slices.Equal(gotSpans, want) {
		t.Errorf("%q:\n got %v\nwant %v", text, gotSpans, want)
		return got
	}
	for i, w := range want {
		start := utf8.RuneCountInString(text[:strings.Index(text, w.excerpt)])
		if got[i].Start != start || got[i].End != start+utf8.RuneCountInString(w.excerpt) {
			t.Errorf("%q: %s at [%d,%d), want [%d,%d)", text, w.rule, got[i].Start, got[i].End, start, start+utf8.RuneCountInString(w.excerpt))
		}
	}
	return got
}

type piiCase struct {
	name, text string
	want       []span
	suggests   []string // substrings of the findings' suggestions, in order
}

func runPIICases(t *testing.T, cases []piiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkPII(t, c.text, c.want)
			for i, s := range c.suggests {
				if i < len(got) && !strings.Contains(got[i].Suggestion, s) {
					t.Errorf("suggestion %q does not contain %q", got[i].Suggestion, s)
				}
			}
		})
	}
}

func TestPIIMobile(t *testing.T) {
	m := piiRuleMobile
	runPIICases(t, []piiCase{
		{"plain", "工作人员将拨打您留的电话13987126540联系您。", []span{{m, "13987126540"}}, []string{"139****6540"}},
		{"hyphens", "联系电话：138-1234-5678。", []span{{m, "138-1234-5678"}}, []string{"138****5678"}},
		{"spaces", "张先生电话 138 1234 5678 已登记", []span{{m, "138 1234 5678"}}, []string{"138****5678"}},
		{"3-8", "电话138-12345678", []span{{m, "138-12345678"}}, nil},
		{"+86 grouped", "您的号码+86 138 1234 5678", []span{{m, "+86 138 1234 5678"}}, []string{"138****5678"}},
		{"+86 glued", "号码+8613812345678。", []span{{m, "+8613812345678"}}, nil},
		{"86-", "号码86-13812345678。", []span{{m, "86-13812345678"}}, nil},
		{"0086", "号码008613812345678。", []span{{m, "008613812345678"}}, nil},
		{"full-width", "请联系业主１３８１２３４５６７８。", []span{{m, "１３８１２３４５６７８"}}, []string{"138****5678"}},
		{"after a hotline", "可拨12345 13812345678", []span{{m, "13812345678"}}, nil},
		{"two", "13812345678、15912345678", []span{{m, "13812345678"}, {m, "15912345678"}}, nil},
		{"199", "电话19912345678", []span{{m, "19912345678"}}, nil},
		{"hotline clause but the citizen's", "热线已记下您的电话13812345678", []span{{m, "13812345678"}}, nil},
		{"line end", "13812345678", []span{{m, "13812345678"}}, nil},
		// Not a citizen's mobile.
		{"12 digits", "编码138123456789", nil, nil},
		{"12 digits before", "213812345678", nil, nil},
		{"starts 12", "12345678901", nil, nil},
		{"hotline 12345", "请拨打12345或110、119、120、122、12315、12369、12393、95598、96106", nil, nil},
		{"landline", "请拨打供水服务热线0871-64112233。", nil, nil},
		{"landline parens", "电话(0571)87654321或（0571）87654321", nil, nil},
		{"400/800", "客服400-810-8888、4008108888、800-820-8820", nil, nil},
		{"hyphen-joined", "电话0871-13812345678", nil, nil},
		{"longer grouped", "号码138 1234 5678 9", nil, nil},
		{"longer hyphen", "138-1234-5678-9", nil, nil},
		{"serial", "工单编号13812345678已受理", nil, nil},
		{"official hotline", "服务热线13812345678，值班电话：13912345678", nil, nil},
		{"amount", "共计13812345678元", nil, nil},
		{"code", "SN13812345678", nil, nil},
		{"decimal", "3.13812345678", nil, nil},
		{"timestamps", "时间戳1732950000000，1732950000", nil, nil},
		{"date time", "2024-11-30 14:00:00，8:30-11:30，13:00-18:00", nil, nil},
		{"document number", "国办发〔2018〕123号、云政办发〔2024〕15号", nil, nil},
	})
}

func TestPIIIDNumber(t *testing.T) {
	id := piiRuleID
	valid := withIDCheck("11010519491231002") // the standard's example, …002X
	if valid != "11010519491231002X" {
		t.Fatalf("check digit helper: %s", valid)
	}
	lower := strings.ToLower(valid)
	leap := withIDCheck("44030620000229123")
	runPIICases(t, []piiCase{
		{"dev", "申请人张丽华（身份证号530102198703151541）", []span{{id, "530102198703151541"}}, []string{"53*************541"}},
		{"X", "身份证号" + valid + "。", []span{{id, valid}}, []string{"11*************02X"}},
		{"x", "身份证号" + lower + "。", []span{{id, lower}}, []string{"11*************02X"}},
		{"leap day", "证件号" + leap, []span{{id, leap}}, nil},
		{"grouped", "身份证 110105 19491231 002X 已核验", []span{{id, "110105 19491231 002X"}}, nil},
		{"full-width", "身份证号１１０１０５１９４９１２３１００２Ｘ。", []span{{id, "１１０１０５１９４９１２３１００２Ｘ"}}, []string{"11*************02X"}},
		{"serial context does not hide an ID", "证件编号" + valid, []span{{id, valid}}, nil},
		// Not an ID number.
		{"wrong check digit", "身份证号530102198703151542", nil, nil},
		{"wrong check digit X", "身份证号" + wrongIDCheck("53010219870315154"), nil, nil},
		{"impossible date", "身份证号" + withIDCheck("11010519490230123"), nil, nil},
		{"month 13", "身份证号" + withIDCheck("11010519491301123"), nil, nil},
		{"not a leap year", "身份证号" + withIDCheck("44030619000229123"), nil, nil},
		{"future", "身份证号" + withIDCheck("11010520250602123"), nil, nil},
		{"before 1900", "身份证号" + withIDCheck("11010518991231123"), nil, nil},
		{"longer run", "编号1" + valid, nil, nil},
		{"digits after", valid[:17] + "X1", nil, nil},
		{"letters", "AB" + valid, nil, nil},
	})
}

func TestPIIBankCard(t *testing.T) {
	b := piiRuleBank
	card16 := withLuhn("622848001234567")
	bad := "6222021001123456788"
	runPIICases(t, []piiCase{
		{"dev 19", "到账卡号为6222021001123456789，请注意查收。", []span{{b, "6222021001123456789"}}, []string{"您的账户"}},
		{"16", "银行卡" + card16, []span{{b, card16}}, nil},
		{"visa", "卡号4111111111111111", []span{{b, "4111111111111111"}}, nil},
		{"spaces", "卡号 6222 0210 0112 3456 789 已核实", []span{{b, "6222 0210 0112 3456 789"}}, nil},
		{"hyphens", "卡号6222-0210-0112-3456-789", []span{{b, "6222-0210-0112-3456-789"}}, nil},
		{"full-width", "卡号６２２２０２１００１１２３４５６７８９", []span{{b, "６２２２０２１００１１２３４５６７８９"}}, nil},
		// Not a card number.
		{"luhn", "卡号" + bad, nil, nil},
		{"20 digits", "卡号62220210011234567890", nil, nil},
		{"15 digits", "卡号" + withLuhn("62220210011234"), nil, nil},
		{"serial", "工单编号6222021001123456789", nil, nil},
		{"date serial", "受理号" + withLuhn("202411300001234567") + "，流水" + withLuhn("20241130000123456"), nil, nil},
		{"date serial no context", withLuhn("202411300001234567"), nil, nil},
		{"longer grouped", "6222 0210 0112 3456 789 1", nil, nil},
		{"amount", "¥6222021001123456789", nil, nil},
	})
	// An 18-digit run that is a valid ID is reported once, as an ID, even
	// when it also passes Luhn; one shaped like an ID with a wrong check
	// character is no card either.
	for _, body := range []string{"62010219870315", "41010219870315", "53010219870315"} {
		for suffix := 100; suffix < 1000; suffix++ {
			n := withIDCheck(body + strconv.Itoa(suffix))
			if !piiLuhn(n) || !piiAllDigits(n) {
				continue
			}
			checkPII(t, "号码"+n, []span{{piiRuleID, n}})
			w := wrongIDCheck(body + strconv.Itoa(suffix))
			if piiAllDigits(w) && piiLuhn(w) {
				checkPII(t, "号码"+w, nil)
			}
		}
	}
}

func TestPIIAddress(t *testing.T) {
	a := piiRuleAddress
	runPIICases(t, []piiCase{
		{"dev", "街道工作人员明天上午9点到金辰小区5栋2单元602室上门", []span{{a, "金辰小区5栋2单元602室"}}, []string{"金辰小区"}},
		{"brief", "住在幸福小区3栋2单元501室的居民", []span{{a, "幸福小区3栋2单元501室"}}, []string{"“幸福小区”"}},
		{"road", "到和平路12号3栋2单元", []span{{a, "和平路12号3栋2单元"}}, []string{"和平路"}},
		{"building and bare room", "锦绣花园5号楼302漏水", []span{{a, "锦绣花园5号楼302"}}, nil},
		{"room after estate", "到幸福小区502室核实", []span{{a, "幸福小区502室"}}, nil},
		{"unit after estate", "到幸福小区2单元核实", []span{{a, "幸福小区2单元"}}, nil},
		{"dashes", "到幸福小区5-2-602核实", []span{{a, "幸福小区5-2-602"}}, nil},
		{"phase", "到幸福小区二期3栋1单元", []span{{a, "幸福小区二期3栋1单元"}}, nil},
		{"chinese numerals", "到阳光苑三栋二单元五零一室", []span{{a, "阳光苑三栋二单元五零一室"}}, nil},
		{"letter", "到滨江花园B座1502室", []span{{a, "滨江花园B座1502室"}}, nil},
		{"floor", "到东风家园7幢3楼", []span{{a, "东风家园7幢3楼"}}, nil},
		{"household", "到兴隆村3组12号", nil, nil},
		{"subject before", "派出所民警上门核实幸福小区5栋2单元501室", []span{{a, "幸福小区5栋2单元501室"}}, []string{"“幸福小区”"}},
		{"long name", "到锦绣花园小区3幢1单元", []span{{a, "锦绣花园小区3幢1单元"}}, nil},
		{"no place", "请到1单元301室", []span{{a, "1单元301室"}}, []string{"××路××小区"}},
		{"no place, building and unit", "家住3栋2单元", []span{{a, "3栋2单元"}}, nil},
		{"road, building and room", "和平路12号3栋502室", []span{{a, "和平路12号3栋502室"}}, nil},
		{"full-width", "到幸福小区３栋２单元５０１室", []span{{a, "幸福小区３栋２单元５０１室"}}, nil},
		// Not a home address.
		{"office window", "或到区政务服务中心二楼3号窗口咨询", nil, nil},
		{"office street", "地址：和平路88号市民服务中心", nil, nil},
		{"office building", "市民中心2号楼3楼302室", nil, nil},
		{"government", "区政府3号楼5楼会议室", nil, nil},
		{"hall after", "幸福小区3号楼2单元办公室", nil, nil},
		{"building only", "幸福小区3栋、5栋今天停水", nil, nil},
		{"elevator", "确认3号电梯控制板老化", nil, nil},
		{"households", "幸福小区3户居民反映", nil, nil},
		{"layout", "幸福小区3室2厅的房子、两室一厅", nil, nil},
		{"document number", "国办发〔2018〕123号", nil, nil},
		{"estates listed", "涉及滨江小区、阳光小区、幸福里花园", nil, nil},
		{"bus", "地铁5号线施工，K15路临时调整", nil, nil},
		{"floor window", "到市政务服务中心2楼医保窗口、区人社局一楼劳动监察窗口", nil, nil},
		{"dates", "12月3日前，14:00至20:00，2024-11-30", nil, nil},
		{"estate and year", "幸福小区2019-2020年", nil, nil},
		{"building and room, no place", "请到3号楼201室办理", nil, nil},
		{"building and floor, no place", "请到3号楼2层办理", nil, nil},
		{"room alone", "请到502室办理", nil, nil},
	})
}

func TestPIIZeroValueClock(t *testing.T) {
	// The zero value uses the real clock: a birth date of 2000 is past.
	id := withIDCheck("11010520000101123")
	d := &Draft{Text: id, Runes: []rune(id)}
	if fs := (piiCheck{}).Check(d); len(fs) != 1 || fs[0].Rule != piiRuleID {
		t.Fatalf("got %+v", fs)
	}
}

func TestPIIDataFile(t *testing.T) {
	if _, err := parsePIITables(piiYAML); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ name, yaml, want string }{
		{"unknown key", "doc: x\nrulez: []\n", "pii.yaml:2"},
		{"no doc", "rules: []\n", "doc"},
		{"missing rules", "doc: x\nrules:\n  - {rule: pii.mobile, section: s, severity: error, message: m, suggestion: '{masked}'}\n", "四条规则"},
		{"unknown rule", "doc: x\nrules:\n  - {rule: pii.name, section: s, severity: error, message: m, suggestion: '{masked}'}\n", "pii.name"},
		{"severity", "doc: x\nrules:\n  - {rule: pii.mobile, section: s, severity: fatal, message: m, suggestion: '{masked}'}\n", "severity"},
	} {
		_, err := parsePIITables([]byte(bad.yaml))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one containing %q", bad.name, err, bad.want)
		}
	}
	// An empty word list is rejected.
	broken := strings.Replace(string(piiYAML), "  units: [单元]", "  units: []", 1)
	if _, err := parsePIITables([]byte(broken)); err == nil || !strings.Contains(err.Error(), "address.units") {
		t.Errorf("empty list: %v", err)
	}
}

// TestPIIDevSet checks the check against the evaluation drafts: every
// draft whose expect lists pii is flagged, every draft whose forbid lists
// pii is not.
func TestPIIDevSet(t *testing.T) {
	f, err := os.Open("../../shared/eval/review-dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var n, expect, forbid int
	for sc.Scan() {
		var c struct {
			ID     string   `json:"id"`
			Kind   Kind     `json:"kind"`
			Text   string   `json:"text"`
			Expect []string `json:"expect"`
			Forbid []string `json:"forbid"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		d := &Draft{Text: c.Text, Kind: c.Kind, Runes: []rune(c.Text)}
		fs := piiCheck{}.Check(d)
		switch {
		case slices.Contains(c.Expect, "pii"):
			expect++
			if len(fs) == 0 {
				t.Errorf("%s: pii expected, none found", c.ID)
			}
		case slices.Contains(c.Forbid, "pii"):
			forbid++
			for _, f := range fs {
				t.Errorf("%s: pii forbidden, found %s %q", c.ID, f.Rule, f.Excerpt)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no cases")
	}
	t.Logf("%d cases: %d expect pii, %d forbid pii", n, expect, forbid)
}

func FuzzPII(f *testing.F) {
	for _, s := range []string{
		"", "13987126540", "+86 138 1234 5678", "11010519491231002X", "１１０１０５１９４９１２３１００２ｘ",
		"6222 0210 0112 3456 789", "金辰小区5栋2单元602室", "幸福小区5-2-602-", "阳光苑三栋二单元五零一室",
		"到幸福小区-", "A座", "0871-64112233", "\xff\xfe", "号楼单元室", "幸福小区2-", "B-1-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rs := []rune(text)
		d := &Draft{Text: text, Kind: KindComment, Runes: rs}
		for _, fd := range (piiCheck{now: piiNow}).Check(d) {
			if fd.Start < 0 || fd.Start > fd.End || fd.End > len(rs) {
				t.Fatalf("%q: offsets [%d,%d) outside %d runes", text, fd.Start, fd.End, len(rs))
			}
			if fd.Excerpt != string(rs[fd.Start:fd.End]) {
				t.Fatalf("%q: excerpt %q is not runes [%d,%d)", text, fd.Excerpt, fd.Start, fd.End)
			}
			if fd.Start == fd.End {
				t.Fatalf("%q: empty finding %+v", text, fd)
			}
		}
	})
}

// piiBenchDraft is a 2,000-character reply with personal data in it.
func piiBenchDraft() string {
	parts := []string{
		"您好，感谢您对医保工作的关注。报销等了这么久，给您添麻烦了，非常抱歉。",
		"经核查，您11月8日提交的异地就医手工报销材料齐全，因省市系统对接问题审核延迟。",
		"工作人员将在2个工作日内拨打您留的电话13987126540联系您，也可拨12345查询进度。",
		"申请人（身份证号530102198703151541）的待遇已审核通过，款项转入卡号6222021001123456789。",
		"街道工作人员明天上午9点到金辰小区5栋2单元602室上门，如有疑问请拨0871-64112233或到区政务服务中心二楼3号窗口。",
		"12月1日（周一）8:00-18:00，10kV和平线停电，涉及滨江小区、阳光小区、幸福里花园，国办发〔2018〕123号。",
	}
	var b strings.Builder
	for n := 0; utf8.RuneCountInString(b.String()) < 2000; n++ {
		b.WriteString(parts[n%len(parts)])
	}
	return string([]rune(b.String())[:2000])
}

func BenchmarkPII(b *testing.B) {
	text := piiBenchDraft()
	d := &Draft{Text: text, Kind: KindReply, Runes: []rune(text)}
	c := piiCheck{}
	b.ReportAllocs()
	for b.Loop() {
		c.Check(d)
	}
}
