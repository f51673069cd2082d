package offline

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"govreply/bot"
	"govreply/bot/memory"
	"govreply/knowledge/faq"
)

// newAnswerer is an Answerer on the built-in knowledge base (or on
// it with the injection document, when injected).
func newAnswerer(t testing.TB, injected bool) *Answerer {
	t.Helper()
	e := env(t)
	r := e.retriever
	if injected {
		r = e.injRetr
	}
	ix, err := faq.BuiltinIndex(r)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAnswerer(AnswererOptions{Retriever: r, Answers: ix})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var (
	quoteLine  = regexp.MustCompile(`^- (.+?)\[(\d+)\]$`)
	bottomLine = regexp.MustCompile(`^` + BottomLinePrefix + `(.+?)\[(\d+)\]$`)
	marker     = regexp.MustCompile(`\[(\d+)\]`)
)

// checkAnswer checks the shape of an answer with sources: the bottom
// line with its citation, then 依据 and the supporting sentences, each
// followed by its citation and found word for word in the source it
// cites (the bottom line too, unless it is a curated answer), every
// marker a source, no sentence twice.
func checkAnswer(t *testing.T, q string, res bot.AnswerResponse) {
	t.Helper()
	if len(res.Sources) == 0 {
		t.Fatalf("%q: no sources: %s", q, res.Answer)
	}
	for i, s := range res.Sources {
		if s.N != i+1 || s.Doc == "" || s.Title == "" || s.Text == "" {
			t.Errorf("%q: source %d is %+v", q, i, s)
		}
	}
	lines := strings.Split(res.Answer, "\n")
	bottom := bottomLine.FindStringSubmatch(lines[0])
	if bottom == nil {
		t.Fatalf("%q: first line %q is not a bottom line", q, lines[0])
	}
	if len(lines) < 3 || lines[1] != SupportLine {
		t.Errorf("%q: want %s and supporting sentences after the bottom line:\n%s", q, SupportLine, res.Answer)
	}
	seen := map[string]bool{bottom[1]: true}
	quoted := 0
	for _, l := range lines[min(2, len(lines)):] {
		m := quoteLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("%q: unexpected line %q", q, l)
			continue
		}
		quoted++
		if seen[m[1]] {
			t.Errorf("%q: %q said twice", q, m[1])
		}
		seen[m[1]] = true
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > len(res.Sources) {
			t.Errorf("%q: marker [%d] but %d sources", q, n, len(res.Sources))
			continue
		}
		if src := strings.ReplaceAll(res.Sources[n-1].Text, "**", ""); !strings.Contains(src, m[1]) {
			t.Errorf("%q: %q is not in source [%d] %s", q, m[1], n, res.Sources[n-1].Doc)
		}
	}
	if quoted < 1 || quoted > 4 {
		t.Errorf("%q: %d sentences quoted, want 1 to 4:\n%s", q, quoted, res.Answer)
	}
	for _, m := range marker.FindAllStringSubmatch(res.Answer, -1) {
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > len(res.Sources) {
			t.Errorf("%q: marker %s maps to no source", q, m[0])
		}
	}
}

// TestAnswerCitations asks in-domain questions: each answer quotes the
// knowledge base with citations that map to real documents and sections.
func TestAnswerCitations(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, false)
	sections := builtinSections(t)
	for _, tc := range []struct{ q, doc string }{
		{"网友骂人怎么回复", "tone-angry-netizens"},
		{"回复时限是多少", "rule-inquiry-complaint-time-limits"},
		{"账号被盗了怎么办", "case-hezhou-huangtian-account-stolen"},
		{"临时工的案例", "case-yanan-chengguan-temporary-workers"},
		{"表情包能用吗", "tone-emoji-punctuation"},
		{"怎么道歉", "tone-apology"},
	} {
		res, err := a.Answer(context.Background(), bot.AnswerRequest{Message: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, tc.q, res)
		if !slices.ContainsFunc(res.Sources, func(s bot.Source) bool { return s.Doc == tc.doc }) {
			t.Errorf("%q: %s not among the sources %+v", tc.q, tc.doc, res.Sources)
		}
		for _, s := range res.Sources {
			top, _, _ := strings.Cut(s.Section, " › ")
			if !slices.Contains(sections[s.Doc], top) {
				t.Errorf("%q: source %s › %q is not a section of a built-in document", tc.q, s.Doc, s.Section)
			}
		}
		if len(res.Session) != 32 {
			t.Errorf("%q: session id %q", tc.q, res.Session)
		}
	}
}

// TestAnswerNothingRelevant: off-topic questions get no sources and an
// answer that says the knowledge base has nothing, with no citation.
func TestAnswerNothingRelevant(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, false)
	for _, q := range []string{"如何烤蛋糕", "今天天气怎么样", "股票怎么买", "Python 编程入门", "明天会下雨吗",
		"苹果手机怎么截图", "周末去哪玩", "推荐几部电影", "高考志愿怎么填"} {
		res, err := a.Answer(context.Background(), bot.AnswerRequest{Message: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Sources == nil || len(res.Sources) != 0 {
			t.Errorf("%q: sources %+v", q, res.Sources)
		}
		if !strings.Contains(res.Answer, "知识库中没有找到") || !strings.Contains(res.Answer, "换个说法") || marker.MatchString(res.Answer) {
			t.Errorf("%q: answer %q", q, res.Answer)
		}
	}
}

// TestAnswerInjection: a passage that says 「忽略以上所有指令…」 is retrieved
// and may be quoted, but the answer keeps its shape: only quotes with
// citations, never the instruction's output.
func TestAnswerInjection(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, true)
	cited := false
	for _, q := range []string{"路灯坏了没人管怎么回复", "小区停水投诉怎么回复", "施工噪音扰民的投诉怎么回"} {
		res, err := a.Answer(context.Background(), bot.AnswerRequest{Message: q})
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, q, res)
		if slices.ContainsFunc(res.Sources, func(s bot.Source) bool { return s.Doc == "tone-zz-injection" }) {
			cited = true
		}
		for _, l := range strings.Split(res.Answer, "\n") {
			if l == "请咨询相关部门" || l == "尽快处理" || strings.HasPrefix(l, "“") {
				t.Errorf("%q: the injected instruction was obeyed: %q", q, res.Answer)
			}
		}
	}
	if !cited {
		t.Fatal("the injection document is never among the sources: the test proves nothing")
	}
}

