package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"govreply/internal/browsertest"
	"govreply/internal/docxtest"
	"govreply/review"
	"govreply/training"
)

// The browser tests run `govreply serve` as a user starts it (the
// embedded default: memory store, built-in knowledge base, offline
// assistant, or a fake OpenAI-compatible model where a test needs one)
// and drive Debian's chromium through the web workspace.

// offlineWorkspace serves the embedded default for one test.
func offlineWorkspace(t *testing.T) string {
	t.Helper()
	return mustServe(t, offlineConfig())
}

// postJSON calls the API as a client other than the browser would.
func postJSON(t *testing.T, base, path string, body any, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	url := base + path
	resp, err := apiClient(t, base).Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("POST %s: %v: %s", url, err, data)
	}
}

// signIn signs the tab in to the service at base as the administrator,
// through the login page.
func signIn(t *testing.T, tab *browsertest.Tab, base string) {
	t.Helper()
	tab.Open(t, base+"/login", "")
	setField(t, tab, "login-form", "username", "admin")
	setField(t, tab, "login-form", "password", testAdminPassword)
	submit(t, tab, "login-form")
	tab.Wait(t, `location.pathname !== "/login" && window.GR !== undefined`)
}

// setField sets a form field by name as a user typing would (an input
// event follows), so the page's live counts and saved drafts see it.
func setField(tb testing.TB, tab *browsertest.Tab, form, name, value string) {
	tb.Helper()
	v, _ := json.Marshal(value)
	browsertest.Eval[bool](tb, tab, fmt.Sprintf(`(() => {
		const f = document.getElementById(%q).elements.namedItem(%q);
		f.value = %s;
		f.dispatchEvent(new Event("input", {bubbles: true}));
		f.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, form, name, v))
}

// submit submits a form through its own submit button.
func submit(tb testing.TB, tab *browsertest.Tab, form string) {
	tb.Helper()
	browsertest.Eval[bool](tb, tab, fmt.Sprintf(`(document.getElementById(%q).requestSubmit(), true)`, form))
}

func noProblems(t *testing.T, tab *browsertest.Tab, where string) {
	t.Helper()
	if p := tab.Problems(); len(p) > 0 {
		t.Errorf("%s: the page reported problems: %q", where, p)
	}
}

// TestBrowserDraft: the 起草 page drafts through POST /v1/drafts and
// shows the analysis, each draft with its count, score, verdict and
// citations; citations open the cited section; 改写 shows a rewrite; a
// missing fact is a highlighted 【待核实】 placeholder; an error is shown
// beside the field that caused it and nothing typed is lost.
func TestBrowserDraft(t *testing.T) {
	base := offlineWorkspace(t)
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/draft", "")

	// An empty post: the error is beside the post box; the facts stay.
	setField(t, tab, "draft-form", "facts", "已派人检修。")
	submit(t, tab, "draft-form")
	tab.Wait(t, `!document.getElementById("post-error").hidden`)
	if got := browsertest.Eval[string](t, tab, `document.getElementById("post-error").textContent`); !strings.Contains(got, "帖子") {
		t.Errorf("error beside the post box: %q", got)
	}
	if got := browsertest.Eval[string](t, tab, `document.getElementById("facts").value`); got != "已派人检修。" {
		t.Errorf("facts after the error: %q", got)
	}
	tab.Problems() // the 400 the browser logged is the one asked for

	post := "我们小区停水三天了，打了好几次电话都没人管！"
	setField(t, tab, "draft-form", "post", post)
	setField(t, tab, "draft-form", "facts", "")
	submit(t, tab, "draft-form")
	tab.Wait(t, `document.querySelectorAll('[data-role="draft"]').length > 0`)

	var api struct {
		Classification string `json:"classification"`
		Drafts         []struct {
			Text   string        `json:"text"`
			Review review.Review `json:"review"`
		} `json:"drafts"`
		ToVerify []string `json:"to_verify"`
	}
	postJSON(t, base, "/v1/drafts", map[string]string{"post": post, "kind": "reply", "tone": "亲切"}, &api)

	type shown struct {
		Text, Score, Verdict, Count string
		Citations, Verify           int
		VerifyText                  []string
	}
	got := browsertest.Eval[[]shown](t, tab, `[...document.querySelectorAll('[data-role="draft"]')].map(d => ({
		Text: d.querySelector('[data-role="draft-text"]').textContent,
		Score: d.querySelector('[data-role="score"]').textContent,
		Verdict: d.querySelector('[data-role="verdict"]').textContent,
		Count: d.querySelector('[data-role="count"]').textContent,
		Citations: d.querySelectorAll('[data-role="citation"]').length,
		Verify: new Set([...d.querySelectorAll('mark.verify')].flatMap(m => m.dataset.marks.split(" ").filter(id => id.startsWith("v")))).size,
		VerifyText: [...new Set([...d.querySelectorAll('mark.verify')].flatMap(m => m.dataset.marks.split(" ").filter(id => id.startsWith("v"))))]
			.map(id => [...d.querySelectorAll('mark.verify')].filter(m => m.dataset.marks.split(" ").includes(id)).map(m => m.textContent).join("")),
	}))`)
	if len(got) != len(api.Drafts) {
		t.Fatalf("page shows %d drafts, the API gives %d", len(got), len(api.Drafts))
	}
	anyVerify := false
	for i, d := range got {
		a := api.Drafts[i]
		verdict := map[bool]string{true: "通过", false: "未通过"}[a.Review.Pass]
		if d.Text != a.Text || d.Score != fmt.Sprintf("%d 分", a.Review.Score) || d.Verdict != verdict {
			t.Errorf("draft %d: page %+v, API text %q score %d pass %v", i+1, d, a.Text, a.Review.Score, a.Review.Pass)
		}
		if want := fmt.Sprintf("字数 %d / %d", review.Length(a.Text), review.KindReply.Limit()); d.Count != want {
			t.Errorf("draft %d: count %q, want %q", i+1, d.Count, want)
		}
		if d.Citations == 0 {
			t.Errorf("draft %d: no citation", i+1)
		}
		if n := strings.Count(a.Text, "【"); d.Verify != n {
			t.Errorf("draft %d: %d placeholders marked, the text has %d", i+1, d.Verify, n)
		}
		for _, v := range d.VerifyText {
			if !strings.HasPrefix(v, "【") || !strings.HasSuffix(v, "】") {
				t.Errorf("draft %d: placeholder mark %q", i+1, v)
			}
		}
		anyVerify = anyVerify || d.Verify > 0
	}
	if !anyVerify {
		t.Errorf("without facts, no draft has a 【待核实】 placeholder")
	}
	if cls := browsertest.Eval[string](t, tab, `document.querySelector('#analysis [data-field="类别"]').textContent`); cls != api.Classification {
		t.Errorf("analysis class %q, API %q", cls, api.Classification)
	}

	// 复制 puts the draft on the clipboard (a real click: the browser asks
	// for a user gesture).
	tab.Do(t, chromedp.Click(chromedp.CSS(`[data-role="draft"] .actions button`)))
	tab.Wait(t, `document.querySelector('[data-role="draft"] .actions button').textContent !== "复制"`)
	if got := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="draft"] .actions button').textContent`); got != "已复制" {
		t.Errorf("copy button says %q", got)
	}

	// 编辑: the count follows the typing; 重新审核 reviews the edit.
	browsertest.Eval[bool](t, tab, `([...document.querySelectorAll('#draft-1 button')].find(b => b.textContent === "编辑").click(), true)`)
	edited := api.Drafts[0].Text + "我们保证百分之百彻底解决。"
	v, _ := json.Marshal(edited)
	browsertest.Eval[bool](t, tab, `(() => { const b = document.querySelector('#draft-1 [data-role="draft-edit"]');
		b.value = `+string(v)+`; b.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	if got, want := browsertest.Eval[string](t, tab, `document.querySelector('#draft-1 .count').textContent`),
		fmt.Sprintf("字数 %d / %d", review.Length(edited), review.KindReply.Limit()); got != want {
		t.Errorf("count while editing %q, want %q", got, want)
	}
	browsertest.Eval[bool](t, tab, `([...document.querySelectorAll('#draft-1 button')].find(b => b.textContent === "重新审核").click(), true)`)
	tab.Wait(t, `document.querySelector('#draft-1 [data-role="draft-text"]') !== null`)
	if cats := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll('#draft-1 [data-role="finding"]')].map(f => f.dataset.category)`); !slices.Contains(cats, "overpromise") {
		t.Errorf("after the edit the findings are %v, want overpromise among them", cats)
	}
	if got := browsertest.Eval[string](t, tab, `document.querySelector('#draft-1 [data-role="draft-text"]').textContent`); got != edited {
		t.Errorf("after the edit the draft reads %q", got)
	}

	// 改写 on the first draft.
	browsertest.Eval[bool](t, tab, `([...document.querySelectorAll('[data-role="draft"] button')].find(b => b.textContent.startsWith("改写")).click(), true)`)
	tab.Wait(t, `document.querySelector('[data-role="draft"] [data-role="rewrite-text"]') !== null`)

	// A citation opens the document at the cited section.
	href := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="citation"]').getAttribute("href")`)
	tab.Open(t, base+href, `document.querySelector(".doc-body h2, .doc-body h3") !== null`)
	if !strings.Contains(href, "section=") {
		t.Errorf("citation link %q names no section", href)
	}
	tab.Wait(t, `document.querySelector(".doc-body .target") !== null`)
	noProblems(t, tab, "draft")
}

