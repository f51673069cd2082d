package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"

	"govreply/bot"
	"govreply/bot/pgsessions"
	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/phrases"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/memory"
	"govreply/knowledge/postgres"
	"govreply/knowledge/thesaurus"
	"govreply/review"
)

// corpusCollection is the collection --corpus folders are indexed into.
const corpusCollection = "corpus"

// deps are the parts a command works with.
type deps struct {
	store     knowledge.Store
	embedder  knowledge.Embedder
	retriever *knowledge.Retriever
	indexer   *ingest.Indexer
	backend   string // "memory" or "postgres", for people
}

// depsOptions say which store to open and what to put in it.
type depsOptions struct {
	corpus  []string // non-empty: an in-memory index of exactly these folders
	builtin bool     // seed the built-in knowledge base (memory always; Postgres when set)
	log     *slog.Logger
}

// openDeps builds the store, embedder and retriever from cfg. Without
// DATABASE_URL (or with --corpus) the store is in memory and is filled
// here; otherwise it is PostgreSQL, migrated on open.
func openDeps(ctx context.Context, cfg config, o depsOptions) (*deps, error) {
	seg := segment.Default()
	go seg.Warm() // overlaps the tiktoken tables and the store's migrations
	emb, err := newEmbedder(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ch, err := chunk.New(chunk.Options{})
	if err != nil {
		return nil, err
	}
	exp, err := newExpander(cfg, seg)
	if err != nil {
		return nil, err
	}
	d := &deps{embedder: emb}
	memoryStore := len(o.corpus) > 0 || cfg.DatabaseURL == ""
	if memoryStore {
		d.store, d.backend = memory.New(emb.Dimensions()), "memory"
	} else {
		st, err := postgres.Open(ctx, postgres.Options{URL: cfg.DatabaseURL, Dim: emb.Dimensions(), Embedder: emb.Name(), Logger: o.log})
		if err != nil {
			return nil, err
		}
		d.store, d.backend = st, "postgres"
	}
	d.retriever = &knowledge.Retriever{Store: d.store, Embedder: emb, Segmenter: seg, Expander: exp}
	d.indexer = &ingest.Indexer{Store: d.store, Embedder: emb, Segmenter: seg, Chunker: ch}
	switch {
	case len(o.corpus) > 0:
		err = d.fill(ctx, corpusCollection, o.corpus, o.log)
	case memoryStore || o.builtin:
		err = d.seedBuiltin(ctx, o.log)
	}
	if err != nil {
		d.store.Close()
		return nil, err
	}
	return d, nil
}

// fill indexes corpus folders; any file that fails makes it an error,
// because a hit-test over a silently partial corpus would mislead.
func (d *deps) fill(ctx context.Context, collection string, paths []string, log *slog.Logger) error {
	sum, err := d.indexer.Run(ctx, collection, paths, nil)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		f := sum.Failures[0]
		return knowledge.E("corpus", knowledge.Invalid, fmt.Sprintf("语料中有 %d 个文件无法导入，例如 %s：%s", sum.Failed, f.Path, f.Reason))
	}
	if sum.Added+sum.Updated+sum.Skipped == 0 {
		return knowledge.E("corpus", knowledge.Invalid, "语料文件夹中没有可导入的文件（支持 .md .txt .html .docx .pdf）")
	}
	log.Debug("corpus indexed", "docs", sum.Added, "chunks", sum.Chunks, "seconds", sum.Seconds)
	return nil
}

// seedBuiltin stores the built-in knowledge base (unchanged documents are
// skipped, so this is cheap on a Postgres store that already has them).
func (d *deps) seedBuiltin(ctx context.Context, log *slog.Logger) error {
	start := time.Now()
	sum, err := d.indexer.RunFS(ctx, builtin.Collection, builtin.FS(), nil)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		f := sum.Failures[0]
		return knowledge.E("builtin", knowledge.Other, fmt.Sprintf("内置知识库文档 %s 无法导入：%s", f.Path, f.Reason))
	}
	log.Info("built-in knowledge base ready", "added", sum.Added, "updated", sum.Updated, "unchanged", sum.Skipped,
		"chunks", sum.Chunks, "ms", time.Since(start).Milliseconds())
	return nil
}

