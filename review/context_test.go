package review

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"govreply/internal/errs"
	"govreply/internal/phrases"
)

// fullReviewer is the reviewer New builds with the built-in phrase lists.
func fullReviewer(t testing.TB) *Reviewer {
	t.Helper()
	files, err := phrases.Load(os.DirFS(filepath.Join("..", "knowledge", "builtin", "phrases")))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{Phrases: files})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// categoriesOf reviews text in context and returns the categories found.
func categoriesOf(t *testing.T, r *Reviewer, text string, kind Kind, c Context) []string {
	t.Helper()
	rv, err := r.ReviewWith(text, kind, c)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	var out []string
	for _, f := range rv.Findings {
		if !slices.Contains(out, f.Category) {
			out = append(out, f.Category)
		}
	}
	return out
}

func TestCheckContext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		c    Context
		code errs.Code
		kind errs.Kind
	}{
		{"empty", Context{}, "", ""},
		{"post and class", Context{Post: "路灯坏了", Class: ClassComplaint}, "", ""},
		{"unknown class", Context{Class: "吐槽"}, CodeInvalidClass, errs.Invalid},
		{"post not UTF-8", Context{Post: "\xff"}, CodeInvalidPost, errs.Invalid},
		{"post too long", Context{Post: strings.Repeat("长", MaxRunes+1)}, CodePostTooLong, errs.TooLarge},
	} {
		err := CheckContext(tc.c)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errs.HasCode(err, tc.code) || errs.KindOf(err) != tc.kind || errs.MessageOf(err) == "" {
			t.Errorf("%s: %v, want %s (%s)", tc.name, err, tc.code, tc.kind)
		}
	}
	if _, err := fullReviewer(t).ReviewWith("您好", KindComment, Context{Class: "吐槽"}); !errs.HasCode(err, CodeInvalidClass) {
		t.Errorf("ReviewWith with a bad class: %v", err)
	}
}

// TestSituation: the class is given, or read from the post, or from the
// draft; a complaint's question is still a complaint; the register is
// grave with deaths and disasters unless the news is good; a sign-off is
// cut off the body.
func TestSituation(t *testing.T) {
	t.Parallel()
	st, err := loadSituation(situationYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, text, post string
		class            Class
		want             Situation
	}{
		{"given class wins", "感谢您的表扬", "路灯坏了没人管", ClassComplaint, Situation{Class: ClassComplaint}},
		{"praise from the post", "谢谢您", "民警两小时就帮我找回了钱包，必须点赞！", "", Situation{Class: ClassPraise, Inferred: true}},
		{"question from the post", "您好，可以办理。", "请问社保卡在哪里补办？", "", Situation{Class: ClassInquiry, Inferred: true, Greeted: true}},
		{"a complaint that asks is a complaint", "您好", "楼下烧烤店油烟扰民一个月了，请问到底有没有人管？", "", Situation{Class: ClassComplaint, Inferred: true, Greeted: true}},
		{"praise from the draft", "感谢您的表扬，已转达给一线同事。", "", "", Situation{Class: ClassPraise, Inferred: true}},
		{"nothing to go on", "您好。", "", "", Situation{Greeted: true}},
		{"grave", "泥石流已造成2人遇难。", "", "", Situation{Grave: true}},
		{"grave, found safe", "走失的孩子已平安找到，救援人员辛苦了。", "", "", Situation{}},
		{"condolence", "惊闻老人家离世，请您节哀。", "", "", Situation{Grave: true, Condolence: true}},
		{"deferred", "核实后再答复您。", "", "", Situation{Deferred: true}},
	} {
		d := &Draft{Text: tc.text, Runes: []rune(tc.text), Kind: KindReply, Post: tc.post, Situation: Situation{Class: tc.class}}
		d.signOffAt, d.bodyText = len(d.Runes), tc.text
		st.situate(d)
		if d.Situation != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, d.Situation, tc.want)
		}
	}
	text := "您好，路灯已于11月2日修复。\n城南区城市管理局\n2024年11月5日"
	d := &Draft{Text: text, Runes: []rune(text), Kind: KindReply}
	d.signOffAt, d.bodyText = len(d.Runes), text
	st.situate(d)
	if d.body() != "您好，路灯已于11月2日修复" {
		t.Errorf("body without the sign-off: %q", d.body())
	}
}

