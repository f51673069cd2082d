package review

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"govreply/internal/errs"
)

// ruleReviewer is a Reviewer with only the embedded rule-file checks.
func ruleReviewer(t testing.TB) *Reviewer {
	t.Helper()
	checks, err := loadRules(nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewWithChecks(checks...)
}

// loadedRules returns the rules of the embedded rule files.
func loadedRules(t testing.TB) []ruleCheck {
	t.Helper()
	checks, err := loadRules(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 1 {
		t.Fatalf("loadRules: %d checks, want one ruleSet", len(checks))
	}
	return checks[0].(*ruleSet).rules
}

func reviewWith(t testing.TB, r *Reviewer, text string, kind Kind) []Finding {
	t.Helper()
	rv, err := r.Review(text, kind)
	if err != nil {
		t.Fatalf("Review(%q): %v", text, err)
	}
	for _, f := range rv.Findings {
		n := utf8.RuneCountInString(text)
		if f.Start < 0 || f.End < f.Start || f.End > n {
			t.Fatalf("%s: span [%d,%d) outside %d runes", f.Rule, f.Start, f.End, n)
		}
		if got := string([]rune(text)[f.Start:f.End]); got != f.Excerpt {
			t.Fatalf("%s: excerpt %q, span is %q", f.Rule, f.Excerpt, got)
		}
		if f.Message == "" || f.Suggestion == "" || f.Source.Doc == "" || f.Source.Section == "" {
			t.Fatalf("%s: incomplete finding %+v", f.Rule, f)
		}
		if strings.ContainsAny(f.Message+f.Suggestion, "{}") {
			t.Fatalf("%s: unexpanded placeholder in %q / %q", f.Rule, f.Message, f.Suggestion)
		}
	}
	return rv.Findings
}

func byCategory(fs []Finding, category string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Category == category {
			out = append(out, f)
		}
	}
	return out
}

// A complete comment: every missing_* check is silent on it, and each
// case below removes or replaces one element.
const (
	fullEmpathy  = "您好，给您添麻烦了。"
	fullAction   = "供水公司已安排抢修队到现场。"
	fullTimeline = "今晚8点前有结果。"
	fullContact  = "有问题请拨12345。"
)

func TestRuleMissingElements(t *testing.T) {
	t.Parallel()
	r := ruleReviewer(t)
	for _, tc := range []struct {
		category string
		present  []string // each stands in for the element: no finding
		absent   []string // none of these counts: a finding
	}{
		{"missing_empathy",
			[]string{"感谢您的反馈。", "谢谢提醒。", "非常抱歉。", "理解您的心情。", "辛苦了。", "深表歉意。", "路灯不亮晚上走路确实不安全。", "给您带来不便。", "谢谢。"},
			// A neutral reference and the closing formula acknowledge nothing.
			[]string{"", "您好。", "看清楚再来。", "经查属实。", "您反映的问题已收到。", "感谢您的理解与支持。"}},
		{"missing_action",
			[]string{"已安排人员处理。", "已转交区住建局。", "工作人员将到现场。", "我们派人去看。", "明天检查线路。", "物业正在维修。", "周末加开两趟班车。", "记录已撤销。", "该人员已被辞退。", "公交集团已完成客流调查。"},
			// A step taken back or only supposed is no step.
			[]string{"", "我们高度重视。", "已责成有关部门依法依规妥善处置，相关工作正在积极推进中。", "不属于我局管理范围，请咨询相关部门。", "未经核实的信息请勿转发。", "名额不能调整。"}},
		{"missing_timeline",
			[]string{"3个工作日内答复。", "今晚8点前恢复。", "本周五修好。", "11月30日前公布。", "今天14:00至20:00停水。", "明天上午到场。", "24小时内处理。", "三个工作日内回复。", "下周一起恢复。", "本月底前完成。", "12月底前完工。", "9：30开门。"},
			[]string{"", "尽快处理。", "近期恢复。", "即将开放。", "将适时公布。", "择机增加运力。", "第一时间告知。", "通知3天前就贴了。", "请拨12345。", "电话0871-64112233。"}},
		{"missing_contact",
			[]string{"有问题拨12345。", "可私信我们。", "请拨打供水服务热线0871-64112233。", "请致电0871-63016122。", "请到市政务服务中心2楼医保窗口咨询。", "可拨12393。", "有疑问请拨95598。", "可拨打12315投诉。", "没修好请在这里告诉我们。", "电话：0871 - 64112233。", "遇险请拨打110。"},
			[]string{"", "我们会尽快处理。", "12路公交车。", "号码13987126540已登记。", "感谢留言。"}},
	} {
		t.Run(tc.category, func(t *testing.T) {
			// Build the draft without the element under test.
			parts := map[string]string{
				"missing_empathy": fullEmpathy, "missing_action": fullAction,
				"missing_timeline": fullTimeline, "missing_contact": fullContact,
			}
			base := func(element string) string {
				var b strings.Builder
				for _, c := range []string{"missing_empathy", "missing_action", "missing_timeline", "missing_contact"} {
					if c == tc.category {
						b.WriteString(element)
					} else {
						b.WriteString(parts[c])
					}
				}
				return b.String()
			}
			for _, p := range tc.present {
				text := base(p)
				for _, kind := range []Kind{KindComment, KindReply} {
					if got := byCategory(reviewWith(t, r, text, kind), tc.category); len(got) > 0 {
						t.Errorf("%s %q: unexpected %s", kind, text, tc.category)
					}
				}
			}
			for _, a := range tc.absent {
				text := base(a)
				for _, kind := range []Kind{KindComment, KindReply} {
					got := byCategory(reviewWith(t, r, text, kind), tc.category)
					if len(got) != 1 {
						t.Errorf("%s %q: want one %s finding, got %+v", kind, text, tc.category, got)
						continue
					}
					f := got[0]
					if f.Start != 0 || f.End != utf8.RuneCountInString(text) || f.Severity != SeverityWarning {
						t.Errorf("%s: want the whole draft as a warning, got [%d,%d) %s", tc.category, f.Start, f.End, f.Severity)
					}
				}
				// Never for posts.
				if got := byCategory(reviewWith(t, r, text, KindPost), tc.category); len(got) > 0 {
					t.Errorf("post %q: %s must not apply to posts", text, tc.category)
				}
			}
		})
	}
	// A post with none of the elements has no missing_* finding at all.
	for _, f := range reviewWith(t, r, "【通知】明日起调整。", KindPost) {
		if strings.HasPrefix(f.Category, "missing_") {
			t.Errorf("post: %s", f.Rule)
		}
	}
	// The complete draft has none.
	full := fullEmpathy + fullAction + fullTimeline + fullContact
	for _, f := range reviewWith(t, r, full, KindComment) {
		t.Errorf("complete draft: unexpected %s", f.Rule)
	}
}

func TestRuleLength(t *testing.T) {
	t.Parallel()
	r := ruleReviewer(t)
	cjk := func(n int) string { return strings.Repeat("字", n) }
	ascii := func(n int) string { return strings.Repeat("a", n) }
	for _, tc := range []struct {
		name   string
		text   string
		kind   Kind
		length int // Length(text)
		start  int // first code point beyond the limit; -1: no finding
	}{
		{"140 CJK", cjk(140), KindComment, 140, -1},
		{"141 CJK", cjk(141), KindComment, 141, 140},
		{"139 CJK + 2 ASCII", cjk(139) + ascii(2), KindComment, 140, -1},
		{"139 CJK + 1 ASCII rounds up", cjk(139) + ascii(1), KindComment, 140, -1},
		{"139 CJK + 3 ASCII rounds up", cjk(139) + ascii(3), KindComment, 141, 141},
		{"280 ASCII", ascii(280), KindComment, 140, -1},
		{"281 ASCII", ascii(281), KindComment, 141, 280},
		{"ASCII then CJK", ascii(279) + cjk(2), KindComment, 142, 279},
		{"full-width punctuation", cjk(139) + "，。", KindComment, 141, 140},
		{"reply 2000", cjk(2000), KindReply, 2000, -1},
		{"reply 2001", cjk(2001), KindReply, 2001, 2000},
		{"post 2001", cjk(1999) + ascii(3), KindPost, 2001, 2001},
		{"141 CJK is fine for a reply", cjk(141), KindReply, 141, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Length(tc.text); got != tc.length {
				t.Fatalf("Length = %d, want %d", got, tc.length)
			}
			got := byCategory(reviewWith(t, r, tc.text, tc.kind), "length")
			if tc.start < 0 {
				if len(got) != 0 {
					t.Fatalf("unexpected %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one length finding, got %d", len(got))
			}
			f := got[0]
			n := utf8.RuneCountInString(tc.text)
			if f.Start != tc.start || f.End != n || f.Severity != SeverityError {
				t.Errorf("span [%d,%d) %s, want [%d,%d) error", f.Start, f.End, f.Severity, tc.start, n)
			}
			if Length(string([]rune(tc.text)[:f.Start])) > tc.kind.Limit() {
				t.Errorf("the part before the span is already over the limit")
			}
			over := tc.length - tc.kind.Limit()
			if !strings.Contains(f.Message, fmt.Sprint(tc.length)) || !strings.Contains(f.Suggestion, fmt.Sprint(over)) {
				t.Errorf("message %q / suggestion %q lack the counts", f.Message, f.Suggestion)
			}
			if f.Source.Doc != "tone-140-characters" {
				t.Errorf("source %+v", f.Source)
			}
		})
	}
}

func TestRuleLongSentence(t *testing.T) {
	t.Parallel()
	r := ruleReviewer(t)
	long := strings.Repeat("长", 81)
	for _, tc := range []struct {
		name  string
		text  string
		spans [][2]int
	}{
		{"80 is fine", strings.Repeat("长", 80) + "。", nil},
		{"81 is too long", long + "。", [][2]int{{0, 81}}},
		{"160 ASCII count 80", strings.Repeat("a", 160) + "。", nil},
		{"comma does not split", strings.Repeat("长", 40) + "，" + strings.Repeat("长", 40) + "。", [][2]int{{0, 81}}},
		{"split on 。！？；", strings.Repeat("短", 50) + "。" + strings.Repeat("短", 50) + "！" + strings.Repeat("短", 50) + "？" + strings.Repeat("短", 50) + "；", nil},
		{"split on newline, trimmed", "短句。\n  " + long + "  \n短句", [][2]int{{6, 87}}},
		{"two long sentences", long + "！" + long, [][2]int{{0, 81}, {82, 163}}},
		{"ASCII ? and ; split", strings.Repeat("短", 50) + "?" + strings.Repeat("短", 50) + ";" + strings.Repeat("短", 50), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := byCategory(reviewWith(t, r, tc.text, KindPost), "long_sentence")
			var spans [][2]int
			for _, f := range got {
				spans = append(spans, [2]int{f.Start, f.End})
				if f.Severity != SeverityInfo || !strings.Contains(f.Message, "81") {
					t.Errorf("finding %+v", f)
				}
			}
			if !slices.Equal(spans, tc.spans) {
				t.Errorf("spans %v, want %v", spans, tc.spans)
			}
		})
	}
}

