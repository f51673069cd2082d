package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"govreply/internal/browsertest"
)

// The publishing review (发布审核) in the browser: an editor drafts and
// submits, two reviewers decide at two levels on 审核队列 and 稿件审核,
// and the text is 可发布.

// callAPI sends body (JSON, unless nil) with client and returns the
// status and the answer.
func callAPI(t *testing.T, client *http.Client, method, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// mustCall is callAPI expecting status want; it decodes the answer into
// out (when not nil).
func mustCall(t *testing.T, client *http.Client, method, url string, body any, want int, out any) {
	t.Helper()
	status, data := callAPI(t, client, method, url, body)
	if status != want {
		t.Fatalf("%s %s: %d %s", method, url, status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
}

func tokenClient(token string) *http.Client {
	return &http.Client{Transport: bearer{token, http.DefaultTransport}}
}

// signInAs signs the tab in as user (password user+"-password", as
// newUser sets it) through the login page.
func signInAs(t *testing.T, tab *browsertest.Tab, base, user string) {
	t.Helper()
	tab.Open(t, base+"/login", "")
	setField(t, tab, "login-form", "username", user)
	setField(t, tab, "login-form", "password", user+"-password")
	submit(t, tab, "login-form")
	tab.Wait(t, `location.pathname !== "/login" && window.GR !== undefined`)
}

// submitDraft submits text for review as client; a draft the automatic
// review fails is submitted again with a reason. It returns the id.
func submitDraft(t *testing.T, base string, client *http.Client, req map[string]string) int64 {
	t.Helper()
	var res struct{ ID int64 }
	status, data := callAPI(t, client, "POST", base+"/v1/submissions", req)
	if status == 400 && strings.Contains(string(data), "reason_required") {
		req["reason"] = "已与业务科室核实，措辞经分管领导同意。"
		status, data = callAPI(t, client, "POST", base+"/v1/submissions", req)
	}
	if status != 201 || json.Unmarshal(data, &res) != nil {
		t.Fatalf("submit: %d %s", status, data)
	}
	return res.ID
}

// decideAPI takes a decision through the API at the submission's
// current version.
func decideAPI(t *testing.T, base string, client *http.Client, id int64, decision map[string]any) {
	t.Helper()
	var cur struct{ Version int }
	mustCall(t, client, "GET", fmt.Sprintf("%s/v1/submissions/%d", base, id), nil, 200, &cur)
	decision["version"] = cur.Version
	if _, ok := decision["checks"]; !ok {
		decision["checks"] = allChecks
	}
	mustCall(t, client, "POST", fmt.Sprintf("%s/v1/submissions/%d/decisions", base, id), decision, 200, nil)
}

var allChecks = map[string]bool{"political": true, "legal": true, "policy": true, "secrecy": true, "wording": true}

// selectText selects the code points start–end of the submission page's
// text, as a reader dragging the mouse would.
func selectText(t *testing.T, tab *browsertest.Tab, start, end int) {
	t.Helper()
	browsertest.Eval[bool](t, tab, fmt.Sprintf(`(() => {
		const tv = document.getElementById("text-view");
		const find = (k) => {
			const w = document.createTreeWalker(tv, NodeFilter.SHOW_TEXT);
			let at = 0, n;
			while ((n = w.nextNode())) {
				const cps = Array.from(n.data);
				if (k <= at + cps.length) return [n, cps.slice(0, k - at).join("").length];
				at += cps.length;
			}
		};
		const [a, ao] = find(%d), [b, bo] = find(%d);
		document.getSelection().setBaseAndExtent(a, ao, b, bo);
		return true;
	})()`, start, end))
}

// decideInPage ticks the five checks and takes decision ("approve",
// "return") with comment on the open submission page.
func decideInPage(t *testing.T, tab *browsertest.Tab, decision, comment string) {
	t.Helper()
	browsertest.Eval[bool](t, tab, `(() => {
		const f = document.getElementById("decision-form");
		for (const n of ["political", "legal", "policy", "secrecy", "wording"]) if (!f.elements.namedItem(n).checked) f.elements.namedItem(n).click();
		return true;
	})()`)
	setField(t, tab, "decision-form", "comment", comment)
	browsertest.Eval[bool](t, tab, fmt.Sprintf(`(document.getElementById("decision-form").requestSubmit(
		document.querySelector('#decision-form button[value=%q]')), true)`, decision))
}

// openFromQueue opens submission id from the reviewer's 审核队列 (view ""
// is 待我审核).
func openFromQueue(t *testing.T, tab *browsertest.Tab, base string, id int64, view string) {
	t.Helper()
	q := "/queue"
	if view != "" {
		q += "?view=" + view
	}
	row := fmt.Sprintf(`document.querySelector('[data-role="submission"][data-id="%d"]')`, id)
	tab.Open(t, base+q, row+` !== null`)
	browsertest.Eval[bool](t, tab, `(`+row+`.querySelector("a").click(), true)`)
	tab.Wait(t, fmt.Sprintf(`location.pathname === "/queue/submission" && location.search === "?id=%d" && !document.getElementById("submission").hidden`, id))
}

type pageState struct {
	Status, Level, Refusal, Flash, Error string
	Deciding, Revising, Publishable      bool
	Buttons                              int
}

func stateOf(t *testing.T, tab *browsertest.Tab) pageState {
	t.Helper()
	return browsertest.Eval[pageState](t, tab, `(() => {
		const q = (s) => document.querySelector(s);
		const shown = (s) => !!q(s) && !q(s).hidden;
		return {
			Status: q('[data-role="state"] [data-role="status"]').textContent,
			Level: (q('[data-role="state"] [data-role="level"]') || {}).textContent || "",
			Refusal: shown('[data-role="refusal"]') ? q('[data-role="refusal"]').textContent : "",
			Flash: shown("#flash") ? q("#flash").textContent : "",
			Error: shown("#page-error") ? q("#page-error").textContent : "",
			Deciding: shown("#decision-form"), Revising: shown("#revise-form"), Publishable: shown('[data-role="publishable"]'),
			Buttons: shown("#decision-form") ? document.querySelectorAll("#decision-form button[type=submit]").length : 0,
		};
	})()`)
}

type timelineEvent struct {
	Kind, Decision, Reviewer, Text string
	Diff                           int
}

func timelineOf(t *testing.T, tab *browsertest.Tab) []timelineEvent {
	t.Helper()
	return browsertest.Eval[[]timelineEvent](t, tab, `[...document.querySelectorAll('[data-role="timeline"] [data-role="event"]')].map(e => ({
		Kind: e.dataset.kind, Decision: e.dataset.decision || "", Reviewer: e.dataset.reviewer || "", Text: e.textContent,
		Diff: e.querySelectorAll('[data-role="diff"] ins, [data-role="diff"] del').length}))`)
}

// TestBrowserPublishingReview: in an office with two levels, an editor
// drafts on 起草 and submits the first draft (with a reason when asked);
// the first reviewer finds it in 审核队列, notes a span, ticks the five
// checks and approves; they may not decide the second level (the page
// says why and offers no action); the second reviewer approves and the
// page shows 可发布 with the text and both decisions in the timeline. A
// second submission is returned (a return needs a comment), revised by
// its editor, whose page shows the reviewer's notes, and the timeline
// shows the difference; a decision on a state that moved on shows the
// newer state. A third is corrected and approved (修改后通过), and the
// queue pages through the three.
func TestBrowserPublishingReview(t *testing.T) {
	base := offlineWorkspace(t)
	admin := apiClient(t, base)
	editorToken := newUser(t, base, admin, "editor", "editor")
	r1Token := newUser(t, base, admin, "r1", "reviewer")
	newUser(t, base, admin, "r2", "reviewer")
	mustCall(t, admin, "PUT", base+"/v1/offices/"+url.PathEscape("编辑部"), map[string]any{
		"levels": 2, "members": []string{"editor"},
		"reviewers": []map[string]any{{"users": []string{"r1"}}, {"users": []string{"r2"}}},
	}, 200, nil)

	// The editor drafts and submits the first draft.
	ed := browsertest.MustStart(t, browsertest.Desktop)
	signInAs(t, ed, base, "editor")
	ed.Open(t, base+"/draft", "")
	setField(t, ed, "draft-form", "post", "我们小区停水三天了，打了好几次电话都没人管！")
	setField(t, ed, "draft-form", "facts", "管网破裂，已派人抢修，预计12月6日18点前恢复供水。咨询电话12345。")
	submit(t, ed, "draft-form")
	ed.Wait(t, `document.querySelectorAll('[data-role="draft"]').length > 0`)
	// Edited so that it has an error finding: what is submitted is the
	// text being edited, and the page asks for a reason.
	draftText := browsertest.Eval[string](t, ed, `document.querySelector('#draft-1 [data-role="draft-text"]').textContent`) + "其他问题无可奉告。"
	browsertest.Eval[bool](t, ed, `([...document.querySelectorAll('#draft-1 button')].find(b => b.textContent === "编辑").click(), true)`)
	// A blank the drafter left is the editor's to fill in before review.
	blank, _ := json.Marshal(draftText + "联系电话：【待核实：联系电话】")
	browsertest.Eval[bool](t, ed, `(document.querySelector('#draft-1 [data-role="draft-edit"]').value = `+string(blank)+`, true)`)
	submit(t, ed, "draft-1-submit")
	ed.Wait(t, `!document.querySelector('#draft-1-submit .form-error').hidden`)
	if msg := browsertest.Eval[string](t, ed, `document.querySelector('#draft-1-submit .form-error').textContent`); !strings.Contains(msg, "【待核实：联系电话】") {
		t.Errorf("submitting with a blank says %q", msg)
	}
	v, _ := json.Marshal(draftText)
	browsertest.Eval[bool](t, ed, `(document.querySelector('#draft-1 [data-role="draft-edit"]').value = `+string(v)+`, true)`)
	submit(t, ed, "draft-1-submit")
	ed.Wait(t, `!document.getElementById("draft-1-reason").parentElement.hidden`)
	if msg := browsertest.Eval[string](t, ed, `document.getElementById("draft-1-reason-error").textContent`); !strings.Contains(msg, "理由") {
		t.Errorf("the reason is asked for with %q", msg)
	}
	ed.Problems() // the 400 asking for the reason
	setField(t, ed, "draft-1-submit", "reason", "网友所问涉密，按规定不能答复，已经领导同意。")
	submit(t, ed, "draft-1-submit")
	ed.Wait(t, `document.querySelector('#draft-1 [data-role="submitted"]') !== null`)
	href := browsertest.Eval[string](t, ed, `document.querySelector('#draft-1 [data-role="submitted"] a').getAttribute("href")`)
	var id int64
	if _, err := fmt.Sscanf(href, "/queue/submission?id=%d", &id); err != nil {
		t.Fatalf("the submitted link is %q", href)
	}
	browsertest.Eval[bool](t, ed, `(document.querySelector('#draft-1 [data-role="submitted"] a').click(), true)`)
	ed.Wait(t, `location.pathname === "/queue/submission" && !document.getElementById("submission").hidden`)
	if s := stateOf(t, ed); s.Status != "待审核" || s.Level != "初审（第 1/2 级）" || s.Refusal == "" || s.Deciding {
		t.Errorf("the editor's page after submitting: %+v", s)
	}
	if got := browsertest.Eval[string](t, ed, `document.getElementById("text-view").textContent`); got != draftText {
		t.Errorf("the page shows %q, the draft was %q", got, draftText)
	}
	var sub struct {
		Text     string
		Versions []struct {
			Review struct {
				Findings []struct{ Start, End int }
			}
		}
	}
	mustCall(t, admin, "GET", fmt.Sprintf("%s/v1/submissions/%d", base, id), nil, 200, &sub)
	if n := browsertest.Eval[int](t, ed, `document.querySelectorAll('#text-card [data-role="finding"]').length`); n != len(sub.Versions[0].Review.Findings) {
		t.Errorf("%d findings shown, the submission has %d", n, len(sub.Versions[0].Review.Findings))
	}
	noProblems(t, ed, "editor")

	// The first reviewer: from the queue, a note on a span, the five
	// checks, 通过.
	r1 := browsertest.MustStart(t, browsertest.Desktop)
	signInAs(t, r1, base, "r1")
	r1.Open(t, base+"/queue", fmt.Sprintf(`document.querySelector('[data-role="submission"][data-id="%d"]') !== null`, id))
	row := browsertest.Eval[string](t, r1, fmt.Sprintf(`document.querySelector('[data-role="submission"][data-id="%d"]').textContent`, id))
	for _, want := range []string{"待审核", "初审", "编辑部", "editor", "剩余", "回复"} {
		if !strings.Contains(row, want) {
			t.Errorf("the queue's row lacks %q: %q", want, row)
		}
	}
	// The navigation says one waits for r1; the editor's says nothing.
	r1.Wait(t, `document.querySelector('[data-role="queue-count"]') !== null`)
	if n := browsertest.Eval[string](t, r1, `document.querySelector('[data-role="queue-count"]').textContent`); n != "1" {
		t.Errorf("r1's navigation counts %q waiting", n)
	}
	if n := browsertest.Eval[int](t, ed, `document.querySelectorAll('[data-role="queue-count"]').length`); n != 0 {
		t.Errorf("the editor's navigation shows a count")
	}
	openFromQueue(t, r1, base, id, "")
	if s := stateOf(t, r1); !s.Deciding || s.Buttons != 3 || s.Refusal != "" {
		t.Fatalf("r1 at level 1: %+v", s)
	}
	selectText(t, r1, 2, 6)
	browsertest.Eval[bool](t, r1, `(document.getElementById("annotate").click(), true)`)
	r1.Wait(t, `document.querySelectorAll('[data-role="span"]').length === 1`)
	noted := browsertest.Eval[string](t, r1, `document.querySelector('[data-role="span"] mark').textContent`)
	if want := string([]rune(draftText)[2:6]); noted != want {
		t.Errorf("the note is on %q, the selection was %q", noted, want)
	}
	browsertest.Eval[bool](t, r1, `(document.querySelector('[data-role="span-input"]').value = "语气再亲切些", true)`)
	decideInPage(t, r1, "approve", "同意，转终审。")
	r1.Wait(t, `!document.getElementById("flash").hidden`)
	s := stateOf(t, r1)
	if s.Status != "待审核" || s.Level != "终审（第 2/2 级）" || s.Deciding || s.Buttons != 0 || s.Refusal == "" {
		t.Errorf("r1 after approving level 1: %+v", s)
	}
	// r1 may not decide level 2: the page, reloaded, says why; the queue
	// no longer offers it.
	r1.Open(t, base+href, `!document.getElementById("submission").hidden`)
	if s := stateOf(t, r1); s.Deciding || s.Refusal == "" {
		t.Errorf("r1 at level 2: %+v", s)
	}
	r1.Open(t, base+"/queue", `document.getElementById("queue-status").textContent !== "正在载入…"`)
	if n := browsertest.Eval[int](t, r1, fmt.Sprintf(`document.querySelectorAll('[data-role="submission"][data-id="%d"]').length`, id)); n != 0 {
		t.Errorf("r1's 待我审核 still lists the submission at level 2")
	}
	noProblems(t, r1, "r1")

	// The second reviewer approves: 可发布.
	r2 := browsertest.MustStart(t, browsertest.Desktop)
	signInAs(t, r2, base, "r2")
	openFromQueue(t, r2, base, id, "")
	if s := stateOf(t, r2); !s.Deciding || s.Level != "终审（第 2/2 级）" {
		t.Fatalf("r2 at level 2: %+v", s)
	}
	decideInPage(t, r2, "approve", "")
	r2.Wait(t, `!document.querySelector('[data-role="publishable"]').hidden`)
	if s := stateOf(t, r2); s.Status != "可发布" || s.Deciding {
		t.Errorf("after the last level: %+v", s)
	}
	if got := browsertest.Eval[string](t, r2, `document.querySelector('[data-role="final-text"]').textContent`); got != draftText {
		t.Errorf("可发布 shows %q, want %q", got, draftText)
	}
	checkTimeline := func(tab *browsertest.Tab) {
		t.Helper()
		events := timelineOf(t, tab)
		var decisions []timelineEvent
		for _, e := range events {
			if e.Kind == "decision" {
				decisions = append(decisions, e)
			}
		}
		if len(events) != 3 || events[0].Kind != "version" || !strings.Contains(events[0].Text, "网友所问涉密") || len(decisions) != 2 ||
			decisions[0].Reviewer != "r1" || decisions[1].Reviewer != "r2" ||
			!strings.Contains(decisions[0].Text, "初审") || !strings.Contains(decisions[0].Text, "通过") ||
			!strings.Contains(decisions[0].Text, "同意，转终审。") || !strings.Contains(decisions[0].Text, "语气再亲切些") ||
			!strings.Contains(decisions[0].Text, "政治关、法律关、政策关、保密关、文字关") ||
			!strings.Contains(decisions[1].Text, "终审") {
			t.Errorf("timeline: %+v", events)
		}
	}
	checkTimeline(r2)
	noProblems(t, r2, "r2")
	ed.Open(t, base+href, `!document.getElementById("submission").hidden`)
	if s := stateOf(t, ed); !s.Publishable || s.Status != "可发布" {
		t.Errorf("the editor's page once approved: %+v", s)
	}
	checkTimeline(ed)
	checkPrintForm(t, ed)

	// A second submission: returned (a comment is required), revised by
	// its editor, whose page shows the reviewer's notes and the diff.
	editor := tokenClient(editorToken)
	const first = "您好，停水的事我们已经知道了，维修班组已在现场抢修，预计明天18点前恢复供水；有问题请拨打12345。"
	id2 := submitDraft(t, base, editor, map[string]string{"post": "停水三天了没人管", "kind": "reply", "text": first, "class": "投诉"})
	openFromQueue(t, r1, base, id2, "")
	selectText(t, r1, 0, 2)
	browsertest.Eval[bool](t, r1, `(document.getElementById("annotate").click(), true)`)
	r1.Wait(t, `document.querySelectorAll('[data-role="span"]').length === 1`)
	browsertest.Eval[bool](t, r1, `(document.querySelector('[data-role="span-input"]').value = "先致歉", true)`)
	decideInPage(t, r1, "return", "")
	r1.Wait(t, `!document.getElementById("comment-error").hidden`)
	r1.Problems() // the 400 asking for a comment
	decideInPage(t, r1, "return", "请先向网友致歉，并写明临时供水点。")
	r1.Wait(t, `!document.getElementById("flash").hidden`)
	if s := stateOf(t, r1); s.Status != "已退回" || s.Deciding {
		t.Errorf("after returning: %+v", s)
	}
	noProblems(t, r1, "r1 return")

	ed.Open(t, fmt.Sprintf("%s/queue/submission?id=%d", base, id2), `!document.getElementById("submission").hidden`)
	if s := stateOf(t, ed); !s.Revising || s.Status != "已退回" {
		t.Fatalf("the editor's returned submission: %+v", s)
	}
	notes := browsertest.Eval[string](t, ed, `document.querySelector('[data-role="return-notes"]').textContent`)
	if !strings.Contains(notes, "请先向网友致歉") || !strings.Contains(notes, "您好：先致歉") {
		t.Errorf("the reviewer's notes on the editor's page: %q", notes)
	}
	// The revision has an error finding: the page asks for a reason.
	revised := "您好，给您添麻烦了，非常抱歉。维修班组已在现场抢修，预计明天18点前恢复供水；恢复前3号楼前设临时供水点。管网图纸属内部资料，不能公开。"
	setField(t, ed, "revise-form", "text", revised)
	submit(t, ed, "revise-form")
	ed.Wait(t, `!document.getElementById("reason-field").hidden && document.getElementById("revise-reason-error").textContent !== ""`)
	ed.Problems() // the 400 asking for the reason
	setField(t, ed, "revise-form", "reason", "说明图纸不能公开的原因，已经领导同意。")
	submit(t, ed, "revise-form")
	ed.Wait(t, `!document.getElementById("flash").hidden`)
	if s := stateOf(t, ed); s.Status != "待审核" || s.Revising {
		t.Errorf("after revising: %+v", s)
	}
	events := timelineOf(t, ed)
	if i := slices.IndexFunc(events, func(e timelineEvent) bool { return e.Kind == "version" && e.Diff > 0 }); i < 0 || len(events) != 3 {
		t.Errorf("the timeline shows no difference of the revision: %+v", events)
	}
	noProblems(t, ed, "editor revise")

	// r1 reads the revision; meanwhile (through the API) r1 returns it
	// again: the page's decision is on a state that moved on, so the page
	// says so and shows the newer state.
	openFromQueue(t, r1, base, id2, "")
	decideAPI(t, base, tokenClient(r1Token), id2, map[string]any{"decision": "return", "comment": "临时供水点的时间也要写。"})
	decideInPage(t, r1, "approve", "时间写得很清楚，同意。")
	r1.Wait(t, `!document.getElementById("page-error").hidden`)
	if s := stateOf(t, r1); s.Status != "已退回" || s.Deciding || s.Error == "" {
		t.Errorf("after a stale decision: %+v", s)
	}
	// Nothing the reviewer wrote is lost: it is shown beside the state that won.
	if got := browsertest.Eval[string](t, r1, `(n => n.hidden ? "" : n.textContent)(document.querySelector('[data-role="unsent"]'))`); !strings.Contains(got, "时间写得很清楚，同意。") {
		t.Errorf("the unsent comment after a 409: %q", got)
	}
	r1.Problems() // the 409

	// 修改后通过: r1 corrects a third submission and approves it; it goes
	// to level 2 with the correction as a new version. r1's 全部, one a
	// page, pages through the three.
	id3 := submitDraft(t, base, editor, map[string]string{"post": "社保卡在哪领", "kind": "comment", "class": "咨询",
		"text": "您好，新社保卡制作完成后会短信通知，凭身份证到开户银行领取。"})
	openFromQueue(t, r1, base, id3, "")
	corrected := "您好，新社保卡制作完成后会短信通知，凭身份证到开户银行任一网点领取；进度可拨打12333查询。"
	browsertest.Eval[bool](t, r1, `(document.getElementById("edit-approve").open = true, true)`)
	setField(t, r1, "decision-form", "text", corrected)
	decideInPage(t, r1, "edit_approve", "补充了查询电话。")
	r1.Wait(t, `!document.getElementById("flash").hidden`)
	if s := stateOf(t, r1); s.Level != "终审（第 2/2 级）" || s.Deciding {
		t.Errorf("after 修改后通过: %+v", s)
	}
	events = timelineOf(t, r1)
	if len(events) != 3 || events[1].Kind != "version" || events[1].Diff == 0 || !strings.Contains(events[1].Text, "r1") ||
		events[2].Decision != "edit_approve" || !strings.Contains(events[2].Text, "修改后通过") {
		t.Errorf("timeline after 修改后通过: %+v", events)
	}
	if got := browsertest.Eval[string](t, r1, `document.getElementById("text-view").textContent`); got != corrected {
		t.Errorf("the text after 修改后通过: %q", got)
	}
	var seenIDs []string
	r1.Open(t, base+"/queue?view=all&limit=1", `document.querySelectorAll('[data-role="submission"]').length === 1`)
	for {
		seenIDs = append(seenIDs, browsertest.Eval[string](t, r1, `document.querySelector('[data-role="submission"]').dataset.id`))
		if status := browsertest.Eval[string](t, r1, `document.getElementById("queue-status").textContent`); !strings.HasPrefix(status, "共 3 件，显示第 ") {
			t.Errorf("paging status %q", status)
		}
		next := browsertest.Eval[string](t, r1, `(document.querySelector('#pager a[rel="next"]') || {}).href || ""`)
		if next == "" || len(seenIDs) > 3 {
			break
		}
		r1.Open(t, next, `document.querySelectorAll('[data-role="submission"]').length === 1`)
	}
	if slices.Sort(seenIDs); strings.Join(seenIDs, " ") != fmt.Sprintf("%d %d %d", id, id2, id3) {
		t.Errorf("paging one by one shows %v", seenIDs)
	}
	noProblems(t, r1, "r1 edit_approve")

	// 撤回稿件: the editor takes a fourth back, saying so twice; r1 then
	// sees it closed, with nothing to decide.
	id4 := submitDraft(t, base, editor, map[string]string{"post": "公交站牌被撞坏了", "kind": "reply", "class": "投诉",
		"text": "您好，感谢您的反映。站牌已安排今天下午修复，修复后在这里告诉您；有问题请拨打12345。"})
	r1.Open(t, fmt.Sprintf("%s/queue/submission?id=%d", base, id4), `!document.getElementById("submission").hidden`)
	if n := browsertest.Eval[int](t, r1, `document.querySelectorAll('[data-role="withdraw"]:not([hidden]) button').length`); n != 0 {
		t.Errorf("a reviewer is offered 撤回: %d buttons", n)
	}
	ed.Open(t, fmt.Sprintf("%s/queue/submission?id=%d", base, id4), `!document.querySelector('[data-role="withdraw"]').hidden`)
	browsertest.Eval[bool](t, ed, `([...document.querySelectorAll('[data-role="withdraw"] button')].find(b => b.textContent === "撤回稿件").click(), true)`)
	browsertest.Eval[bool](t, ed, `([...document.querySelectorAll('[data-role="withdraw"] button')].find(b => b.textContent === "确认撤回").click(), true)`)
	ed.Wait(t, `document.querySelector('[data-role="state"] [data-role="status"]').textContent === "已撤回"`)
	if s := stateOf(t, ed); s.Flash == "" || s.Revising || !browsertest.Eval[bool](t, ed, `document.querySelector('[data-role="withdraw"]').hidden`) {
		t.Errorf("after withdrawing: %+v", s)
	}
	r1.Open(t, fmt.Sprintf("%s/queue/submission?id=%d", base, id4), `!document.getElementById("submission").hidden`)
	if s := stateOf(t, r1); s.Status != "已撤回" || s.Deciding {
		t.Errorf("r1 on the withdrawn submission: %+v", s)
	}
	noProblems(t, ed, "editor withdraw")
}

// seedReview fills the publishing review for the screenshots: an
// editor's submissions in the default office (one level), one returned
// and revised (id 1, pending, with a diff), one rumour (due within 4
// hours), one approved (id 3), one returned, one pending.
func seedReview(t *testing.T, base string) {
	t.Helper()
	admin := apiClient(t, base)
	editor := tokenClient(newUser(t, base, admin, "zhangwei", "editor"))
	reviewer := tokenClient(newUser(t, base, admin, "lina", "reviewer"))
	post := "我们小区停水三天了，打了好几次12345都没人管！老人孩子洗澡都成问题。"
	id := submitDraft(t, base, editor, map[string]string{"post": post, "class": "投诉", "kind": "reply",
		"facts": "管网破裂，已派人抢修，预计12月6日18点前恢复供水。",
		"text":  "您好，停水的事我们已经知道了，正在调查中，会尽快恢复供水。"})
	decideAPI(t, base, reviewer, id, map[string]any{"decision": "return", "comment": "请写明恢复供水的时间和临时供水点。",
		"spans": []map[string]any{{"start": 15, "end": 20, "note": "查明了什么？"}, {"start": 22, "end": 24, "note": "写明具体时间"}}})
	mustCall(t, editor, "POST", fmt.Sprintf("%s/v1/submissions/%d/versions", base, id), map[string]any{
		"text": "您好，给您和家人添麻烦了。经查，停水是小区东门供水管网破裂所致，抢修队已在现场施工，预计12月6日18点前恢复供水；" +
			"恢复前每天8点至20点在3号楼前设临时供水点。有问题请拨打供水服务热线12345。"}, 200, nil)
	submitDraft(t, base, editor, map[string]string{"post": "听说明天全市停水三天，是真的吗？", "class": "谣言", "kind": "post",
		"text": "【辟谣】网传“明天全市停水三天”不实。经核实，明天仅城东片区因管网检修停水6小时（9点至15点），其他片区供水正常。请以本号发布的信息为准。"})
	id3 := submitDraft(t, base, editor, map[string]string{"post": "新办的社保卡在哪里领？", "class": "咨询", "kind": "comment",
		"text": "您好，新社保卡制作完成后会短信通知，凭身份证到开户银行任一网点领取；进度可拨打12333查询。"})
	decideAPI(t, base, reviewer, id3, map[string]any{"decision": "approve", "comment": "可以发布。"})
	id4 := submitDraft(t, base, editor, map[string]string{"post": "路灯坏了一周了", "class": "投诉", "kind": "reply",
		"text": "您好，路灯的事不归我们管，请咨询相关部门。"})
	decideAPI(t, base, reviewer, id4, map[string]any{"decision": "return", "comment": "不能推诿，请联系城管局后写明维修时间。"})
	submitDraft(t, base, editor, map[string]string{"post": "建议在小区门口增设公交站", "class": "建议", "kind": "reply",
		"text": "您好，感谢您的建议。我们已转交市公交集团研究，会在10个工作日内答复您；进展请拨打12345查询。"})
}

// TestBrowserReviewXSS: a post, facts, texts, a reviewer's comment and
// note carrying script and remote images run no script and make no
// request to another host on 审核队列 and 稿件审核: they are shown as text.
func TestBrowserReviewXSS(t *testing.T) {
	leak, seen := recorder(t)
	base := offlineWorkspace(t)
	admin := apiClient(t, base)
	editor := tokenClient(newUser(t, base, admin, "editor", "editor"))
	reviewer := tokenClient(newUser(t, base, admin, "lina", "reviewer"))
	x := func(where string) string { return xssPayload(leak.URL, where) }
	id := submitDraft(t, base, editor, map[string]string{"post": "路灯坏了" + x("post"), "facts": "已报修" + x("facts"),
		"kind": "reply", "text": "您好，路灯已修好。" + x("text")})
	decideAPI(t, base, reviewer, id, map[string]any{"decision": "return", "comment": x("comment"),
		"spans": []map[string]any{{"start": 0, "end": 2, "note": x("note")}}})
	revision := map[string]any{"text": "您好，路灯昨天已修好。" + x("revision")}
	url := fmt.Sprintf("%s/v1/submissions/%d/versions", base, id)
	if status, data := callAPI(t, editor, "POST", url, revision); status != 200 {
		revision["reason"] = x("reason")
		mustCall(t, editor, "POST", url, revision, 200, nil)
	} else if !strings.Contains(string(data), `"pending"`) {
		t.Fatalf("revise: %s", data)
	}

	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	check := func(where string) { t.Helper(); noActiveContent(t, tab, where) }
	tab.Open(t, base+"/queue?view=all", `document.querySelectorAll('[data-role="submission"]').length === 1`)
	if txt := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="submission"]').textContent`); !strings.Contains(txt, "onerror") {
		t.Errorf("the queue does not show the text as text: %q", txt)
	}
	check("queue")
	tab.Open(t, fmt.Sprintf("%s/queue/submission?id=%d", base, id), `document.querySelectorAll('[data-role="timeline"] [data-role="diff"]').length === 1`)
	if txt := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="timeline"]').textContent`); !strings.Contains(txt, "comment-img") ||
		!strings.Contains(txt, "note-img") || !strings.Contains(txt, "路灯昨天已修好") {
		t.Errorf("the timeline does not show the comment, note and revision as text: %q", txt)
	}
	check("submission")
	time.Sleep(300 * time.Millisecond)
	if got := seen(); len(got) > 0 {
		t.Errorf("pages made requests to another host: %v", got)
	}
	noProblems(t, tab, "review xss")
}

