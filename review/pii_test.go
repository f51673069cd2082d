package review

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"govreply/internal/errs"
	"govreply/review/pii"
)

// piiNow is the fixed clock of the tests: birth dates after it are in the
// future.
func piiNow() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func runPII(t testing.TB, text string) []Finding {
	t.Helper()
	det, err := pii.New(pii.Options{Now: piiNow})
	if err != nil {
		t.Fatal(err)
	}
	d := &Draft{Text: text, Kind: KindReply, Runes: []rune(text)}
	return piiCheck{det: det}.Check(d)
}

// piiWant is an expected finding: its rule, excerpt and suggestion.
type piiWant struct {
	rule, excerpt, suggestion string
}

// TestPIIFindings: each match of package pii becomes a finding of its
// rule with the message, suggestion and source of rules/pii.yaml; a match
// without a masked form gets the rule's masked_default.
func TestPIIFindings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		want       []piiWant
	}{
		{"id", "身份证号11010519491231002X。", []piiWant{{piiRuleID, "11010519491231002X",
			"公开回复中删除身份证号，改称“您”或“申请人”；内部通报确需引用时只留前2位和后3位，写作“11*************02X”。"}}},
		{"mobile", "电话 138 1234 5678 已登记", []piiWant{{piiRuleMobile, "138 1234 5678",
			"手机号最好不写（如“我们将通过您留下的电话联系您”）；确需提及时脱敏为“138****5678”。"}}},
		{"bank card", "卡号6222021001123456789。", []piiWant{{piiRuleBank, "6222021001123456789",
			"删除卡号，改为“您的账户”。"}}},
		{"address with a place", "到金辰小区5栋2单元602室上门", []piiWant{{piiRuleAddress, "金辰小区5栋2单元602室",
			"地址只写到小区或路段，改为“金辰小区”；具体楼栋、单元、门牌号请通过私信核实，不要公开写出。"}}},
		{"address without a place", "请到1单元301室", []piiWant{{piiRuleAddress, "1单元301室",
			"地址只写到小区或路段，改为“××路××小区”；具体楼栋、单元、门牌号请通过私信核实，不要公开写出。"}}},
		{"full-width offsets", "请联系业主１３８１２３４５６７８。", []piiWant{{piiRuleMobile, "１３８１２３４５６７８",
			"手机号最好不写（如“我们将通过您留下的电话联系您”）；确需提及时脱敏为“138****5678”。"}}},
		{"several", "电话13812345678，住幸福小区502室", []piiWant{
			{piiRuleMobile, "13812345678", "手机号最好不写（如“我们将通过您留下的电话联系您”）；确需提及时脱敏为“138****5678”。"},
			{piiRuleAddress, "幸福小区502室", "地址只写到小区或路段，改为“幸福小区”；具体楼栋、单元、门牌号请通过私信核实，不要公开写出。"}}},
		{"official hotline", "请拨打供水服务热线0871-64112233或12345。", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fs := runPII(t, c.text)
			rs := []rune(c.text)
			var got []piiWant
			for _, f := range fs {
				got = append(got, piiWant{f.Rule, f.Excerpt, f.Suggestion})
				if f.Category != "pii" || f.Severity != SeverityError || f.Message == "" {
					t.Errorf("finding %+v: want category pii, severity error and a message", f)
				}
				if f.Source != (Source{Doc: "rule-reply-pii-masking", Section: "常见信息的脱敏写法"}) {
					t.Errorf("finding %+v: source", f)
				}
				if f.Start < 0 || f.Start >= f.End || f.End > len(rs) || string(rs[f.Start:f.End]) != f.Excerpt {
					t.Errorf("finding %+v: offsets do not match the excerpt", f)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
			}
		})
	}
}

// TestPIIZeroValue: the zero piiCheck uses the real clock, so a birth
// date of 2000 is past and one next year is not.
func TestPIIZeroValue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, d17 string
		want      []string
	}{
		{"past", "11010520000101123", []string{piiRuleID}},
		{"next year", "110105" + time.Now().AddDate(1, 0, 0).Format("20060102") + "123", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			text := piiWithIDCheck(c.d17)
			var got []string
			for _, f := range (piiCheck{}).Check(&Draft{Text: text, Runes: []rune(text)}) {
				got = append(got, f.Rule)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: rules %v, want %v", text, got, c.want)
			}
		})
	}
}