func TestRulePatterns(t *testing.T) {
	t.Parallel()
	r := ruleReviewer(t)
	for _, tc := range []struct {
		text    string
		rule    string // "" : no finding of the pattern categories
		excerpt string
	}{
		{"根据区委常委会会议纪要（秘密★1年）确定的安排", "confidential.classified-marker", "秘密★1年"},
		{"见机密★长期文件", "confidential.classified-marker", "机密★长期"},
		{"绝密★材料", "confidential.classified-marker", "绝密★"},
		{"据街道内部通报，", "confidential.internal-material", "内部通报"},
		{"（内部资料，注意保密）", "confidential.internal-material", "注意保密"},
		{"线上下单戳：https://shop.example.com/qingquan", "commercial.shop-link", "https://shop.example.com/qingquan"},
		{"链接 https://item.taobao.com/item.htm?id=123 。", "commercial.shop-link", "https://item.taobao.com/item.htm?id=123"},
		{"去tmall.com搜索", "commercial.shop-link", "tmall.com"},
		{"京东https://item.jd.com/100.html有售", "commercial.shop-link", "https://item.jd.com/100.html"},
		{"到超市购买享8折。", "commercial.discount", "享8折"},
		{"全场八折", "commercial.discount", "全场八折"},
		{"凭截图购买立减20元", "commercial.discount", "立减20元"},
		{"送出满50减10优惠券", "commercial.discount", "满50减10"},
		{"限时特价", "commercial.discount", "限时特价"},
		{"扫码购买", "commercial.purchase-call", "扫码购买"},
		{"线上下单", "commercial.purchase-call", "线上下单"},
		{"粉丝凭本微博截图到惠民超市购买", "commercial.purchase-call", "凭本微博截图到惠民超市购买"},
		// Overlapping matches of one rule are merged: 凭…购买 and 购买享.
		{"粉丝凭本微博截图到惠民超市购买享", "commercial.purchase-call", "凭本微博截图到惠民超市购买享"},
		{"储水推荐“清泉牌”折叠水桶", "commercial.brand-endorsement", "推荐“清泉牌”"},
		{"推荐使用“光明牌”充电应急灯", "commercial.brand-endorsement", "推荐使用“光明牌”"},
		// Not commercial or confidential.
		{"政策落实不打折扣，服务质量不打折。", "", ""},
		{"这件事一波三折。", "", ""},
		{"抽检发现“某某牌”大米不合格，已下架。", "", ""},
		{"原文在市政府官网 https://www.km.gov.cn/zwgk/ 公开。", "", ""},
		{"保守秘密是每个人的义务。", "", ""},
		{"家里常备应急灯。", "", ""},
		{"新开通3号线，票价8元。", "", ""},
	} {
		fs := reviewWith(t, r, tc.text, KindPost)
		var got []Finding
		for _, f := range fs {
			if f.Category == "commercial" || f.Category == "confidential" {
				got = append(got, f)
			}
		}
		if tc.rule == "" {
			for _, f := range got {
				t.Errorf("%q: unexpected %s on %q", tc.text, f.Rule, f.Excerpt)
			}
			continue
		}
		found := false
		for _, f := range got {
			if f.Rule == tc.rule && f.Excerpt == tc.excerpt {
				found = true
				if f.Severity != SeverityError {
					t.Errorf("%s: severity %s", f.Rule, f.Severity)
				}
			}
		}
		if !found {
			t.Errorf("%q: want %s on %q, got %+v", tc.text, tc.rule, tc.excerpt, got)
		}
	}
}