// checkPrintForm prints the submission page in tab as the review form
// (print media): the heading with the printing time, the final text and
// the timeline are shown; the navigation, the forms and the buttons not.
func checkPrintForm(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	media := func(m string) {
		t.Helper()
		if _, err := chromedp.Call(tab.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	media("print")
	defer media("")
	browsertest.Eval[bool](t, tab, `(window.dispatchEvent(new Event("beforeprint")), true)`)
	shown := func(sel string) bool {
		return browsertest.Eval[bool](t, tab, `(() => { const n = document.querySelector(`+strconv.Quote(sel)+`);
			return n !== null && getComputedStyle(n).display !== "none" && n.getClientRects().length > 0; })()`)
	}
	for sel, want := range map[string]bool{
		".print-head": true, `[data-role="final-text"]`: true, `[data-role="timeline"]`: true, ".sub-meta dl": true,
		"header.top": false, "#print": false, "#decision-form": false, ".crumbs": false,
	} {
		if got := shown(sel); got != want {
			t.Errorf("printed, %s shown: %v, want %v", sel, got, want)
		}
	}
	if got := browsertest.Eval[string](t, tab, `document.querySelector('[data-role="printed-at"]').textContent`); !strings.Contains(got, "20") {
		t.Errorf("the printing time reads %q", got)
	}
}