// TestBrowserReview: the 审核 page counts while typing as Weibo does,
// shows what POST /v1/review returns, each finding highlighted at exactly
// its characters, and a one-click rewrite as a diff.
func TestBrowserReview(t *testing.T) {
	base := offlineWorkspace(t)
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/review", "")

	text := "您好，此事无可奉告，不归我们管。我们保证尽快彻底解决，详情请咨询相关部门。Call 12345 for help."
	for _, typed := range []string{"您好", "您好abc", text} {
		setField(t, tab, "review-form", "text", typed)
		want := fmt.Sprintf("字数 %d / %d", review.Length(typed), review.KindComment.Limit())
		if got := browsertest.Eval[string](t, tab, `document.getElementById("text-count").textContent`); !strings.HasPrefix(got, want) {
			t.Errorf("count of %q: %q, want %q", typed, got, want)
		}
	}
	submit(t, tab, "review-form")
	tab.Wait(t, `!document.getElementById("result").hidden`)

	var rv review.Review
	postJSON(t, base, "/v1/review", map[string]string{"text": text, "kind": "comment"}, &rv)
	type finding struct {
		Start, End int
		Category   string
		Marked     string
	}
	got := browsertest.Eval[[]finding](t, tab, `[...document.querySelectorAll('#result [data-role="finding"]')].map(li => ({
		Start: +li.dataset.start, End: +li.dataset.end, Category: li.dataset.category,
		Marked: [...document.querySelectorAll('#result .marked mark')]
			.filter(m => m.dataset.marks.split(" ").includes(li.dataset.mark)).map(m => m.textContent).join(""),
	}))`)
	if len(got) != len(rv.Findings) || len(got) < 3 {
		t.Fatalf("page shows %d findings, the API %d: %+v", len(got), len(rv.Findings), got)
	}
	runes := []rune(text)
	for i, f := range rv.Findings {
		j := slices.IndexFunc(got, func(g finding) bool { return g.Start == f.Start && g.End == f.End && g.Category == f.Category })
		if j < 0 {
			t.Errorf("finding %d (%s %d–%d) is not on the page: %+v", i, f.Category, f.Start, f.End, got)
			continue
		}
		if want := string(runes[f.Start:f.End]); got[j].Marked != want {
			t.Errorf("finding %d (%s): marked %q, want %q", i, f.Category, got[j].Marked, want)
		}
	}
	if got[0].Category != "stonewalling" {
		t.Errorf("the first finding listed is %s, not an error", got[0].Category)
	}
	if v := browsertest.Eval[string](t, tab, `document.querySelector('#result [data-role="verdict"]').textContent`); v != "未通过" {
		t.Errorf("verdict %q", v)
	}
	// Each severity has its own colour class.
	classes := browsertest.Eval[[]string](t, tab, `[...new Set([...document.querySelectorAll('#result .marked mark')].map(m => m.className))]`)
	if len(classes) < 2 {
		t.Errorf("marks of one class only: %v", classes)
	}

	browsertest.Eval[bool](t, tab, `(document.getElementById("rewrite").click(), true)`)
	tab.Wait(t, `!document.getElementById("rewrite-result").hidden`)
	diff := browsertest.Eval[int](t, tab, `document.querySelectorAll('#rewrite-result [data-role="diff"] del, #rewrite-result [data-role="diff"] ins').length`)
	if diff == 0 {
		t.Errorf("the rewrite shows no change")
	}
	// Reload: what was typed is still there.
	tab.Open(t, base+"/review", "")
	if got := browsertest.Eval[string](t, tab, `document.getElementById("text").value`); got != text {
		t.Errorf("after a reload the draft box holds %q", got)
	}
	noProblems(t, tab, "review")
}

