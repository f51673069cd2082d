package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"govreply/review"
)

// fakeCheck reports, for each phrase of its table found in the draft, a
// finding of the given category and severity; and a whole-draft finding
// when whole is set. It stands in for the real checks, which other
// packages' tests cover, so these tests pin down only the CLI.
type fakeCheck struct {
	spans []fakeSpan
	whole bool
}

type fakeSpan struct {
	phrase, category string
	severity         review.Severity
}

func (c fakeCheck) Check(d *review.Draft) []review.Finding {
	var out []review.Finding
	for _, s := range c.spans {
		i := strings.Index(d.Text, s.phrase)
		if i < 0 {
			continue
		}
		start := utf8.RuneCountInString(d.Text[:i])
		st, end, ex := d.Span(start, start+utf8.RuneCountInString(s.phrase))
		out = append(out, review.Finding{Rule: s.category + ".fake", Category: s.category, Severity: s.severity,
			Start: st, End: end, Excerpt: ex, Message: "说明" + s.phrase, Suggestion: "改写" + s.phrase,
			Source: review.Source{Doc: "tone-fake", Section: "小节"}})
	}
	if c.whole {
		st, end, ex := d.Span(0, len(d.Runes))
		out = append(out, review.Finding{Rule: "missing_contact.fake", Category: "missing_contact", Severity: review.SeverityWarning,
			Start: st, End: end, Excerpt: ex, Message: "没有后续联系渠道", Suggestion: "补上 12345 或私信",
			Source: review.Source{Doc: "tone-fake", Section: "渠道"}})
	}
	return out
}

var fakeReviewer = review.NewWithChecks(fakeCheck{spans: []fakeSpan{
	{"无可奉告", "stonewalling", review.SeverityError},
	{"尽快", "vague_time", review.SeverityWarning},
	{"快处理", "officialese", review.SeverityInfo}, // overlaps 尽快
}, whole: true})

func TestReviewHumanMarksAndLists(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	text := "您好，无可奉告，我们会尽快处理。"
	err := runReview(&out, fakeReviewer, text, review.KindComment, review.Context{}, false)
	if !errors.Is(err, errFindings) {
		t.Fatalf("err %v, want errFindings (exit 1) for a draft with an error finding", err)
	}
	got := out.String()
	for _, want := range []string{
		"审核草稿（评论，字数 16/140）",
		"  您好，【无可奉告】②，我们会【尽快处理】③④。", // ① is the whole-draft finding, not marked inline
		"① 警告 · 缺少联系渠道（missing_contact.fake）· 全文",
		"② 错误 · 推诿搪塞（stonewalling.fake）· 第 4–7 字",
		"   原文：“无可奉告”",
		"   问题：说明无可奉告",
		"   建议：改写无可奉告",
		"   依据：tone-fake › 小节",
		"③ 警告 · 时间模糊（vague_time.fake）· 第 12–13 字",
		"④ 提示 · 官话套话（officialese.fake）· 第 13–15 字",
		"得分：",
		"未通过",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "原文：“您好") {
		t.Errorf("a whole-draft finding should not repeat the draft as its excerpt:\n%s", got)
	}
}

func TestReviewHumanPass(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	text := "您好，我们会尽快处理。"
	if err := runReview(&out, fakeReviewer, text, review.KindReply, review.Context{}, false); err != nil {
		t.Fatalf("err %v, want nil (exit 0) for warnings only", err)
	}
	got := out.String()
	for _, want := range []string{"审核草稿（回复，字数 11/2000）", "【尽快处理】", "警告", "提示", "结论：通过"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "未通过") {
		t.Errorf("a passing draft reported as failing:\n%s", got)
	}

	out.Reset()
	if err := runReview(&out, review.NewWithChecks(), "您好。", review.KindPost, review.Context{}, false); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "未发现问题") || !strings.Contains(got, "得分：100/100") || strings.Contains(got, "【") {
		t.Errorf("clean draft output:\n%s", got)
	}
}

