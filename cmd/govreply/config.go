package main

import (
	"cmp"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/pflag"
)

// config is the process configuration: environment variables, overridden
// by flags (DESIGN.md, "Configuration").
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
	JSON  bool
}

// envConfig reads the environment.
func envConfig() config {
	dim, _ := strconv.Atoi(os.Getenv("GOVREPLY_EMBED_DIM"))
	return config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		Addr:        cmp.Or(os.Getenv("GOVREPLY_ADDR"), ":8080"),
		Embedder:    cmp.Or(os.Getenv("GOVREPLY_EMBEDDER"), "local"),
		EmbedModel:  os.Getenv("GOVREPLY_EMBED_MODEL"),
		EmbedDim:    dim,
		LLM:         cmp.Or(os.Getenv("GOVREPLY_LLM"), "offline"),
		LLMModel:    os.Getenv("GOVREPLY_LLM_MODEL"),
		OpenAIBase:  os.Getenv("OPENAI_BASE_URL"),
		OpenAIKey:   os.Getenv("OPENAI_API_KEY"),
		OllamaHost:  cmp.Or(os.Getenv("OLLAMA_HOST"), "http://127.0.0.1:11434"),
		Thesaurus:   cmp.Or(os.Getenv("GOVREPLY_THESAURUS"), "builtin"),
		Rules:       filepath.SplitList(os.Getenv("GOVREPLY_RULES")),
	}
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
	fs.BoolVar(&c.JSON, "json", false, "以 JSON 输出（机器可读）")
}