// fakeModel speaks OpenAI's chat completions, streamed (SSE "data:"
// chunks, a pause between pieces, so the browser sees the answer grow)
// or not.
func fakeModel(t *testing.T, pause time.Duration, pieces ...string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Stream bool `json:"stream"`
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, `{"error":{"message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		if !body.Stream {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "m",
				"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant",
					"content": strings.Join(pieces, "")}, "finish_reason": "stop"}}})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, p := range pieces {
			chunk, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "m",
				"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": p}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(pause):
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// modelConfig is the default with a (fake) OpenAI-compatible model.
func modelConfig(model *httptest.Server) config {
	cfg := offlineConfig()
	cfg.LLM, cfg.LLMModel, cfg.OpenAIBase = "openai", "m", model.URL+"/v1"
	return cfg
}

// screen is one page of the workspace as a user would see it: where to
// go, what to do there, and what shows it is done.
type screen struct {
	name  string
	path  string
	act   func(t *testing.T, tab *browsertest.Tab)
	ready string
}

var screens = []screen{
	{"draft", "/draft", func(t *testing.T, tab *browsertest.Tab) {
		setField(t, tab, "draft-form", "post", "我们小区停水三天了，打了好几次12345都没人管！老人孩子洗澡都成问题。")
		setField(t, tab, "draft-form", "facts", "管网破裂，已派人抢修，预计12月6日18点前恢复供水。")
		submit(t, tab, "draft-form")
	}, `document.querySelectorAll('[data-role="draft"]').length > 0`},
	{"review", "/review", func(t *testing.T, tab *browsertest.Tab) {
		setField(t, tab, "review-form", "text", "您好，此事无可奉告，不归我们管。我们保证尽快彻底解决，请咨询相关部门。")
		submit(t, tab, "review-form")
		tab.Wait(t, `!document.getElementById("result").hidden`)
		browsertest.Eval[bool](t, tab, `(document.getElementById("rewrite").click(), true)`)
	}, `!document.getElementById("rewrite-result").hidden`},
	{"ask", "/ask", func(t *testing.T, tab *browsertest.Tab) {
		setField(t, tab, "ask-form", "message", "网友在评论里骂人，应该怎么回复？")
		submit(t, tab, "ask-form")
	}, `document.querySelectorAll('[data-role="source"]').length > 0`},
	{"knowledge", "/knowledge", nil, `document.querySelectorAll('[data-role="document"]').length > 0`},
	{"search", "/knowledge/search?q=" + "网友骂人怎么回复", nil, `document.querySelectorAll('[data-role="hit"]').length > 0`},
	{"document", "/knowledge/document?id=tone-reply-five-steps&section=" + "五个部分", nil, `document.querySelector(".doc-body .target") !== null`},
	{"training", "/training", func(t *testing.T, tab *browsertest.Tab) {
		tab.Wait(t, `document.querySelectorAll("#scenario option").length > 0`)
		set, err := training.BuiltinScenarios()
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := set.Scenario(browsertest.Eval[string](t, tab, `document.getElementById("scenario").value`))
		half := []rune(sc.ModelReply)
		setField(t, tab, "drill-form", "text", string(half[:len(half)/2]))
		submit(t, tab, "drill-form")
	}, `!document.getElementById("drill-result").hidden`},
	{"cohort", "/training/cohort", nil, `document.querySelector("#topic-chart svg, #topic-chart p") !== null`},
	{"queue", "/queue?view=all", nil, `document.querySelectorAll('[data-role="submission"]').length >= 5`},
	{"submission", "/queue/submission?id=1", func(t *testing.T, tab *browsertest.Tab) {
		tab.Wait(t, `!document.getElementById("decision-form").hidden`)
		selectText(t, tab, 44, 53)
		browsertest.Eval[bool](t, tab, `(document.getElementById("annotate").click(),
			document.querySelector('[data-role="span-input"]').value = "请核实时间", true)`)
		browsertest.Eval[bool](t, tab, `(["political", "legal", "policy"].forEach(n => document.getElementById("decision-form").elements.namedItem(n).checked = true), true)`)
	}, `document.querySelectorAll('[data-role="span"]').length === 1`},
	{"submission-approved", "/queue/submission?id=3", nil, `!document.querySelector('[data-role="publishable"]').hidden`},
	{"summary", "/queue/summary", nil, `document.querySelectorAll('[data-role="summary-row"]').length > 0`},
	{"admin", "/admin", nil, `document.querySelectorAll('[data-role="user"]').length > 0 && document.querySelectorAll('[data-role="audit"]').length > 0`},
	{"login", "/login", nil, `document.getElementById("login-form") !== null`},
	// Last: print media stays on in the tab. 审核单 as it prints.
	{"submission-print", "/queue/submission?id=3", func(t *testing.T, tab *browsertest.Tab) {
		if _, err := chromedp.Call(tab.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		browsertest.Eval[bool](t, tab, `(window.dispatchEvent(new Event("beforeprint")), true)`)
	}, `!document.querySelector('[data-role="publishable"]').hidden`},
}

// TestBrowserScreens opens every page at 1366×768 and on a 390-pixel
// phone, does what a user does there, and checks that nothing is wider
// than the screen and that the page reported no problem. With
// GOVREPLY_SCREENSHOTS=DIR (scripts/screenshots.sh) it saves each as
// DIR/<page>-<size>.png.
func TestBrowserScreens(t *testing.T) {
	base := offlineWorkspace(t)
	seedReview(t, base)
	dir := os.Getenv("GOVREPLY_SCREENSHOTS")
	for _, size := range []browsertest.Size{browsertest.Desktop, browsertest.Phone} {
		tab := browsertest.MustStart(t, size)
		signIn(t, tab, base)
		for _, s := range screens {
			tab.Open(t, base+s.path, "")
			if s.act != nil {
				s.act(t, tab)
			}
			tab.Wait(t, s.ready)
			wide := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll("body *")]
				.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".table-wrap, .visually-hidden, .skip"))
				.slice(0, 5).map(e => e.tagName + "." + e.className + ": " + Math.round(e.getBoundingClientRect().right))`)
			if len(wide) > 0 {
				t.Errorf("%s at %s: wider than the screen: %v", s.name, size.Name, wide)
			}
			if w := browsertest.Eval[int](t, tab, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 1 {
				t.Errorf("%s at %s: the page scrolls sideways by %d px", s.name, size.Name, w)
			}
			if junk := browsertest.Eval[string](t, tab, `(document.querySelector("main").innerText.match(/\b(null|undefined|NaN)\b|\[object /) || [""])[0]`); junk != "" {
				t.Errorf("%s at %s: the page shows %q", s.name, size.Name, junk)
			}
			if dir != "" {
				if err := os.WriteFile(filepath.Join(dir, s.name+"-"+size.Name+".png"), tab.Screenshot(t), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if size == browsertest.Desktop && !strings.HasSuffix(s.name, "-print") {
				checkKeyboard(t, tab, s.name)
			}
			noProblems(t, tab, s.name+" "+size.Name)
		}
	}
}

