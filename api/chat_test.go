package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/api"
	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

// fakeAnswerer returns a fixed answer (or err) in the session asked for
// (or "new-session") and records the requests.
type fakeAnswerer struct {
	res bot.AnswerResponse
	err error

	mu    sync.Mutex
	calls []bot.AnswerRequest
}

// Answer validates req as every Answerer must (bot.AnswerRequest.Normalize)
// and records only the requests that pass.
func (f *fakeAnswerer) Answer(ctx context.Context, req bot.AnswerRequest) (bot.AnswerResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, req)
	f.mu.Unlock()
	res := f.res
	res.Session = req.Session
	if res.Session == "" {
		res.Session = "new-session"
	}
	return res, f.err
}

func (f *fakeAnswerer) requests() []bot.AnswerRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// streamingAnswerer emits one piece, then waits for its context to end
// and reports how it ended.
type streamingAnswerer struct {
	fakeAnswerer
	done chan error
}

func (s *streamingAnswerer) AnswerStream(ctx context.Context, req bot.AnswerRequest, emit func(string) error) (bot.AnswerResponse, error) {
	if err := emit("第一段"); err != nil {
		s.done <- err
		return bot.AnswerResponse{}, err
	}
	select {
	case <-ctx.Done():
		s.done <- ctx.Err()
		return bot.AnswerResponse{}, ctx.Err()
	case <-time.After(10 * time.Second):
		s.done <- nil
		return s.res, nil
	}
}

func answerResponse() bot.AnswerResponse {
	return bot.AnswerResponse{
		Answer: "结论：遇到连续辱骂时，可以换人接手，先冷静再回复。[1]\n依据：\n- 道歉还应说明今后怎样防止再犯。[2]",
		Sources: []bot.Source{
			{N: 1, Doc: "tone-angry-netizens", Title: "面对情绪激动或辱骂的网友", Section: "值班编辑也要被照顾", Text: "遇到连续辱骂时，可以换人接手，先冷静再回复。"},
			{N: 2, Doc: "tone-apology", Title: "道歉怎么写", Section: "不算道歉的“道歉”", Text: "道歉还应说明今后怎样防止再犯。"},
		},
	}
}

func newChatServer(t *testing.T, a bot.Answerer) *httptest.Server {
	t.Helper()
	cfg := api.Config{}
	if a != nil {
		cfg.Answerer = a
	}
	srv := httptest.NewServer(api.New(cfg).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func postChat(t *testing.T, ctx context.Context, url, accept, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/chat", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return resp, []byte(b.String())
}

type sseEvent struct{ name, data string }

// parseSSE splits a text/event-stream body into events.
func parseSSE(t *testing.T, body string) []sseEvent {
	t.Helper()
	var out []sseEvent
	for block := range strings.SplitSeq(strings.TrimSpace(body), "\n\n") {
		var ev sseEvent
		for line := range strings.SplitSeq(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimPrefix(line, "data:")
			}
		}
		out = append(out, ev)
	}
	return out
}

func TestChat(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: answerResponse()}
	srv := newChatServer(t, fa)
	resp, body := postChat(t, context.Background(), srv.URL, "", "application/json; charset=utf-8", `{"session":"abc","message":"  网友骂人怎么回复？ "}`)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var got bot.AnswerResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := answerResponse()
	want.Session = "abc"
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("response\n got %s\nwant %s", g, w)
	}
	if reqs := fa.requests(); len(reqs) != 1 || !reflect.DeepEqual(reqs[0], bot.AnswerRequest{Session: "abc", Message: "网友骂人怎么回复？"}) {
		t.Errorf("requests %+v", reqs)
	}

	// No sources: [] rather than null; a new session's id comes back.
	fa = &fakeAnswerer{res: bot.AnswerResponse{Answer: "知识库中没有找到……"}}
	srv = newChatServer(t, fa)
	_, body = postChat(t, context.Background(), srv.URL, "application/json", "application/json", `{"message":"如何烤蛋糕"}`)
	if !strings.Contains(string(body), `"sources":[]`) || !strings.Contains(string(body), `"session":"new-session"`) {
		t.Errorf("body %s", body)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestChatStream(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: answerResponse()}
	srv := newChatServer(t, fa)
	resp, body := postChat(t, context.Background(), srv.URL, "text/event-stream", "application/json", `{"message":"网友骂人怎么回复？"}`)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	evs := parseSSE(t, string(body))
	if len(evs) < 3 {
		t.Fatalf("events %+v", evs)
	}
	var text strings.Builder
	cite := regexp.MustCompile(`\[\d*$|^\d*\]`)
	for i, ev := range evs[:len(evs)-1] {
		if ev.name != "token" {
			t.Fatalf("event %d is %q, want token (done comes last)", i, ev.name)
		}
		var tok struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(ev.data), &tok); err != nil || tok.Text == "" {
			t.Fatalf("token %d: %q %v", i, ev.data, err)
		}
		if cite.MatchString(tok.Text) {
			t.Errorf("token %q splits a citation marker", tok.Text)
		}
		text.WriteString(tok.Text)
	}
	last := evs[len(evs)-1]
	if last.name != "done" {
		t.Fatalf("last event %q", last.name)
	}
	var done bot.AnswerResponse
	if err := json.Unmarshal([]byte(last.data), &done); err != nil {
		t.Fatal(err)
	}
	want := answerResponse()
	want.Session = "new-session"
	if g, w := mustJSON(t, done), mustJSON(t, want); g != w {
		t.Errorf("done\n got %s\nwant %s", g, w)
	}
	if text.String() != want.Answer {
		t.Errorf("tokens make %q, want %q", text.String(), want.Answer)
	}

	// Accept lists with other types and parameters still stream.
	resp, _ = postChat(t, context.Background(), srv.URL, "application/json;q=0.5, text/event-stream;q=1", "application/json", `{"message":"问"}`)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("Accept list: %s", resp.Header.Get("Content-Type"))
	}
}