// piiWithIDCheck appends the GB 11643 check character to 17 digits.
func piiWithIDCheck(d17 string) string {
	sum := 0
	for i, w := range []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(d17[i]-'0') * w
	}
	return d17 + string("10X98765432"[sum%11])
}

func TestPIIRulesFile(t *testing.T) {
	t.Parallel()
	if _, err := parsePIIRules(piiYAML); err != nil {
		t.Fatal(err)
	}
	rule := func(id, extra string) string {
		return "  - {rule: " + id + ", section: s, severity: error, message: m, suggestion: '{masked}'" + extra + "}\n"
	}
	good := "doc: x\nrules:\n" + rule(piiRuleID, "") + rule(piiRuleMobile, "") +
		rule(piiRuleBank, ", masked_default: d") + rule(piiRuleAddress, ", masked_default: d")
	cases := []struct {
		name, yaml string
		line       int    // 0: not checked
		reason     string // "": the file is valid
	}{
		{"valid", good, 0, ""},
		{"unknown key", "doc: x\nrulez: []\n", 2, "YAML"},
		{"no doc", "rules: []\n", 0, "doc"},
		{"missing rules", "doc: x\nrules:\n" + rule(piiRuleMobile, ""), 0, "四条规则"},
		{"unknown rule", "doc: x\nrules:\n" + rule("pii.name", ""), 0, "pii.name"},
		{"repeated rule", good + rule(piiRuleMobile, ""), 0, "重复"},
		{"severity", strings.Replace(good, "severity: error", "severity: fatal", 1), 0, "severity"},
		{"no placeholder", strings.Replace(good, "suggestion: '{masked}'", "suggestion: x", 1), 0, "{masked}"},
		{"no message", strings.Replace(good, "message: m", "message: ''", 1), 0, "message"},
		{"masked_default missing", strings.Replace(good, ", masked_default: d}", "}", 1), 0, "masked_default"},
		{"masked_default not allowed", strings.Replace(good, "'{masked}'}", "'{masked}', masked_default: d}", 1), 0, "masked_default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rules, err := parsePIIRules([]byte(c.yaml))
			if c.reason == "" {
				if err != nil || len(rules) != 4 {
					t.Fatalf("got %d rules, %v; want 4 rules", len(rules), err)
				}
				return
			}
			var fe *errs.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want an *errs.FileError", err)
			}
			if fe.File != "review/rules/pii.yaml" || (c.line > 0 && fe.Line != c.line) || !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("got %s:%d %q; want line %d, a reason naming %q", fe.File, fe.Line, fe.Reason, c.line, c.reason)
			}
		})
	}
}

// TestPIIDevSet checks the check against the evaluation drafts: every
// draft whose expect lists pii is flagged, every draft whose forbid lists
// pii is not.
func TestPIIDevSet(t *testing.T) {
	t.Parallel()
	var n, expect, forbid int
	for _, c := range ReadDevSet(t) {
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
	if n == 0 || expect == 0 || forbid == 0 {
		t.Fatalf("%d cases, %d expect pii, %d forbid pii: the set tests nothing", n, expect, forbid)
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
	det, err := pii.New(pii.Options{Now: piiNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rs := []rune(text)
		d := &Draft{Text: text, Kind: KindComment, Runes: rs}
		for _, fd := range (piiCheck{det: det}).Check(d) {
			if fd.Start < 0 || fd.Start > fd.End || fd.End > len(rs) {
				t.Fatalf("%q: offsets [%d,%d) outside %d runes", text, fd.Start, fd.End, len(rs))
			}
			if fd.Excerpt != string(rs[fd.Start:fd.End]) {
				t.Fatalf("%q: excerpt %q is not runes [%d,%d)", text, fd.Excerpt, fd.Start, fd.End)
			}
			if fd.Start == fd.End {
				t.Fatalf("%q: empty finding %+v", text, fd)
			}
			if !strings.HasPrefix(fd.Rule, "pii.") || fd.Message == "" || strings.Contains(fd.Suggestion, "{masked}") {
				t.Fatalf("%q: incomplete finding %+v", text, fd)
			}
		}
	})
}