// newExpander returns the query expansion --thesaurus asks for: the
// built-in thesaurus, none ("off"), or a thesaurus file; matches are
// checked against seg's word boundaries.
func newExpander(cfg config, seg *segment.Segmenter) (knowledge.Expander, error) {
	var t *thesaurus.Thesaurus
	switch cfg.Thesaurus {
	case "builtin", "":
		t = thesaurus.Builtin()
	case "off":
		return nil, nil
	default:
		var err error
		if t, err = thesaurus.Load(cfg.Thesaurus); err != nil {
			return nil, err
		}
	}
	return t.WithWords(seg.Cut), nil
}

// newEmbedder builds the configured embedder.
func newEmbedder(ctx context.Context, cfg config) (knowledge.Embedder, error) {
	switch cfg.Embedder {
	case "local", "":
		return embed.NewLocal(cfg.EmbedDim)
	case "openai":
		return embed.NewRemote(ctx, embed.RemoteOptions{Provider: "openai", BaseURL: cfg.OpenAIBase, APIKey: cfg.OpenAIKey, Model: cfg.EmbedModel, Dimensions: cfg.EmbedDim})
	case "ollama":
		return embed.NewRemote(ctx, embed.RemoteOptions{Provider: "ollama", BaseURL: cfg.OllamaHost, Model: cfg.EmbedModel, Dimensions: cfg.EmbedDim})
	}
	return nil, usageError{"未知的向量模型 " + cfg.Embedder + "：可选 local、openai、ollama"}
}

// newReviewer builds the draft reviewer from the built-in phrase lists and
// the department files of --rules / GOVREPLY_RULES (the phrase-list
// schema of package internal/phrases). A file that cannot be read or
// parsed, or that repeats a built-in rule id or phrase, fails here, with
// every problem's file, line and reason. Build it once per process: it
// compiles every phrase into one matcher.
func newReviewer(cfg config) (*review.Reviewer, error) {
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil { // a broken build: the knowledge base tests catch this
		return nil, rulesError("内置审核短语表有误", err)
	}
	builtinNames := map[string]bool{}
	for _, f := range files {
		builtinNames[f.Name] = true
	}
	var (
		dept []*phrases.File
		errs []error
		seen = map[string]bool{}
	)
	for _, p := range cfg.Rules {
		if p == "" || seen[filepath.Clean(p)] {
			continue
		}
		seen[filepath.Clean(p)] = true
		name := p
		if builtinNames[name] { // keep CheckUnique from taking it for a built-in file
			name = "." + string(filepath.Separator) + name
		}
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs = append(errs, &phrases.Error{File: name, Reason: "文件不存在"})
			continue
		case err != nil:
			errs = append(errs, &phrases.Error{File: name, Reason: "无法读取文件：" + err.Error()})
			continue
		}
		f, err := phrases.Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		dept = append(dept, f)
	}
	all := append(files[:len(files):len(files)], dept...)
	if len(errs) == 0 {
		errs = phrases.CheckUnique(all)
	}
	if len(errs) > 0 {
		return nil, rulesError("部门审核规则文件有误", errors.Join(errs...))
	}
	r, err := review.New(review.Options{Phrases: all})
	if err != nil {
		return nil, rulesError("审核规则无法加载", err)
	}
	return r, nil
}

// newDrafter builds the drafter that --llm / GOVREPLY_LLM asks for, on the
// process's retriever and reviewer (build both once per process): the
// offline composer, or with openai or ollama an LLMDrafter on that model
// (its classifier, retriever and reviewer are the composer's). A missing
// model name or server address is a configuration error here, before any
// request: there is no silent fallback to offline drafting.
func newDrafter(cfg config, r *knowledge.Retriever, rv *review.Reviewer, log *slog.Logger) (bot.Drafter, error) {
	if err := checkLLM(cfg); err != nil {
		return nil, err
	}
	c, err := bot.NewComposer(bot.ComposerOptions{Retriever: r, Reviewer: rv})
	if err != nil {
		return nil, err
	}
	if cfg.LLM == "offline" || cfg.LLM == "" {
		return c, nil
	}
	m, err := newLLMClient(cfg)
	if err != nil {
		return nil, err
	}
	d, err := bot.NewLLMDrafter(bot.LLMOptions{Model: m, ModelName: cfg.LLMModel, Composer: c})
	if err != nil {
		return nil, err
	}
	log.Info("drafting with a language model", "llm", cfg.LLM, "model", cfg.LLMModel)
	return d, nil
}

// newLLMClient builds the model client of --llm openai|ollama.
func newLLMClient(cfg config) (llms.Model, error) { return buildLLMClient(cfg, false) }

