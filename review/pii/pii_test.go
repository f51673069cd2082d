package pii_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/review/pii"
)

// now is the fixed clock of the tests: birth dates after it are in the
// future.
func now() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

// detector is a Detector with the embedded words and the fixed clock.
func detector(t testing.TB) *pii.Detector {
	t.Helper()
	d, err := pii.New(pii.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return d
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

// luhnOK reports whether the last digit of num is its Luhn check digit,
// computed here independently of the code under test.
func luhnOK(num string) bool {
	sum := 0
	for i := range len(num) {
		d := int(num[len(num)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			d = d*2/10 + d*2%10
		}
		sum += d
	}
	return sum%10 == 0
}

// withLuhn appends the Luhn check digit.
func withLuhn(body string) string {
	for c := '0'; c <= '9'; c++ {
		if luhnOK(body + string(c)) {
			return body + string(c)
		}
	}
	panic("unreachable")
}

// want is an expected match: its type, text and masked form; its offsets
// are those of the text's first occurrence in the input.
type want struct {
	typ          pii.Type
	text, masked string
}

type findCase struct {
	name, text string
	want       []want
}

// checkFind runs d over c.text and compares the matches with c.want,
// offsets included.
func checkFind(t *testing.T, d *pii.Detector, c findCase) {
	t.Helper()
	got := d.Find(c.text)
	rs := []rune(c.text)
	var gotW []want
	for _, m := range got {
		gotW = append(gotW, want{m.Type, m.Text, m.Masked})
		if m.Start < 0 || m.End > len(rs) || m.Start >= m.End || string(rs[m.Start:m.End]) != m.Text {
			t.Errorf("%q: match %+v: offsets do not match the text", c.text, m)
		}
	}
	if !slices.Equal(gotW, c.want) {
		t.Errorf("%q:\n got %v\nwant %v", c.text, gotW, c.want)
		return
	}
	for i, w := range c.want {
		start := utf8.RuneCountInString(c.text[:strings.Index(c.text, w.text)])
		if end := start + utf8.RuneCountInString(w.text); got[i].Start != start || got[i].End != end {
			t.Errorf("%q: %s at [%d,%d), want [%d,%d)", c.text, w.typ, got[i].Start, got[i].End, start, end)
		}
	}
}

func runFindCases(t *testing.T, cases []findCase) {
	t.Helper()
	d := detector(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkFind(t, d, c)
		})
	}
}

func TestMobile(t *testing.T) {
	t.Parallel()
	m := pii.Mobile
	runFindCases(t, []findCase{
		{"plain", "工作人员将拨打您留的电话13987126540联系您。", []want{{m, "13987126540", "139****6540"}}},
		{"hyphens", "联系电话：138-1234-5678。", []want{{m, "138-1234-5678", "138****5678"}}},
		{"spaces", "张先生电话 138 1234 5678 已登记", []want{{m, "138 1234 5678", "138****5678"}}},
		{"3-8", "电话138-12345678", []want{{m, "138-12345678", "138****5678"}}},
		{"7-4", "电话1381234 5678", []want{{m, "1381234 5678", "138****5678"}}},
		{"+86 grouped", "您的号码+86 138 1234 5678", []want{{m, "+86 138 1234 5678", "138****5678"}}},
		{"+86 glued", "号码+8613812345678。", []want{{m, "+8613812345678", "138****5678"}}},
		{"86-", "号码86-13812345678。", []want{{m, "86-13812345678", "138****5678"}}},
		{"0086", "号码008613812345678。", []want{{m, "008613812345678", "138****5678"}}},
		{"full-width", "请联系业主１３８１２３４５６７８。", []want{{m, "１３８１２３４５６７８", "138****5678"}}},
		{"after a hotline", "可拨12345 13812345678", []want{{m, "13812345678", "138****5678"}}},
		{"two", "13812345678、15912345678", []want{{m, "13812345678", "138****5678"}, {m, "15912345678", "159****5678"}}},
		{"199", "电话19912345678", []want{{m, "19912345678", "199****5678"}}},
		{"hotline clause but the citizen's", "热线已记下您的电话13812345678", []want{{m, "13812345678", "138****5678"}}},
		{"line end", "13812345678", []want{{m, "13812345678", "138****5678"}}},
		// Not a citizen's mobile.
		{"12 digits", "编码138123456789", nil},
		{"12 digits before", "213812345678", nil},
		{"starts 12", "12345678901", nil},
		{"hotline 12345", "请拨打12345或110、119、120、122、12315、12369、12393、95598、96106", nil},
		{"landline", "请拨打供水服务热线0871-64112233。", nil},
		{"landline parens", "电话(0571)87654321或（0571）87654321", nil},
		{"400/800", "客服400-810-8888、4008108888、800-820-8820", nil},
		{"hyphen-joined", "电话0871-13812345678", nil},
		{"longer grouped", "号码138 1234 5678 9", nil},
		{"longer hyphen", "138-1234-5678-9", nil},
		{"serial", "工单编号13812345678已受理", nil},
		{"official hotline", "服务热线13812345678，值班电话：13912345678", nil},
		{"amount", "共计13812345678元", nil},
		{"currency", "¥13812345678", nil},
		{"code", "SN13812345678", nil},
		{"decimal", "3.13812345678", nil},
		{"timestamps", "时间戳1732950000000，1732950000", nil},
		{"date time", "2024-11-30 14:00:00，8:30-11:30，13:00-18:00", nil},
		{"document number", "国办发〔2018〕123号、云政办发〔2024〕15号", nil},
	})
}

func TestIDNumber(t *testing.T) {
	t.Parallel()
	id := pii.IDNumber
	valid := withIDCheck("11010519491231002") // the standard's example, …002X
	if valid != "11010519491231002X" {
		t.Fatalf("check digit helper: %s", valid)
	}
	lower := strings.ToLower(valid)
	leap := withIDCheck("44030620000229123")
	today := withIDCheck("11010520250601123")
	runFindCases(t, []findCase{
		{"dev", "申请人张丽华（身份证号530102198703151541）", []want{{id, "530102198703151541", "53*************541"}}},
		{"X", "身份证号" + valid + "。", []want{{id, valid, "11*************02X"}}},
		{"x", "身份证号" + lower + "。", []want{{id, lower, "11*************02X"}}},
		{"leap day", "证件号" + leap, []want{{id, leap, "44*************" + leap[15:]}}},
		{"born today", "证件号" + today, []want{{id, today, "11*************" + today[15:]}}},
		{"grouped", "身份证 110105 19491231 002X 已核验", []want{{id, "110105 19491231 002X", "11*************02X"}}},
		{"full-width", "身份证号１１０１０５１９４９１２３１００２Ｘ。", []want{{id, "１１０１０５１９４９１２３１００２Ｘ", "11*************02X"}}},
		{"serial context does not hide an ID", "证件编号" + valid, []want{{id, valid, "11*************02X"}}},
		// Not an ID number.
		{"wrong check digit", "身份证号530102198703151542", nil},
		{"wrong check digit X", "身份证号" + wrongIDCheck("53010219870315154"), nil},
		{"impossible date", "身份证号" + withIDCheck("11010519490230123"), nil},
		{"month 13", "身份证号" + withIDCheck("11010519491301123"), nil},
		{"not a leap year", "身份证号" + withIDCheck("44030619000229123"), nil},
		{"future", "身份证号" + withIDCheck("11010520250602123"), nil},
		{"before 1900", "身份证号" + withIDCheck("11010518991231123"), nil},
		{"longer run", "编号1" + valid, nil},
		{"digits after", valid[:17] + "X1", nil},
		{"letters", "AB" + valid, nil},
		{"grouped otherwise", "身份证 1101 0519 4912 3100 2X", nil},
	})
}

func TestBankCard(t *testing.T) {
	t.Parallel()
	b := pii.BankCard
	card16 := withLuhn("622848001234567")
	bad := "6222021001123456788"
	runFindCases(t, []findCase{
		{"dev 19", "到账卡号为6222021001123456789，请注意查收。", []want{{b, "6222021001123456789", ""}}},
		{"16", "银行卡" + card16, []want{{b, card16, ""}}},
		{"visa", "卡号4111111111111111", []want{{b, "4111111111111111", ""}}},
		{"spaces", "卡号 6222 0210 0112 3456 789 已核实", []want{{b, "6222 0210 0112 3456 789", ""}}},
		{"hyphens", "卡号6222-0210-0112-3456-789", []want{{b, "6222-0210-0112-3456-789", ""}}},
		{"full-width", "卡号６２２２０２１００１１２３４５６７８９", []want{{b, "６２２２０２１００１１２３４５６７８９", ""}}},
		// Not a card number.
		{"luhn", "卡号" + bad, nil},
		{"20 digits", "卡号62220210011234567890", nil},
		{"15 digits", "卡号" + withLuhn("62220210011234"), nil},
		{"issuer", "卡号" + withLuhn("122202100112345678"), nil},
		{"serial", "工单编号6222021001123456789", nil},
		{"date serial", "受理号" + withLuhn("202411300001234567") + "，流水" + withLuhn("20241130000123456"), nil},
		{"date serial no context", withLuhn("202411300001234567"), nil},
		{"longer grouped", "6222 0210 0112 3456 789 1", nil},
		{"amount", "¥6222021001123456789", nil},
	})
}

// TestIDNotCard: an 18-digit run that is a valid ID number is reported
// once, as an ID number, even when it also passes Luhn with a card's
// first digit.
func TestIDNotCard(t *testing.T) {
	t.Parallel()
	d := detector(t)
	var cases []findCase
	for _, body := range []string{"62010219870315", "41010219870315", "53010219870315"} {
		for suffix := 100; suffix < 1000; suffix++ {
			n := withIDCheck(body + strconv.Itoa(suffix))
			if luhnOK(n) {
				cases = append(cases, findCase{n, "号码" + n, []want{{pii.IDNumber, n, n[:2] + strings.Repeat("*", 13) + n[15:]}}})
			}
		}
	}
	if len(cases) < 10 {
		t.Fatalf("only %d ID numbers that pass Luhn", len(cases))
	}
	for _, c := range cases {
		checkFind(t, d, c)
	}
}

func TestAddress(t *testing.T) {
	t.Parallel()
	a := pii.Address
	runFindCases(t, []findCase{
		{"dev", "街道工作人员明天上午9点到金辰小区5栋2单元602室上门", []want{{a, "金辰小区5栋2单元602室", "金辰小区"}}},
		{"brief", "住在幸福小区3栋2单元501室的居民", []want{{a, "幸福小区3栋2单元501室", "幸福小区"}}},
		{"road", "到和平路12号3栋2单元", []want{{a, "和平路12号3栋2单元", "和平路"}}},
		{"building and bare room", "锦绣花园5号楼302漏水", []want{{a, "锦绣花园5号楼302", "锦绣花园"}}},
		{"room after estate", "到幸福小区502室核实", []want{{a, "幸福小区502室", "幸福小区"}}},
		{"unit after estate", "到幸福小区2单元核实", []want{{a, "幸福小区2单元", "幸福小区"}}},
		{"dashes", "到幸福小区5-2-602核实", []want{{a, "幸福小区5-2-602", "幸福小区"}}},
		{"two dashed parts", "到幸福小区3-502核实", []want{{a, "幸福小区3-502", "幸福小区"}}},
		{"phase", "到幸福小区二期3栋1单元", []want{{a, "幸福小区二期3栋1单元", "幸福小区"}}},
		{"chinese numerals", "到阳光苑三栋二单元五零一室", []want{{a, "阳光苑三栋二单元五零一室", "阳光苑"}}},
		{"letter", "到滨江花园B座1502室", []want{{a, "滨江花园B座1502室", "滨江花园"}}},
		{"floor", "到东风家园7幢3楼", []want{{a, "东风家园7幢3楼", "东风家园"}}},
		{"subject before", "派出所民警上门核实幸福小区5栋2单元501室", []want{{a, "幸福小区5栋2单元501室", "幸福小区"}}},
		{"long name", "到锦绣花园小区3幢1单元", []want{{a, "锦绣花园小区3幢1单元", "锦绣花园小区"}}},
		{"no place", "请到1单元301室", []want{{a, "1单元301室", ""}}},
		{"no place, building and unit", "家住3栋2单元", []want{{a, "3栋2单元", ""}}},
		{"road, building and room", "和平路12号3栋502室", []want{{a, "和平路12号3栋502室", "和平路"}}},
		{"full-width", "到幸福小区３栋２单元５０１室", []want{{a, "幸福小区３栋２单元５０１室", "幸福小区"}}},
		// Not a home address.
		{"household", "到兴隆村3组12号", nil},
		{"office window", "或到区政务服务中心二楼3号窗口咨询", nil},
		{"office street", "地址：和平路88号市民服务中心", nil},
		{"office building", "市民中心2号楼3楼302室", nil},
		{"government", "区政府3号楼5楼会议室", nil},
		{"hall after", "幸福小区3号楼2单元办公室", nil},
		{"building only", "幸福小区3栋、5栋今天停水", nil},
		{"elevator", "确认3号电梯控制板老化", nil},
		{"households", "幸福小区3户居民反映", nil},
		{"layout", "幸福小区3室2厅的房子、两室一厅", nil},
		{"document number", "国办发〔2018〕123号", nil},
		{"estates listed", "涉及滨江小区、阳光小区、幸福里花园", nil},
		{"bus", "地铁5号线施工，K15路临时调整", nil},
		{"floor window", "到市政务服务中心2楼医保窗口、区人社局一楼劳动监察窗口", nil},
		{"dates", "12月3日前，14:00至20:00，2024-11-30", nil},
		{"estate and year", "幸福小区2019-2020年", nil},
		{"building and room, no place", "请到3号楼201室办理", nil},
		{"building and floor, no place", "请到3号楼2层办理", nil},
		{"room alone", "请到502室办理", nil},
	})
}

// TestOrder: matches of all types come ordered by Start.
func TestOrder(t *testing.T) {
	t.Parallel()
	runFindCases(t, []findCase{
		{"address first", "金辰小区5栋2单元602室的业主电话13987126540", []want{
			{pii.Address, "金辰小区5栋2单元602室", "金辰小区"}, {pii.Mobile, "13987126540", "139****6540"}}},
		{"mixed", "身份证号11010519491231002X，住幸福小区502室，卡号4111111111111111", []want{
			{pii.IDNumber, "11010519491231002X", "11*************02X"},
			{pii.Address, "幸福小区502室", "幸福小区"},
			{pii.BankCard, "4111111111111111", ""}}},
	})
}

// TestZeroDetector: the zero Detector uses the embedded words and the
// real clock.
func TestZeroDetector(t *testing.T) {
	t.Parallel()
	past := withIDCheck("11010520000101123")
	future := withIDCheck("110105" + time.Now().AddDate(1, 0, 0).Format("20060102") + "123")
	cases := []findCase{
		{"past birth date", past, []want{{pii.IDNumber, past, "11*************" + past[15:]}}},
		{"future birth date", future, nil},
		{"embedded words", "到幸福小区502室核实", []want{{pii.Address, "幸福小区502室", "幸福小区"}}},
	}
	var d pii.Detector
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkFind(t, &d, c)
		})
	}
}

