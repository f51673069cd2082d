package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/workflow"
	wfmem "govreply/workflow/memory"
)

// The publishing review through the API of `govreply serve` on
// PostgreSQL: offices with one and three levels, who may decide what,
// returns and revisions, versions and their differences, deadlines, the
// daily summary, and what each user may see.

// reviewUser is a user of the review tests: a client with their token.
type reviewUser struct {
	t    *testing.T
	base string
	name string
	c    *http.Client
}

func (u reviewUser) do(method, path string, body any) (int, map[string]any) {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out); err != nil {
			u.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	} else {
		out["raw"] = string(data)
	}
	return resp.StatusCode, out
}

// must calls the API and fails the test unless it answers want.
func (u reviewUser) must(want int, method, path string, body any) map[string]any {
	u.t.Helper()
	status, out := u.do(method, path, body)
	if status != want {
		u.t.Fatalf("%s: %s %s: %d, want %d: %v", u.name, method, path, status, want, out)
	}
	return out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

var fiveChecks = map[string]bool{"political": true, "legal": true, "policy": true, "secrecy": true, "wording": true}

// decision is a decision's body on the submission's version as read.
func decision(sub map[string]any, kind string, extra map[string]any) map[string]any {
	body := map[string]any{"decision": kind, "version": sub["version"], "checks": fiveChecks, "comment": ""}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func subPath(sub map[string]any, tail string) string {
	return fmt.Sprintf("/v1/submissions/%v%s", sub["id"], tail)
}

// ids are the ids of a list's submissions, in order.
func ids(out map[string]any) []string {
	var got []string
	rows, _ := out["submissions"].([]any)
	for _, r := range rows {
		got = append(got, fmt.Sprint(r.(map[string]any)["id"]))
	}
	return got
}

const plainReply = "您好，给您添麻烦了。维修班组明天上午到现场更换路灯灯具，修好后在这里告诉您；有问题请拨打12345。"

// reviewService serves on a fresh schema of the test database and adds
// the users, the offices 一级办 (one level, any reviewer) and 三级办
// (three levels, one named reviewer each), and returns the users by
// name and a connection to the schema.
func reviewService(t *testing.T, configure ...func(*config)) (map[string]reviewUser, *pgx.Conn) {
	t.Helper()
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
	for _, f := range configure {
		f(&cfg)
	}
	base := mustServe(t, cfg)
	admin := apiClient(t, base)
	users := map[string]reviewUser{"admin": {t, base, "admin", admin}}
	for name, role := range map[string]string{"ed1": "editor", "ed1b": "editor", "ed3": "editor", "edx": "editor",
		"rv": "reviewer", "rv2": "reviewer", "c1": "reviewer", "c2": "reviewer", "c3": "reviewer", "pupil": "trainee"} {
		users[name] = reviewUser{t, base, name, &http.Client{Transport: bearer{newUser(t, base, admin, name, role), http.DefaultTransport}}}
	}
	a := users["admin"]
	a.must(200, "PUT", "/v1/offices/"+url.PathEscape("一级办"), map[string]any{"levels": 1, "members": []string{"ed1", "ed1b"},
		"reviewers": []any{map[string]any{"roles": []string{"reviewer"}}}})
	a.must(200, "PUT", "/v1/offices/"+url.PathEscape("三级办"), map[string]any{"levels": 3, "members": []string{"ed3"},
		"reviewers": []any{map[string]any{"users": []string{"c1"}}, map[string]any{"users": []string{"c2"}}, map[string]any{"users": []string{"c3"}}}})
	conn, err := pgx.Connect(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return users, conn
}

func submitReply(u reviewUser, extra map[string]any) map[string]any {
	u.t.Helper()
	body := map[string]any{"post": "路灯坏了一周了，晚上走路很不安全", "facts": "维修班组明天上午到场", "kind": "reply", "text": plainReply}
	for k, v := range extra {
		body[k] = v
	}
	return u.must(201, "POST", "/v1/submissions", body)
}

func TestPublishingOneLevel(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	sub := submitReply(us["ed1"], nil)
	if sub["office"] != "一级办" || sub["levels"].(float64) != 1 || sub["status"] != "pending" || sub["version"].(float64) != 1 {
		t.Fatalf("submitted: %v", sub)
	}
	if _, out := us["ed1b"].do("POST", subPath(sub, "/decisions"), decision(sub, "approve", nil)); errCode(out) != "not_reviewer" {
		t.Errorf("an editor of the office deciding: %v", out)
	}
	if code := errCode(us["rv"].must(400, "POST", subPath(sub, "/decisions"),
		decision(sub, "approve", map[string]any{"checks": map[string]bool{"political": true}}))); code != "checks_incomplete" {
		t.Errorf("approving with one check ticked: %s", code)
	}
	got := us["rv"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "approve", nil))
	if got["status"] != "approved" || got["text"] != plainReply || got["level_name"] != "审核" || got["actionable"] != false {
		t.Errorf("approved at its only level: %v", got)
	}
	if _, out := us["rv2"].do("POST", subPath(sub, "/decisions"), decision(got, "approve", nil)); errCode(out) != "not_pending" {
		t.Errorf("deciding on an approved submission: %v", out)
	}
}

func TestPublishingThreeLevels(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	sub := submitReply(us["ed3"], nil)
	if sub["office"] != "三级办" || sub["levels"].(float64) != 3 {
		t.Fatalf("submitted: %v", sub)
	}
	// Only c1 decides 初审; c2's queue does not hold it yet; rv, who
	// reviews no level of 三级办, does not even see it.
	if _, out := us["c2"].do("POST", subPath(sub, "/decisions"), decision(sub, "approve", nil)); errCode(out) != "not_reviewer" {
		t.Errorf("c2 deciding 初审: %v", out)
	}
	if status, _ := us["rv"].do("POST", subPath(sub, "/decisions"), decision(sub, "approve", nil)); status != 404 {
		t.Errorf("rv deciding 初审: %d", status)
	}
	queue := func(who string) []string {
		return ids(us[who].must(200, "GET", "/v1/submissions?status=pending", nil))
	}
	id := fmt.Sprint(sub["id"])
	if !slices.Contains(queue("c1"), id) || slices.Contains(queue("c2"), id) {
		t.Fatalf("queues at 初审: c1 %v, c2 %v", queue("c1"), queue("c2"))
	}
	s1 := us["c1"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "approve", nil))
	if s1["level"].(float64) != 2 || s1["level_name"] != "复审" {
		t.Fatalf("after 初审: %v", s1)
	}
	if slices.Contains(queue("c1"), id) || !slices.Contains(queue("c2"), id) {
		t.Errorf("queues at 复审: c1 %v, c2 %v", queue("c1"), queue("c2"))
	}
	// c2 corrects the text and approves: a new version, by c2.
	edited := strings.Replace(plainReply, "明天上午", "12月6日上午9时前", 1)
	s2 := us["c2"].must(200, "POST", subPath(s1, "/decisions"), decision(s1, "edit_approve", map[string]any{"text": edited, "comment": "写明具体时间"}))
	if s2["level_name"] != "终审" || s2["head"].(float64) != 2 || s2["text"] != edited {
		t.Fatalf("after 复审 with an edit: %v", s2)
	}
	s3 := us["c3"].must(200, "POST", subPath(s2, "/decisions"), decision(s2, "approve", nil))
	if s3["status"] != "approved" || s3["text"] != edited {
		t.Fatalf("after 终审: %v", s3)
	}
	got := us["ed3"].must(200, "GET", subPath(sub, ""), nil)
	versions, decisions, diffs := got["versions"].([]any), got["decisions"].([]any), got["diffs"].([]any)
	if len(versions) != 2 || versions[1].(map[string]any)["author"] != "c2" || len(decisions) != 3 {
		t.Fatalf("versions %v decisions %v", versions, decisions)
	}
	if rv, _ := versions[1].(map[string]any)["review"].(map[string]any); rv == nil || rv["pass"] != true {
		t.Errorf("the reviewer's version is kept without its automatic review: %v", versions[1])
	}
	var names []string
	for _, d := range decisions {
		dm := d.(map[string]any)
		names = append(names, fmt.Sprint(dm["level_name"], "/", dm["reviewer"], "/", dm["decision"]))
	}
	if want := "[初审/c1/approve 复审/c2/edit_approve 终审/c3/approve]"; fmt.Sprint(names) != want {
		t.Errorf("decisions %v, want %s", names, want)
	}
	if len(diffs) != 1 {
		t.Fatalf("diffs %v", diffs)
	}
	if from, to := applyDiff(t, diffs[0]); from != plainReply || to != edited {
		t.Errorf("the diff from 1 to 2 reads %q → %q", from, to)
	}
}

// applyDiff returns the texts a diff of GET /v1/submissions/{id} runs
// between.
func applyDiff(t *testing.T, diff any) (from, to string) {
	t.Helper()
	var a, b strings.Builder
	for _, op := range diff.(map[string]any)["ops"].([]any) {
		o := op.(map[string]any)
		text := o["text"].(string)
		switch o["op"] {
		case "equal":
			a.WriteString(text)
			b.WriteString(text)
		case "delete":
			a.WriteString(text)
		case "insert":
			b.WriteString(text)
		default:
			t.Fatalf("op %v", o)
		}
	}
	return a.String(), b.String()
}

func TestPublishingRefusesSelfAndSecondLevel(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	// rv is in no office: the default office, one level, any reviewer.
	own := submitReply(us["rv"], nil)
	if status, out := us["rv"].do("POST", subPath(own, "/decisions"), decision(own, "approve", nil)); status != 403 || errCode(out) != "self_review" {
		t.Errorf("deciding one's own: %d %v", status, out)
	}
	view := us["rv"].must(200, "GET", subPath(own, ""), nil)
	if view["actionable"] != false || view["refusal"] != "不能审核自己提交的稿件" {
		t.Errorf("one's own as seen: actionable %v refusal %v", view["actionable"], view["refusal"])
	}
	// c1 may not decide two levels of one submission, even when named for both.
	us["admin"].must(200, "PUT", "/v1/offices/"+url.PathEscape("三级办"), map[string]any{"levels": 3, "members": []string{"ed3"},
		"reviewers": []any{map[string]any{"users": []string{"c1"}}, map[string]any{"users": []string{"c1", "c2"}}}})
	sub := submitReply(us["ed3"], nil)
	sub = us["c1"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "approve", nil))
	if status, out := us["c1"].do("POST", subPath(sub, "/decisions"), decision(sub, "approve", nil)); status != 403 || errCode(out) != "second_level" {
		t.Errorf("a second level by c1: %d %v", status, out)
	}
	// Level 3 has no reviewers configured: the reviewers by role decide it.
	sub = us["c2"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "approve", nil))
	if sub = us["rv"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "approve", nil)); sub["status"] != "approved" {
		t.Errorf("after three levels: %v", sub)
	}
}

