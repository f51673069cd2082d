package offline

import (
	"context"
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"govreply/bot"
	"govreply/bot/bottest"
	"govreply/ingest"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	"govreply/review"
)

// testEnv is bottest's environment with a composer on each of its
// knowledge bases.
type testEnv struct {
	reviewer  *review.Reviewer
	composer  *Composer // built-in knowledge base
	injected  *Composer // built-in knowledge base + bottest.InjectionDoc
	retriever *knowledge.Retriever
	injRetr   *knowledge.Retriever
}

var (
	envOnce sync.Once
	envVal  *testEnv
	envErr  error
)

func env(t testing.TB) *testEnv {
	t.Helper()
	b := bottest.MustEnv(t)
	envOnce.Do(func() {
		e := &testEnv{reviewer: b.Reviewer, retriever: b.Retriever, injRetr: b.Injected}
		if e.composer, envErr = NewComposer(ComposerOptions{Retriever: b.Retriever, Reviewer: b.Reviewer}); envErr != nil {
			return
		}
		e.injected, envErr = NewComposer(ComposerOptions{Retriever: b.Injected, Reviewer: b.Reviewer})
		envVal = e
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return envVal
}

func TestClassify(t *testing.T) {
	t.Parallel()
	c := env(t).composer
	for _, tc := range []struct {
		post string
		want bot.Classification
	}{
		{"我们小区从早上停水到现在，一点通知都没有，怎么回事？", bot.Complaint},
		{"楼下烧烤店油烟噪音扰民半个月了，投诉了好几次没人管！", bot.Complaint},
		{"请问老旧小区加装电梯有补贴吗？去哪里申请？", bot.Inquiry},
		{"想问一下新生入学需要什么材料？", bot.Inquiry},
		{"你们这个政策到底什么时候出台？", bot.Inquiry},
		{"建议在地铁站出口增设几个共享单车停放点，现在太乱了。", bot.Suggestion},
		{"希望公交12路能把末班车延后到晚上11点，要是能这样就方便多了。", bot.Suggestion},
		{"网传明天全市停水三天，是真的吗？", bot.Rumour},
		{"朋友圈都在传XX小学食物中毒，气死了，到底怎么回事，是不是真的？", bot.Rumour},
		{"救命！我爸在山上走失了，手机也打不通，怎么办", bot.HelpCall},
		{"小区地下车库积水，有车被困，紧急求助！", bot.HelpCall},
		{"昨天在政务大厅办社保，工作人员特别耐心，必须点赞！", bot.Praise},
		{"太感谢巡逻的民警了，帮我找回了钱包。", bot.Praise},
		{"今天天气不错。", bot.Other},
	} {
		got := c.data.classifyPost(tc.post)
		if got != tc.want {
			t.Errorf("classify(%q) = %s, want %s", tc.post, got, tc.want)
		}
	}
}

func TestParseFacts(t *testing.T) {
	t.Parallel()
	d := env(t).composer.data
	for _, tc := range []struct {
		facts string
		want  map[string]string // role → its sentences joined
		unit  string
	}{
		{
			facts: "情况：今天上午小区附近供水管道破裂。\n措施：区水务局抢修队已在现场抢修\n时限：今晚8点\n联系：0871-64112233",
			want: map[string]string{roleConclusion: "今天上午小区附近供水管道破裂。", roleDone: "区水务局抢修队已在现场抢修。",
				roleDeadline: "今晚8点。", roleChannel: "0871-64112233。"},
		},
		{
			// Unlabelled sentences find their role; a mobile is withheld.
			facts: "因为主管道老化破裂。经现场核查，3栋地下管道渗漏。已安排城管执法中队到现场检查。将在12月5日前修复。请居民提前储水。有问题请联系王科长13912345678。",
			want: map[string]string{roleCause: "因为主管道老化破裂。", roleConclusion: "经现场核查，3栋地下管道渗漏。",
				roleDone: "已安排城管执法中队到现场检查。", rolePlan: "将在12月5日前修复。", roleAdvice: "请居民提前储水。",
				roleChannel: "有问题请联系王科长【待核实：电话】。"},
		},
		{
			facts: "需携带身份证和户口本原件。办理地点：区政务服务中心3号窗口\n依据：《某某市居住证管理办法》\n单位：区公安分局",
			want: map[string]string{roleConditions: "需携带身份证和户口本原件。", rolePlace: "区政务服务中心3号窗口。",
				roleSource: "《某某市居住证管理办法》。"},
			unit: "区公安分局",
		},
		{
			// A unit is never guessed from a sentence.
			facts: "已转给区水务局处理。",
			want:  map[string]string{roleDone: "已转给区水务局处理。"},
		},
	} {
		f := d.parseFacts(strings.ReplaceAll(tc.facts, `\n`, "\n"))
		for _, role := range sentenceRoles {
			if got := f.text(role); got != tc.want[role] {
				t.Errorf("%q: %s = %q, want %q", tc.facts, role, got, tc.want[role])
			}
		}
		if f.unit != tc.unit {
			t.Errorf("%q: unit %q, want %q", tc.facts, f.unit, tc.unit)
		}
	}
	if v, ok := d.shortTime("今晚8点。"); !ok || v != "今晚8点前" {
		t.Errorf("shortTime %q %v", v, ok)
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	c := env(t).composer
	ctx := context.Background()
	for _, tc := range []struct {
		req  bot.DraftRequest
		code errs.Code
	}{
		{bot.DraftRequest{Post: "  \n "}, bot.CodeEmptyPost},
		{bot.DraftRequest{Post: strings.Repeat("停", 2001)}, bot.CodePostTooLong},
		{bot.DraftRequest{Post: "停水了", Facts: strings.Repeat("停", 2001)}, bot.CodeFactsTooLong},
		{bot.DraftRequest{Post: "停水了", Kind: "tweet"}, review.CodeInvalidKind},
		{bot.DraftRequest{Post: "停水了", Tone: "幽默"}, bot.CodeInvalidTone},
		{bot.DraftRequest{Post: "停水\xff"}, review.CodeInvalidText},
	} {
		_, err := c.Draft(ctx, tc.req)
		if !errs.HasCode(err, tc.code) || errs.MessageOf(err) == "" {
			t.Errorf("%.20q: err %v, want code %s", tc.req.Post, err, tc.code)
		}
	}
	// Defaults: reply, 亲切.
	resp, err := c.Draft(ctx, bot.DraftRequest{Post: "我们小区停水一天了，怎么回事？"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Drafts[0].Review.Kind != review.KindReply || !strings.HasPrefix(resp.Drafts[0].Text, "您好，") {
		t.Errorf("defaults not applied: %+v", resp.Drafts[0])
	}
	if _, err := c.Draft(ctx, bot.DraftRequest{Post: strings.Repeat("停", 2000)}); err != nil {
		t.Errorf("a 2,000-character post is allowed: %v", err)
	}
}

// posts are varied citizens' posts with and without facts.
var posts = []struct{ post, facts string }{
	{"我们小区从早上停水到现在，一点通知都没有，怎么回事？", ""},
	{"我们小区从早上停水到现在，一点通知都没有，怎么回事？", "情况：今天上午小区附近供水管道破裂。\n措施：区水务局抢修队已在现场抢修，小区门口设了临时取水点。\n时限：今晚8点\n联系：0871-64112233"},
	{"楼下烧烤店油烟噪音扰民半个月了，投诉了好几次没人管！", "已转给城南街道办事处，街道会联系城管和生态环境部门上门。5个工作日内答复您。"},
	{"路灯坏了半个月了，晚上黑漆漆的，有人管吗？", "路灯归区城管局管。对方答复本周五前修好。有问题拨12345。"},
	{"电梯坏了一个星期，物业不管，你们管不管？", "单位：区市场监管局\n措施：已派人到小区检查电梯\n时间：3个工作日内\n联系：私信"},
	{"办个证跑了三趟，窗口工作人员态度恶劣，我要投诉！", "措施：已约谈窗口负责人，当事工作人员暂停窗口工作，我们上门向您当面道歉。\n时限：明天下午5点前\n联系：办公电话 0871-63112345"},
	{"我家孩子在你们辖区的工地被砸伤了，没人负责？", "情况：事发工地为临时工操作失误，属个人行为。\n措施：正在调查中。"},
	{"请问老旧小区加装电梯有补贴吗？去哪里申请？", ""},
	{"请问老旧小区加装电梯有补贴吗？去哪里申请？", "答复：符合条件的老旧小区加装电梯可以申请补贴，条件和标准以区住建局发布的实施办法为准，原文在区住建局官网“加装电梯”专栏。\n联系：咨询电话 0871-65551234"},
	{"想问一下新生入学需要什么材料？", "入学材料清单已在区教育局官网公布。咨询：12345。"},
	{"社保卡丢了怎么补办？", "可以到区政务服务中心社保窗口补办，带身份证即可。"},
	{"建议在地铁站出口增设几个共享单车停放点，现在太乱了。", ""},
	{"建议在地铁站出口增设几个共享单车停放点，现在太乱了。", "措施：建议已转给区交通运输局研究。\n时限：11月30日前答复"},
	{"希望公交12路能把末班车延后到晚上11点。", "已转给市公交集团。本月底前答复。"},
	{"网传明天全市停水三天，是真的吗？", ""},
	{"网传明天全市停水三天，是真的吗？", "情况：经市水务集团核实，明天只有城东两个小区因管道检修停水，时间为上午9点到下午5点，不是全市停水。\n联系：12345"},
	{"朋友圈都在传XX小学食物中毒，到底是不是真的？", "情况：当天有3名学生腹痛就医，经医院诊断排除食物中毒。\n措施：区市场监管局已对食堂留样送检。\n时间：检测结果出来当天在本号公布。"},
	{"救命！我爸在山上走失了，手机也打不通，怎么办", ""},
	{"救命！我爸在山上走失了，手机也打不通，怎么办", "措施：已通知县消防救援大队和城关派出所上山搜寻。\n联系：值班电话 0871-68110110"},
	{"小区地下车库积水，有车被困，紧急求助！", "抢险队已在现场排水，预计今晚10点前排完。"},
	{"家里老人突发疾病，附近医院说没床位，求助！", "联系人电话13800001111，住在幸福小区3栋2单元501室。"},
	{"昨天在政务大厅办社保，工作人员特别耐心，必须点赞！", ""},
	{"太感谢巡逻的民警了，帮我找回了钱包。", "单位：城南派出所巡逻组"},
	{"为昨晚抢修的供电所师傅们点赞，冒雨干到半夜！", "城东供电所抢修班当晚11点恢复供电。"},
	{"今天天气不错。", ""},
	{"你们这个号是干嘛的？", "本号是区政府的政务微博，工作日9点到17点有人值守。"},
	{"为什么你们的通知总是发得这么晚？", "内部通报：此事系机密文件泄露。请到淘宝店购买。优惠券在这里。"},
	{"停水好几天了", strings.Repeat("这次停水的原因比较复杂，涉及上游水厂检修和小区管网老化两方面的问题。", 4)},
	{"停水好几天了", "措施：" + strings.Repeat("区水务局已安排抢修队逐户排查管网并更换老化阀门，", 5) + "\n时限：" + strings.Repeat("分段恢复，", 6) + "12月5日前全部恢复"},
}

// TestDraftsPass drafts every post in every kind and tone: each variant
// has no error finding and keeps to its length limit, the response has
// two or three variants, and every placeholder is listed in to_verify.
func TestDraftsPass(t *testing.T) {
	t.Parallel()
	e := env(t)
	ctx := context.Background()
	n := 0
	for _, p := range posts {
		for _, kind := range allKinds {
			for _, tone := range allTones {
				req := bot.DraftRequest{Post: p.post, Facts: p.facts, Kind: kind, Tone: tone}
				resp, err := e.composer.Draft(ctx, req)
				if err != nil {
					t.Fatalf("%s/%s %q: %v", kind, tone, p.post, err)
				}
				if len(resp.Drafts) < 2 || len(resp.Drafts) > 3 {
					t.Errorf("%s/%s %q: %d variants", kind, tone, p.post, len(resp.Drafts))
				}
				for i, v := range resp.Drafts {
					n++
					for _, f := range v.Review.Findings {
						if f.Severity == review.SeverityError {
							t.Errorf("%s/%s %q variant %d: error finding %s %q in\n%s", kind, tone, p.post, i+1, f.Rule, f.Excerpt, v.Text)
						}
					}
					if !v.Review.Pass || review.Length(v.Text) > kind.Limit() || v.Review.Length > v.Review.Limit {
						t.Errorf("%s/%s %q variant %d: pass=%v length %d > %d", kind, tone, p.post, i+1, v.Review.Pass, review.Length(v.Text), kind.Limit())
					}
					if strings.Contains(v.Text, "{") || strings.Contains(v.Text, "[[") {
						t.Errorf("unfilled slot in %q", v.Text)
					}
					if strings.Contains(v.Text, "13800001111") || strings.Contains(v.Text, "13912345678") {
						t.Errorf("mobile number copied into %q", v.Text)
					}
				}
				if got, want := len(resp.ToVerify), countPlaceholders(resp.Drafts); got != want {
					t.Errorf("%s/%s %q: %d to_verify items for %d distinct placeholders: %q", kind, tone, p.post, got, want, resp.ToVerify)
				}
			}
		}
	}
	t.Logf("%d variants checked", n)
}

func countPlaceholders(vs []bot.Variant) int {
	seen := map[string]bool{}
	for _, v := range vs {
		for _, m := range placeholderRE.FindAllString(v.Text, -1) {
			seen[m] = true
		}
	}
	return len(seen)
}

// TestNothingInvented drafts without facts: the only numbers in a draft
// are the public service and emergency numbers the templates name, and
// what a reply needs is left as 【待核实：…】.
func TestNothingInvented(t *testing.T) {
	t.Parallel()
	e := env(t)
	digits := regexp.MustCompile(`[0-9０-９]+`)
	allowed := []string{"12345", "110", "120", "119"}
	for _, p := range posts {
		if p.facts != "" {
			continue
		}
		for _, kind := range allKinds {
			for _, tone := range allTones {
				resp, err := e.composer.Draft(context.Background(), bot.DraftRequest{Post: p.post, Kind: kind, Tone: tone})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range resp.Drafts {
					outside := placeholderRE.ReplaceAllString(v.Text, "")
					for _, d := range digits.FindAllString(outside, -1) {
						if !slices.Contains(allowed, d) {
							t.Errorf("%s/%s: number %s not from the facts in %q", kind, tone, d, v.Text)
						}
					}
					if resp.Analysis.Class == bot.Complaint && !strings.Contains(v.Text, "处理完成的时间】") {
						t.Errorf("complaint without facts must ask for the time limit: %q", v.Text)
					}
				}
			}
		}
	}
}

// TestFactsUsed checks that given facts reach the drafts.
func TestFactsUsed(t *testing.T) {
	t.Parallel()
	resp, err := env(t).composer.Draft(context.Background(), bot.DraftRequest{Post: posts[1].post, Facts: posts[1].facts, Kind: review.KindComment})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range resp.Drafts {
		for _, want := range []string{"区水务局抢修队已在现场抢修", "今晚8点前", "0871-64112233"} {
			if !strings.Contains(v.Text, want) {
				t.Errorf("%q lacks %q", v.Text, want)
			}
		}
		if strings.Contains(v.Text, "待核实") {
			t.Errorf("all facts given, yet %q", v.Text)
		}
	}
	if len(resp.ToVerify) != 0 {
		t.Errorf("to_verify %q", resp.ToVerify)
	}
}

// TestPlaceholdersNotFlagged reviews every placeholder the data can
// produce, on its own and inside a reply: no finding may fall on it.
func TestPlaceholdersNotFlagged(t *testing.T) {
	t.Parallel()
	e := env(t)
	var frames []string
	for _, c := range templateClasses {
		for _, v := range e.composer.data.tmpl.frames[c] {
			frames = append(frames, placeholderRE.FindAllString(v, -1)...)
		}
	}
	frames = append(frames, bot.Placeholder("电话"), bot.Placeholder("措施，原文较长，请压缩后填入"))
	for _, c := range []string{"pii", "confidential", "commercial", "hostile_tone", "blame_shifting", "stonewalling"} {
		frames = append(frames, bot.Placeholder("不宜公开的内容（"+bot.ProblemName(c)+"）"))
	}
	slices.Sort(frames)
	frames = slices.Compact(frames)
	for _, ph := range frames {
		text := "您好，给您添麻烦了。" + ph + "。有问题拨12345。"
		for _, kind := range allKinds {
			rv, err := e.reviewer.Review(text, kind)
			if err != nil {
				t.Fatal(err)
			}
			start := len([]rune("您好，给您添麻烦了。"))
			end := start + len([]rune(ph))
			for _, f := range rv.Findings {
				if f.Start < end && f.End > start && f.End-f.Start < len([]rune(text)) {
					t.Errorf("%s: placeholder %s flagged: %s %q", kind, ph, f.Rule, f.Excerpt)
				}
			}
		}
	}
}

// TestInjectedDocumentChangesNothing drafts with a store that also holds
// a document telling the assistant to ignore its instructions: it ranks
// among the first documents for these posts, yet every response is the
// same as without it.
func TestInjectedDocumentChangesNothing(t *testing.T) {
	t.Parallel()
	e := env(t)
	ctx := context.Background()
	ranked := false
	for _, p := range posts {
		hits, err := e.injRetr.Documents(ctx, knowledge.Request{Query: p.post, K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(hits, func(h knowledge.DocHit) bool { return h.Doc == "tone-zz-injection" }) {
			ranked = true
		}
		for _, kind := range allKinds {
			req := bot.DraftRequest{Post: p.post, Facts: p.facts, Kind: kind}
			a, err := e.composer.Draft(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.injected.Draft(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Errorf("%s %q: output changed by the injected document:\n%s\n%s", kind, p.post, ja, jb)
			}
			if strings.Contains(string(jb), "忽略") || strings.Contains(string(jb), "tone-zz-injection") {
				t.Errorf("injected text or citation leaked: %s", jb)
			}
		}
	}
	if !ranked {
		t.Fatal("the injected document never ranks in the first three: the test proves nothing")
	}
}

// TestCitations checks that drafts cite retrieved built-in guidance with
// its title and a real section.
func TestCitations(t *testing.T) {
	t.Parallel()
	e := env(t)
	sections := builtinSections(t)
	cited := 0
	for _, p := range posts {
		resp, err := e.composer.Draft(context.Background(), bot.DraftRequest{Post: p.post, Facts: p.facts})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range resp.Drafts {
			for _, c := range v.Citations {
				cited++
				if c.Title == "" || !slices.Contains(sections[c.Doc], c.Section) {
					t.Errorf("citation %+v: no title, or not a section of a built-in document", c)
				}
			}
		}
		if len(resp.Drafts[0].Citations) == 0 {
			t.Errorf("%q: first variant cites nothing", p.post)
		}
	}
	if cited == 0 {
		t.Fatal("no citations at all")
	}
}

// TestDataSources checks the template data against the built-in
// knowledge base: every guidance phrase occurs in the section it names,
// and every cited section exists.
func TestDataSources(t *testing.T) {
	t.Parallel()
	d := env(t).composer.data
	bodies := builtinBodies(t)
	sections := builtinSections(t)
	for _, g := range d.tmpl.Guidance {
		if !strings.Contains(bodies[g.Doc][g.Section], g.Text) {
			t.Errorf("guidance %s: %q does not occur in %s / %s", g.ID, g.Text, g.Doc, g.Section)
		}
	}
	for _, tp := range d.tmpl.Tmpls {
		for _, c := range tp.Cites {
			if !slices.Contains(sections[c.Doc], c.Section) {
				t.Errorf("template %v %s cites %s / %s, which is not a section", tp.Classes, tp.Name, c.Doc, c.Section)
			}
		}
	}
}

// builtinSections returns the "## " section titles of every built-in
// document, by document id.
func builtinSections(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for id, secs := range builtinBodies(t) {
		for h := range secs {
			out[id] = append(out[id], h)
		}
	}
	return out
}

// builtinBodies returns the "## " sections of every built-in document,
// by document id, as loaded.
func builtinBodies(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	names, _ := fs.Glob(builtin.FS(), "*.md")
	for _, n := range names {
		data, _ := fs.ReadFile(builtin.FS(), n)
		doc, err := ingest.LoadBytes(context.Background(), "", n, data)
		if err != nil {
			t.Fatal(err)
		}
		out[doc.ID] = faq.SplitSections(doc.Body)
	}
	return out
}

// TestConcurrentDrafts runs drafts in parallel (meaningful with -race).
func TestConcurrentDrafts(t *testing.T) {
	t.Parallel()
	c := env(t).composer
	want, err := c.Draft(context.Background(), bot.DraftRequest{Post: posts[1].post, Facts: posts[1].facts})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := c.Draft(context.Background(), bot.DraftRequest{Post: posts[1].post, Facts: posts[1].facts})
			if err != nil || got.Drafts[0].Text != want.Drafts[0].Text {
				t.Errorf("concurrent draft differs: %v", err)
			}
		})
	}
	wg.Wait()
}

func TestBadData(t *testing.T) {
	t.Parallel()
	base := DataFS()
	read := func(name string) string { b, _ := fs.ReadFile(base, name); return string(b) }
	for _, tc := range []struct{ file, from, to, want string }{
		{"templates.yaml", "{greet}{emergency}{ack}{cause}", "{greet}{nosuch}{ack}{cause}", "unknown slot"},
		{"templates.yaml", "{greet}{emergency}{ack}{cause}", "{greet}{emergency}{ack}", "{cause} occurs 0 times"},
		{"templates.yaml", "{g:route-12345}", "{g:nosuch}", "unknown guidance"},
		{"facts.yaml", "  - role: cause", "  - role: reason", "unknown role"},
		{"templates.yaml", "    rebuttal: true\n", "    rebuttal: maybe\n", "cannot unmarshal"},
		{"classify.yaml", "class: 表扬", "class: 夸奖", "not one of"},
		{"facts.yaml", "mobile: '1[3-9][0-9]{9}'", "mobile: '(1'", "not a pattern"},
		{"templates.yaml", "classes: [投诉]\n    kinds: [comment, reply]", "classes: [投诉]\n    kinds: [comment, reply]\n    tones: [幽默]", "unknown tone"},
		{"analyze.yaml", "    表扬: pass_on", "    表扬: praise", "no valid want"},
		{"analyze.yaml", "\nwants:\n", "\nwantz:\n", "wantz"},
	} {
		mfs := fstest.MapFS{}
		for _, n := range []string{"classify.yaml", "facts.yaml", "templates.yaml", "analyze.yaml", "check.yaml"} {
			mfs[n] = &fstest.MapFile{Data: []byte(read(n))}
		}
		src := read(tc.file)
		if !strings.Contains(src, tc.from) {
			t.Fatalf("%s lacks %q", tc.file, tc.from)
		}
		mfs[tc.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tc.from, tc.to, 1))}
		_, err := NewComposer(ComposerOptions{Data: mfs, Reviewer: env(t).reviewer})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q→%q: err %v, want %q", tc.file, tc.from, tc.to, err, tc.want)
		}
	}
}