// TestClock: a birth date is checked against Options.Now.
func TestClock(t *testing.T) {
	t.Parallel()
	id := withIDCheck("11010520250601123") // born 2025-06-01
	cases := []struct {
		name string
		now  time.Time
		want int
	}{
		{"day before", time.Date(2025, 5, 31, 23, 59, 0, 0, time.UTC), 0},
		{"that day", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), 1},
		{"years later", time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d, err := pii.New(pii.Options{Now: func() time.Time { return c.now }})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Find(id); len(got) != c.want {
				t.Errorf("now %v: %d matches, want %d", c.now, len(got), c.want)
			}
		})
	}
}

// TestFindRunes: FindRunes finds what Find does and leaves its input as
// it was.
func TestFindRunes(t *testing.T) {
	t.Parallel()
	d := detector(t)
	for _, text := range []string{
		"", "请联系业主１３８１２３４５６７８。", "到幸福小区３栋２单元５０１室", "没有个人信息的一句话。",
		"身份证号11010519491231002X，卡号4111111111111111",
	} {
		t.Run(text, func(t *testing.T) {
			t.Parallel()
			rs := []rune(text)
			got := d.FindRunes(rs)
			if string(rs) != text {
				t.Errorf("input changed to %q", string(rs))
			}
			if want := d.Find(text); !slices.Equal(got, want) {
				t.Errorf("FindRunes %+v, Find %+v", got, want)
			}
		})
	}
}

