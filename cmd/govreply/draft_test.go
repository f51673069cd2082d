package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

// fakeDrafter returns a fixed response (or err) and records what it was
// asked, so these tests pin down only the CLI.
type fakeDrafter struct {
	mu    sync.Mutex
	res   bot.DraftResponse
	err   error
	calls []bot.DraftRequest
	ctxs  []context.Context
}

func (f *fakeDrafter) Draft(ctx context.Context, req bot.DraftRequest) (bot.DraftResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	f.ctxs = append(f.ctxs, ctx)
	return f.res, f.err
}

const (
	fakeText1 = "您好，路灯不亮给您出行添麻烦了。我们已派人今天下午到现场检修，【待核实：修复日期】前修好。如有问题请拨打12345。"
	fakeText2 = "您好，无可奉告，我们会尽快处理。"
)

// fakeResponse is a complaint with one passing and one failing draft.
func fakeResponse() bot.DraftResponse {
	return bot.DraftResponse{
		Classification: bot.Complaint,
		Analysis: &bot.Analysis{Class: bot.Complaint, Subject: "路灯", Place: "幸福里小区", Duration: "一周",
			Wants: bot.WantAction, Emotion: bot.Dissatisfied},
		Drafts: []bot.Variant{
			{
				Text: fakeText1,
				Review: review.Review{Kind: review.KindReply, Length: 58, Limit: 2000, Score: 100, Pass: true,
					Findings: []review.Finding{}},
				Citations: []bot.Citation{
					{Doc: "tone-empathy", Title: "先共情再说事", Section: "开头怎么写"},
					{Doc: "rule-deadline", Title: "回应时限", Section: ""},
				},
			},
			{
				Text: fakeText2,
				Review: review.Review{Kind: review.KindReply, Length: 16, Limit: 2000, Score: 55, Pass: false,
					Findings: []review.Finding{
						{Rule: "stonewalling.no-comment", Category: "stonewalling", Severity: review.SeverityError,
							Start: 3, End: 7, Excerpt: "无可奉告", Message: "拒绝沟通，激化矛盾", Suggestion: "说明能说的部分",
							Source: review.Source{Doc: "tone-no-buck-passing", Section: "禁用语"}},
						{Rule: "missing_contact.reply", Category: "missing_contact", Severity: review.SeverityWarning,
							Start: 0, End: 16, Excerpt: fakeText2, Message: "没有后续联系渠道"},
					}},
				// no citations: printed as 无, and [] in JSON
			},
		},
		ToVerify: []string{"修复日期", "维修联系人电话"},
	}
}

func TestDraftHuman(t *testing.T) {
	t.Parallel()
	fd := &fakeDrafter{res: fakeResponse()}
	fc := fakeParts(t, &app{drafter: fd})
	code, out, stderr := fc.runIn(nil, "draft", "--facts", "已派维修班组", "小区门口路灯坏了，", "什么时候修？")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		"分类：投诉\n读帖：类别 投诉　事项 路灯　地点 幸福里小区　时长 一周　诉求 要求办理　情绪 不满\n",
		"草稿 1（回复，字数 58/2000）\n  " + fakeText1 + "\n审核：100/100　通过\n",
		"依据：\n  - tone-empathy › 开头怎么写（先共情再说事）\n  - rule-deadline（回应时限）\n",
		"草稿 2（回复，字数 16/2000）\n  " + fakeText2 + "\n审核：55/100　未通过（问题 2 处）\n",
		"  - 错误 · 推诿搪塞 “无可奉告”：拒绝沟通，激化矛盾\n",
		"  - 警告 · 缺少联系渠道：没有后续联系渠道\n", // a whole-draft finding repeats no excerpt
		"依据：无\n",
		"需要核实/补充：\n  1. 修复日期\n  2. 维修联系人电话\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(fd.calls) != 1 {
		t.Fatalf("Draft called %d times", len(fd.calls))
	}
	want := bot.DraftRequest{Post: "小区门口路灯坏了， 什么时候修？", Facts: "已派维修班组", Kind: review.KindReply, Tone: bot.Warm}
	if !reflect.DeepEqual(fd.calls[0], want) {
		t.Fatalf("request %+v, want %+v (arguments joined, defaults reply and 亲切)", fd.calls[0], want)
	}

	// Nothing to verify, nothing drafted.
	fd.res = bot.DraftResponse{Classification: bot.Praise}
	code, out, _ = fc.runIn(nil, "draft", "谢谢你们")
	if code != exitOK || !strings.Contains(out, "分类：表扬") || !strings.Contains(out, "没有生成草稿") || !strings.Contains(out, "需要核实/补充：无") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestDraftJSONShape checks that --json prints exactly the DraftResponse
