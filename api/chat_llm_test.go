package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"govreply/bot"
	"govreply/bot/llm"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/knowledge"
	"govreply/knowledge/memory"
)

// fakeOpenAIStream speaks OpenAI's streamed chat completions: the reply
// in the given pieces, as SSE chunks ending in [DONE]. It records the
// user messages it was sent.
func fakeOpenAIStream(t *testing.T, pieces ...string) (*httptest.Server, func() []string) {
	var (
		mu    sync.Mutex
		users []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Stream   bool `json:"stream"`
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil || !body.Stream {
			http.Error(w, `{"error":{"message":"want a streamed chat completion"}}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, m := range body.Messages {
			if m.Role == "user" {
				users = append(users, m.Content)
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		for _, p := range pieces {
			chunk, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
				"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": p}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), users...)
	}
}

// TestChatStreamLLM: POST /v1/chat with Accept: text/event-stream through
// an LLMAnswerer on a fake OpenAI server streams the model's tokens, then
// done with the sources its citations name (an invalid one removed).
func TestChatStreamLLM(t *testing.T) {
	t.Parallel()
	emb, err := embed.NewLocal(256)
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Default()
	mem := memory.New(emb.Dimensions())
	title, text := "舆情回应时限", "重大突发事件要在规定时间内发布权威信息，并举行新闻发布会。"
	vec, _ := emb.Embed(context.Background(), []string{title + "\n" + text})
	if _, err := mem.Put(context.Background(), knowledge.Document{ID: "rule-time", Collection: "c", Title: title, Category: knowledge.CategoryRule, Hash: "h"},
		[]knowledge.Chunk{{Text: text, Terms: seg.Terms(title + "\n" + text), Embedding: vec[0]}}); err != nil {
		t.Fatal(err)
	}
	r := &knowledge.Retriever{Store: mem, Embedder: emb, Segmenter: seg}

	up, users := fakeOpenAIStream(t, "重大突发事件要在规定时间内", "发布权威信息[1]，并举行新闻", "发布会[1][7]。")
	m, err := llm.NewClient(llm.ClientOptions{Provider: "openai", BaseURL: up.URL + "/v1", APIKey: "sk-test", Model: "gpt-4o-mini", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := llm.NewAnswerer(llm.AnswererOptions{ModelOptions: llm.ModelOptions{Model: m, ModelName: "gpt-4o-mini"}, Retriever: r})
	if err != nil {
		t.Fatal(err)
	}
	srv := newChatServer(t, a)
	const question = "重大突发事件的权威信息要在什么时间内发布？"
	resp, body := postChat(t, context.Background(), srv.URL, "text/event-stream", "application/json", `{"message":"`+question+`"}`)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	evs := parseSSE(t, string(body))
	if len(evs) < 3 || evs[len(evs)-1].name != "done" {
		t.Fatalf("want tokens then done, got %+v", evs)
	}
	var joined strings.Builder
	for i, ev := range evs[:len(evs)-1] {
		var tok struct {
			Text string `json:"text"`
		}
		if ev.name != "token" || json.Unmarshal([]byte(ev.data), &tok) != nil {
			t.Fatalf("event %d: %+v", i, ev)
		}
		joined.WriteString(tok.Text)
	}
	var done bot.AnswerResponse
	if err := json.Unmarshal([]byte(evs[len(evs)-1].data), &done); err != nil {
		t.Fatal(err)
	}
	const want = "重大突发事件要在规定时间内发布权威信息[1]，并举行新闻发布会[1]。"
	if done.Answer != want || joined.String() != want {
		t.Errorf("answer %q, tokens %q, want %q", done.Answer, joined.String(), want)
	}
	if done.Session == "" || len(done.Sources) != 1 || done.Sources[0].N != 1 || done.Sources[0].Doc != "rule-time" {
		t.Errorf("done %+v", done)
	}
	u := users()
	if len(u) != 1 || !strings.Contains(u[0], "<问题>\n"+question+"\n</问题>") || !strings.Contains(u[0], text) {
		t.Errorf("the prompt lacks the question or the passage: %q", u)
	}
}