// wordsYAML is a minimal valid word-list file; tests break it one way at
// a time.
const wordsYAML = `address:
  buildings: [栋]
  units: [单元]
  floors: [楼]
  rooms: [室]
  rooms_after_building: [号]
  room_not_before: [厅]
  others: [期]
  estates: [家园]
  roads: [路]
  office: [中心]
  stops: [到]
numbers:
  units_after: [元]
  serial_before: [编号]
  official_before: [热线]
  citizen_before: [您]
`

// TestWords: Options.Words replaces the embedded words.
func TestWords(t *testing.T) {
	t.Parallel()
	d, err := pii.New(pii.Options{Words: []byte(wordsYAML), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	cases := []findCase{
		{"estate of the file", "到东风家园502室核实", []want{{pii.Address, "东风家园502室", "东风家园"}}},
		{"estate not in the file", "到幸福小区502室核实", nil},
		{"serial word of the file", "编号13812345678", nil},
		{"serial word not in the file", "工单13812345678", []want{{pii.Mobile, "13812345678", "138****5678"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkFind(t, d, c)
		})
	}
}

func TestWordsInvalid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		line       int
		reason     string
	}{
		{"unknown key", "address: {}\nnumberz: {}\n", 2, "YAML"},
		{"not yaml", "address: [\n", 0, "YAML"},
		{"empty", "", 0, "YAML"},
		{"empty list", strings.Replace(wordsYAML, "units: [单元]", "units: []", 1), 0, "address.units"},
		{"missing list", strings.Replace(wordsYAML, "  citizen_before: [您]\n", "", 1), 0, "numbers.citizen_before"},
		{"blank word", strings.Replace(wordsYAML, "roads: [路]", "roads: [路, '']", 1), 0, "address.roads"},
		{"word with a space", strings.Replace(wordsYAML, "stops: [到]", "stops: [到, 住 在]", 1), 0, "address.stops"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d, err := pii.New(pii.Options{Words: []byte(c.yaml)})
			if d != nil || !errs.Is(errs.Invalid, err) || !errs.HasCode(err, pii.CodeInvalidWords) {
				t.Fatalf("got %v, %v; want an invalid-words error", d, err)
			}
			var fe *errs.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("%v: no *errs.FileError", err)
			}
			if (c.line > 0 && fe.Line != c.line) || !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("line %d, reason %q; want line %d, a reason naming %q", fe.Line, fe.Reason, c.line, c.reason)
			}
		})
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"", "13987126540", "+86 138 1234 5678", "11010519491231002X", "１１０１０５１９４９１２３１００２ｘ",
		"6222 0210 0112 3456 789", "金辰小区5栋2单元602室", "幸福小区5-2-602-", "阳光苑三栋二单元五零一室",
		"到幸福小区-", "A座", "0871-64112233", "\xff\xfe", "号楼单元室", "幸福小区2-", "B-1-",
	} {
		f.Add(s)
	}
	d := detector(f)
	f.Fuzz(func(t *testing.T, text string) {
		rs := []rune(text)
		prev := 0
		for _, m := range d.Find(text) {
			if m.Start < 0 || m.Start >= m.End || m.End > len(rs) {
				t.Fatalf("%q: offsets [%d,%d) outside %d runes or empty", text, m.Start, m.End, len(rs))
			}
			if m.Text != string(rs[m.Start:m.End]) {
				t.Fatalf("%q: text %q is not runes [%d,%d)", text, m.Text, m.Start, m.End)
			}
			if m.Start < prev {
				t.Fatalf("%q: matches out of order", text)
			}
			prev = m.Start
			switch m.Type {
			case pii.IDNumber, pii.Mobile:
				if !strings.Contains(m.Masked, "****") {
					t.Fatalf("%q: %s masked as %q", text, m.Type, m.Masked)
				}
			case pii.BankCard:
				if m.Masked != "" {
					t.Fatalf("%q: bank card masked as %q", text, m.Masked)
				}
			case pii.Address:
				if !strings.HasPrefix(m.Text, m.Masked) {
					t.Fatalf("%q: address %q masked as %q", text, m.Text, m.Masked)
				}
			default:
				t.Fatalf("%q: unknown type %q", text, m.Type)
			}
		}
	})
}

// benchText is a 2,000-character reply with personal data in it.
func benchText() string {
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

func BenchmarkFind(b *testing.B) {
	rs := []rune(benchText())
	var d pii.Detector
	b.ReportAllocs()
	for b.Loop() {
		d.FindRunes(rs)
	}
}

func TestMask(t *testing.T) {
	d := &pii.Detector{}
	for _, tc := range []struct{ in, want string }{
		{"路灯坏了一周了", "路灯坏了一周了"},
		{"我的电话是13812345678，请回电", "我的电话是138****5678，请回电"},
		{"卡号6222021234567890128被扣款", "卡号〔银行卡号〕被扣款"},
		{"住在幸福路12号，电话13812345678", "住在幸福路12号，电话138****5678"},
	} {
		if got := d.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