// TestWarningsFitTheSituation: the missing_* warnings follow the class;
// a finished step counts as a step; a date in a sign-off is not a time.
func TestWarningsFitTheSituation(t *testing.T) {
	t.Parallel()
	r := fullReviewer(t)
	for _, tc := range []struct {
		name, text string
		c          Context
		want, not  []string
	}{
		{"praise needs thanks only", "谢谢您的肯定！您的表扬我们已经转达给窗口的同事。", Context{Class: ClassPraise},
			nil, []string{"missing_action", "missing_timeline", "missing_contact"}},
		{"condolences need sympathy only", "惊闻老前辈离世，我们深感悲痛，请您和家人节哀保重。", Context{},
			nil, []string{"missing_action", "missing_timeline", "missing_contact", "missing_empathy"}},
		{"a complaint needs all four", "您好，已收到。", Context{Class: ClassComplaint},
			[]string{"missing_action", "missing_timeline", "missing_contact"}, nil},
		{"an answered question needs no step or time", "您好，谢谢提问。新生儿出生后90天内参保，可在“市医保”小程序或任一医保窗口办理。", Context{Class: ClassInquiry},
			nil, []string{"missing_action", "missing_timeline", "missing_contact"}},
		{"a deferred answer needs a time", "您好，谢谢提问。这个问题我们核实后再答复您。", Context{Class: ClassInquiry},
			[]string{"missing_timeline"}, nil},
		{"a finished step is a step and needs no date", "您好，给您添麻烦了。涉事司机已调离驾驶岗位，垃圾已清运完毕。再遇到可拨12345。", Context{Class: ClassComplaint},
			nil, []string{"missing_action", "missing_timeline"}},
		{"a sign-off date is not a time", "您好，给您添麻烦了。您反映的问题已转交区城管局调查。如有疑问请拨12345。\n城南区人民政府\n2024年5月9日", Context{Class: ClassComplaint},
			[]string{"missing_timeline"}, nil},
	} {
		got := categoriesOf(t, r, tc.text, KindReply, tc.c)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %v, want %s", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("%s: %v, want no %s", tc.name, got, n)
			}
		}
	}
}

// TestVoice: a phrase quoted or refused is not the account's own.
func TestVoice(t *testing.T) {
	t.Parallel()
	r := fullReviewer(t)
	for _, tc := range []struct {
		text, category string
		flagged        bool
	}{
		{"经查，打人的是我局临时工，已辞退。", "blame_shifting", true},
		{"打人的是我局聘用的协管员，我们不会拿临时工当借口，责任在我们。", "blame_shifting", false},
		{"您说的“临时工”问题，我们认：人是我们派的，责任在我们。", "blame_shifting", false},
		{"涉事人员系劳务派遣人员，其行为不代表本单位。", "blame_shifting", true},
		{"网传“大桥即将封闭”不实：经检测各项指标合格，大桥正常通行。", "vague_time", false},
		{"大桥检修即将开始。", "vague_time", true},
	} {
		got := slices.Contains(categoriesOf(t, r, tc.text, KindPost, Context{}), tc.category)
		if got != tc.flagged {
			t.Errorf("%q: %s flagged %v, want %v", tc.text, tc.category, got, tc.flagged)
		}
	}
}