// buildLLMClient builds the model client of --llm openai|ollama; stream
// asks the server for streamed answers.
func buildLLMClient(cfg config, stream bool) (llms.Model, error) {
	base := cfg.OpenAIBase
	if cfg.LLM == bot.LLMProviderOllama {
		base = cfg.OllamaHost
	}
	m, err := bot.NewLLMClient(bot.LLMClientOptions{Provider: cfg.LLM, BaseURL: base, APIKey: cfg.OpenAIKey, Model: cfg.LLMModel, Stream: stream})
	if err != nil {
		return nil, usageError{"大模型配置有误：" + err.Error()}
	}
	return m, nil
}

// checkLLM rejects an unknown --llm and, for openai and ollama, a
// configuration the model client cannot be built from (no model name, no
// server address): nothing falls back to offline silently.
func checkLLM(cfg config) error {
	switch cfg.LLM {
	case "offline", "":
		return nil
	case "openai", "ollama":
		_, err := newLLMClient(cfg)
		return err
	}
	return usageError{"未知的大模型 " + cfg.LLM + "：可选 offline、openai、ollama"}
}

// newAnswerer builds the question answerer that --llm / GOVREPLY_LLM asks
// for, on the process's retriever, with conversations in sessions (see
// openSessions): the offline answerer, or with openai or ollama an
// LLMAnswerer on that model (the same client as drafting, streaming, so
// that SSE answers arrive token by token), which retrieves and applies
// the relevance threshold as the offline answerer does.
func newAnswerer(cfg config, r *knowledge.Retriever, sessions bot.SessionStore, log *slog.Logger) (bot.Answerer, error) {
	if err := checkLLM(cfg); err != nil {
		return nil, err
	}
	off, err := bot.NewOfflineAnswerer(bot.AnswererOptions{Retriever: r, Sessions: sessions})
	if err != nil || cfg.LLM == "offline" || cfg.LLM == "" {
		return off, err
	}
	m, err := buildLLMClient(cfg, true)
	if err != nil {
		return nil, err
	}
	a, err := bot.NewLLMAnswerer(bot.LLMAnswererOptions{Model: m, ModelName: cfg.LLMModel, Offline: off})
	if err != nil {
		return nil, err
	}
	log.Info("answering with a language model", "llm", cfg.LLM, "model", cfg.LLMModel)
	return a, nil
}

// openSessions returns the conversation store: in PostgreSQL when
// DATABASE_URL is set (in the knowledge store's schema, the first on the
// URL's search_path; sessions outlive the process), otherwise in memory
// (they end with the process). done closes it.
func openSessions(ctx context.Context, cfg config) (s bot.SessionStore, done func(), err error) {
	if cfg.DatabaseURL == "" {
		return bot.NewMemorySessions(bot.MemorySessionsOptions{}), func() {}, nil
	}
	st, err := pgsessions.Open(ctx, pgsessions.Options{URL: cfg.DatabaseURL})
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

// rulesError is a configuration error about rule files. Its message keeps
// every underlying problem (file, line, reason), one per line.
func rulesError(what string, err error) error {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return knowledge.E("review.rules", knowledge.Invalid, what+"：\n  "+strings.Join(lines, "\n  "), err)
}

// newRewriter builds the plain-language rewriter that --llm /
// GOVREPLY_LLM asks for, on the process's reviewer: the offline rewriter
// (the pairs of bot/data/rewrite.yaml, the default), or with openai or
// ollama an LLMRewriter on that model, which falls back to the offline
// rewrite (marked in the response) when the model's loses a fact or fails
// review twice. A bad model configuration is an error here.
func newRewriter(cfg config, rv *review.Reviewer, log *slog.Logger) (bot.Rewriter, error) {
	if err := checkLLM(cfg); err != nil {
		return nil, err
	}
	off, err := bot.NewOfflineRewriter(bot.RewriterOptions{Reviewer: rv})
	if err != nil || cfg.LLM == "offline" || cfg.LLM == "" {
		return off, err
	}
	m, err := newLLMClient(cfg)
	if err != nil {
		return nil, err
	}
	w, err := bot.NewLLMRewriter(bot.LLMRewriterOptions{Model: m, ModelName: cfg.LLMModel, Offline: off, Logger: log})
	if err != nil {
		return nil, err
	}
	log.Info("rewriting with a language model", "llm", cfg.LLM, "model", cfg.LLMModel)
	return w, nil
}
