package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"govreply/api"
	"govreply/bot"
	"govreply/bot/offline"
	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge/builtin"
	"govreply/review"
)

// newRewriteServer serves the offline rewriter on the built-in phrase lists.
func newRewriteServer(t *testing.T) *httptest.Server {
	t.Helper()
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		t.Fatal(err)
	}
	rv, err := review.New(review.Options{Phrases: files})
	if err != nil {
		t.Fatal(err)
	}
	w, err := offline.NewRewriter(offline.RewriterOptions{Reviewer: rv})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Rewriter: w}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func TestRewrite(t *testing.T) {
	t.Parallel()
	srv := newRewriteServer(t)
	in := "您好，我局对此高度重视，已责成有关部门尽快处理，12月5日前答复。咨询电话0571-87654321。"
	resp, body := post(t, context.Background(), srv.URL+"/v1/rewrite", "application/json",
		jsonBody(t, map[string]string{"text": in, "kind": "reply"}))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(raw), ","); got != "changes,review,text" {
		t.Errorf("keys %s, want changes,review,text", got)
	}
	var res bot.RewriteResponse
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	want := "您好，已交【待核实：承办单位】【待核实：具体时间】处理，12月5日前答复。咨询电话0571-87654321。"
	if res.Text != want {
		t.Errorf("text %q, want %q", res.Text, want)
	}
	if len(res.Changes) != 3 || res.Changes[0].Before != "我局对此高度重视，" || res.Changes[0].Start != 3 {
		t.Errorf("changes %+v", res.Changes)
	}
	if res.Review.Kind != review.KindReply || res.Review.Findings == nil {
		t.Errorf("review %+v", res.Review)
	}

	// A plain draft: no changes, as [] in JSON; kind defaults to comment.
	resp, body = post(t, context.Background(), srv.URL+"/v1/rewrite", "application/json",
		strings.NewReader(`{"text":"停水给您添麻烦了，今晚8点前恢复供水。"}`))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"changes":[]`) || !strings.Contains(string(body), `"kind":"comment"`) {
		t.Errorf("plain: %d %s", resp.StatusCode, body)
	}
}

func TestRewriteErrors(t *testing.T) {
	t.Parallel()
	srv := newRewriteServer(t)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		code                    errs.Code
	}{
		{"empty text", "application/json", `{"text":"  "}`, 400, "empty_text"},
		{"bad kind", "application/json", `{"text":"尽快处理","kind":"tweet"}`, 400, "invalid_kind"},
		{"too long", "application/json", `{"text":"` + strings.Repeat("字", review.MaxRunes+1) + `"}`, 413, "text_too_long"},
		{"invalid utf-8", "application/json", "{\"text\":\"\xff\"}", 400, "invalid_text"},
		{"unknown field", "application/json", `{"text":"尽快","tone":"亲切"}`, 400, "invalid_input"},
		{"not json", "text/plain", `尽快`, 415, "unsupported_format"},
		{"not an object", "application/json", `[]`, 400, "invalid_input"},
	} {
		resp, body := post(t, context.Background(), srv.URL+"/v1/rewrite", tc.contentType, strings.NewReader(tc.body))
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(body, &e)
		if resp.StatusCode != tc.status || errs.Code(e.Error.Code) != tc.code || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.code)
		}
	}
}

func TestRewriteUnavailable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(api.New(api.Config{}).Handler())
	defer srv.Close()
	resp, body := post(t, context.Background(), srv.URL+"/v1/rewrite", "application/json", strings.NewReader(`{"text":"尽快"}`))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "改写功能未启用") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}
