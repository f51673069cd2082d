package bot

import (
	"fmt"
	"strings"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"

	"govreply/prompts"
)

func init() {
	// The BPE files come from tiktoken-go-loader's embedded assets, never
	// from the network (as in ingest/chunk, which sets the same loader;
	// package initialisation is single-threaded, so this cannot race).
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
}

// DefaultContextWindow is the context window of a model ContextWindow
// does not know.
const DefaultContextWindow = 8192

// contextWindows maps model-name prefixes to context windows in tokens;
// the longest matching prefix wins.
var contextWindows = map[string]int{
	"gpt-3.5-turbo":    16385,
	"gpt-4":            8192,
	"gpt-4-turbo":      128000,
	"gpt-4o":           128000,
	"gpt-4.1":          1000000,
	"gpt-5":            400000,
	"o1":               200000,
	"o3":               200000,
	"o4":               200000,
	"deepseek":         65536,
	"qwen":             32768,
	"qwen2.5":          32768,
	"qwen3":            32768,
	"glm-4":            128000,
	"moonshot-v1-8k":   8192,
	"moonshot-v1-32k":  32768,
	"moonshot-v1-128k": 131072,
	"llama3":           8192,
	"llama3.1":         131072,
	"llama3.2":         131072,
	"mistral":          32768,
	"gemma2":           8192,
	"gemma3":           131072,
}

// ContextWindow returns the context window of a model in tokens, by the
// longest known prefix of its name (an Ollama tag such as
// "qwen2.5:7b" counts by its name); DefaultContextWindow when unknown.
func ContextWindow(model string) int {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndex(m, "/"); i >= 0 { // "Qwen/Qwen2.5-7B-Instruct"
		m = m[i+1:]
	}
	best, win := 0, DefaultContextWindow
	for p, w := range contextWindows {
		if strings.HasPrefix(m, p) && len(p) > best {
			best, win = len(p), w
		}
	}
	return win
}

// openAIEncoding returns the tiktoken encoding of an OpenAI model and
// whether the model is one; other models are counted with cl100k_base,
// which only approximates their tokenizers.
func openAIEncoding(model string) (string, bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	for _, p := range []string{"gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4"} {
		if strings.HasPrefix(m, p) {
			return "o200k_base", true
		}
	}
	if strings.HasPrefix(m, "gpt-") {
		return "cl100k_base", true
	}
	return "cl100k_base", false
}

// messageOverhead is what each chat message costs besides its text
// (role and separators), generously.
const messageOverhead = 8

var (
	encMu sync.Mutex
	encs  = map[string]*tiktoken.Tiktoken{}
)

func encoding(name string) (*tiktoken.Tiktoken, error) {
	encMu.Lock()
	defer encMu.Unlock()
	if e := encs[name]; e != nil {
		return e, nil
	}
	e, err := tiktoken.GetEncoding(name)
	if err != nil {
		return nil, fmt.Errorf("加载分词编码 %s 失败：%w", name, err)
	}
	encs[name] = e
	return e, nil
}

// tokenBudget is how many prompt tokens a model takes: its window less
// the tokens reserved for the answer (and, for models whose tokenizer
// tiktoken only approximates, less a tenth for safety).
type tokenBudget struct {
	enc   *tiktoken.Tiktoken
	limit int
}

func newTokenBudget(model string, window, reserve int) (*tokenBudget, error) {
	if window <= 0 {
		window = ContextWindow(model)
	}
	name, exact := openAIEncoding(model)
	enc, err := encoding(name)
	if err != nil {
		return nil, err
	}
	limit := window - reserve
	if !exact {
		limit -= window / 10
	}
	if limit <= 0 {
		return nil, fmt.Errorf("bot: context window %d leaves no room for a prompt after %d tokens for the answer", window, reserve)
	}
	return &tokenBudget{enc: enc, limit: limit}, nil
}

func (b *tokenBudget) count(msgs ...string) int {
	n := 0
	for _, m := range msgs {
		n += len(b.enc.EncodeOrdinary(m)) + messageOverhead
	}
	return n
}

// fit renders in with as many of its passages (best first) as the budget
// takes, dropping the lowest-ranked first, and returns how many it kept.
// A prompt that does not fit even without passages is an error.
func (b *tokenBudget) fit(in prompts.DraftInput) (system, user string, kept int, err error) {
	all := in.Passages
	for n := len(all); n >= 0; n-- {
		in.Passages = all[:n]
		if system, user, err = prompts.Draft(in); err != nil {
			return "", "", 0, err
		}
		if b.count(system, user) <= b.limit {
			return system, user, n, nil
		}
	}
	return "", "", 0, fmt.Errorf("帖子和事实太长，超出了模型的上下文窗口（可用 %d 个词元），请精简后重试", b.limit)
}

// fitChat renders a Q&A prompt within the budget: the lowest-ranked
// passages are dropped first (down to one), then the oldest turns of the
// conversation; the best passage is never dropped. It returns how many passages it
// kept. A question that does not fit even alone is an error.
func (b *tokenBudget) fitChat(in prompts.ChatInput) (system, user string, kept int, err error) {
	passages, history := in.Passages, in.History
	try := func(np, skip int) (bool, error) {
		in.Passages, in.History = passages[:np], history[skip:]
		if system, user, err = prompts.Chat(in); err != nil {
			return false, err
		}
		return b.count(system, user) <= b.limit, nil
	}
	for np := len(passages); np >= min(1, len(passages)); np-- {
		if ok, err := try(np, 0); err != nil || ok {
			return system, user, np, err
		}
	}
	for skip := 1; skip <= len(history); skip++ {
		if ok, err := try(min(1, len(passages)), skip); err != nil || ok {
			return system, user, min(1, len(passages)), err
		}
	}
	if len(passages) == 0 {
		if ok, err := try(0, len(history)); err != nil || ok {
			return system, user, 0, err
		}
	}
	return "", "", 0, fmt.Errorf("问题太长，超出了模型的上下文窗口（可用 %d 个词元），请精简后重试", b.limit)
}
