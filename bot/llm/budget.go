package llm

import (
	"fmt"
	"strings"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/internal/tokens"
	"govreply/prompts"
)

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

// tokenBudget is how many prompt tokens a model takes: its window less
// the tokens reserved for the answer (and, for models whose tokenizer
// tiktoken only approximates, less a tenth for safety).
type tokenBudget struct {
	enc   *tokens.Counter // the process-wide counter of the model's encoding
	limit int
}

func newTokenBudget(model string, window, reserve int) (*tokenBudget, error) {
	if window <= 0 {
		window = ContextWindow(model)
	}
	name, exact := openAIEncoding(model)
	enc, err := tokens.NewCounter(name)
	if err != nil {
		return nil, errs.E("llm.budget", err)
	}
	limit := window - reserve
	if !exact {
		limit -= window / 10
	}
	if limit <= 0 {
		return nil, errs.E("llm.budget", errs.Invalid, fmt.Sprintf("大模型上下文窗口 %d 个词元，留给回答 %d 个后已无处放提示词", window, reserve))
	}
	return &tokenBudget{enc: enc, limit: limit}, nil
}

func (b *tokenBudget) count(msgs ...string) int {
	n := 0
	for _, m := range msgs {
		n += b.enc.Count(m) + messageOverhead
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
	return "", "", 0, errs.E("llm.budget", errs.TooLarge, bot.CodePostTooLong, fmt.Sprintf("帖子和已知情况太长，超出了大模型的上下文窗口（可用 %d 个词元），请精简后重试", b.limit))
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
	return "", "", 0, errs.E("llm.budget", errs.TooLarge, bot.CodeMessageTooLong, fmt.Sprintf("问题太长，超出了大模型的上下文窗口（可用 %d 个词元），请精简后重试", b.limit))
}
