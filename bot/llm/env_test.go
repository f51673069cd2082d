package llm

import (
	"sync"
	"testing"

	"govreply/bot/bottest"
	"govreply/bot/offline"
)

// testEnv is bottest's environment with the offline parts the model-backed
// ones lean on, built once per test binary.
type testEnv struct {
	*bottest.Env
	composer *offline.Composer // on the built-in knowledge base
	injected *offline.Composer // on it with bottest.InjectionDoc
	rewriter *offline.Rewriter
}

var (
	envOnce sync.Once
	envVal  testEnv
	envErr  error
)

func env(t testing.TB) *testEnv {
	t.Helper()
	envOnce.Do(func() { envErr = envVal.build(bottest.MustEnv(t)) })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return &envVal
}

func (e *testEnv) build(b *bottest.Env) (err error) {
	e.Env = b
	newComposer := func(r *bottest.Env, injected bool) (*offline.Composer, error) {
		opts := offline.ComposerOptions{Retriever: r.Retriever, Reviewer: r.Reviewer}
		if injected {
			opts.Retriever = r.Injected
		}
		return offline.NewComposer(opts)
	}
	if e.composer, err = newComposer(b, false); err != nil {
		return err
	}
	if e.injected, err = newComposer(b, true); err != nil {
		return err
	}
	e.rewriter, err = offline.NewRewriter(offline.RewriterOptions{Reviewer: b.Reviewer})
	return err
}

// rewriter is the offline rewriter on the built-in data.
func rewriter(t testing.TB) *offline.Rewriter { return env(t).rewriter }
