package main

import (
	"log/slog"
	"strings"
	"testing"

	"govreply/bot/llm"
	"govreply/bot/offline"
)

// TestAppModelWiring: --llm openai|ollama builds one model client that the
// drafter, the answerer and the rewriter share, on the offline parts;
// offline builds the offline ones; a model without a name is a usage
// error before anything else is built.
func TestAppModelWiring(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	for _, cfg := range []config{
		{Embedder: "local", LLM: "openai", LLMModel: "gpt-4o-mini", OpenAIBase: "http://127.0.0.1:1/v1"},
		{Embedder: "local", LLM: "ollama", LLMModel: "qwen2.5:7b", OllamaHost: "127.0.0.1:1"},
	} {
		a, err := newApp(t.Context(), cfg, needs{drafter: true, answerer: true, rewriter: true}, log)
		if err != nil {
			t.Fatalf("%s: %v", cfg.LLM, err)
		}
		_, d := a.drafter.(*llm.Drafter)
		_, an := a.answerer.(*llm.Answerer)
		_, r := a.rewriter.(*llm.Rewriter)
		if !d || !an || !r || a.model == nil {
			t.Errorf("%s: drafter %T, answerer %T, rewriter %T", cfg.LLM, a.drafter, a.answerer, a.rewriter)
		}
		a.Close()
	}
	a, err := newApp(t.Context(), config{Embedder: "local", LLM: "offline"}, needs{answerer: true, rewriter: true}, log)
	if err != nil {
		t.Fatal(err)
	}
	_, an := a.answerer.(*offline.Answerer)
	_, r := a.rewriter.(*offline.Rewriter)
	if !an || !r || a.model != nil || a.drafter != nil {
		t.Errorf("offline: answerer %T, rewriter %T, model %v, drafter %v", a.answerer, a.rewriter, a.model, a.drafter)
	}
	a.Close()
	if _, err := newApp(t.Context(), config{Embedder: "local", LLM: "openai", OpenAIBase: "http://x/v1"}, needs{rewriter: true}, log); err == nil ||
		!strings.Contains(err.Error(), "未设置大模型名") {
		t.Errorf("openai without a model name: %v", err)
	}
}