// (the response of POST /v1/drafts), with [] (never null) for empty lists.
func TestDraftJSONShape(t *testing.T) {
	t.Parallel()
	res := fakeResponse()
	res.Drafts[1].Review.Findings = nil
	fc := fakeParts(t, &app{drafter: &fakeDrafter{res: res}})
	code, out, stderr := fc.runIn(nil, "draft", "--json", "路灯坏了")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if got := slices.Sorted(mapKeys(obj)); !slices.Equal(got, []string{"analysis", "classification", "drafts", "to_verify"}) {
		t.Fatalf("keys %v", got)
	}
	var analysis map[string]json.RawMessage
	json.Unmarshal(obj["analysis"], &analysis)
	if got := slices.Sorted(mapKeys(analysis)); !slices.Equal(got, []string{"class", "duration", "emotion", "place", "subject", "urgent", "wants"}) {
		t.Fatalf("analysis keys %v", got)
	}
	var drafts []map[string]json.RawMessage
	json.Unmarshal(obj["drafts"], &drafts)
	if len(drafts) != 2 {
		t.Fatalf("drafts %s", obj["drafts"])
	}
	for i, d := range drafts {
		if got := slices.Sorted(mapKeys(d)); !slices.Equal(got, []string{"citations", "review", "text"}) {
			t.Fatalf("draft %d keys %v", i, got)
		}
		var rv map[string]json.RawMessage
		json.Unmarshal(d["review"], &rv)
		if got := slices.Sorted(mapKeys(rv)); !slices.Equal(got, []string{"findings", "kind", "length", "limit", "pass", "score"}) {
			t.Fatalf("draft %d review keys %v", i, got)
		}
		if string(rv["findings"]) == "null" {
			t.Errorf("draft %d: findings null, want []", i)
		}
	}
	var cites []map[string]string
	json.Unmarshal(drafts[0]["citations"], &cites)
	if len(cites) != 2 || cites[0]["doc"] != "tone-empathy" || cites[0]["title"] != "先共情再说事" || cites[0]["section"] != "开头怎么写" ||
		len(cites[0]) != 3 {
		t.Fatalf("citations %s", drafts[0]["citations"])
	}
	if string(drafts[1]["citations"]) != "[]" {
		t.Fatalf("no citations: %s, want []", drafts[1]["citations"])
	}
	var back bot.DraftResponse
	if err := json.Unmarshal([]byte(out), &back); err != nil || back.Classification != bot.Complaint ||
		back.Drafts[0].Text != fakeText1 || !slices.Equal(back.ToVerify, []string{"修复日期", "维修联系人电话"}) {
		t.Fatalf("round trip %v: %+v", err, back)
	}

	// Empty lists are [] too.
	fc = fakeParts(t, &app{drafter: &fakeDrafter{res: bot.DraftResponse{Classification: bot.Other}}})
	_, out, _ = fc.runIn(nil, "draft", "--json", "你好")
	if !strings.Contains(out, `"drafts": []`) || !strings.Contains(out, `"to_verify": []`) {
		t.Fatalf("empty lists:\n%s", out)
	}
}