func TestPublishingConcurrentDecisions(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	sub := submitReply(us["ed1"], nil)
	var wg sync.WaitGroup
	results := make([]map[string]any, 2)
	statuses := make([]int, 2)
	for i, who := range []string{"rv", "rv2"} {
		wg.Go(func() {
			statuses[i], results[i] = us[who].do("POST", subPath(sub, "/decisions"), decision(sub, "approve", nil))
		})
	}
	wg.Wait()
	if got := slices.Sorted(slices.Values(statuses)); fmt.Sprint(got) != "[200 409]" {
		t.Fatalf("two concurrent decisions: %v %v", statuses, results)
	}
	loser := results[slices.Index(statuses, 409)]
	cur, _ := loser["current"].(map[string]any)
	if errCode(loser) != "stale_version" || cur["status"] != "approved" || len(cur["decisions"].([]any)) != 1 {
		t.Errorf("the 409 answer: %v", loser)
	}
	audit := us["admin"].must(200, "GET", "/v1/audit?action=review_decision", nil)
	var outcomes []string
	for _, e := range audit["entries"].([]any) {
		outcomes = append(outcomes, e.(map[string]any)["outcome"].(string))
	}
	slices.Sort(outcomes)
	if fmt.Sprint(outcomes) != "[failed ok]" {
		t.Errorf("audited decisions: %v", outcomes)
	}
}

