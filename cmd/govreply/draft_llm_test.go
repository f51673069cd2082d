package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"govreply/bot"
)

// Drafts the fake model returns; both pass the reviewer.
const (
	llmDraft1 = "您好，停水给您和家人添麻烦了，非常抱歉。今天上午小区附近供水管道破裂，区水务局抢修队已在现场抢修，预计【待核实：恢复供水时间】恢复供水。有问题请拨打【待核实：联系电话】，我们会跟进到底。"
	llmDraft2 = "您好，抱歉没能提前通知停水。供水管道破裂后，区水务局抢修队正在现场抢修，恢复供水后我们会在本号第一时间告知，进展也可私信我们查询。"
)

// TestDraftCLIOpenAI drafts with --llm openai against a fake
// OpenAI-compatible server: the drafts are the server's.
func TestDraftCLIOpenAI(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Model    string `json:"model"`
			Messages []struct{ Role, Content string }
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil || body.Model != "m" ||
			r.Header.Get("Authorization") != "" || len(body.Messages) != 2 || !strings.Contains(body.Messages[1].Content, "停水") {
			http.Error(w, `{"error":{"message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		calls.Add(1)
		reply := fmt.Sprintf("【稿件1】\n%s\n【依据】1\n\n【稿件2】\n%s\n【依据】2", llmDraft1, llmDraft2)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "m",
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": reply}, "finish_reason": "stop"}}})
	}))
	defer srv.Close()
	code, out, stderr := runCLI(t, nil, "draft", "--llm", "openai", "--openai-base-url", srv.URL+"/v1", "--llm-model", "m", "--json",
		"我们小区从早上停水到现在，一点通知都没有，怎么回事？")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var resp bot.DraftResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if calls.Load() != 1 || len(resp.Drafts) != 2 || resp.Drafts[0].Text != llmDraft1 || resp.Drafts[1].Text != llmDraft2 {
		t.Fatalf("calls %d, drafts %+v", calls.Load(), resp.Drafts)
	}
	for i, v := range resp.Drafts {
		if !v.Review.Pass || len(v.Citations) != 1 {
			t.Errorf("draft %d: pass %v, citations %+v", i+1, v.Review.Pass, v.Citations)
		}
	}
}

// TestDraftCLILLMConfig: a missing model name or server address stops
// the command with a configuration error (exit 2), without drafting
// offline.
func TestDraftCLILLMConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--llm", "openai", "--openai-base-url", "http://127.0.0.1:1/v1"}, "未设置大模型名"},
		{[]string{"--llm", "openai", "--openai-base-url", "", "--llm-model", "m"}, "未设置 OpenAI 兼容接口地址"},
		{[]string{"--llm", "ollama", "--ollama-host", "", "--llm-model", "m"}, "未设置 Ollama 地址"},
	} {
		code, out, stderr := runCLI(t, nil, append(append([]string{"draft"}, tt.args...), "路灯坏了")...)
		if code != exitError || !strings.Contains(stderr, "大模型配置有误") || !strings.Contains(stderr, tt.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", tt.args, code, stderr, out)
		}
	}
}