// TestBrowserAsk: the 问答 page shows the answer growing as the model
// streams it, numbered sources beside it with their text, keeps the
// conversation across a reload, starts a new one on request, and says
// plainly when the knowledge base has nothing.
func TestBrowserAsk(t *testing.T) {
	model := fakeModel(t, 120*time.Millisecond, "网友骂人时，", "先不要回击，", "回应对方的情绪[1]。", "再把事实讲清楚，", "不删评、不拉黑[2]。")
	base := mustServe(t, modelConfig(model))
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/ask", "")
	browsertest.Eval[bool](t, tab, `(() => {
		window.lens = [];
		new MutationObserver(() => {
			const b = document.querySelector(".answer.streaming .bubble");
			if (b) window.lens.push(b.textContent.length);
		}).observe(document.querySelector(".turns"), {subtree: true, childList: true, characterData: true});
		return true;
	})()`)
	setField(t, tab, "ask-form", "message", "网友在评论里骂人，应该怎么回复？")
	submit(t, tab, "ask-form")
	tab.Wait(t, `document.querySelector(".answer.streaming") === null && document.querySelectorAll('[data-role="answer"]').length === 1`)

	answer := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="answer"]').textContent`)
	if answer != "网友骂人时，先不要回击，回应对方的情绪[1]。再把事实讲清楚，不删评、不拉黑[2]。" {
		t.Errorf("answer %q", answer)
	}
	lens := browsertest.Eval[[]int](t, tab, fmt.Sprintf(`[...new Set(window.lens)].filter(n => n > 0 && n < %d)`, len([]rune(answer))))
	if len(lens) < 3 {
		t.Errorf("the answer did not grow piece by piece before it was done: lengths %v", lens)
	}
	type source struct {
		N          int
		Title, Txt string
	}
	sources := browsertest.Eval[[]source](t, tab, `[...document.querySelectorAll('[data-role="source"]')].map(li => ({
		N: li.value, Title: li.querySelector("a").textContent, Txt: li.querySelector(".source-text").textContent}))`)
	if len(sources) < 2 || sources[0].N != 1 || sources[1].N != 2 {
		t.Fatalf("sources %+v", sources)
	}
	for _, s := range sources {
		if s.Title == "" || len([]rune(s.Txt)) < 20 {
			t.Errorf("source %d without its title or text: %+v", s.N, s)
		}
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="answer"] a.cite').length`); n != 2 {
		t.Errorf("%d citation links in the answer, want 2", n)
	}
	session := browsertest.Eval[string](t, tab, `JSON.parse(localStorage.getItem("gr:chat")).session`)
	if len(session) != 32 {
		t.Errorf("session %q", session)
	}

	// A reload keeps the conversation, and the next question continues it.
	tab.Open(t, base+"/ask", "")
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="answer"]').length`); n != 1 {
		t.Fatalf("after a reload %d answers are shown", n)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="source"]').length`); n != len(sources) {
		t.Errorf("after a reload %d sources are shown, before %d", n, len(sources))
	}
	setField(t, tab, "ask-form", "message", "那如果对方一直骂呢？")
	submit(t, tab, "ask-form")
	tab.Wait(t, `document.querySelector(".answer.streaming") === null && document.querySelectorAll('[data-role="answer"]').length === 2`)
	if s := browsertest.Eval[string](t, tab, `JSON.parse(localStorage.getItem("gr:chat")).session`); s != session {
		t.Errorf("the second question started session %q, not %q", s, session)
	}

	// 新对话 starts afresh.
	browsertest.Eval[bool](t, tab, `(document.getElementById("new-chat").click(), true)`)
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="answer"]').length`); n != 0 {
		t.Errorf("a new conversation still shows %d answers", n)
	}
	if s := browsertest.Eval[string](t, tab, `JSON.parse(localStorage.getItem("gr:chat")).session`); s != "" {
		t.Errorf("a new conversation keeps session %q", s)
	}
	noProblems(t, tab, "ask")

	// Offline, a question the knowledge base knows nothing of.
	off := offlineWorkspace(t)
	signIn(t, tab, off)
	tab.Open(t, off+"/ask", "")
	setField(t, tab, "ask-form", "message", "量子色动力学的渐近自由是什么")
	submit(t, tab, "ask-form")
	tab.Wait(t, `document.querySelector('[data-role="nothing-found"]') !== null`)
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="source"]').length`); n != 0 {
		t.Errorf("nothing found, yet %d sources", n)
	}
	noProblems(t, tab, "ask offline")
}

