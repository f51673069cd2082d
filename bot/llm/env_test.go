package llm

import (
	"sync"
	"testing"

	"govreply/bot/bottest"
	"govreply/bot/offline"
	"govreply/knowledge"
	"govreply/review"
)

// testEnv is bottest's environment with the offline parts the model-backed
// ones lean on.
type testEnv struct {
	reviewer  *review.Reviewer
	retriever *knowledge.Retriever
	composer  *offline.Composer // built-in knowledge base
	injected  *offline.Composer // built-in knowledge base + bottest.InjectionDoc
	rewriter  *offline.Rewriter
}

var (
	envOnce sync.Once
	envVal  *testEnv
	envErr  error
)

func env(t testing.TB) *testEnv {
	t.Helper()
	b := bottest.MustEnv(t)
	envOnce.Do(func() {
		e := &testEnv{reviewer: b.Reviewer, retriever: b.Retriever}
		if e.composer, envErr = offline.NewComposer(offline.ComposerOptions{Retriever: b.Retriever, Reviewer: b.Reviewer}); envErr != nil {
			return
		}
		if e.injected, envErr = offline.NewComposer(offline.ComposerOptions{Retriever: b.Injected, Reviewer: b.Reviewer}); envErr != nil {
			return
		}
		if e.rewriter, envErr = offline.NewRewriter(offline.RewriterOptions{Reviewer: b.Reviewer}); envErr != nil {
			return
		}
		envVal = e
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return envVal
}

// rewriter is the offline rewriter on the built-in data.
func rewriter(t testing.TB) *offline.Rewriter { return env(t).rewriter }