func TestPublishingReturnReviseApprove(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	sub := submitReply(us["ed3"], nil)
	if code := errCode(us["c1"].must(400, "POST", subPath(sub, "/decisions"), decision(sub, "return", nil))); code != "comment_required" {
		t.Errorf("a return without a comment: %s", code)
	}
	ret := us["c1"].must(200, "POST", subPath(sub, "/decisions"), decision(sub, "return", map[string]any{
		"comment": "时间要具体", "spans": []map[string]any{{"start": 15, "end": 19, "note": "写明日期"}}}))
	if ret["status"] != "returned" || ret["level"].(float64) != 1 {
		t.Fatalf("returned: %v", ret)
	}
	if view := us["ed3"].must(200, "GET", subPath(sub, ""), nil); view["revisable"] != true {
		t.Errorf("the author may not revise: %v", view)
	}
	if status, _ := us["ed1"].do("POST", subPath(sub, "/versions"), map[string]any{"text": "别人改"}); status != 404 {
		t.Errorf("another office's editor revising: %d", status)
	}
	if status, out := us["ed3"].do("POST", subPath(sub, "/versions"), map[string]any{"text": "无可奉告。"}); status != 400 || errCode(out) != "reason_required" {
		t.Errorf("a revision with an error finding and no reason: %d %v", status, out)
	}
	revised := strings.Replace(plainReply, "明天上午", "12月6日上午", 1)
	rev := us["ed3"].must(200, "POST", subPath(sub, "/versions"), map[string]any{"text": revised})
	if rev["status"] != "pending" || rev["level"].(float64) != 1 || rev["head"].(float64) != 2 {
		t.Fatalf("revised: %v", rev)
	}
	for _, who := range []string{"c1", "c2", "c3"} {
		rev = us[who].must(200, "POST", subPath(rev, "/decisions"), decision(rev, "approve", nil))
	}
	if rev["status"] != "approved" || rev["text"] != revised {
		t.Fatalf("approved: %v", rev)
	}
	decisions := rev["decisions"].([]any)
	first := decisions[0].(map[string]any)
	if len(decisions) != 4 || first["comment"] != "时间要具体" || fmt.Sprint(first["spans"]) != "[map[end:19 note:写明日期 start:15]]" {
		t.Errorf("decisions kept: %v", decisions)
	}
	diffs := rev["diffs"].([]any)
	if len(diffs) != 1 {
		t.Fatalf("diffs: %v", diffs)
	}
	if from, to := applyDiff(t, diffs[0]); from != plainReply || to != revised {
		t.Errorf("the diff reads %q → %q", from, to)
	}
}

