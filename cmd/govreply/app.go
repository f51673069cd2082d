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

	"govreply/account"
	acctpg "govreply/account/postgres"
	"govreply/api"
	"govreply/bot"
	"govreply/bot/llm"
	"govreply/bot/memory"
	"govreply/bot/offline"
	botpg "govreply/bot/postgres"
	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
	"govreply/internal/phrases"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	knowmem "govreply/knowledge/memory"
	"govreply/knowledge/postgres"
	"govreply/knowledge/thesaurus"
	"govreply/review"
	"govreply/review/pii"
	trainpg "govreply/training/postgres"
	wfpg "govreply/workflow/postgres"
)

// corpusCollection is the collection --corpus folders are indexed into.
const corpusCollection = "corpus"

// needs says which parts a command works with. Parts that others need
// are implied (a drafter needs the store and the reviewer).
type needs struct {
	store    bool     // embedder, knowledge store, retriever, indexer
	corpus   []string // non-empty: an in-memory index of exactly these folders
	builtin  bool     // seed the built-in knowledge base into Postgres too (memory always has it)
	reviewer bool
	drafter  bool
	answerer bool
	rewriter bool
	accounts bool // the account store (account.Store): Postgres on DATABASE_URL, else in memory
	training bool // scenarios, grader, quiz bank and the trainees' progress (training.go)
	workflow bool // the publishing review's submissions (workflow.go)
	// dbLimits and dbWait are serve's bounds on the database (pgdb.Limits,
	// pgdb.Options.StartupWait); the one-shot commands leave them zero.
	dbLimits pgdb.Limits
	dbWait   time.Duration
}

// app holds the parts of one command, each built once from one validated
// config by newApp, and closes them in the reverse order of building.
type app struct {
	log       *slog.Logger
	db        *pgdb.DB // nil on the in-memory store
	store     knowledge.Store
	backend   string // "memory" or "postgres", for people
	embedder  knowledge.Embedder
	retriever *knowledge.Retriever
	indexer   *ingest.Indexer
	reviewer  *review.Reviewer
	model     llms.Model // nil when offline
	sessions  bot.SessionStore
	// pgSessions is the PostgreSQL store under sessions, swept by serve;
	// nil on the in-memory store.
	pgSessions *botpg.Sessions
	drafter    bot.Drafter
	answerer   bot.Answerer
	answers    *faq.Index // the answerer's curated answers; nil without an answerer
	rewriter   bot.Rewriter
	accounts   account.Store     // nil unless needs.accounts
	training   *api.Training     // nil unless needs.training
	workflow   *api.Review       // nil unless needs.workflow
	composer   *offline.Composer // the offline drafter, also under a model's; nil unless needs.drafter

	closers []func()
}

// opener builds an app; tests substitute fakes for the real parts.
type opener func(ctx context.Context, cfg config, n needs, log *slog.Logger) (*app, error)