func TestMarkDraft(t *testing.T) {
	t.Parallel()
	runes := []rune("一二三四五六七八九十")
	f := func(s, e int) review.Finding { return review.Finding{Start: s, End: e} }
	tests := []struct {
		name string
		fs   []review.Finding
		want string
	}{
		{"none", nil, "一二三四五六七八九十"},
		{"two apart", []review.Finding{f(0, 2), f(5, 6)}, "【一二】①三四五【六】②七八九十"},
		{"crossing", []review.Finding{f(1, 4), f(3, 6)}, "一【二三四五六】①②七八九十"},
		{"nested", []review.Finding{f(1, 8), f(2, 3)}, "一【二三四五六七八】①②九十"},
		{"whole draft not marked", []review.Finding{f(0, 10), f(9, 10)}, "一二三四五六七八九【十】②"},
		{"empty span", []review.Finding{f(4, 4)}, "一二三四【】①五六七八九十"},
	}
	for _, tt := range tests {
		if got := markDraft(runes, tt.fs); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	if marker(1) != "①" || marker(20) != "⑳" || marker(21) != "(21)" {
		t.Errorf("markers %s %s %s", marker(1), marker(20), marker(21))
	}
}

// TestReviewJSONShape checks that --json prints exactly the review object
// (the response of POST /v1/review).
func TestReviewJSONShape(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runReview(&out, fakeReviewer, "您好，无可奉告。", review.KindComment, review.Context{}, true)
	if !errors.Is(err, errFindings) {
		t.Fatalf("err %v, want errFindings", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &obj); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	if got := slices.Sorted(mapKeys(obj)); !slices.Equal(got, []string{"findings", "kind", "length", "limit", "pass", "score"}) {
		t.Fatalf("review keys %v", got)
	}
	var rv struct {
		Findings []map[string]json.RawMessage
	}
	json.Unmarshal(out.Bytes(), &rv)
	if len(rv.Findings) != 2 {
		t.Fatalf("want 2 findings: %s", out.String())
	}
	want := []string{"category", "end", "excerpt", "message", "rule", "severity", "source", "start", "suggestion"}
	if got := slices.Sorted(mapKeys(rv.Findings[1])); !slices.Equal(got, want) {
		t.Fatalf("finding keys %v, want %v", got, want)
	}
	var src map[string]string
	json.Unmarshal(rv.Findings[1]["source"], &src)
	if src["doc"] != "tone-fake" || src["section"] != "小节" || string(rv.Findings[1]["start"]) != "3" || string(rv.Findings[1]["end"]) != "7" {
		t.Fatalf("finding %s", out.String())
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// reviewJSON is the review object as the tests read it.
type reviewJSON struct {
	Kind     string `json:"kind"`
	Length   int    `json:"length"`
	Limit    int    `json:"limit"`
	Score    int    `json:"score"`
	Pass     *bool  `json:"pass"`
	Findings []struct {
		Rule, Category, Severity, Excerpt, Message, Suggestion string
		Start, End                                             int
		Source                                                 struct{ Doc, Section string }
	} `json:"findings"`
}

func decodeReview(t *testing.T, out string) reviewJSON {
	t.Helper()
	var rv reviewJSON
	if err := json.Unmarshal([]byte(out), &rv); err != nil || rv.Pass == nil || rv.Findings == nil {
		t.Fatalf("not the review object (%v):\n%s", err, out)
	}
	return rv
}

// exitFor is the exit code a review should give.
func exitFor(rv reviewJSON) int {
	if *rv.Pass {
		return exitOK
	}
	return exitFindings
}

// goodDraft is a reply that does what the guidelines ask.
const goodDraft = "您好，路灯不亮给您晚上出行添麻烦了。我们已派维修人员今天下午到现场检修，明天18点前修好。如仍有问题，请拨打12345或私信我们。"

// TestReviewCLI runs the built command end to end, with the real
// reviewer: stdin, "-", a file, --kind and --json. It asserts nothing
// about which problems the checks find, only the output and exit codes.
func TestReviewCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "draft.txt")
	if err := os.WriteFile(file, []byte("\uFEFF"+goodDraft+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantLen := review.Length(goodDraft)

	code, out, stderr := runCLIIn(t, nil, strings.NewReader(goodDraft+"\n"), "review", "--json")
	rv := decodeReview(t, out)
	if code != exitFor(rv) || stderr != "" {
		t.Fatalf("stdin --json: exit %d for pass=%v; stderr %s", code, *rv.Pass, stderr)
	}
	if rv.Kind != "comment" || rv.Limit != 140 || rv.Length != wantLen {
		t.Fatalf("stdin: kind %s limit %d length %d, want comment 140 %d", rv.Kind, rv.Limit, rv.Length, wantLen)
	}

	code, out, _ = runCLIIn(t, nil, nil, "review", "--json", "--kind", "reply", file)
	rv = decodeReview(t, out)
	if code != exitFor(rv) || rv.Kind != "reply" || rv.Limit != 2000 || rv.Length != wantLen {
		t.Fatalf("file: exit %d kind %s limit %d length %d (BOM and final line end should be dropped)", code, rv.Kind, rv.Limit, rv.Length)
	}

	code, out, _ = runCLIIn(t, nil, strings.NewReader(goodDraft), "review", "--kind", "post", "-")
	if code != exitOK && code != exitFindings {
		t.Fatalf("human: exit %d", code)
	}
	for _, want := range []string{"审核草稿（博文，", "原文", goodDraft, "得分：", "/100", "结论："} {
		if !strings.Contains(out, want) {
			t.Errorf("human output lacks %q:\n%s", want, out)
		}
	}
	if (code == exitOK) != !strings.Contains(out, "未通过") {
		t.Errorf("exit %d disagrees with the verdict:\n%s", code, out)
	}
}

// TestReviewCLIContext: --post and --class reach the reviewer: praise
// needs no timeline, and a reply that skips the citizen's question is
// off topic.
func TestReviewCLIContext(t *testing.T) {
	t.Parallel()
	has := func(rv reviewJSON, category string) bool {
		for _, f := range rv.Findings {
			if f.Category == category {
				return true
			}
		}
		return false
	}
	thanks := "谢谢您的肯定！您的表扬我们已转达给城南派出所的值班民警。"
	_, out, _ := runCLIIn(t, nil, strings.NewReader(thanks), "review", "--json", "--class", "表扬")
	if rv := decodeReview(t, out); has(rv, "missing_timeline") || has(rv, "missing_contact") {
		t.Errorf("praise: %s", out)
	}
	_, out, _ = runCLIIn(t, nil, strings.NewReader(thanks), "review", "--json")
	if rv := decodeReview(t, out); has(rv, "missing_timeline") {
		t.Errorf("praise read from the draft: %s", out)
	}
	post := "社保卡丢了，补办要多久？能不能在网上办？"
	reply := "您好，给您添麻烦了。社保卡补办请带身份证到社保卡服务网点办理，现场即可领卡。有疑问请拨12333。"
	_, out, _ = runCLIIn(t, nil, strings.NewReader(reply), "review", "--json", "--kind", "reply", "--post", post)
	if rv := decodeReview(t, out); !has(rv, "off_topic") {
		t.Errorf("a reply skipping “能不能在网上办”: %s", out)
	}
	code, out, _ := runCLIIn(t, nil, strings.NewReader(reply), "review", "--kind", "reply", "--post", post)
	if code != exitOK || !strings.Contains(out, "答非所问") {
		t.Errorf("human output: exit %d\n%s", code, out)
	}
}

func TestReviewCLIBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, []byte(strings.Repeat("很长的草稿", review.MaxRunes)), 0o644)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // in stderr
	}{
		{"empty stdin", "", []string{"review"}, "不能为空"},
		{"blank stdin", " \n\t\n", []string{"review"}, "不能为空"},
		{"invalid UTF-8", "\xff\xfe草稿", []string{"review"}, "UTF-8"},
		{"unknown kind", "草稿", []string{"review", "--kind", "weibo"}, "kind 须为 comment"},
		{"unknown class", "草稿", []string{"review", "--class", "吐槽"}, "class 须为"},
		{"post too long", "草稿", []string{"review", "--post", strings.Repeat("长", review.MaxRunes+1)}, "网友原帖过长"},
		{"missing file", "", []string{"review", filepath.Join(dir, "nope.txt")}, "草稿文件不存在"},
		{"folder", "", []string{"review", dir}, "是文件夹"},
		{"too long", strings.Repeat("长", review.MaxRunes+1), []string{"review"}, "草稿过长"},
		{"far too long file", "", []string{"review", big}, "草稿过长"},
		{"two files", "", []string{"review", "a.txt", "b.txt"}, "只能审核一篇草稿"},
		{"unknown flag", "", []string{"review", "--nope"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLIIn(t, nil, strings.NewReader(tt.stdin), tt.args...)
			if code != exitError || !strings.Contains(stderr, tt.want) || out != "" {
				t.Fatalf("exit %d stdout %q stderr %q; want exit %d, no output and %q", code, out, stderr, exitError, tt.want)
			}
			if !strings.HasPrefix(stderr, "错误：") {
				t.Errorf("stderr %q lacks the 错误： prefix", stderr)
			}
		})
	}
}

// deptRules is a department's phrase list: a local banned phrase.
const deptRules = `# 本局补充规则
doc: dept-local-rules
lists:
  - rule: confidential.local-codename
    category: confidential
    section: 本地禁用语
    message: "“某某某”是内部代称，不得出现在公开回复中。"
    entries:
      - phrase: 某某某
        suggestion: "写明公开身份，如“××街道工作人员”，或删去。"
`

// TestReviewDepartmentRules checks that a department's phrase file, given
// by --rules or GOVREPLY_RULES, is matched like the built-in lists.
//
// It depends on the real phrase check (review/phrasecheck.go): while that
// is still the stub, which matches nothing, the test skips and says so.
func TestReviewDepartmentRules(t *testing.T) {
	t.Parallel()
	if phraseCheckIsStub(t) {
		t.Skip("review's phrase check is still the stub (matches no built-in phrase); the department phrase cannot be flagged yet")
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "本局.yaml")
	os.WriteFile(rules, []byte(deptRules), 0o644)
	draft := "您好，某某某已到现场查看，明天18点前答复您，如有问题请拨打12345。"
	start := strings.Index(draft, "某某某")
	start = utf8.RuneCountInString(draft[:start])

	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte(strings.NewReplacer("dept-local-rules", "dept-other", "local-codename", "local-other", "某某某", "内部代号甲").Replace(deptRules)), 0o644)
	sep := string(os.PathListSeparator)
	for _, how := range []struct {
		name string
		env  map[string]string
		args []string
		text string
		want []string // phrases flagged by department rules
	}{
		{"flag", nil, []string{"--rules", rules}, draft, []string{"某某某"}},
		{"flags", nil, []string{"--rules", rules, "--rules", other}, draft + "内部代号甲", []string{"某某某", "内部代号甲"}},
		{"env", map[string]string{"GOVREPLY_RULES": rules}, nil, draft, []string{"某某某"}},
		{"env list", map[string]string{"GOVREPLY_RULES": other + sep + rules + sep}, nil, draft + "内部代号甲", []string{"某某某", "内部代号甲"}},
	} {
		t.Run(how.name, func(t *testing.T) {
			code, out, stderr := runCLIIn(t, how.env, strings.NewReader(how.text), append([]string{"review", "--json"}, how.args...)...)
			rv := decodeReview(t, out)
			var got []string
			for _, f := range rv.Findings {
				if !strings.HasPrefix(f.Rule, "confidential.local-") {
					continue
				}
				got = append(got, f.Excerpt)
				if f.Excerpt == "某某某" && (f.Rule != "confidential.local-codename" || f.Category != "confidential" || f.Severity != "error" ||
					f.Start != start || f.End != start+3 || f.Source.Doc != "dept-local-rules" || f.Source.Section != "本地禁用语" ||
					!strings.Contains(f.Suggestion, "××街道工作人员")) {
					t.Errorf("department finding %+v", f)
				}
			}
			if !slices.Equal(got, how.want) || *rv.Pass || code != exitFindings {
				t.Fatalf("department phrases flagged %v, want %v as errors (exit %d)\n%s%s", got, how.want, code, out, stderr)
			}
		})
	}
	// Without the rules file the phrase is ordinary text.
	_, out, _ := runCLIIn(t, nil, strings.NewReader(draft), "review", "--json")
	for _, f := range decodeReview(t, out).Findings {
		if f.Rule == "confidential.local-codename" {
			t.Fatalf("department rule applied without --rules: %+v", f)
		}
	}
}

