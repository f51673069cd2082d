package main

import (
	"log/slog"
	"testing"

	"govreply/bot"
	"govreply/knowledge"
)

// TestNewAnswererLLM: --llm openai|ollama answers with an LLMAnswerer on
// the sessions given; offline keeps the offline answerer.
func TestNewAnswererLLM(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	sessions := bot.NewMemorySessions(bot.MemorySessionsOptions{})
	r := &knowledge.Retriever{} // not searched here
	for _, cfg := range []config{
		{LLM: "openai", LLMModel: "gpt-4o-mini", OpenAIBase: "http://127.0.0.1:1/v1"},
		{LLM: "ollama", LLMModel: "qwen2.5:7b", OllamaHost: "127.0.0.1:1"},
	} {
		a, err := newAnswerer(cfg, r, sessions, log)
		if err != nil {
			t.Fatalf("%s: %v", cfg.LLM, err)
		}
		if _, ok := a.(*bot.LLMAnswerer); !ok {
			t.Errorf("%s: got %T, want *bot.LLMAnswerer", cfg.LLM, a)
		}
	}
	if a, err := newAnswerer(config{LLM: "offline"}, r, sessions, log); err != nil {
		t.Fatal(err)
	} else if _, ok := a.(*bot.OfflineAnswerer); !ok {
		t.Errorf("offline: got %T", a)
	}
	if _, err := newAnswerer(config{LLM: "openai", OpenAIBase: "http://x/v1"}, r, sessions, log); err == nil {
		t.Error("openai without a model name accepted")
	}
}