// Close releases the parts in the reverse order of building.
func (a *app) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// newApp validates cfg and builds what n needs, cheapest and most likely
// to fail first: the rule files, then the model client, then the store.
// On an error everything built so far is closed.
func newApp(ctx context.Context, cfg config, n needs, log *slog.Logger) (_ *app, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n = n.implied()
	a := &app{log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if n.reviewer {
		if a.reviewer, err = newReviewer(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.LLM != "offline" && (n.drafter || n.answerer || n.rewriter) {
		if a.model, err = newModel(cfg); err != nil {
			return nil, err
		}
	}
	if n.store {
		if err := a.openStore(ctx, cfg, n); err != nil {
			return nil, err
		}
	}
	if n.accounts {
		if err := a.openAccounts(ctx, cfg); err != nil {
			return nil, err
		}
	}
	if n.training {
		if err := a.openTraining(ctx, cfg); err != nil {
			return nil, err
		}
	}
	if n.workflow {
		if err := a.openWorkflow(ctx, cfg); err != nil {
			return nil, err
		}
	}
	if n.answerer {
		a.openSessions(cfg)
	}
	if err := a.buildAssistant(cfg, n); err != nil {
		return a, err
	}
	if a.workflow != nil && a.composer != nil {
		// A submission that does not say what the post is gets its
		// deadline from the class the drafter reads in it.
		a.workflow.Classify = func(post string) review.Class { return a.composer.Analyze(post).Class }
	}
	return a, nil
}

// implied adds the parts the others need.
func (n needs) implied() needs {
	if n.drafter || n.answerer || len(n.corpus) > 0 || n.builtin {
		n.store = true
	}
	if n.drafter || n.rewriter {
		n.reviewer = true
	}
	return n
}

// openStore builds the embedder, the knowledge store and what searches
// and fills it. Without DATABASE_URL (or with --corpus) the store is in
// memory and filled here; otherwise the database is opened once, with
// every component that keeps tables there migrated.
func (a *app) openStore(ctx context.Context, cfg config, n needs) error {
	seg := segment.Default()
	go seg.Warm() // overlaps the tiktoken tables and the store's migrations
	emb, err := newEmbedder(ctx, cfg)
	if err != nil {
		return err
	}
	ch, err := chunk.New(chunk.Options{})
	if err != nil {
		return err
	}
	exp, err := newExpander(cfg, seg)
	if err != nil {
		return err
	}
	a.embedder = emb
	inMemory := len(n.corpus) > 0 || cfg.DatabaseURL == ""
	if inMemory {
		a.store, a.backend = knowmem.New(emb.Dimensions()), "memory"
	} else {
		kopts := postgres.Options{Dim: emb.Dimensions(), Embedder: emb.Name(), Logger: a.log}
		a.db, err = pgdb.Open(ctx, pgdb.Options{URL: cfg.DatabaseURL, Logger: a.log, Limits: n.dbLimits, StartupWait: n.dbWait,
			Components: []pgdb.Component{postgres.Component(kopts), botpg.Component(), acctpg.Component(), trainpg.Component(), wfpg.Component()}})
		if err != nil {
			return err
		}
		a.closers = append(a.closers, a.db.Close)
		if a.store, err = postgres.New(ctx, a.db, kopts); err != nil {
			return err
		}
		a.backend = "postgres"
	}
	a.closers = append(a.closers, func() { a.store.Close() })
	a.retriever = &knowledge.Retriever{Store: a.store, Embedder: emb, Segmenter: seg, Expander: exp}
	a.indexer = &ingest.Indexer{Store: a.store, Embedder: emb, Segmenter: seg, Chunker: ch}
	switch {
	case len(n.corpus) > 0:
		return a.fill(ctx, corpusCollection, n.corpus)
	case inMemory || n.builtin:
		return a.seedBuiltin(ctx)
	}
	return nil
}

// openSessions picks the conversation store: in the database when there
// is one (conversations outlive the process), else in memory.
func (a *app) openSessions(cfg config) {
	var s bot.SessionStore = memory.NewSessions(memory.Options{})
	if a.db != nil {
		a.pgSessions = botpg.NewSessions(a.db, botpg.Options{Retention: cfg.Retention})
		s = a.pgSessions
	}
	// Kept turns hold no ID, mobile or bank-card number.
	a.sessions = bot.MaskPII(s, &pii.Detector{})
}

// buildAssistant builds the drafter, answerer and rewriter n asks for:
// offline, or with the model (a.model) on the offline parts it leans on.
func (a *app) buildAssistant(cfg config, n needs) (err error) {
	mo := llm.ModelOptions{Model: a.model, ModelName: cfg.LLMModel}
	if n.drafter {
		if a.drafter, err = a.newDrafter(mo); err != nil {
			return err
		}
	}
	if n.answerer {
		if a.answerer, err = a.newAnswerer(mo, cfg.Answers); err != nil {
			return err
		}
	}
	if n.rewriter {
		if a.rewriter, err = a.newRewriter(mo); err != nil {
			return err
		}
	}
	if a.model != nil {
		a.log.Info("assistant uses a language model", "llm", cfg.LLM, "model", cfg.LLMModel)
	}
	return nil
}

func (a *app) newDrafter(mo llm.ModelOptions) (bot.Drafter, error) {
	c, err := offline.NewComposer(offline.ComposerOptions{Retriever: a.retriever, Reviewer: a.reviewer})
	a.composer = c
	if err != nil || a.model == nil {
		return c, err
	}
	return llm.NewDrafter(llm.DrafterOptions{ModelOptions: mo, Composer: c})
}

func (a *app) newAnswerer(mo llm.ModelOptions, answers string) (bot.Answerer, error) {
	ix, err := curatedAnswers(answers, a.retriever)
	if err != nil {
		return nil, err
	}
	a.answers = ix
	off, err := offline.NewAnswerer(offline.AnswererOptions{Retriever: a.retriever, Sessions: a.sessions, Answers: ix})
	if err != nil || a.model == nil {
		return off, err
	}
	return llm.NewAnswerer(llm.AnswererOptions{ModelOptions: mo, Offline: off})
}

// curatedAnswers indexes the built-in curated answers and those of the
// department folder dir ("" for none). A file that cannot be read or
// parsed, or an id that repeats another, fails here with its file.
func curatedAnswers(dir string, r *knowledge.Retriever) (*faq.Index, error) {
	entries, secs, titles, err := faq.Builtin(builtin.FS(), builtin.AnswersFS())
	if err != nil { // a broken build: the knowledge base tests catch this
		return nil, err
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usageError{fmt.Sprintf("常见问题文件夹 %s 不存在或不是文件夹", dir)}
		}
		dept, err := faq.Load(os.DirFS(dir))
		if err != nil {
			return nil, usageError{"部门常见问题文件有误：" + errs.MessageOf(err)}
		}
		ids := map[string]bool{}
		for _, e := range entries {
			ids[e.ID] = true
		}
		for _, e := range dept {
			if ids[e.ID] {
				return nil, usageError{fmt.Sprintf("部门常见问题文件有误：%s 的编号 %s 与内置常见问题重复", e.File, e.ID)}
			}
		}
		entries = append(entries, dept...)
	}
	return faq.NewIndex(entries, secs, titles, r), nil
}

func (a *app) newRewriter(mo llm.ModelOptions) (bot.Rewriter, error) {
	off, err := offline.NewRewriter(offline.RewriterOptions{Reviewer: a.reviewer})
	if err != nil || a.model == nil {
		return off, err
	}
	return llm.NewRewriter(llm.RewriterOptions{ModelOptions: mo, Offline: off, Logger: a.log})
}

// fill indexes corpus folders; any file that fails makes it an error,
// because a hit-test over a silently partial corpus would mislead.
func (a *app) fill(ctx context.Context, collection string, paths []string) error {
	sum, err := a.indexer.Run(ctx, collection, paths, nil)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		f := sum.Failures[0]
		return errs.E("corpus", errs.Invalid, fmt.Sprintf("语料中有 %d 个文件无法导入，例如 %s：%s", sum.Failed, f.Path, f.Reason))
	}
	if sum.Added+sum.Updated+sum.Skipped == 0 {
		return errs.E("corpus", errs.Invalid, "语料文件夹中没有可导入的文件（支持 .md .txt .html .docx .pdf）")
	}
	a.log.Debug("corpus indexed", "docs", sum.Added, "chunks", sum.Chunks, "seconds", sum.Seconds)
	return nil
}

// seedBuiltin stores the built-in knowledge base (unchanged documents are
// skipped, so this is cheap on a Postgres store that already has them).
func (a *app) seedBuiltin(ctx context.Context) error {
	start := time.Now()
	sum, err := a.indexer.RunFS(ctx, builtin.Collection, builtin.FS(), nil)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		f := sum.Failures[0]
		return errs.E("builtin", errs.Internal, fmt.Sprintf("内置知识库文档 %s 无法导入：%s", f.Path, f.Reason))
	}
	a.log.Info("built-in knowledge base ready", "added", sum.Added, "updated", sum.Updated, "unchanged", sum.Skipped,
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

// newEmbedder builds the configured embedder (cfg.validate has checked
// its name).
func newEmbedder(ctx context.Context, cfg config) (knowledge.Embedder, error) {
	switch cfg.Embedder {
	case "openai":
		return embed.NewRemote(ctx, embed.RemoteOptions{Provider: "openai", BaseURL: cfg.OpenAIBase, APIKey: cfg.OpenAIKey, Model: cfg.EmbedModel, Dimensions: cfg.EmbedDim})
	case "ollama":
		return embed.NewRemote(ctx, embed.RemoteOptions{Provider: "ollama", BaseURL: cfg.OllamaHost, Model: cfg.EmbedModel, Dimensions: cfg.EmbedDim})
	}
	return embed.NewLocal(cfg.EmbedDim)
}

// newModel builds the one model client of --llm openai|ollama that the
// drafter, the answerer and the rewriter share. A missing model name or
// server address is a configuration error here, before any request:
// nothing falls back to offline silently.
func newModel(cfg config) (llms.Model, error) {
	base := cfg.OpenAIBase
	if cfg.LLM == llm.ProviderOllama {
		base = cfg.OllamaHost
	}
	m, err := llm.NewClient(llm.ClientOptions{Provider: cfg.LLM, BaseURL: base, APIKey: cfg.OpenAIKey, Model: cfg.LLMModel})
	if err != nil {
		return nil, usageError{"大模型配置有误：" + errs.MessageOf(err)}
	}
	return m, nil
}

// newReviewer builds the draft reviewer from the built-in phrase lists and
// the department files of --rules / GOVREPLY_RULES (the phrase-list
// schema of package internal/phrases). A file that cannot be read or
// parsed, or that repeats a built-in rule id or phrase, fails here, with
// every problem's file, line and reason. It compiles every phrase into
// one matcher, so it is built once per process.
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
		dept     []*phrases.File
		problems []error
		seen     = map[string]bool{}
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
			problems = append(problems, &errs.FileError{File: name, Reason: "文件不存在"})
			continue
		case err != nil:
			problems = append(problems, &errs.FileError{File: name, Reason: "无法读取文件：" + err.Error()})
			continue
		}
		f, err := phrases.Parse(name, data)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		dept = append(dept, f)
	}
	all := append(files[:len(files):len(files)], dept...)
	if len(problems) == 0 {
		problems = phrases.CheckUnique(all)
	}
	if len(problems) > 0 {
		return nil, rulesError("部门审核规则文件有误", errors.Join(problems...))
	}
	r, err := review.New(review.Options{Phrases: all})
	if err != nil {
		return nil, rulesError("审核规则无法加载", err)
	}
	return r, nil
}

// rulesError is a configuration error about rule files. Its message keeps
// every underlying problem (file, line, reason), one per line.
func rulesError(what string, err error) error {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return errs.E("review.rules", errs.Invalid, what+"：\n  "+strings.Join(lines, "\n  "), err)
}
