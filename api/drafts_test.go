package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"govreply/api"
	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

// fakeDrafter returns a fixed response (or err), records the requests it
// gets and, when block is set, waits for the request's context to end.
type fakeDrafter struct {
	res   bot.DraftResponse
	err   error
	block bool

	mu      sync.Mutex
	calls   []bot.DraftRequest
	started chan struct{} // closed when a blocking Draft starts
	done    chan error    // a blocking Draft's ctx.Err()
}

// Draft validates req as every Drafter must (bot.DraftRequest.Normalize)
// and records only the requests that pass.
func (f *fakeDrafter) Draft(ctx context.Context, req bot.DraftRequest) (bot.DraftResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.DraftResponse{}, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, req)
	f.mu.Unlock()
	if f.block {
		close(f.started)
		select {
		case <-ctx.Done():
			f.done <- ctx.Err()
			return bot.DraftResponse{}, ctx.Err()
		case <-time.After(10 * time.Second):
			f.done <- nil
			return f.res, nil
		}
	}
	return f.res, f.err
}

func (f *fakeDrafter) requests() []bot.DraftRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func draftResponse() bot.DraftResponse {
	return bot.DraftResponse{
		Classification: bot.Complaint,
		Analysis: &bot.Analysis{Class: bot.Complaint, Subject: "路灯", Place: "幸福里小区", Duration: "一周",
			Wants: bot.WantAction, Emotion: bot.Dissatisfied},
		Drafts: []bot.Variant{
			{Text: "您好，路灯已安排检修，【待核实：修复日期】前修好。",
				Review:    review.Review{Kind: review.KindReply, Length: 25, Limit: 2000, Score: 100, Pass: true, Findings: []review.Finding{}},
				Citations: []bot.Citation{{Doc: "tone-empathy", Title: "先共情再说事", Section: "开头怎么写"}}},
			{Text: "您好，已转交相关部门。",
				Review: review.Review{Kind: review.KindReply, Length: 11, Limit: 2000, Score: 80, Pass: true}}, // nil lists
		},
		ToVerify: []string{"修复日期"},
	}
}

func newDraftServer(t *testing.T, dr bot.Drafter) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{Drafter: dr}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func postDrafts(t *testing.T, ctx context.Context, url, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return post(t, ctx, url+"/v1/drafts", contentType, body)
}