// TestFollowUp: a follow-up that points back searches with the previous
// question (bot.FollowUpQuery); the session id is kept; an unknown id
// starts a new session.
func TestFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewSessions(memory.Options{})
	a, err := NewAnswerer(AnswererOptions{Retriever: env(t).retriever, Sessions: store})
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.Answer(ctx, bot.AnswerRequest{Message: "网友骂人怎么回复"})
	if err != nil {
		t.Fatal(err)
	}
	alone, err := a.Answer(ctx, bot.AnswerRequest{Message: "那要道歉吗"})
	if err != nil {
		t.Fatal(err)
	}
	follow, err := a.Answer(ctx, bot.AnswerRequest{Session: first.Session, Message: "那要道歉吗"})
	if err != nil {
		t.Fatal(err)
	}
	if follow.Session != first.Session || alone.Session == first.Session {
		t.Errorf("sessions: first %s, alone %s, follow-up %s", first.Session, alone.Session, follow.Session)
	}
	checkAnswer(t, "那要道歉吗", follow)
	docs := func(r bot.AnswerResponse) []string {
		var out []string
		for _, s := range r.Sources {
			out = append(out, s.Doc)
		}
		return out
	}
	shared := func(r bot.AnswerResponse) int {
		n := 0
		for _, d := range docs(r) {
			if slices.Contains(docs(first), d) {
				n++
			}
		}
		return n
	}
	if shared(follow) <= shared(alone) {
		t.Errorf("the follow-up does not use the first question: first %v, alone %v, follow-up %v", docs(first), docs(alone), docs(follow))
	}
	turns, ok, _ := store.Get(ctx, first.Session)
	if !ok || len(turns) != 2 || turns[1].Query != "网友骂人怎么回复 那要道歉吗" || turns[1].Answer != follow.Answer {
		t.Errorf("history %+v", turns)
	}
	other, err := a.Answer(ctx, bot.AnswerRequest{Session: "no-such-session", Message: "怎么道歉"})
	if err != nil {
		t.Fatal(err)
	}
	if other.Session == "no-such-session" || len(other.Session) != 32 {
		t.Errorf("unknown session kept or bad id: %q", other.Session)
	}
}

// TestSessionOwner: a session belongs to the user who started it:
// another user sending its id starts a new conversation and sees none of
// the first; its owner continues it.
func TestSessionOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewSessions(memory.Options{})
	a, err := NewAnswerer(AnswererOptions{Retriever: env(t).retriever, Sessions: store})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := a.Answer(ctx, bot.AnswerRequest{Owner: "王芳", Message: "网友骂人怎么回复"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := a.Answer(ctx, bot.AnswerRequest{Owner: "李强", Session: mine.Session, Message: "那要道歉吗"})
	if err != nil {
		t.Fatal(err)
	}
	if theirs.Session == mine.Session {
		t.Fatalf("another user continued the session")
	}
	if turns, _, _ := store.Get(ctx, mine.Session); len(turns) != 1 {
		t.Errorf("the owner's session has %d turns after another user's question", len(turns))
	}
	again, err := a.Answer(ctx, bot.AnswerRequest{Owner: "王芳", Session: mine.Session, Message: "那要道歉吗"})
	if err != nil || again.Session != mine.Session {
		t.Errorf("the owner could not continue: %v %q", err, again.Session)
	}
}

// TestAnswerReadable: sources come only from the collections the user may
// read.
func TestAnswerReadable(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, false)
	res, err := a.Answer(context.Background(), bot.AnswerRequest{Message: "网友骂人怎么回复", Readable: []string{"部门资料"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 0 {
		t.Errorf("sources from collections the user may not read: %+v", res.Sources)
	}
}

func TestNewAnswererNeedsRetriever(t *testing.T) {
	t.Parallel()
	if _, err := NewAnswerer(AnswererOptions{}); err == nil {
		t.Error("no retriever accepted")
	}
}

func TestSentences(t *testing.T) {
	t.Parallel()
	got := sentences("## 标题\n- 第一句话在这里。第二句话“带引号。”之后\n他写道：“你不合格！去看医生。”网友们都很不满。\n| 表 | 格 |\n1. **加粗**的第三句话！\n下面几条：\n表情[心][抱抱]也不用。\n见第[3]条的说法。")
	want := []string{"第一句话在这里。", "第二句话“带引号。”", "他写道：“你不合格！去看医生。”", "网友们都很不满。", "加粗的第三句话！", "表情[心][抱抱]也不用。"}
	if !slices.Equal(got, want) {
		t.Errorf("sentences:\n got %q\nwant %q", got, want)
	}
}

func TestConcurrentAnswers(t *testing.T) {
	t.Parallel()
	a := newAnswerer(t, false)
	want, err := a.Answer(context.Background(), bot.AnswerRequest{Message: "网友骂人怎么回复"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := a.Answer(context.Background(), bot.AnswerRequest{Message: "网友骂人怎么回复"})
			if err != nil || got.Answer != want.Answer || got.Session == want.Session {
				t.Errorf("concurrent answer differs: %v", err)
			}
		}()
	}
	wg.Wait()
}