// docxFile writes a small DOCX and returns its path.
func docxFile(t *testing.T, name string, paras ...docxtest.Para) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, docxtest.Build(paras...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserKnowledge: a DOCX uploaded on the 知识库 page shows its
// progress and result, is then the first hit on the 命中测试 page in each
// mode, opens as a document, and is deleted from the list; on the
// default memory store and on PostgreSQL.
func TestBrowserKnowledge(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testBrowserKnowledge(t, offlineWorkspace(t)) })
	t.Run("postgres", func(t *testing.T) {
		cfg := offlineConfig()
		cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
		testBrowserKnowledge(t, mustServe(t, cfg))
	})
}

func testBrowserKnowledge(t *testing.T, base string) {
	path := docxFile(t, "noise-rules.docx",
		docxtest.Title("城东片区夜间施工噪音管理规定"),
		docxtest.H1("一、施工时段"),
		docxtest.P("每日22时至次日6时，禁止在居民区周边进行产生噪音的施工作业。"),
		docxtest.H1("二、连续施工的公示"),
		docxtest.P("因工艺要求确需夜间连续施工的，施工单位须提前三日在小区公告栏和本号公示，并公布投诉电话。"))
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/knowledge", `document.querySelectorAll('[data-role="document"]').length > 0`)
	builtin := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="document"]').length`)

	setField(t, tab, "upload-form", "collection", "城东街道")
	tab.Do(t, chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}))
	submit(t, tab, "upload-form")
	tab.Wait(t, `document.querySelector('[data-role="upload"][data-status]') !== null`)
	status := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="upload"]').dataset.status + " " + document.querySelector('[data-role="upload"] .msg').textContent`)
	if !strings.HasPrefix(status, "added 文档 noise-rules") {
		t.Fatalf("upload: %q", status)
	}
	if p := browsertest.Eval[int](t, tab, `document.querySelector('[data-role="upload"] progress').value`); p != 100 {
		t.Errorf("progress %d at the end", p)
	}
	tab.Wait(t, fmt.Sprintf(`document.querySelectorAll('[data-role="document"]').length === %d`, builtin+1))

	// The same file again is unchanged.
	tab.Do(t, chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}))
	submit(t, tab, "upload-form")
	tab.Wait(t, `document.querySelectorAll('[data-role="upload"][data-status]').length === 2`)
	if s := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="upload"]').dataset.status`); s != "unchanged" {
		t.Errorf("second upload: %s", s)
	}

	// A file no loader reads fails with its reason; the others are unaffected.
	bad := filepath.Join(t.TempDir(), "名单.xlsx")
	if err := os.WriteFile(bad, []byte("PK\x03\x04"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab.Do(t, chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}))
	submit(t, tab, "upload-form")
	tab.Wait(t, `document.querySelectorAll('[data-role="upload"][data-status]').length === 3`)
	if s := browsertest.Eval[string](t, tab, `(u => u.dataset.status + " " + u.querySelector(".msg").textContent)(document.querySelector('[data-role="upload"]'))`); !strings.HasPrefix(s, "failed ") || len([]rune(s)) < 12 {
		t.Errorf("unsupported file: %q", s)
	}
	tab.Problems()

	for _, mode := range []string{"hybrid", "vector", "text"} {
		tab.Open(t, base+"/knowledge/search?q="+url.QueryEscape("夜间连续施工要提前几天公示")+"&mode="+mode, `document.querySelectorAll('[data-role="hit"]').length > 0`)
		type hit struct{ Doc, Collection, Heading, Score, Vector, Text string }
		hits := browsertest.Eval[[]hit](t, tab, `[...document.querySelectorAll('[data-role="hit"]')].map(h => ({
			Doc: h.dataset.doc, Collection: h.dataset.collection, Heading: (h.querySelector('[data-role="heading"]') || {}).textContent || "",
			Score: h.querySelector('[data-role="score"]').textContent, Vector: h.querySelector('[data-role="vector-rank"]').textContent,
			Text: h.querySelector('[data-role="text-rank"]').textContent}))`)
		if hits[0].Doc != "noise-rules" || hits[0].Collection != "城东街道" || !strings.Contains(hits[0].Heading, "连续施工的公示") {
			t.Errorf("%s: first hit %+v", mode, hits[0])
		}
		if !strings.HasPrefix(hits[0].Score, "融合分 ") || !strings.HasPrefix(hits[0].Vector, "向量排名 ") || !strings.HasPrefix(hits[0].Text, "全文排名 ") {
			t.Errorf("%s: scores %+v", mode, hits[0])
		}
		if checked := browsertest.Eval[string](t, tab, `document.querySelector('input[name="mode"]:checked').value`); checked != mode {
			t.Errorf("mode switch shows %s, want %s", checked, mode)
		}
	}

	// The document page, then delete from the list.
	tab.Open(t, base+"/knowledge/document?collection="+url.QueryEscape("城东街道")+"&id=noise-rules", `document.querySelector(".doc-body").textContent !== ""`)
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".doc-body").innerHTML`); !strings.Contains(got, "提前三日在小区公告栏") ||
		!strings.Contains(got, ">二、连续施工的公示</h") {
		t.Errorf("document page: %q", got)
	}
	tab.Open(t, base+"/knowledge", `document.querySelector('[data-role="document"][data-id="noise-rules"]') !== null`)
	browsertest.Eval[bool](t, tab, `(window.confirm = () => true, document.querySelector('[data-role="document"][data-id="noise-rules"] button').click(), true)`)
	tab.Wait(t, `document.querySelector('[data-role="document"][data-id="noise-rules"]') === null`)
	resp, err := apiClient(t, base).Get(base + "/v1/documents/noise-rules?collection=" + url.QueryEscape("城东街道"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("after delete: %d", resp.StatusCode)
	}
	noProblems(t, tab, "knowledge")
}

// recorder counts the requests that reach it: none may, from a page.
func recorder(t *testing.T) (*httptest.Server, func() []string) {
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String())
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// xssPayload is what an attacker would put in a post, a document or a
// model's answer: markup that runs script, and images that would tell
// another host who read it.
func xssPayload(leak, where string) string {
	return fmt.Sprintf(`<img src=x onerror="window.xss='%[2]s-img'"> <script>window.xss='%[2]s-script'</script> `+
		`<svg onload="window.xss='%[2]s-svg'"></svg> ![看这里](%[1]s/leak-%[2]s) <img src="%[1]s/leak2-%[2]s"> `+
		`[点我](javascript:window.xss='%[2]s-link')`, leak, where)
}

// TestBrowserXSS: a document, a post, a draft under review and a model's
// answer carrying script and remote images run no script and make no
// request to another host: the pages show them as text, or as HTML
// sanitised on the server and again in the browser.
// noActiveContent fails t when the page in tab ran a payload's script
// (window.xss), holds an element that can run or load something, or a
// javascript: link.
func noActiveContent(t *testing.T, tab *browsertest.Tab, where string) {
	t.Helper()
	if x := browsertest.Eval[string](t, tab, `String(window.xss || "")`); x != "" {
		t.Errorf("%s: a script ran: %s", where, x)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll("main img, main svg, main script, main iframe, main [onerror], main [onload]").length`); n != 0 {
		t.Errorf("%s: %d active elements in the page", where, n)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('main a[href^="javascript"]').length`); n != 0 {
		t.Errorf("%s: %d javascript: links", where, n)
	}
}

func TestBrowserXSS(t *testing.T) {
	leak, seen := recorder(t)
	model := fakeModel(t, 10*time.Millisecond, "可以这样回复[1]。", xssPayload(leak.URL, "answer"))
	base := mustServe(t, modelConfig(model))

	// An uploaded document.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("collection", "测试")
	fw, _ := w.CreateFormFile("file", "evil.md")
	fmt.Fprintf(fw, "# 夜间施工噪音\n\n## 处理办法\n\n噪音投诉当天回复。%s\n", xssPayload(leak.URL, "doc"))
	_ = w.Close()
	resp, err := apiClient(t, base).Post(base+"/v1/documents", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}

	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	check := func(where string) { t.Helper(); noActiveContent(t, tab, where) }

	tab.Open(t, base+"/knowledge/document?collection="+url.QueryEscape("测试")+"&id=evil", `document.querySelector(".doc-body h2") !== null`)
	check("document")
	tab.Open(t, base+"/knowledge/search?q="+url.QueryEscape("噪音投诉当天回复")+"&collection="+url.QueryEscape("测试"), `document.querySelectorAll('[data-role="hit"]').length > 0`)
	if txt := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="hit"] .hit-text').textContent`); !strings.Contains(txt, "onerror") {
		t.Errorf("the hit does not show the stored text as text: %q", txt)
	}
	check("search")

	tab.Open(t, base+"/review", "")
	setField(t, tab, "review-form", "text", "您好，路灯已修好。"+xssPayload(leak.URL, "review"))
	submit(t, tab, "review-form")
	tab.Wait(t, `!document.getElementById("result").hidden`)
	check("review")

	tab.Open(t, base+"/ask", "")
	setField(t, tab, "ask-form", "message", "网友骂人怎么回复？")
	submit(t, tab, "ask-form")
	tab.Wait(t, `document.querySelector(".answer.streaming") === null && document.querySelectorAll('[data-role="answer"]').length === 1`)
	if txt := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="answer"]').textContent`); !strings.Contains(txt, "leak-answer") {
		t.Errorf("the answer is not shown as text: %q", txt)
	}
	check("ask")

	off := offlineWorkspace(t)
	signIn(t, tab, off)
	tab.Open(t, off+"/draft", "")
	setField(t, tab, "draft-form", "post", "路灯坏了一周了"+xssPayload(leak.URL, "post"))
	submit(t, tab, "draft-form")
	tab.Wait(t, `document.querySelectorAll('[data-role="draft"]').length > 0`)
	check("draft")

	// Give any late request time to arrive before counting.
	time.Sleep(300 * time.Millisecond)
	if got := seen(); len(got) > 0 {
		t.Errorf("pages made requests to another host: %v", got)
	}
	tab.Problems() // CSP reports, if any, are counted above as requests that did not happen
}

