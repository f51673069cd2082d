package main

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"govreply/bot"
	botpg "govreply/bot/postgres"
	"govreply/internal/pgdb"
)

// fakeAnswerer returns a fixed answer (a new session "s-new" unless the
// session asked for is "s-known") and records the requests.
type fakeAnswerer struct {
	mu    sync.Mutex
	res   bot.AnswerResponse
	err   error
	calls []bot.AnswerRequest
}

func (f *fakeAnswerer) Answer(_ context.Context, req bot.AnswerRequest) (bot.AnswerResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	res := f.res
	res.Session = "s-new"
	if req.Session == "s-known" {
		res.Session = req.Session
	}
	return res, f.err
}

func fakeAnswer() bot.AnswerResponse {
	return bot.AnswerResponse{
		Answer: "结论：遇到连续辱骂时，可以换人接手，先冷静再回复。[1]\n依据：\n- 道歉还应说明今后怎样防止再犯。[2]",
		Sources: []bot.Source{
			{N: 1, Doc: "tone-angry-netizens", Title: "面对情绪激动或辱骂的网友", Section: "值班编辑也要被照顾", Text: "遇到连续辱骂时……"},
			{N: 2, Doc: "tone-apology", Title: "", Section: "", Text: "道歉还应……"},
		},
	}
}

func TestAskHuman(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: fakeAnswer()}
	fc := fakeParts(t, &app{answerer: fa})
	code, out, stderr := fc.run("ask", "网友骂人", "怎么回复？")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := fakeAnswer().Answer + "\n\n来源：\n" +
		"  1. 面对情绪激动或辱骂的网友 › 值班编辑也要被照顾（tone-angry-netizens）\n" +
		"  2. tone-apology（tone-apology）\n"
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	if len(fa.calls) != 1 || !reflect.DeepEqual(fa.calls[0], bot.AnswerRequest{Message: "网友骂人 怎么回复？"}) {
		t.Errorf("calls %+v", fa.calls)
	}

	// Nothing found: no sources.
	fc = fakeParts(t, &app{answerer: &fakeAnswerer{res: bot.AnswerResponse{Answer: "知识库中没有找到与“如何烤蛋糕”相关的内容。"}}})
	_, out, _ = fc.run("ask", "如何烤蛋糕")
	if !strings.HasSuffix(out, "\n\n来源：无\n") {
		t.Errorf("output %q", out)
	}
}

func TestAskJSONAndSession(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: fakeAnswer()}
	fc := fakeParts(t, &app{answerer: fa})
	code, out, stderr := fc.run("ask", "--json", "--session", "s-known", "那要道歉吗")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got bot.AnswerResponse
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Session != "s-known" || got.Answer != fakeAnswer().Answer || len(got.Sources) != 2 || got.Sources[1].N != 2 {
		t.Errorf("json %+v", got)
	}
	if fa.calls[0].Session != "s-known" {
		t.Errorf("session not passed on: %+v", fa.calls)
	}
	// An unknown session: a new one, and a note on stderr.
	code, out, stderr = fc.run("ask", "--json", "--session", "gone", "那要道歉吗")
	if code != 0 || !strings.Contains(stderr, "会话 gone 不存在或已过期") || !strings.Contains(out, `"session": "s-new"`) {
		t.Errorf("unknown session: %d %q %q", code, out, stderr)
	}
	// No sources is [] in JSON.
	fc = fakeParts(t, &app{answerer: &fakeAnswerer{res: bot.AnswerResponse{Answer: "没有"}}})
	_, out, _ = fc.run("ask", "--json", "如何烤蛋糕")
	if !strings.Contains(out, `"sources": []`) {
		t.Errorf("json %s", out)
	}
}