func TestDrafts(t *testing.T) {
	t.Parallel()
	fd := &fakeDrafter{res: draftResponse()}
	srv := newDraftServer(t, fd)
	resp, body := postDrafts(t, context.Background(), srv.URL, "application/json; charset=utf-8",
		jsonBody(t, map[string]string{"post": "小区路灯坏了一周了", "facts": "已派人检修", "kind": "comment", "tone": "正式"}))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatal(err)
	}
	if got := keys(obj); !slices.Equal(got, []string{"analysis", "classification", "drafts", "to_verify"}) {
		t.Fatalf("keys %v: %s", got, body)
	}
	var analysis map[string]json.RawMessage
	json.Unmarshal(obj["analysis"], &analysis)
	if got := keys(analysis); !slices.Equal(got, []string{"class", "duration", "emotion", "place", "subject", "urgent", "wants"}) {
		t.Fatalf("analysis keys %v: %s", got, body)
	}
	var drafts []map[string]json.RawMessage
	json.Unmarshal(obj["drafts"], &drafts)
	if len(drafts) != 2 {
		t.Fatalf("drafts: %s", body)
	}
	for i, d := range drafts {
		if got := keys(d); !slices.Equal(got, []string{"citations", "review", "text"}) {
			t.Fatalf("draft %d keys %v", i, got)
		}
		var rv map[string]json.RawMessage
		json.Unmarshal(d["review"], &rv)
		if got := keys(rv); !slices.Equal(got, []string{"findings", "kind", "length", "limit", "pass", "score"}) {
			t.Fatalf("draft %d review keys %v", i, got)
		}
	}
	if string(drafts[1]["citations"]) != "[]" || !strings.Contains(string(drafts[1]["review"]), `"findings":[]`) {
		t.Fatalf("empty lists should be [], got %s", body)
	}
	var res bot.DraftResponse
	if err := json.Unmarshal(body, &res); err != nil || res.Classification != "投诉" || !slices.Equal(res.ToVerify, []string{"修复日期"}) ||
		res.Drafts[0].Citations[0] != (bot.Citation{Doc: "tone-empathy", Title: "先共情再说事", Section: "开头怎么写"}) {
		t.Fatalf("response %v: %s", err, body)
	}
	want := bot.DraftRequest{Post: "小区路灯坏了一周了", Facts: "已派人检修", Kind: review.KindComment, Tone: bot.Formal}
	if got := fd.requests(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}

	// kind defaults to reply and tone to 亲切; facts are optional.
	resp, body = postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":"路灯坏了"}`))
	want = bot.DraftRequest{Post: "路灯坏了", Kind: review.KindReply, Tone: bot.Warm}
	if got := fd.requests(); resp.StatusCode != 200 || !reflect.DeepEqual(got[len(got)-1], want) {
		t.Fatalf("defaults: %d %s, request %+v", resp.StatusCode, body, got[len(got)-1])
	}

	// Empty lists are [] even when the Drafter leaves them nil.
	srv = newDraftServer(t, &fakeDrafter{res: bot.DraftResponse{Classification: bot.Other}})
	resp, body = postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":"你好"}`))
	if resp.StatusCode != 200 || string(body) != `{"classification":"其他","drafts":[],"to_verify":[]}` {
		t.Fatalf("empty response: %d %s", resp.StatusCode, body)
	}

	// The longest post and facts fit the body limit even with every
	// character escaped as a surrogate pair.
	esc := func(n int) string {
		b, _ := json.Marshal(strings.Repeat("😀", n))
		return string(bytes.ReplaceAll(b, []byte("😀"), []byte(`\ud83d\ude00`)))
	}
	resp, body = postDrafts(t, context.Background(), srv.URL, "application/json",
		strings.NewReader(`{"post":`+esc(bot.MaxPostRunes)+`,"facts":`+esc(bot.MaxFactsRunes)+`,"kind":"post","tone":"简洁"}`))
	if resp.StatusCode != 200 {
		t.Fatalf("longest post and facts, fully escaped: %d %.300s", resp.StatusCode, body)
	}
}