// TestChatStreamDisconnect: the client going away mid-stream cancels the
// answer's context.
func TestChatStreamDisconnect(t *testing.T) {
	t.Parallel()
	sa := &streamingAnswerer{fakeAnswerer: fakeAnswerer{res: answerResponse()}, done: make(chan error, 1)}
	srv := newChatServer(t, sa)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/chat", strings.NewReader(`{"message":"网友骂人怎么回复？"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var first []string
	for sc.Scan() && sc.Text() != "" {
		first = append(first, sc.Text())
	}
	if len(first) != 2 || first[0] != "event:token" || !strings.Contains(first[1], "第一段") {
		t.Fatalf("first event %q", first)
	}
	cancel()
	select {
	case err := <-sa.done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the answer's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the answer was not cancelled when the client went away")
	}
}

func TestChatErrors(t *testing.T) {
	t.Parallel()
	fa := &fakeAnswerer{res: answerResponse()}
	srv := newChatServer(t, fa)
	for _, tc := range []struct {
		name, accept, ct, body string
		status                 int
		code                   errs.Code
	}{
		{"not JSON", "", "text/plain", `{"message":"问"}`, 415, "unsupported_format"},
		{"empty", "", "application/json", `{"message":""}`, 400, bot.CodeEmptyMessage},
		{"blank", "text/event-stream", "application/json", `{"message":" \n "}`, 400, bot.CodeEmptyMessage},
		{"too long", "", "application/json", `{"message":"` + strings.Repeat("问", bot.MaxMessageRunes+1) + `"}`, 413, bot.CodeMessageTooLong},
		{"bad UTF-8", "", "application/json", "{\"message\":\"\xff\"}", 400, review.CodeInvalidText},
		{"unknown field", "", "application/json", `{"msg":"问"}`, 400, "invalid_input"},
		{"not an object", "", "application/json", `["问"]`, 400, "invalid_input"},
		{"body too large", "", "application/json", `{"message":"` + strings.Repeat("问", api.ChatMaxBody) + `"}`, 413, "too_large"},
		{"session too long", "", "application/json", `{"session":"` + strings.Repeat("a", 200) + `","message":"问"}`, 400, bot.CodeInvalidSession},
	} {
		resp, body := postChat(t, context.Background(), srv.URL, tc.accept, tc.ct, tc.body)
		var eb struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(body, &eb); err != nil || resp.StatusCode != tc.status || errs.Code(eb.Error.Code) != tc.code || eb.Error.Message == "" {
			t.Errorf("%s: %d %.200s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	if n := len(fa.requests()); n != 0 {
		t.Errorf("the answerer was asked %d times for invalid requests", n)
	}

	// A failing answerer is a 500 with a generic message, before any
	// stream has begun.
	srv = newChatServer(t, &fakeAnswerer{err: errors.New("pq: connection refused")})
	for _, accept := range []string{"", "text/event-stream"} {
		resp, body := postChat(t, context.Background(), srv.URL, accept, "application/json", `{"message":"问"}`)
		if resp.StatusCode != 500 || strings.Contains(string(body), "pq:") || !strings.Contains(string(body), `"code":"internal"`) {
			t.Errorf("accept %q: %d %s", accept, resp.StatusCode, body)
		}
	}

	// Without an answerer the route is unavailable.
	srv = newChatServer(t, nil)
	resp, body := postChat(t, context.Background(), srv.URL, "", "application/json", `{"message":"问"}`)
	if resp.StatusCode != 503 || !strings.Contains(string(body), "问答功能未启用") {
		t.Errorf("no answerer: %d %s", resp.StatusCode, body)
	}
	resp, _ = postChat(t, context.Background(), srv.URL, "", "", "")
	if resp.StatusCode != 503 {
		t.Errorf("no answerer, no body: %d", resp.StatusCode)
	}
}
