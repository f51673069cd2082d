package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"govreply/account"
	"govreply/api"
	"govreply/workflow"
	wfmem "govreply/workflow/memory"
)

func workflowConfig(levels int) func(*api.Config) {
	return func(c *api.Config) {
		c.Workflow = &api.Review{Store: wfmem.New(), Levels: levels, Deadlines: workflow.DefaultDeadlines()}
	}
}

const goodReply = "您好，给您添麻烦了。维修班组明天上午到现场更换路灯灯具，修好后在这里告诉您；有问题请拨打12345。"

// TestSubmissionsFlow: an editor submits; two reviewers approve at two
// levels and it is 可发布 with its text; nobody reviews their own; a
// stale decision is 409 with the current state; a returned draft is
// revised and approved; an editor lists only their own; decisions are
// audited.
func TestSubmissionsFlow(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t, workflowConfig(2))
	u := f.srv.URL
	for _, name := range []string{"shenhe1", "shenhe2"} {
		if _, err := f.svc.AddUser(context.Background(), account.Operator(), name, name+"-password", []account.Role{account.RoleReviewer}); err != nil {
			t.Fatal(err)
		}
	}
	editor := f.token(t, "wangfang", "wangfang-password")
	r1 := f.token(t, "shenhe1", "shenhe1-password")
	r2 := f.token(t, "shenhe2", "shenhe2-password")
	admin := f.token(t, "admin", "admin-password-1")
	checks, _ := json.Marshal(workflow.AllChecks())
	decide := func(token string, id int64, decision, extra string) (int, string, string) {
		t.Helper()
		return call(t, nil, "POST", fmt.Sprintf("%s/v1/submissions/%d/decisions", u, id), token,
			`{"decision":"`+decision+`","comment":"请补充时间","checks":`+string(checks)+extra+`}`)
	}
	submit := func(token, text, reason string) int64 {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"post": "路灯坏了一周了", "kind": "reply", "text": text, "reason": reason})
		status, _, resp := call(t, nil, "POST", u+"/v1/submissions", token, string(body))
		var out struct {
			ID     int64
			Status string
			Level  int
		}
		_ = json.Unmarshal([]byte(resp), &out)
		if status != 201 || out.Status != "pending" || out.Level != 1 {
			t.Fatalf("submit: %d %s", status, resp)
		}
		return out.ID
	}

	// wangfang works in 编辑部, the others in the default office.
	if status, _, body := call(t, nil, "PUT", u+"/v1/offices/编辑部", admin, `{"levels":2,"members":["wangfang"]}`); status != 200 {
		t.Fatalf("put office: %d %s", status, body)
	}
	// A draft with an error finding needs a reason.
	if status, code, _ := call(t, nil, "POST", u+"/v1/submissions", editor, `{"post":"路灯坏了","kind":"reply","text":"无可奉告。"}`); status != 400 || code != "reason_required" {
		t.Errorf("an erroneous draft without a reason: %d %s", status, code)
	}
	id := submit(editor, goodReply, "")
	if status, _, _ := decide(editor, id, "approve", ""); status != 403 {
		t.Errorf("an editor deciding: %d", status)
	}
	mine := submit(admin, goodReply, "")
	if status, code, _ := decide(admin, mine, "approve", ""); status != 403 || code != "self_review" {
		t.Errorf("self-review: %d %s", status, code)
	}
	if status, _, body := decide(r1, id, "approve", ""); status != 200 || !strings.Contains(body, `"level":2`) {
		t.Fatalf("level 1 approval: %d %s", status, body)
	}
	// A stale decision: the lock counter the reviewer read has moved on.
	if status, code, body := decide(r2, id, "approve", `,"version":1`); status != 409 || code != "stale_version" || !strings.Contains(body, `"current"`) {
		t.Errorf("a stale decision: %d %s %.200s", status, code, body)
	}
	status, _, body := decide(r2, id, "approve", "")
	if status != 200 || !strings.Contains(body, `"status":"approved"`) || !strings.Contains(body, "维修班组") {
		t.Fatalf("final approval: %d %s", status, body)
	}

	// Returned, revised, approved at both levels; both versions kept.
	id2 := submit(editor, goodReply, "")
	if status, _, body := decide(r1, id2, "return", ""); status != 200 || !strings.Contains(body, `"status":"returned"`) {
		t.Fatalf("return: %d %s", status, body)
	}
	revised := strings.Replace(goodReply, "明天上午", "12月6日上午", 1)
	if status, _, body := call(t, nil, "POST", fmt.Sprintf("%s/v1/submissions/%d/versions", u, id2), editor, `{"text":"`+revised+`"}`); status != 200 {
		t.Fatalf("revise: %d %s", status, body)
	}
	decide(r1, id2, "approve", "")
	decide(r2, id2, "approve", "")
	status, _, body = call(t, nil, "GET", fmt.Sprintf("%s/v1/submissions/%d", u, id2), editor, "")
	var d workflow.Detail
	if err := json.Unmarshal([]byte(body), &d); err != nil || status != 200 {
		t.Fatalf("get: %d %v", status, err)
	}
	if d.Submission.Status != "approved" || len(d.Versions) != 2 || d.Submission.Text != revised || len(d.Decisions) != 3 {
		t.Errorf("after return, revision and two approvals: %+v, %d versions, %d decisions", d.Submission, len(d.Versions), len(d.Decisions))
	}

	// Lists: an editor sees their own; a reviewer the queue.
	_, _, body = call(t, nil, "GET", u+"/v1/submissions", editor, "")
	if strings.Contains(body, `"author":"admin"`) || !strings.Contains(body, `"author":"wangfang"`) {
		t.Errorf("an editor's list: %.300s", body)
	}
	_, _, body = call(t, nil, "GET", u+"/v1/submissions?status=pending", r1, "")
	if !strings.Contains(body, `"author":"admin"`) || !strings.Contains(body, `"due"`) {
		t.Errorf("the reviewer's queue: %.300s", body)
	}
	_, _, body = call(t, nil, "GET", u+"/v1/audit?action=review_decision", admin, "")
	if strings.Count(body, `"action":"review_decision"`) < 5 {
		t.Errorf("decisions not audited: %.300s", body)
	}
}