func TestAskErrors(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: fakeAnswer()}
	fc := fakeParts(t, &app{answerer: fa})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ask"}, "requires at least 1 arg"},
		{[]string{"ask", "  "}, "请输入要问的问题"},
		{[]string{"ask", strings.Repeat("问", bot.MaxMessageRunes+1)}, "问题过长"},
	} {
		code, _, stderr := fc.run(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%.30q: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
	if len(fa.calls) != 0 {
		t.Errorf("answerer asked for invalid questions: %+v", fa.calls)
	}
	fc = fakeParts(t, &app{answerer: &fakeAnswerer{err: errors.New("检索知识库失败：boom")}})
	if code, _, stderr := fc.run("ask", "问"); code != 2 || !strings.Contains(stderr, "检索知识库失败") {
		t.Errorf("answerer error: %d %q", code, stderr)
	}
	fc = fakeParts(t, &app{answerer: nil})
	if code, _, stderr := fc.run("ask", "问"); code != 2 || !strings.Contains(stderr, "问答功能未启用") {
		t.Errorf("no answerer: %d %q", code, stderr)
	}
}

// TestAskBuiltin runs the real offline answerer on the built-in
// knowledge base: an answer with citations that map to its sources, and
// the question read from standard input.
func TestAskBuiltin(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLIIn(t, nil, strings.NewReader("网友在评论里骂人，怎么回复？\n"), "ask", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res bot.AnswerResponse
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) == 0 || len(res.Session) != 32 {
		t.Fatalf("answer %+v", res)
	}
	marks := regexp.MustCompile(`\[(\d+)\]`).FindAllStringSubmatch(res.Answer, -1)
	if len(marks) < 2 {
		t.Fatalf("fewer than two citations: %s", res.Answer)
	}
	for _, m := range marks {
		if m[1] == "0" || len(m[1]) > 1 || int(m[1][0]-'0') > len(res.Sources) {
			t.Errorf("marker %s maps to no source", m[0])
		}
	}
	code, out, _ = runCLI(t, nil, "ask", "今天天气怎么样")
	if code != 0 || !strings.Contains(out, "知识库中没有找到") || !strings.HasSuffix(out, "来源：无\n") {
		t.Errorf("off-topic: %d %s", code, out)
	}
}

// TestAskSessionPostgres: with DATABASE_URL the session is kept in the
// database, so a second process (runCLI again, with everything reopened)
// continues it, with the first question as history.
func TestAskSessionPostgres(t *testing.T) {
	t.Parallel()
	env := pgEnv(t)
	ask := func(args ...string) (bot.AnswerResponse, string) {
		t.Helper()
		code, out, stderr := runCLI(t, env, append([]string{"ask", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("ask %v: exit %d: %s", args, code, stderr)
		}
		var res bot.AnswerResponse
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("not JSON: %s", out)
		}
		return res, stderr
	}
	first, _ := ask("网友在评论里骂人，怎么回复？")
	if len(first.Session) != 32 {
		t.Fatalf("session %q", first.Session)
	}
	second, stderr := ask("--session", first.Session, "那要道歉吗")
	if second.Session != first.Session || strings.Contains(stderr, "不存在或已过期") {
		t.Fatalf("session not continued: %q after %q, stderr %q", second.Session, first.Session, stderr)
	}

	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: env["DATABASE_URL"], Components: []pgdb.Component{botpg.Component()}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	turns, ok, err := botpg.NewSessions(db, botpg.Options{}).Get(context.Background(), first.Session)
	if err != nil || !ok || len(turns) != 2 {
		t.Fatalf("stored session: %+v %v %v", turns, ok, err)
	}
	if turns[0].Question != "网友在评论里骂人，怎么回复？" || turns[1].Question != "那要道歉吗" ||
		turns[1].Answer != second.Answer || !strings.Contains(turns[1].Query, "骂人") {
		t.Errorf("stored turns %+v", turns)
	}

	// Without DATABASE_URL the id is unknown to the new process.
	code, out, stderr := runCLI(t, nil, "ask", "--json", "--session", first.Session, "那要道歉吗")
	if code != 0 || strings.Contains(out, first.Session) || !strings.Contains(stderr, "不存在或已过期") {
		t.Errorf("memory sessions: %d %s %q", code, out, stderr)
	}
}