// phraseCheckIsStub reports whether review.New's phrase check matches
// none of a few unambiguous built-in phrases.
func phraseCheckIsStub(t *testing.T) bool {
	t.Helper()
	rv, err := newReviewer(envConfigWith(nil))
	if err != nil {
		t.Fatal(err)
	}
	res, err := rv.Review("这是内部资料，无可奉告。领取优惠券。", review.KindPost)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		switch f.Rule {
		case "confidential.markers", "stonewalling.no-comment", "commercial.ads":
			return false
		}
	}
	return true
}

// envConfigWith is the configuration with rules files set.
func envConfigWith(rules []string) config {
	c := envConfig(noEnv)
	c.Rules = rules
	return c
}

// TestRulesFileErrors checks that a bad department file stops the command
// (exit 2) naming the file, the line and the reason, and that --rules
// overrides GOVREPLY_RULES. None of this depends on the checks.
func TestRulesFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"good.yaml":     deptRules,
		"typo.yaml":     strings.Replace(deptRules, "    message:", "    mesage:", 1),
		"short.yaml":    strings.Replace(deptRules, "phrase: 某某某", "phrase: 某", 1),
		"builtin.yaml":  strings.Replace(deptRules, "phrase: 某某某", "phrase: 内部资料", 1),
		"rule-id.yaml":  strings.Replace(deptRules, "confidential.local-codename", "confidential.markers", 1),
		"category.yaml": strings.Replace(deptRules, "category: confidential", "category: secret", 1),
		"broken.yaml":   "doc: x\nlists:\n  - rule: [unclosed\n",
		"empty.yaml":    "",
	})
	tests := []struct {
		name, file string
		want       []string
	}{
		{"unknown key", "typo.yaml", []string{"typo.yaml:7:", "未知的键“mesage”"}},
		{"phrase too short", "short.yaml", []string{"short.yaml:9:", "太短"}},
		{"built-in phrase repeated", "builtin.yaml", []string{"builtin.yaml:9:", "内部资料", "重复"}},
		{"built-in rule id repeated", "rule-id.yaml", []string{"rule-id.yaml:4:", "confidential.markers"}},
		{"unknown category", "category.yaml", []string{"category.yaml:5:", "secret"}},
		{"broken YAML", "broken.yaml", []string{"broken.yaml:", "YAML"}},
		{"empty", "empty.yaml", []string{"empty.yaml", "空"}},
		{"missing", "nope.yaml", []string{"nope.yaml", "不存在"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			for _, inv := range []struct {
				env  map[string]string
				args []string
			}{
				{nil, []string{"review", "--rules", filepath.Join(dir, "good.yaml"), "--rules", path}},
				{map[string]string{"GOVREPLY_RULES": path}, []string{"review"}},
			} {
				code, out, stderr := runCLIIn(t, inv.env, strings.NewReader("您好。"), inv.args...)
				if code != exitError || out != "" {
					t.Fatalf("%v: exit %d stdout %q, want %d and none", inv.args, code, out, exitError)
				}
				for _, w := range append([]string{"部门审核规则文件有误"}, tt.want...) {
					if !strings.Contains(stderr, w) {
						t.Errorf("%v: stderr lacks %q:\n%s", inv.args, w, stderr)
					}
				}
			}
		})
	}

	// Flags override the environment: a good --rules replaces a bad GOVREPLY_RULES.
	code, out, stderr := runCLIIn(t, map[string]string{"GOVREPLY_RULES": filepath.Join(dir, "typo.yaml")},
		strings.NewReader("您好。"), "review", "--json", "--rules", filepath.Join(dir, "good.yaml"))
	if code == exitError {
		t.Fatalf("--rules did not override GOVREPLY_RULES: %s", stderr)
	}
	decodeReview(t, out)

	// Every file of a GOVREPLY_RULES list is read.
	sep := string(os.PathListSeparator)
	code, _, stderr = runCLIIn(t, map[string]string{"GOVREPLY_RULES": filepath.Join(dir, "good.yaml") + sep + filepath.Join(dir, "typo.yaml")},
		strings.NewReader("您好。"), "review")
	if code != exitError || !strings.Contains(stderr, "typo.yaml:7:") {
		t.Fatalf("second file of GOVREPLY_RULES not checked: exit %d %s", code, stderr)
	}

	// serve fails at start on a bad rules file, before it listens.
	cfg := envConfigWith([]string{filepath.Join(dir, "typo.yaml")})
	cfg.Addr = freeAddr(t)
	err := serve(context.Background(), cfg, newApp, nil, slog.New(slog.DiscardHandler), io.Discard)
	if err == nil || !strings.Contains(message(err), "typo.yaml:7:") {
		t.Fatalf("serve with a bad rules file: %v", err)
	}
}