// TestDraftInputs checks where the post and facts come from: arguments,
// stdin (none or -), --facts, --facts-file (a file, or - with the post on
// the command line), and that --kind, --tone and the context reach Draft.
func TestDraftInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	factsPath := filepath.Join(dir, "facts.txt")
	os.WriteFile(factsPath, []byte("\uFEFF已派人检修，周五前修好。\n"), 0o644)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  bot.DraftRequest
	}{
		{"stdin", "\uFEFF路灯坏了\r\n第二行\n", []string{"draft"},
			bot.DraftRequest{Post: "路灯坏了\r\n第二行", Kind: review.KindReply, Tone: bot.Warm}},
		{"dash", "路灯坏了\n", []string{"draft", "--kind", "comment", "--tone", "简洁", "-"},
			bot.DraftRequest{Post: "路灯坏了", Kind: review.KindComment, Tone: bot.Concise}},
		{"facts file", "", []string{"draft", "--facts-file", factsPath, "--kind", "post", "--tone", "正式", "路灯坏了"},
			bot.DraftRequest{Post: "路灯坏了", Facts: "已派人检修，周五前修好。", Kind: review.KindPost, Tone: bot.Formal}},
		{"facts from stdin", "周五前修好\n", []string{"draft", "--facts-file", "-", "路灯坏了"},
			bot.DraftRequest{Post: "路灯坏了", Facts: "周五前修好", Kind: review.KindReply, Tone: bot.Warm}},
		{"longest post", "", []string{"draft", strings.Repeat("灯", bot.MaxPostRunes)},
			bot.DraftRequest{Post: strings.Repeat("灯", bot.MaxPostRunes), Kind: review.KindReply, Tone: bot.Warm}},
	}
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "cli")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := &fakeDrafter{res: fakeResponse()}
			var out, errb strings.Builder
			code := run(ctx, invocation{args: append(tt.args, "--json"), getenv: noEnv, stdin: strings.NewReader(tt.stdin),
				stdout: &out, stderr: &errb, open: partsOpener(&app{drafter: fd})})
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if len(fd.calls) != 1 || !reflect.DeepEqual(fd.calls[0], tt.want) {
				t.Fatalf("requests %+v, want %+v", fd.calls, tt.want)
			}
			if fd.ctxs[0].Value(key{}) != "cli" {
				t.Fatal("Draft did not get the command's context")
			}
		})
	}
}

func TestDraftBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bigFacts := filepath.Join(dir, "big.txt")
	os.WriteFile(bigFacts, []byte(strings.Repeat("情况", bot.MaxFactsRunes)), 0o644)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		drafter bot.Drafter // nil: a fake that must not be called
		want    string      // in stderr
	}{
		{"empty argument", "", []string{"draft", ""}, nil, "网友帖子不能为空"},
		{"blank argument", "", []string{"draft", " \t"}, nil, "网友帖子不能为空"},
		{"empty stdin", "", []string{"draft"}, nil, "网友帖子不能为空"},
		{"blank stdin", " \n\n", []string{"draft", "-"}, nil, "网友帖子不能为空"},
		{"invalid UTF-8", "\xff\xfe路灯", []string{"draft"}, nil, "UTF-8"},
		{"post too long", "", []string{"draft", strings.Repeat("长", bot.MaxPostRunes+1)}, nil, "网友帖子过长：2001 字，最多 2000 字"},
		{"stdin far too long", strings.Repeat("长", 4*bot.MaxPostRunes), []string{"draft"}, nil, "网友帖子过长"},
		{"facts too long", "", []string{"draft", "--facts", strings.Repeat("况", bot.MaxFactsRunes+1), "路灯"}, nil, "已知情况过长"},
		{"facts file too long", "", []string{"draft", "--facts-file", bigFacts, "路灯"}, nil, "已知情况过长"},
		{"missing facts file", "", []string{"draft", "--facts-file", filepath.Join(dir, "nope.txt"), "路灯"}, nil, "已知情况文件不存在"},
		{"facts file is a folder", "", []string{"draft", "--facts-file", dir, "路灯"}, nil, "是文件夹"},
		{"both facts flags", "", []string{"draft", "--facts", "x", "--facts-file", bigFacts, "路灯"}, nil, "只能给一个"},
		{"both from stdin", "路灯", []string{"draft", "--facts-file", "-"}, nil, "不能都从标准输入读取"},
		{"unknown kind", "", []string{"draft", "--kind", "weibo", "路灯"}, nil, "kind 须为 comment"},
		{"unknown tone", "", []string{"draft", "--tone", "严厉", "路灯"}, nil, "tone 须为 亲切、正式 或 简洁"},
		{"unknown flag", "", []string{"draft", "--nope", "路灯"}, nil, "unknown flag"},
		{"drafter input error", "", []string{"draft", "路灯"},
			&fakeDrafter{err: errs.E("fake", errs.Invalid, errs.Code("post_unusable"), "帖子无法起草")}, "帖子无法起草"},
		{"drafter failure", "", []string{"draft", "路灯"}, &fakeDrafter{err: errors.New("boom")}, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := &fakeDrafter{res: fakeResponse()}
			dr := tt.drafter
			if dr == nil {
				dr = fd
			}
			fc := fakeParts(t, &app{drafter: dr})
			code, out, stderr := fc.runIn(strings.NewReader(tt.stdin), tt.args...)
			if code != exitError || !strings.Contains(stderr, tt.want) || out != "" {
				t.Fatalf("exit %d stdout %q stderr %q; want exit %d, no output and %q", code, out, stderr, exitError, tt.want)
			}
			if !strings.HasPrefix(stderr, "错误：") {
				t.Errorf("stderr %q lacks the 错误： prefix", stderr)
			}
			if tt.drafter == nil && len(fd.calls) > 0 {
				t.Errorf("Draft called for bad input: %+v", fd.calls)
			}
		})
	}

	// Without a drafter the command says drafting is not available.
	code, _, stderr := fakeParts(t, &app{}).runIn(nil, "draft", "路灯")
	if code != exitError || !strings.Contains(stderr, "起草功能未启用") {
		t.Fatalf("nil drafter: exit %d %s", code, stderr)
	}
}