// goodRule is a valid rule file a department could add.
const goodRule = `checks:
  - rule: commercial.local-shop
    category: commercial
    kinds: [comment, reply]
    severity: warning
    source: {doc: rule-no-ads-no-personal-views, section: "## 哪些算商业广告"}
    message: 本地商家引流
    suggestion: 删去
    patterns:
      - 惠民超市
      - {pattern: '光明电器城', suggestion: 删去店名}
  - rule: missing_contact.local
    category: missing_contact
    source: {doc: tone-reply-five-steps, section: 五个部分}
    message: 没有渠道
    suggestion: 留渠道
    phrases: [市长信箱]
`

func TestRuleFilesDepartment(t *testing.T) {
	t.Parallel()
	checks, err := loadRules(fstest.MapFS{"local.yaml": {Data: []byte(goodRule)}, "README.md": {Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	if rs := checks[0].(*ruleSet).rules; len(rs) != 2 {
		t.Fatalf("%d rules", len(rs))
	}
	r := NewWithChecks(checks...)
	fs := reviewWith(t, r, "到惠民超市或光明电器城，写信到市长信箱。", KindComment)
	if len(fs) != 2 || fs[0].Rule != "commercial.local-shop" || fs[0].Severity != SeverityWarning ||
		fs[0].Excerpt != "惠民超市" || fs[1].Suggestion != "删去店名" ||
		fs[0].Source != (Source{"rule-no-ads-no-personal-views", "哪些算商业广告"}) {
		t.Errorf("findings %+v", fs)
	}
	if fs := reviewWith(t, r, "惠民超市", KindPost); len(fs) != 0 {
		t.Errorf("kinds ignored: %+v", fs)
	}
	if fs := reviewWith(t, r, "你好", KindReply); len(fs) != 1 || fs[0].Rule != "missing_contact.local" {
		t.Errorf("missing check: %+v", fs)
	}
}

// TestRuleFilesBad checks that each sort of bad rule file is rejected with
// the file name, the line and a reason.
func TestRuleFilesBad(t *testing.T) {
	t.Parallel()
	const head = "checks:\n  - rule: commercial.x\n    category: commercial\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n"
	for _, tc := range []struct {
		name, text string
		line       int
		reason     string
	}{
		{"empty", "", 0, "文件是空的"},
		{"comment only", "# nothing\n", 0, "文件是空的"},
		{"not utf-8", "checks: \xff\n", 0, "UTF-8"},
		{"bad yaml", "checks: [x\n", 2, "YAML 格式有误"},
		{"tab indent", "checks:\n\t- rule: a\n", 2, "YAML 格式有误"},
		{"not a mapping", "- a\n", 1, "“键: 值”"},
		{"unknown top key", "check: []\n", 1, "未知的键“check”"},
		{"no checks", "checks: []\n", 1, "空列表"},
		{"check not a mapping", "checks:\n  - abc\n", 2, "“键: 值”"},
		{"missing category", "checks:\n  - rule: a.b\n", 2, "缺少 category"},
		{"bad category", "checks:\n  - rule: a.b\n    category: ads\n", 3, "不是有效的审核类别"},
		{"unknown key", head + "    pattern: x\n", 7, "未知的键“pattern”"},
		{"phrases on a pattern rule", head + "    phrases: [x]\n", 7, "未知的键“phrases”"},
		{"bad rule id", strings.Replace(head, "commercial.x", "commerce.x", 1) + "    patterns: [x]\n", 2, "应当写成“commercial."},
		{"missing source", strings.Replace(head, "    source: {doc: d, section: s}\n", "", 1) + "    patterns: [x]\n", 2, "缺少 source"},
		{"source without section", strings.Replace(head, ", section: s", "", 1) + "    patterns: [x]\n", 4, "缺少 section"},
		{"missing message", strings.Replace(head, "    message: m\n", "", 1) + "    patterns: [x]\n", 2, "缺少 message"},
		{"bad severity", head + "    severity: fatal\n    patterns: [x]\n", 7, "severity“fatal”无效"},
		{"bad kind", head + "    kinds: [weibo]\n    patterns: [x]\n", 7, "“weibo”无效"},
		{"missing patterns", head, 2, "缺少 patterns"},
		{"bad regexp", head + "    patterns:\n      - ok\n      - '(未闭合'\n", 9, "缺少右括号"},
		{"lookahead", head + "    patterns:\n      - '打折(?!扣)'\n", 8, "环视"},
		{"regexp matches empty", head + "    patterns:\n      - '(?:优惠)?'\n", 8, "匹配空文本"},
		{"pattern item nested", head + "    patterns:\n      - [a]\n", 8, "正则表达式"},
		{"duplicate id", head + "    patterns: [x]\n" + strings.TrimPrefix(head, "checks:\n") + "    patterns: [y]\n", 8, "重复"},
		{"duplicate key", head + "    message: n\n    patterns: [x]\n", 7, "重复出现"},
		{"unknown placeholder", strings.Replace(head, "message: m", "message: 超出{over}字", 1) + "    patterns: [x]\n", 5, "未知的占位符 {over}"},
		{"missing check for posts", "checks:\n  - rule: missing_action.x\n    category: missing_action\n    kinds: [comment, post]\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n    phrases: [安排]\n", 4, "不能用于 post"},
		{"missing check without markers", "checks:\n  - rule: missing_action.x\n    category: missing_action\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n", 2, "至少要有 phrases 或 patterns"},
		{"long_sentence without max", "checks:\n  - rule: long_sentence.x\n    category: long_sentence\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n", 2, "缺少 max"},
		{"long_sentence bad max", "checks:\n  - rule: long_sentence.x\n    category: long_sentence\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n    max: sixty\n", 7, "正整数"},
		{"alias", "checks:\n  - &a {rule: a}\n  - *a\n", 2, "缺少 category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadRules(fstest.MapFS{"dept/local.yaml": {Data: []byte(tc.text)}})
			if err == nil {
				t.Fatal("accepted")
			}
			var re *errs.FileError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v", err, err)
			}
			if re.File != "dept/local.yaml" || re.Line != tc.line || !strings.Contains(re.Reason, tc.reason) {
				t.Errorf("got %q (line %d), want line %d and reason containing %q", err, re.Line, tc.line, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "dept/local.yaml") {
				t.Errorf("error %q does not start with the file", err)
			}
		})
	}
	// The same rule id in two files.
	_, err := loadRules(fstest.MapFS{"a.yaml": {Data: []byte(goodRule)}, "b.yaml": {Data: []byte(goodRule)}})
	var re *errs.FileError
	if !errors.As(err, &re) || re.File != "b.yaml" || re.Line != 2 || !strings.Contains(re.Reason, "a.yaml") {
		t.Errorf("duplicate across files: %v", err)
	}
}

// TestRulesCiteRealSections checks that every embedded rule cites an
// existing built-in document and one of its "##" headings.
func TestRulesCiteRealSections(t *testing.T) {
	t.Parallel()
	for _, c := range loadedRules(t) {
		b := c.base()
		data, err := os.ReadFile(filepath.Join("..", "knowledge", "builtin", "docs", b.source.Doc+".md"))
		if err != nil {
			t.Errorf("%s: document %q: %v", b.id, b.source.Doc, err)
			continue
		}
		if !slices.Contains(strings.Split(string(data), "\n"), "## "+b.source.Section) {
			t.Errorf("%s: %q has no section “## %s”", b.id, b.source.Doc, b.source.Section)
		}
	}
}

// ruleCategories are the categories the rule files check (confidential
// and commercial together with the phrase lists).
var ruleCategories = []string{
	"missing_empathy", "missing_action", "missing_timeline", "missing_contact",
	"length", "long_sentence", "confidential", "commercial",
}

// ownCategories are checked by the rule files alone: every expected one
// must be found.
var ownCategories = ruleCategories[:6]

// TestRulesReviewDev runs the rule-file checks over review-dev.jsonl,
// restricted to their categories: it prints true positives, false
// positives (a flagged forbidden category) and misses per category, fails
// on any false positive and on any miss of the categories no other check
// covers.
func TestRulesReviewDev(t *testing.T) {
	t.Parallel()
	cases := ReadDevSet(t)
	r := ruleReviewer(t)
	type tally struct{ tp, fp, miss int }
	stats := map[string]*tally{}
	for _, c := range ruleCategories {
		stats[c] = &tally{}
	}
	var missed []string
	for _, c := range cases {
		flagged := map[string]bool{}
		for _, f := range reviewWith(t, r, c.Text, c.Kind) {
			flagged[f.Category] = true
		}
		for _, cat := range ruleCategories {
			switch {
			case slices.Contains(c.Expect, cat) && flagged[cat]:
				stats[cat].tp++
			case slices.Contains(c.Expect, cat):
				stats[cat].miss++
				missed = append(missed, c.ID+" "+cat)
				if slices.Contains(ownCategories, cat) {
					t.Errorf("%s: %s not flagged", c.ID, cat)
				}
			case slices.Contains(c.Forbid, cat) && flagged[cat]:
				stats[cat].fp++
				t.Errorf("%s: forbidden %s flagged", c.ID, cat)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "review-dev.jsonl, rule-file checks only (%d cases)\n", len(cases))
	fmt.Fprintf(&b, "%-18s %4s %4s %5s\n", "category", "TP", "FP", "miss")
	cats := slices.Clone(ruleCategories)
	sort.Strings(cats)
	for _, c := range cats {
		s := stats[c]
		fmt.Fprintf(&b, "%-18s %4d %4d %5d\n", c, s.tp, s.fp, s.miss)
	}
	if len(missed) > 0 {
		fmt.Fprintf(&b, "misses (left to the phrase lists): %s\n", strings.Join(missed, ", "))
	}
	t.Log("\n" + b.String())
}

// checkRuleSet checks that the one-pass ruleSet finds exactly what the
// rules' own (reference) Check methods find, with offsets within the text.
func checkRuleSet(t *testing.T, set *ruleSet, text string) {
	t.Helper()
	d := &Draft{Text: text, Runes: []rune(text)}
	for _, kind := range []Kind{KindComment, KindReply, KindPost} {
		d.Kind = kind
		got := set.Check(d)
		var want []Finding
		for _, r := range set.rules {
			want = append(want, r.Check(d)...)
		}
		slices.SortStableFunc(got, compareFindings)
		slices.SortStableFunc(want, compareFindings)
		if !slices.Equal(got, want) {
			t.Fatalf("%s %q:\nruleSet   %+v\nreference %+v", kind, text, got, want)
		}
		for _, f := range got {
			if f.Start < 0 || f.End < f.Start || f.End > len(d.Runes) || f.Excerpt != string(d.Runes[f.Start:f.End]) {
				t.Fatalf("%s: bad span [%d,%d) of %d", f.Rule, f.Start, f.End, len(d.Runes))
			}
		}
	}
}

// TestRuleSetMatchesReference runs checkRuleSet over the dev set, the
// benchmark drafts and edge cases.
func TestRuleSetMatchesReference(t *testing.T) {
	t.Parallel()
	set := ruleSetOf(t)
	texts := []string{benchDraft(true), benchDraft(false), "", "a", "12345", "拨12345", "ＨＴＴＰＳ://SHOP.X.COM/A",
		"HTTPS://Item.TaoBao.com/x 秘密★", strings.Repeat("8折", 80), "凭凭截图截图购买购买享享"}
	for _, c := range ReadDevSet(t) {
		texts = append(texts, c.Text)
	}
	for _, text := range texts {
		checkRuleSet(t, set, text)
	}
}

func ruleSetOf(t testing.TB) *ruleSet {
	checks, err := loadRules(nil)
	if err != nil {
		t.Fatal(err)
	}
	return checks[0].(*ruleSet)
}

// FuzzRules checks that the rule checks never panic, keep their offsets
// within the text and that the one-pass ruleSet agrees with the rules'
// reference checks.
func FuzzRules(f *testing.F) {
	for _, s := range []string{"感谢您的反馈！今天14:00至20:00停水。", "秘密★1年 https://shop.x.com/a 8折",
		strings.Repeat("字", 141), "a\n\n；;", "满50减10 立减 20 元 凭本号截图购买享九折", "拨打0871-64112233或12345"} {
		f.Add(s)
	}
	set := ruleSetOf(f)
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		checkRuleSet(t, set, text)
	})
}

// benchDraft returns a reply of about 2,000 characters. With markers
// false it has none of the missing_* markers, so those checks scan it all.
func benchDraft(markers bool) string {
	para := "您好，感谢您对医保工作的关注。报销等了这么久，给您添麻烦了，非常抱歉。\n" +
		"经核查，您11月8日提交的异地就医手工报销材料齐全，因省市系统对接问题审核延迟。\n" +
		"目前已完成审核，报销款将于12月3日前拨付至您的社保卡金融账户。\n" +
		"如到期未到账，请拨打12393医保服务热线，或到市政务服务中心2楼医保窗口咨询。\n"
	if !markers {
		para = "关于网友反映的第二幼儿园午餐分量不足问题，目前具体情况还不清楚，我们高度重视，" +
			"相关工作正在积极推进中，依法依规妥善处置，进一步压实工作责任，举一反三、查漏补缺。\n"
	}
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < 2000 {
		b.WriteString(para)
	}
	return string([]rune(b.String())[:2000])
}

func BenchmarkRules(b *testing.B) {
	r := ruleReviewer(b)
	for _, bc := range []struct {
		name string
		text string
	}{{"good-reply", benchDraft(true)}, {"no-markers", benchDraft(false)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				if _, err := r.Review(bc.text, KindReply); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