func TestPublishingDeadlinesAndSummary(t *testing.T) {
	t.Parallel()
	us, conn := reviewService(t, func(c *config) { c.ReviewDeadlines = "谣言=4h,咨询=2d" })
	ed := us["ed1"]
	// 一级办 answers an enquiry within 10 hours, whatever the service's limit.
	us["admin"].must(200, "PUT", "/v1/offices/"+url.PathEscape("一级办"), map[string]any{"levels": 1, "members": []string{"ed1", "ed1b"},
		"deadlines": map[string]any{"咨询": map[string]int{"hours": 10}}})
	rumour := submitReply(ed, map[string]any{"class": "谣言"})
	// No class given: the post is read as a complaint.
	complaint := submitReply(ed, map[string]any{"post": "小区门口的路灯坏了一个多月，打了三次电话都没人管，太不负责了！"})
	enquiry := submitReply(ed, map[string]any{"class": "咨询"})
	created := time.Now()
	if complaint["class"] != "投诉" {
		t.Errorf("the class read: %v", complaint["class"])
	}
	deadline := func(sub map[string]any) time.Time {
		d, err := time.Parse(time.RFC3339Nano, sub["deadline"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := deadline(enquiry).Sub(created); d < 9*time.Hour+50*time.Minute || d > 10*time.Hour {
		t.Errorf("an enquiry's deadline at 一级办 in %v, want 10 hours", d)
	}
	if d := deadline(rumour).Sub(created); d < 3*time.Hour+50*time.Minute || d > 4*time.Hour {
		t.Errorf("a rumour's deadline in %v, want 4 hours", d)
	}
	if d := deadline(complaint).Sub(created); d < 3*24*time.Hour-time.Minute || d > 5*24*time.Hour {
		t.Errorf("a complaint's deadline in %v, want 3 working days", d)
	}
	// Time passes: the complaint is past its deadline, the enquiry due within hours.
	for id, due := range map[any]time.Duration{complaint["id"]: -2 * time.Hour, enquiry["id"]: 3 * time.Hour} {
		if _, err := conn.Exec(context.Background(), `UPDATE submissions SET deadline = now() + $2 * interval '1 second' WHERE id = $1`,
			id, due.Seconds()); err != nil {
			t.Fatal(err)
		}
	}
	list := us["rv"].must(200, "GET", "/v1/submissions?status=pending", nil)
	if got, want := ids(list), []string{fmt.Sprint(complaint["id"]), fmt.Sprint(enquiry["id"]), fmt.Sprint(rumour["id"])}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the queue's order %v, want %v (soonest deadline first)", got, want)
	}
	dues := map[string]string{}
	for _, r := range list["submissions"].([]any) {
		rm := r.(map[string]any)
		dues[fmt.Sprint(rm["id"])] = rm["due"].(string)
	}
	if dues[fmt.Sprint(complaint["id"])] != "overdue" || dues[fmt.Sprint(enquiry["id"])] != "due_soon" || dues[fmt.Sprint(rumour["id"])] != "due_soon" {
		t.Errorf("due marks: %v", dues)
	}
	// Approve one, return one: the day's summary of 一级办.
	us["rv"].must(200, "POST", subPath(rumour, "/decisions"), decision(rumour, "approve", nil))
	us["rv"].must(200, "POST", subPath(enquiry, "/decisions"), decision(enquiry, "return", map[string]any{"comment": "补充办理时限"}))
	sum := us["rv"].must(200, "GET", "/v1/submissions/summary?days=1&office="+url.QueryEscape("一级办"), nil)
	rows := sum["summaries"].([]any)
	if len(rows) != 1 {
		t.Fatalf("summary: %v", sum)
	}
	r := rows[0].(map[string]any)
	if r["received"].(float64) != 3 || r["approved"].(float64) != 1 || r["returned"].(float64) != 1 || r["overdue"].(float64) != 1 {
		t.Errorf("the day's summary: %v", r)
	}
	csv := us["admin"].must(200, "GET", "/v1/submissions/summary?days=2&format=csv", nil)["raw"].(string)
	if !strings.HasPrefix(csv, "\ufeff科室,日期,收到,通过,退回,逾期") || !strings.Contains(csv, "\n一级办,") || strings.Count(csv, "\n") != 1+2*3 {
		t.Errorf("CSV:\n%s", csv)
	}
	if status, _ := us["ed1"].do("GET", "/v1/submissions/summary", nil); status != 403 {
		t.Errorf("an editor reading the summary: %d", status)
	}
}

func TestPublishingWhoSeesWhat(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	a := submitReply(us["ed1"], map[string]any{"post": "我的手机号是13912345678，路灯坏了"})
	b := submitReply(us["ed3"], nil)
	x := submitReply(us["edx"], nil)
	y := submitReply(us["rv"], nil) // the default office too
	if post := us["ed1"].must(200, "GET", subPath(a, ""), nil)["post"]; strings.Contains(post.(string), "13912345678") {
		t.Errorf("a mobile number stored in the post: %v", post)
	}
	seen := func(who string) []string { return ids(us[who].must(200, "GET", "/v1/submissions?scope=all", nil)) }
	for _, tc := range []struct {
		who  string
		want []any
	}{
		{"ed1", []any{a["id"]}},
		{"ed1b", []any{a["id"]}}, // the same office
		{"ed3", []any{b["id"]}},
		{"edx", []any{x["id"]}},                           // the default office is no team: one's own only
		{"c1", []any{a["id"], b["id"], x["id"], y["id"]}}, // 一级办 by role, 三级办 by name, the default office by role
		{"admin", []any{a["id"], b["id"], x["id"], y["id"]}},
	} {
		var want []string
		for _, id := range tc.want {
			want = append(want, fmt.Sprint(id))
		}
		if got := seen(tc.who); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s sees %v, want %v", tc.who, got, want)
		}
	}
	if status, _ := us["ed3"].do("GET", subPath(a, ""), nil); status != 404 {
		t.Errorf("an editor opening another office's submission: %d", status)
	}
	if status, out := us["pupil"].do("POST", "/v1/submissions", map[string]any{"post": "p", "kind": "reply", "text": plainReply}); status != 403 {
		t.Errorf("a trainee submitting: %d %v", status, out)
	}
	if status, out := us["ed1"].do("POST", "/v1/submissions", map[string]any{"post": "p", "kind": "reply", "text": plainReply, "office": "三级办"}); status != 403 || errCode(out) != "not_member" {
		t.Errorf("submitting to an office one is not in: %d %v", status, out)
	}
	if status, _ := us["ed1"].do("PUT", "/v1/offices/x", map[string]any{"levels": 1}); status != 403 {
		t.Errorf("an editor configuring an office: %d", status)
	}
	if status, out := us["admin"].do("PUT", "/v1/offices/x", map[string]any{"levels": 4}); status != 400 {
		t.Errorf("four levels: %d %v", status, out)
	}
	audit := us["admin"].must(200, "GET", "/v1/audit?action=review_submit", nil)
	if n := len(audit["entries"].([]any)); n != 4 {
		t.Errorf("%d submissions audited, want 4", n)
	}
}

// TestPublishingRefusesBadDeadlines: serve does not start on response
// limits it cannot read, and says which.
func TestPublishingRefusesBadDeadlines(t *testing.T) {
	t.Parallel()
	cfg := offlineConfig()
	cfg.Addr, cfg.ReviewDeadlines = freeAddr(t), "谣言=4"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := serve(ctx, cfg, newApp, nil, slog.New(slog.DiscardHandler), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "谣言=4") || ctx.Err() != nil {
		t.Fatalf("serve with GOVREPLY_REVIEW_DEADLINES=谣言=4: %v", err)
	}
}

// TestForgetPostsEvery: serve's sweep clears the posts of submissions
// older than the retention at start, and leaves newer ones.
func TestForgetPostsEvery(t *testing.T) {
	t.Parallel()
	store := wfmem.New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old, err := store.Create(ctx, workflow.Submission{Author: "ed", Post: "我的电话是138****5678"},
		workflow.Version{Text: "回复", At: time.Now().Add(-31 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := store.Create(ctx, workflow.Submission{Author: "ed", Post: "新帖"}, workflow.Version{Text: "回复"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { forgetPostsEvery(ctx, store, 0, time.Hour, slog.New(slog.DiscardHandler)); close(done) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if d, _ := store.Get(ctx, old.ID); d.PostForgotten {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old post was not forgotten")
		}
	}
	if d, _ := store.Get(ctx, fresh.ID); d.PostForgotten || d.Post != "新帖" {
		t.Errorf("a fresh post: %+v", d.Submission)
	}
	cancel()
	<-done
}

// TestPublishingHolidays: GOVREPLY_HOLIDAYS adds an office's calendar:
// a complaint's three working days skip the ten days it declares off,
// and a calendar it cannot read stops serve with where it is wrong.
func TestPublishingHolidays(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	byYear := map[int][]string{}
	today := time.Now().In(cst)
	for i := 1; i <= 10; i++ {
		d := today.AddDate(0, 0, i)
		byYear[d.Year()] = append(byYear[d.Year()], fmt.Sprintf("    - {name: 停工, from: %[1]s, to: %[1]s}\n", d.Format(time.DateOnly)))
	}
	var file strings.Builder
	for y, days := range byYear {
		fmt.Fprintf(&file, "- year: %d\n  holidays:\n%s", y, strings.Join(days, ""))
	}
	path := filepath.Join(t.TempDir(), "holidays.yaml")
	if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	us, _ := reviewService(t, func(c *config) { c.Holidays = path })
	sub := submitReply(us["ed1"], map[string]any{"class": "投诉"})
	deadline, err := time.Parse(time.RFC3339Nano, sub["deadline"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if d := deadline.Sub(time.Now()); d < 11*24*time.Hour || d > 30*24*time.Hour {
		t.Errorf("a complaint's deadline in %v, want past the ten days off", d)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("- year: 2026\n  workdays: [2026-01-05]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := offlineConfig()
	cfg.Addr, cfg.Holidays = freeAddr(t), bad
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := serve(ctx, cfg, newApp, nil, slog.New(slog.DiscardHandler), io.Discard); err == nil || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("serve with a bad calendar: %v", err)
	}
}

// TestPublishingWithdraw: an author takes back a submission waiting for
// review; nobody else may, it leaves the queue, and its record stays.
func TestPublishingWithdraw(t *testing.T) {
	t.Parallel()
	us, _ := reviewService(t)
	sub := submitReply(us["ed1"], nil)
	for _, who := range []string{"ed1b", "rv"} {
		if status, out := us[who].do("POST", subPath(sub, "/withdraw"), map[string]any{"version": sub["version"]}); status != 403 || errCode(out) != "not_author" {
			t.Errorf("%s withdrawing ed1's: %d %v", who, status, out)
		}
	}
	got := us["ed1"].must(200, "POST", subPath(sub, "/withdraw"), map[string]any{"version": sub["version"]})
	if got["status"] != "withdrawn" || got["withdrawn_at"] == nil || got["withdrawable"] != false || got["due"] != "fine" {
		t.Fatalf("withdrawn: %v", got)
	}
	if status, out := us["rv"].do("POST", subPath(sub, "/decisions"), decision(got, "approve", nil)); status != 409 || errCode(out) != "not_pending" {
		t.Errorf("deciding a withdrawn submission: %d %v", status, out)
	}
	if q := ids(us["rv"].must(200, "GET", "/v1/submissions?status=pending", nil)); len(q) != 0 {
		t.Errorf("the queue still holds %v", q)
	}
	if w := ids(us["ed1"].must(200, "GET", "/v1/submissions?status=withdrawn", nil)); fmt.Sprint(w) != fmt.Sprint([]string{fmt.Sprint(sub["id"])}) {
		t.Errorf("the author's withdrawn: %v", w)
	}
	if status, out := us["ed1"].do("POST", subPath(sub, "/withdraw"), map[string]any{}); status != 409 || errCode(out) != "not_open" {
		t.Errorf("withdrawing twice: %d %v", status, out)
	}
	audit := us["admin"].must(200, "GET", "/v1/audit?action=review_withdraw", nil)
	if n := len(audit["entries"].([]any)); n != 1 {
		t.Errorf("%d withdrawals audited, want 1", n)
	}
}