// TestSubmissionsBadInput: what the review routes refuse, each with its
// status and a Chinese message, and nothing stored.
func TestSubmissionsBadInput(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t, workflowConfig(1))
	u := f.srv.URL
	admin := f.token(t, "admin", "admin-password-1")
	editor := f.token(t, "wangfang", "wangfang-password")
	status, _, body := call(t, nil, "POST", u+"/v1/submissions", editor, `{"post":"路灯坏了","kind":"reply","text":"`+goodReply+`"}`)
	if status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	for _, tc := range []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/v1/submissions?status=done", editor, "", 400, "invalid_input"},
		{"GET", "/v1/submissions?limit=0", editor, "", 400, "invalid_input"},
		{"GET", "/v1/submissions?limit=501", editor, "", 400, "invalid_input"},
		{"GET", "/v1/submissions?offset=-1", editor, "", 400, "invalid_input"},
		{"GET", "/v1/submissions?level=4", editor, "", 400, "invalid_input"},
		{"GET", "/v1/submissions/abc", editor, "", 404, "not_found"},
		{"GET", "/v1/submissions/999", editor, "", 404, "not_found"},
		{"GET", "/v1/submissions/summary?days=0", admin, "", 400, "invalid_input"},
		{"GET", "/v1/submissions/summary?days=93", admin, "", 400, "invalid_input"},
		{"GET", "/v1/submissions/summary?day=12-01", admin, "", 400, "invalid_input"},
		{"GET", "/v1/submissions/summary?office=nowhere", admin, "", 403, "forbidden"},
		{"GET", "/v1/submissions/summary", editor, "", 403, "forbidden"},
		{"POST", "/v1/submissions", editor, `{"post":"p","kind":"reply","text":""}`, 400, ""},
		{"POST", "/v1/submissions", editor, `{"post":"p","text":"x","extra":1}`, 400, ""},
		{"POST", "/v1/submissions/1/decisions", admin, `{"decision":"maybe","version":1}`, 400, "invalid_input"},
		{"POST", "/v1/submissions/1/decisions", admin, `{"decision":"approve","version":1,"spans":[{"start":5,"end":999,"note":"x"}]}`, 400, "invalid_input"},
		{"POST", "/v1/submissions/1/decisions", admin, `{"decision":"edit_approve","version":1,"text":" "}`, 400, "invalid_input"},
		{"POST", "/v1/submissions/1/versions", editor, `{"text":"改"}`, 409, "not_returned"},
		{"PUT", "/v1/offices/x", admin, `{"levels":0}`, 400, "invalid_input"},
		{"PUT", "/v1/offices/x", admin, `{"levels":1,"reviewers":[{"roles":["boss"]}]}`, 400, "invalid_role"}, // as for a user
		{"PUT", "/v1/offices/x", admin, `{"levels":1,"deadlines":{"投诉":{"hours":1,"working_days":1}}}`, 400, "invalid_input"},
		{"PUT", "/v1/offices/x", admin, `{"levels":1,"owner":"me"}`, 400, ""},
		{"PUT", "/v1/offices/x", editor, `{"levels":1}`, 403, "forbidden"},
		{"DELETE", "/v1/offices/nowhere", admin, "", 404, "not_found"},
	} {
		status, code, body := call(t, nil, tc.method, u+tc.path, tc.token, tc.body)
		if status != tc.status || (tc.code != "" && code != tc.code) || !strings.Contains(body, `"message"`) {
			t.Errorf("%s %s %s: %d %s, want %d %s: %s", tc.method, tc.path, tc.body, status, code, tc.status, tc.code, body)
		}
	}
	_, _, body = call(t, nil, "GET", u+"/v1/submissions/1", admin, "")
	if !strings.Contains(body, `"version":1`) || !strings.Contains(body, `"decisions":[]`) {
		t.Errorf("a refused request changed the submission: %s", body)
	}
	if _, _, body := call(t, nil, "GET", u+"/v1/offices", admin, ""); strings.Contains(body, `"name":"x"`) {
		t.Errorf("a refused office was stored: %s", body)
	}
}