func TestDraftsErrors(t *testing.T) {
	t.Parallel()
	huge := `{"post":"` + strings.Repeat("长", api.DraftsMaxBody/3+1) + `"}`
	long := func(n int) string { return strings.Repeat("长", n) }
	tests := []struct {
		name        string
		contentType string
		body        io.Reader
		drafter     *fakeDrafter // nil: one that must not be called
		status      int
		code        errs.Code
	}{
		{"empty post", "application/json", strings.NewReader(`{"post":""}`), nil, 400, bot.CodeEmptyPost},
		{"blank post", "application/json", strings.NewReader(`{"post":" \n\t ","facts":"已修好"}`), nil, 400, bot.CodeEmptyPost},
		{"no post", "application/json", strings.NewReader(`{"facts":"已修好"}`), nil, 400, bot.CodeEmptyPost},
		{"null post", "application/json", strings.NewReader(`{"post":null}`), nil, 400, bot.CodeEmptyPost},
		{"post too long", "application/json", jsonBody(t, map[string]string{"post": long(bot.MaxPostRunes + 1)}), nil, 413, bot.CodePostTooLong},
		{"facts too long", "application/json", jsonBody(t, map[string]string{"post": "路灯", "facts": long(bot.MaxFactsRunes + 1)}), nil, 413, bot.CodeFactsTooLong},
		{"invalid UTF-8", "application/json", strings.NewReader("{\"post\":\"\xff\xfe路灯\"}"), nil, 400, review.CodeInvalidText},
		{"invalid UTF-8 facts", "application/json", strings.NewReader("{\"post\":\"路灯\",\"facts\":\"\xc3\"}"), nil, 400, review.CodeInvalidText},
		{"unknown kind", "application/json", strings.NewReader(`{"post":"路灯","kind":"weibo"}`), nil, 400, review.CodeInvalidKind},
		{"unknown tone", "application/json", strings.NewReader(`{"post":"路灯","tone":"严厉"}`), nil, 400, bot.CodeInvalidTone},
		{"body too large", "application/json", strings.NewReader(huge), nil, 413, "too_large"},
		{"body too large, no length", "application/json", io.MultiReader(strings.NewReader(huge)), nil, 413, "too_large"},
		{"not JSON", "application/json", strings.NewReader(`post=路灯`), nil, 400, "invalid_input"},
		{"empty body", "application/json", strings.NewReader(``), nil, 400, "invalid_input"},
		{"array", "application/json", strings.NewReader(`["路灯"]`), nil, 400, "invalid_input"},
		{"post not a string", "application/json", strings.NewReader(`{"post":123}`), nil, 400, "invalid_input"},
		{"unknown field", "application/json", strings.NewReader(`{"post":"路灯","text":"x"}`), nil, 400, "invalid_input"},
		{"two objects", "application/json", strings.NewReader(`{"post":"路灯"}{"post":"路灯"}`), nil, 400, "invalid_input"},
		{"plain text", "text/plain", strings.NewReader(`{"post":"路灯"}`), nil, 415, "unsupported_format"},
		{"no content type", "", strings.NewReader(`{"post":"路灯"}`), nil, 415, "unsupported_format"},
		{"not UTF-8 charset", "application/json; charset=gbk", strings.NewReader(`{"post":"路灯"}`), nil, 415, "unsupported_format"},
		{"drafter input error", "application/json", strings.NewReader(`{"post":"路灯"}`),
			&fakeDrafter{err: errs.E("fake", errs.Invalid, bot.CodeEmptyPost, "帖子没有可回复的内容")}, 400, bot.CodeEmptyPost},
		{"drafter input error, code not in the table", "application/json", strings.NewReader(`{"post":"路灯"}`),
			&fakeDrafter{err: errs.E("fake", errs.Invalid, errs.Code("post_unusable"), "帖子无法起草")}, 400, "post_unusable"},
		{"drafter failure", "application/json", strings.NewReader(`{"post":"路灯"}`),
			&fakeDrafter{err: errors.New("retriever: SELECT failed at /srv/db")}, 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := tt.drafter
			if fd == nil {
				fd = &fakeDrafter{res: draftResponse()}
			}
			srv := newDraftServer(t, fd)
			resp, body := postDrafts(t, context.Background(), srv.URL, tt.contentType, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			var e errBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not the error shape: %.300s", body)
			}
			if e.Error.Code != tt.code || e.Error.Message == "" || !utf8.ValidString(e.Error.Message) {
				t.Fatalf("error %+v, want code %s with a message", e.Error, tt.code)
			}
			if strings.Contains(e.Error.Message, "SELECT") || strings.Contains(e.Error.Message, "/srv") {
				t.Fatalf("internal detail reached the client: %s", body)
			}
			if tt.drafter == nil && len(fd.requests()) > 0 {
				t.Fatalf("Draft called for a bad request: %+v", fd.requests())
			}
		})
	}
}

// TestDraftsCancel checks that the request's context reaches Draft: a
// client that goes away cancels the drafting.
func TestDraftsCancel(t *testing.T) {
	t.Parallel()
	fd := &fakeDrafter{res: draftResponse(), block: true, started: make(chan struct{}), done: make(chan error, 1)}
	srv := newDraftServer(t, fd)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-fd.started
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/drafts", strings.NewReader(`{"post":"路灯坏了"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request finished with %d, want it cancelled", resp.StatusCode)
	}
	select {
	case err := <-fd.done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Draft's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Draft's context was not cancelled when the client went away")
	}
}

func TestDraftsRouteAndUnavailable(t *testing.T) {
	t.Parallel()
	srv := newDraftServer(t, &fakeDrafter{res: draftResponse()})
	resp, body := get(t, srv.URL+"/v1/drafts")
	if resp.StatusCode != 405 || !strings.Contains(string(body), "method_not_allowed") {
		t.Fatalf("GET /v1/drafts: %d %s", resp.StatusCode, body)
	}
	postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":"路灯"}`))
	postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":""}`))
	wantMetrics(t, srv.URL,
		`govreply_http_requests_total{code="200",method="POST",route="/v1/drafts"} 1`,
		`govreply_http_requests_total{code="400",method="POST",route="/v1/drafts"} 1`)

	// Without a drafter the route says the service is unavailable.
	srv = newDraftServer(t, nil)
	resp, body = postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":"路灯"}`))
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"code":"unavailable"`) {
		t.Fatalf("no drafter: %d %s", resp.StatusCode, body)
	}
}