// TestRedLineConditions: with, unless and when decide what a pattern
// match means.
func TestRedLineConditions(t *testing.T) {
	t.Parallel()
	r := fullReviewer(t)
	for _, tc := range []struct {
		name, text, category string
		kind                 Kind
		flagged              bool
	}{
		{"out of remit, nowhere to go", "您好，此事不在本局职责范围内，本局无权处理。", "stonewalling", KindComment, true},
		{"out of remit, body and phone named", "您好，此事不在本局职责范围内，由区住建局负责，电话0871-64112233，我们已把留言转过去。", "stonewalling", KindComment, false},
		{"bare denial", "【辟谣】网传我市将限购电动车，纯属谣言，请相信政府。", "stonewalling", KindPost, true},
		{"denial with the facts", "【辟谣】网传我市将限购电动车不实。经核实，市交通局未制定任何限购政策，11月1日起施行的新规只涉及头盔佩戴。", "stonewalling", KindPost, false},
		{"emoji at a funeral", "沉痛悼念在火灾中遇难的3名消防员🙏", "hostile_tone", KindPost, true},
		{"emoji at a festival", "元宵节快乐🏮 今晚灯会开到22点！", "hostile_tone", KindPost, false},
		{"threat as the whole answer", "造谣传谣者，我们将依法严惩。", "hostile_tone", KindComment, true},
		{"a calm reminder after the facts", "经核查，11月3日城东小学门口只是两位家长发生口角，无人受伤。编造传播虚假警情的，公安机关将依法严肃处理。", "hostile_tone", KindPost, false},
		{"the account's own opinion", "说实话，我个人觉得这政策挺坑的。", "hostile_tone", KindComment, true},
		{"a fee cut as the outcome", "经协调，物业公司同意本年度物业费按原标准的9折收取。", "commercial", KindComment, false},
		{"a shop's discount", "粉丝凭截图到店消费可享8折优惠。", "commercial", KindComment, true},
		{"a complainant named", "感谢市民张建华先生反映的井盖问题，已于今天补装。", "pii", KindComment, true},
		{"an official named in office", "副区长周建国带队检查了在建工地。", "pii", KindPost, false},
		{"a typo", "我们已按排工作人员明天上门。", "typo", KindComment, true},
		{"a reply of a few words", "已阅", "stonewalling", KindComment, true},
		{"a short thank-you", "谢谢您的表扬！", "stonewalling", KindComment, false},
	} {
		got := slices.Contains(categoriesOf(t, r, tc.text, tc.kind, Context{}), tc.category)
		if got != tc.flagged {
			t.Errorf("%s: %q: %s flagged %v, want %v", tc.name, tc.text, tc.category, got, tc.flagged)
		}
	}
}

// TestOffTopic: a reply that answers something else, or leaves out one of
// the post's questions, is off topic; one that answers every point in
// words of its own is not.
func TestOffTopic(t *testing.T) {
	t.Parallel()
	r := fullReviewer(t)
	post := "和平路88号的路灯坏了一周了，什么时候能修好？旁边的井盖也缺了一角，能不能一起处理？"
	for _, tc := range []struct {
		name, reply string
		want        bool
	}{
		{"answers both", "您好，给您添麻烦了。路灯所明天派人检修，18时前修好；缺角的井盖今天下午更换。有问题请拨12319。", false},
		{"skips the manhole", "您好，给您添麻烦了。路灯所明天派人检修，18时前修好。有问题请拨12319。", true},
		{"answers something else", "您好，今年我区新建公园3个，改造道路12条，城市面貌明显改善。", true},
	} {
		got := slices.Contains(categoriesOf(t, r, tc.reply, KindReply, Context{Post: post}), "off_topic")
		if got != tc.want {
			t.Errorf("%s: off_topic %v, want %v", tc.name, got, tc.want)
		}
	}
	// A short post is still judged by its question: "什么时候" wants a time.
	short := "路灯坏了一周了，什么时候修？"
	for _, tc := range []struct {
		reply string
		want  bool
	}{
		{"您好，给您添麻烦了，已转交区城管局处理，有问题请拨12319。", true},
		{"您好，给您添麻烦了，区城管局明天18时前修好，有问题请拨12319。", false},
	} {
		if got := slices.Contains(categoriesOf(t, r, tc.reply, KindReply, Context{Post: short}), "off_topic"); got != tc.want {
			t.Errorf("%q to %q: off_topic %v, want %v", tc.reply, short, got, tc.want)
		}
	}
	if got := categoriesOf(t, r, "您好，今年我区新建公园3个。", KindPost, Context{Post: post}); slices.Contains(got, "off_topic") {
		t.Errorf("a post answers no one: %v", got)
	}
}