// TestUnknownLLM: an --llm that names no model server is a usage error.
func TestUnknownLLM(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, nil, "draft", "--llm", "gpt", "路灯")
	if code != exitError || !strings.Contains(stderr, "未知的大模型 gpt") {
		t.Fatalf("unknown --llm: exit %d %s", code, stderr)
	}
}

// TestDraftCLIBuiltin drafts end to end on the embedded default: the
// in-memory store with the built-in knowledge base, the offline Composer
// and the real reviewer. It checks the shape of the answer, not its
// wording (bot's tests cover that).
func TestDraftCLIBuiltin(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, nil, "draft", "--json", "小区门口路灯坏了一个星期了，晚上很黑，什么时候修？")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Classification string `json:"classification"`
		Drafts         []struct {
			Text      string          `json:"text"`
			Review    json.RawMessage `json:"review"`
			Citations []bot.Citation  `json:"citations"`
		} `json:"drafts"`
		ToVerify []string `json:"to_verify"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.ToVerify == nil {
		t.Fatalf("not the draft response (%v):\n%s", err, out)
	}
	classes := []bot.Classification{bot.Complaint, bot.Inquiry, bot.Suggestion, bot.HelpCall, bot.Rumour, bot.Praise, bot.Other}
	if !slices.Contains(classes, bot.Classification(res.Classification)) {
		t.Fatalf("classification %q", res.Classification)
	}
	if n := len(res.Drafts); n < 2 || n > 3 {
		t.Fatalf("%d drafts, want 2 or 3:\n%s", n, out)
	}
	for i, d := range res.Drafts {
		rv := decodeReview(t, string(d.Review))
		if strings.TrimSpace(d.Text) == "" || rv.Kind != "reply" || rv.Limit != 2000 || rv.Length != review.Length(d.Text) ||
			rv.Score < 0 || rv.Score > 100 || d.Citations == nil {
			t.Fatalf("draft %d: %+v\n%s", i+1, rv, out)
		}
		for _, c := range d.Citations {
			if c.Doc == "" || c.Title == "" {
				t.Errorf("draft %d: citation %+v lacks doc or title", i+1, c)
			}
		}
	}
}
