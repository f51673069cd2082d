package main

import (
	"cmp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// config is the process configuration: environment variables, overridden
// by flags.
type config struct {
	DatabaseURL string
	Addr        string
	Embedder    string // local | openai | ollama
	EmbedModel  string
	EmbedDim    int
	LLM         string // offline | openai | ollama
	LLMModel    string
	OpenAIBase  string
	OpenAIKey   string
	OllamaHost  string
	Thesaurus   string // builtin | off | path of a thesaurus file
	// Rules are department phrase-list files added to the reviewer's
	// built-in lists (--rules, repeatable; GOVREPLY_RULES, a list
	// separated by the OS path list separator).
	Rules []string
	// Answers is a folder of department curated answers (常见问题, the
	// schema of knowledge/builtin/answers) added to the built-in ones
	// (--answers; GOVREPLY_ANSWERS).
	Answers string
	// AdminPassword is the first administrator's password, from
	// GOVREPLY_ADMIN_PASSWORD only (a flag would show in the process
	// list); empty makes serve generate one and print it once.
	AdminPassword string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (serve --trusted-proxy; GOVREPLY_TRUSTED_PROXIES, comma
	// separated); none by default.
	TrustedProxies []string
	// MetricsAddr, when set, serves /metrics without authentication on
	// an address of its own (serve --metrics-addr; GOVREPLY_METRICS_ADDR).
	MetricsAddr string
	// Retention is how long a chat turn, and the citizen's post and the
	// facts of a submission under review, are kept at most (serve
	// --retention; GOVREPLY_RETENTION, a duration or a number of days;
	// 0: 30 days).
	Retention time.Duration
	// ReviewLevels is how many review levels a submission needs before
	// publishing, 1–3 (GOVREPLY_REVIEW_LEVELS; default 1).
	ReviewLevels int
	// ReviewDeadlines are the response limits by class of post, as
	// workflow.ParseDeadlines reads them (GOVREPLY_REVIEW_DEADLINES, e.g.
	// 谣言=4h,投诉=3d,*=5d); "" keeps workflow.DefaultDeadlines.
	ReviewDeadlines string
	// Holidays is a calendar file of public holidays and weekend days
	// worked, in workflow/data/calendar.yaml's format, whose years replace
	// the embedded ones (GOVREPLY_HOLIDAYS).
	Holidays string
	JSON     bool
	// DB is how serve waits on the database (dbconfig.go).
	DB dbConfig
}

// envConfig reads the environment through getenv (os.Getenv in main; a
// map in tests, so that they can run side by side).
func envConfig(getenv func(string) string) config {
	dim, _ := strconv.Atoi(getenv("GOVREPLY_EMBED_DIM"))
	return config{
		DatabaseURL: getenv("DATABASE_URL"),
		Addr:        cmp.Or(getenv("GOVREPLY_ADDR"), ":8080"),
		Embedder:    cmp.Or(getenv("GOVREPLY_EMBEDDER"), "local"),
		EmbedModel:  getenv("GOVREPLY_EMBED_MODEL"),
		EmbedDim:    dim,
		LLM:         cmp.Or(getenv("GOVREPLY_LLM"), "offline"),
		LLMModel:    getenv("GOVREPLY_LLM_MODEL"),
		OpenAIBase:  getenv("OPENAI_BASE_URL"),
		OpenAIKey:   getenv("OPENAI_API_KEY"),
		OllamaHost:  cmp.Or(getenv("OLLAMA_HOST"), "http://127.0.0.1:11434"),
		Thesaurus:   cmp.Or(getenv("GOVREPLY_THESAURUS"), "builtin"),
		Rules:       filepath.SplitList(getenv("GOVREPLY_RULES")),
		Answers:     getenv("GOVREPLY_ANSWERS"),

		AdminPassword:   getenv("GOVREPLY_ADMIN_PASSWORD"),
		TrustedProxies:  splitList(getenv("GOVREPLY_TRUSTED_PROXIES")),
		MetricsAddr:     getenv("GOVREPLY_METRICS_ADDR"),
		DB:              envDBConfig(getenv),
		Retention:       parseDays(getenv("GOVREPLY_RETENTION")),
		ReviewLevels:    reviewLevels(getenv("GOVREPLY_REVIEW_LEVELS")),
		ReviewDeadlines: getenv("GOVREPLY_REVIEW_DEADLINES"),
		Holidays:        getenv("GOVREPLY_HOLIDAYS"),
	}
}

// parseDays reads a retention: a Go duration (720h) or a number of days
// (30); 0 for an empty or unreadable value, which takes the default.
func parseDays(s string) time.Duration {
	if s == "" {
		return 0
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * 24 * time.Hour
	}
	return 0
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// validate checks the settings that name a choice, before anything is
// built: an unknown embedder or model server is a usage error (exit 2).
// What needs a part to check (a model name, a server address, a rule
// file) is checked when newApp builds that part, once.
func (c config) validate() error {
	switch c.Embedder {
	case "local", "openai", "ollama":
	default:
		return usageError{"未知的向量模型 " + c.Embedder + "：可选 local、openai、ollama"}
	}
	switch c.LLM {
	case "offline", "openai", "ollama":
	default:
		return usageError{"未知的大模型 " + c.LLM + "：可选 offline、openai、ollama"}
	}
	if c.EmbedDim < 0 {
		return usageError{"向量维度不能为负数：" + strconv.Itoa(c.EmbedDim)}
	}
	if err := c.DB.validate(); err != nil {
		return err
	}
	return nil
}

// bind registers the flags that override the environment.
func (c *config) bind(fs *pflag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL 连接串（未设置则使用内存知识库）[DATABASE_URL]")
	fs.StringVar(&c.Embedder, "embedder", c.Embedder, "向量模型：local | openai | ollama [GOVREPLY_EMBEDDER]")
	fs.StringVar(&c.EmbedModel, "embed-model", c.EmbedModel, "远程向量模型名 [GOVREPLY_EMBED_MODEL]")
	fs.IntVar(&c.EmbedDim, "embed-dim", c.EmbedDim, "向量维度（local 默认 1536；远程模型自动探测）[GOVREPLY_EMBED_DIM]")
	fs.StringVar(&c.LLM, "llm", c.LLM, "大模型：offline | openai | ollama [GOVREPLY_LLM]")
	fs.StringVar(&c.LLMModel, "llm-model", c.LLMModel, "大模型名 [GOVREPLY_LLM_MODEL]")
	fs.StringVar(&c.OpenAIBase, "openai-base-url", c.OpenAIBase, "OpenAI 兼容接口地址 [OPENAI_BASE_URL]")
	fs.StringVar(&c.OllamaHost, "ollama-host", c.OllamaHost, "Ollama 地址 [OLLAMA_HOST]")
	fs.StringVar(&c.Thesaurus, "thesaurus", c.Thesaurus, "检索时用同义词表扩展问题：builtin（内置词表）| off（不扩展）| 词表文件路径 [GOVREPLY_THESAURUS]")
	fs.StringArrayVar(&c.Rules, "rules", c.Rules, "部门审核规则文件（短语表格式，见 knowledge/builtin/phrases/README.md），可重复；给出时取代环境变量 [GOVREPLY_RULES，多个文件用 "+string(os.PathListSeparator)+" 分隔]")
	fs.StringVar(&c.Answers, "answers", c.Answers, "部门常见问题文件夹（格式见 knowledge/builtin/answers/README.md），加在内置常见问题之后 [GOVREPLY_ANSWERS]")
	fs.BoolVar(&c.JSON, "json", false, "以 JSON 输出（机器可读）")
}

// reviewLevels reads GOVREPLY_REVIEW_LEVELS: 1, 2 or 3 (anything else: 1).
func reviewLevels(s string) int {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 3 {
		return n
	}
	return 1
}