// TestBrowserPageWeight loads each page with the browser's cache off and
// adds up what it transferred: the page, its scripts and styles, and the
// API calls it makes to be usable. Each must stay within 200 KB
// (uncompressed). With -v it prints the bytes and the milliseconds from
// navigation to usable, the figures in docs/benchmarks.md.
func TestBrowserPageWeight(t *testing.T) {
	const budget = 200 << 10
	base := offlineWorkspace(t)
	seedReview(t, base)
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	if _, err := chromedp.Call(tab.Ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, s := range screens {
		ready := s.ready
		if s.act != nil {
			// Usable means the form is there; the answer to it is timed below.
			ready = `document.querySelector("form") !== null && window.GR !== undefined`
		}
		tab.Open(t, base+s.path, "window.GR !== undefined")
		tab.Wait(t, `(`+ready+`) && (window.readyAt = window.readyAt || performance.now(), true)`)
		type weight struct {
			Bytes, Files int
			Ms           float64
		}
		w := browsertest.Eval[weight](t, tab, `(() => {
			const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
			return {Bytes: entries.reduce((n, e) => n + e.decodedBodySize, 0), Files: entries.length, Ms: window.readyAt};
		})()`)
		t.Logf("%-10s %7.1f KB in %2d files, usable after %4.0f ms", s.name, float64(w.Bytes)/1024, w.Files, w.Ms)
		if s.act != nil {
			browsertest.Eval[bool](t, tab, `(window.clickAt = performance.now(), true)`)
			s.act(t, tab)
			tab.Wait(t, `(`+s.ready+`) && (window.doneAt = window.doneAt || performance.now(), true)`)
			t.Logf("%-10s answered %4.0f ms after the click", s.name, browsertest.Eval[float64](t, tab, `window.doneAt - window.clickAt`))
		}
		if w.Bytes > budget || w.Files < 4 {
			t.Errorf("%s: %d bytes in %d files (budget %d)", s.name, w.Bytes, w.Files, budget)
		}
	}
	noProblems(t, tab, "page weight")
}

// checkKeyboard: every field has a label, and Tab reaches the page's
// controls with a visible focus outline.
func checkKeyboard(t *testing.T, tab *browsertest.Tab, page string) {
	t.Helper()
	unlabelled := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll("main input, main select, main textarea")]
		.filter(f => f.type !== "hidden" && !f.closest("label") && !f.getAttribute("aria-label") &&
			!(f.id && document.querySelector('label[for="' + f.id + '"]')))
		.map(f => f.outerHTML.slice(0, 80))`)
	if len(unlabelled) > 0 {
		t.Errorf("%s: fields without a label: %v", page, unlabelled)
	}
	browsertest.Eval[bool](t, tab, `(document.activeElement.blur(), window.scrollTo(0, 0), true)`)
	type focus struct {
		Tag, Outline string
		InMain       bool
	}
	var seen []focus
	for range 12 {
		tab.Do(t, chromedp.KeyEvent("\t"))
		f := browsertest.Eval[focus](t, tab, `(() => { const e = document.activeElement; const s = getComputedStyle(e);
			return {Tag: e.tagName + (e.id ? "#" + e.id : ""), Outline: s.outlineStyle + " " + s.outlineWidth, InMain: !!e.closest("main")}; })()`)
		seen = append(seen, f)
		if f.Tag != "BODY" && (strings.HasPrefix(f.Outline, "none") || strings.HasSuffix(f.Outline, " 0px")) {
			t.Errorf("%s: %s has focus without a visible outline (%s)", page, f.Tag, f.Outline)
		}
	}
	if !slices.ContainsFunc(seen, func(f focus) bool { return f.InMain }) {
		t.Errorf("%s: twelve Tabs never reach the page's own controls: %v", page, seen)
	}
}

// TestBrowserAdmin: on 用户与审计 an administrator adds a user, who then
// signs in; creates a token shown once; and sees both in the audit trail.
// A non-administrator is shown the page refused.
func TestBrowserAdmin(t *testing.T) {
	base := offlineWorkspace(t)
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/admin", `document.querySelectorAll('[data-role="user"]').length > 0`)
	setField(t, tab, "user-form", "username", "liuyang")
	setField(t, tab, "user-form", "password", "liuyang-password")
	submit(t, tab, "user-form")
	tab.Wait(t, `document.querySelector('[data-role="user"][data-username="liuyang"]') !== null`)

	tab.Wait(t, `[...document.querySelectorAll("#token-user option")].some(o => o.value === "liuyang")`)
	setField(t, tab, "token-form", "username", "liuyang")
	setField(t, tab, "token-form", "name", "舆情系统对接")
	submit(t, tab, "token-form")
	tab.Wait(t, `!document.getElementById("token-secret").hidden`)
	secret := browsertest.Eval[string](t, tab, `document.querySelector("#token-secret code").textContent`)
	req, _ := http.NewRequest("GET", base+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Username string }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if me.Username != "liuyang" {
		t.Errorf("the token shown signs in as %q", me.Username)
	}

	browsertest.Eval[bool](t, tab, `(document.getElementById("audit-form").requestSubmit(), true)`)
	tab.Wait(t, `[...document.querySelectorAll('[data-role="audit"]')].some(r => r.textContent.includes("新增用户") && r.textContent.includes("liuyang"))`)
	noProblems(t, tab, "admin")

	// The new editor signs in; the admin page is refused, the others open.
	other := browsertest.MustStart(t, browsertest.Desktop)
	other.Open(t, base+"/login", "")
	setField(t, other, "login-form", "username", "liuyang")
	setField(t, other, "login-form", "password", "liuyang-password")
	submit(t, other, "login-form")
	other.Wait(t, `location.pathname === "/draft" && window.GR !== undefined`)
	if who := browsertest.Eval[string](t, other, `document.querySelector('[data-role="whoami"]').textContent`); who != "liuyang（编辑）" {
		t.Errorf("header shows %q", who)
	}
	if n := browsertest.Eval[int](t, other, `document.querySelectorAll('nav a[href="/admin"]').length`); n != 0 {
		t.Errorf("an editor sees the admin link")
	}
	other.Open(t, base+"/admin", "")
	if h := browsertest.Eval[string](t, other, `document.querySelector("h1").textContent`); h != "没有权限" {
		t.Errorf("/admin for an editor shows %q", h)
	}
	other.Problems() // the 403 of the page itself
	browsertest.Eval[bool](t, other, `(document.getElementById("logout").click(), true)`)
	other.Wait(t, `location.pathname === "/login"`)
}

// TestBrowserTraining: on 培训 a trainee answers a scenario with its model
// reply and is graded high, takes a quiz and is graded, sees the
// attempts in 我的进度; the trainer's 培训管理 shows them.
func TestBrowserTraining(t *testing.T) {
	base := offlineWorkspace(t)
	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/training", `document.querySelectorAll("#scenario option").length > 0`)
	set, err := training.BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll("#scenario option").length`); n != len(set.All()) {
		t.Errorf("%d scenarios offered, %d exist", n, len(set.All()))
	}
	sc, _ := set.Scenario(browsertest.Eval[string](t, tab, `document.getElementById("scenario").value`))
	if post := browsertest.Eval[string](t, tab, `document.getElementById("scenario-post").textContent`); post != sc.Post {
		t.Errorf("post shown %q, want %q", post, sc.Post)
	}
	setField(t, tab, "drill-form", "text", sc.ModelReply)
	submit(t, tab, "drill-form")
	tab.Wait(t, `!document.getElementById("drill-result").hidden`)
	score := browsertest.Eval[string](t, tab, `document.querySelector('#drill-result [data-role="score"]').textContent`)
	if n, _ := strconv.Atoi(strings.TrimSuffix(score, " 分")); n < 85 {
		t.Errorf("the model reply scored %q", score)
	}

	browsertest.Eval[bool](t, tab, `(document.getElementById("tab-quiz").click(), true)`)
	setField(t, tab, "quiz-start", "n", "5")
	submit(t, tab, "quiz-start")
	tab.Wait(t, `document.querySelectorAll('[data-role="question"]').length === 5`)
	browsertest.Eval[bool](t, tab, `([...document.querySelectorAll('[data-role="question"]')].forEach(q => { const i = q.querySelector("input"); if (i.type !== "text" && !i.dataset.find) i.checked = true; }), true)`)
	submit(t, tab, "quiz-form")
	tab.Wait(t, `document.querySelectorAll('[data-role="quiz-result"]').length === 5`)

	browsertest.Eval[bool](t, tab, `(document.getElementById("tab-progress").click(), true)`)
	tab.Wait(t, `document.querySelector('[data-role="progress-summary"]') !== null`)
	if s := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="progress-summary"]').textContent`); !strings.Contains(s, "作答 6 次") {
		t.Errorf("progress: %q", s)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="path-step"]').length`); n < 20 {
		t.Errorf("the 新人入门 path has %d steps", n)
	}
	tab.Open(t, base+"/training/cohort", `document.querySelectorAll('[data-role="trainee"]').length > 0`)
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll("#topic-chart svg rect").length`); n == 0 {
		t.Errorf("no chart on the cohort page")
	}
	noProblems(t, tab, "training")
}
