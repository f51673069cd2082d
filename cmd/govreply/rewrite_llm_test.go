package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"govreply/bot"
)

// TestRewriteCLIOpenAI rewrites with --llm openai against a fake
// OpenAI-compatible server: the text is the model's when it keeps the
// facts, and the offline rewrite, marked, when it drops one.
func TestRewriteCLIOpenAI(t *testing.T) {
	t.Parallel()
	const good = "您好，此事已交给有关部门处理，12月5日前答复。咨询电话0571-87654321。"
	var calls atomic.Int32
	reply := good
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Model    string `json:"model"`
			Messages []struct{ Role, Content string }
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil || body.Model != "m" ||
			len(body.Messages) != 2 || !strings.Contains(body.Messages[1].Content, "<原稿>\n"+strings.TrimSpace(rewriteInput)+"\n</原稿>") {
			http.Error(w, `{"error":{"message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "m",
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": "【改写稿】\n" + reply + "\n【改动】\n"}, "finish_reason": "stop"}}})
	}))
	defer srv.Close()
	args := []string{"rewrite", "--llm", "openai", "--openai-base-url", srv.URL + "/v1", "--llm-model", "m", "--kind", "reply", "--json", "-"}
	code, out, stderr := runCLIIn(t, nil, strings.NewReader(rewriteInput), args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res bot.RewriteResponse
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if calls.Load() != 1 || res.Text != good || res.Fallback != "" || len(res.Changes) == 0 {
		t.Fatalf("calls %d, result %+v", calls.Load(), res)
	}

	reply = "您好，此事已交给有关部门处理。"
	code, out, stderr = runCLIIn(t, nil, strings.NewReader(rewriteInput), args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	res = bot.RewriteResponse{}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(res.Fallback, "87654321") || !strings.Contains(res.Text, "0571-87654321") {
		t.Errorf("want the offline rewrite, marked: %+v", res)
	}
}