// TestGoFindingsCiteRealSections: the findings made in Go (off_topic,
// brief replies) cite an existing section, like the rule files.
func TestGoFindingsCiteRealSections(t *testing.T) {
	t.Parallel()
	r := fullReviewer(t)
	var fs []Finding
	rv, _ := r.ReviewWith("已阅", KindComment, Context{Post: "和平路的路灯坏了一周了，什么时候修？"})
	fs = append(fs, rv.Findings...)
	for _, f := range fs {
		data, err := os.ReadFile(filepath.Join("..", "knowledge", "builtin", "docs", f.Source.Doc+".md"))
		if err != nil || !slices.Contains(strings.Split(string(data), "\n"), "## "+f.Source.Section) {
			t.Errorf("%s cites %v, which is not a section of the knowledge base", f.Rule, f.Source)
		}
	}
	if len(fs) < 2 {
		t.Errorf("findings %v, want off_topic and stonewalling.perfunctory", fs)
	}
}

// TestContextFilesBad: the situation, voice, off-topic, brief and score
// files report what is wrong with them.
func TestContextFilesBad(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		load func() error
		want string
	}{
		{"situation: unknown key", func() error { _, err := loadSituation([]byte("grav: [x]\n")); return err }, "grav"},
		{"situation: bad class", func() error {
			_, err := loadSituation([]byte("grave: [a]\nrelief: [b]\ncondolence: [c]\ndeferred: [d]\ngreeting: [f]\nexplained: [g]\nsign_off: [e]\nlong_post: 10\nneeds: {吐槽: []}\n"))
			return err
		}, "吐槽"},
		{"situation: bad regexp", func() error { _, err := loadSituation([]byte("long_post: 10\ngrave: ['(']\n")); return err }, "grave"},
		{"voice: bad quote pair", func() error {
			_, err := loadVoice([]byte("quotes: ['“']\nmax_quote: 5\nrefused_before: [a]\nrefused_after: [b]\n"))
			return err
		}, "一对引号"},
		{"off-topic: bad numbers", func() error { _, err := loadOffTopic([]byte("min_shared: 2\n")); return err }, "min_shared"},
		{"brief: no minimum", func() error { _, err := loadBrief([]byte("exempt: [谢谢]\n")); return err }, "min_chars"},
		{"score: no error cost", func() error { _, err := loadScore([]byte("warning: 10\n")); return err }, "error"},
	}
	for _, tc := range cases {
		err := tc.load()
		var fe *errs.FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a file error naming %q", tc.name, err, tc.want)
		}
	}
}

// TestConditionsBad: the rule-file conditions report what is wrong.
func TestConditionsBad(t *testing.T) {
	t.Parallel()
	const head = "checks:\n  - rule: stonewalling.x\n    category: stonewalling\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n    patterns: [x]\n"
	for _, tc := range []struct{ name, text, reason string }{
		{"bad register", head + "    when: {register: light}\n", "grave"},
		{"bad class", head + "    when: {classes: [吐槽]}\n", "不是留言类别"},
		{"bad scope", head + "    with:\n      - scope: page\n        patterns: [y]\n", "scope“page”无效"},
		{"bad test", head + "    unless:\n      - test: magic\n", "test 只能是"},
		{"test and patterns", head + "    unless:\n      - test: time\n        patterns: [y]\n", "不能与 patterns 同时出现"},
		{"with on a missing rule", "checks:\n  - rule: missing_action.x\n    category: missing_action\n    source: {doc: d, section: s}\n    message: m\n    suggestion: s\n    phrases: [安排]\n    with: []\n", "未知的键“with”"},
	} {
		_, err := loadRules(fstest.MapFS{"r.yaml": {Data: []byte(tc.text)}})
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.reason)
		}
	}
}
