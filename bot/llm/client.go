// Package llm is the assistant with a language model, through langchaingo
// (any OpenAI-compatible endpoint, or Ollama): a Drafter, an Answerer
// (streaming) and a Rewriter. Each leans on bot/offline for what does not
// need a model (classification, retrieval and its relevance threshold,
// sessions, the reviewer, fallbacks) and renders the prompts of package
// prompts within the model's token budget.
//
// Model output is untrusted: drafts are reviewed, rewrites must keep the
// original's facts, answers keep only citations of passages the prompt
// carried. A model server that fails reaches callers as an errs.Error of
// kind Unavailable (CodeUnavailable) or Timeout (CodeTimeout) whose
// message names the server, never as a silent fallback.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tmc/langchaingo/httputil"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"govreply/internal/endpoint"
	"govreply/internal/errs"
	"govreply/internal/httpretry"
)

// LLM providers of NewClient.
const (
	ProviderOpenAI = "openai" // any OpenAI-compatible /chat/completions endpoint
	ProviderOllama = "ollama" // Ollama's /api/chat
)

// DefaultRetries is how many times NewClient's transport retries a
// request after a 429, a 5xx, a timeout or a network error: three
// attempts in all.
const DefaultRetries = 2

// noAPIKey is handed to langchaingo's openai client when no API key is
// set (it refuses an empty one); the transport strips the header.
const noAPIKey = "govreply-no-api-key"

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Provider is "openai" or "ollama".
	Provider string
	// BaseURL is the OpenAI-compatible base URL including its version
	// prefix ("http://host:8000/v1"; requests go to BaseURL+
	// "/chat/completions") or the Ollama host ("host:port" or a URL).
	// Required.
	BaseURL string
	// APIKey is sent as a bearer token (openai only); empty sends none.
	APIKey string
	// Model is the model name. Required.
	Model string
	// Timeout bounds each HTTP attempt, reading the answer included; 0
	// means DefaultTimeout. DrafterOptions.Timeout bounds the whole call.
	Timeout time.Duration
	// Retries after a 429, a 5xx, a timeout or a network error, with
	// exponential backoff from 200ms; 0 means DefaultRetries, negative
	// none. Other 4xx are never retried, nor is a cancelled request.
	Retries int
	// Stream asks the server for a streamed answer (OpenAI's SSE chunks,
	// Ollama's JSON lines); the client joins the chunks, so callers see
	// the same whole reply.
	Stream bool
	// HTTPClient's transport, redirect policy and jar are used; it is not
	// modified. nil means langchaingo's default transport.
	HTTPClient *http.Client

	sleep func(ctx context.Context, d time.Duration) error // tests
}

// client is the llms.Model NewClient returns: langchaingo's client
// on the retrying transport, with errors told in Chinese from what the
// transport saw on the wire.
type client struct {
	model   llms.Model
	name    string // provider:model, for messages
	base    string // base URL without user info, for messages
	timeout time.Duration
	stream  bool
}

var _ llms.Model = (*client)(nil)

// NewClient builds a language model client from opts. A missing
// provider, base URL or model name is an error naming the setting to fix.
func NewClient(opts ClientOptions) (llms.Model, error) {
	const op = "llm.NewClient"
	provider := strings.ToLower(strings.TrimSpace(opts.Provider))
	model := strings.TrimSpace(opts.Model)
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	opts.Retries = httpretry.Retries(opts.Retries, DefaultRetries)
	if model == "" {
		return nil, errs.E(op, errs.Invalid, "未设置大模型名：请用 --llm-model 或环境变量 GOVREPLY_LLM_MODEL 指定（如 gpt-4o-mini、qwen2.5:7b）")
	}
	hc := httpretry.NewClient(opts.HTTPClient, httputil.DefaultTransport, httpretry.Transport{
		Retries:   opts.Retries,
		Timeout:   opts.Timeout,
		StripAuth: provider == ProviderOpenAI && opts.APIKey == "",
		Sleep:     opts.sleep,
	})
	c := &client{name: provider + ":" + model, timeout: opts.Timeout, stream: opts.Stream}
	switch provider {
	case ProviderOpenAI:
		if strings.TrimSpace(opts.BaseURL) == "" {
			return nil, errs.E(op, errs.Invalid, "未设置 OpenAI 兼容接口地址：请用 --openai-base-url 或环境变量 OPENAI_BASE_URL 指定（含版本前缀，如 https://api.openai.com/v1）")
		}
		base, err := endpoint.HTTP(opts.BaseURL)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("OpenAI 兼容接口地址无效（OPENAI_BASE_URL）：%q", opts.BaseURL), err)
		}
		token := opts.APIKey
		if token == "" {
			token = noAPIKey
		}
		m, err := openai.New(openai.WithToken(token), openai.WithBaseURL(base.String()),
			openai.WithModel(model), openai.WithHTTPClient(hc))
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "无法创建 OpenAI 兼容的大模型客户端", err)
		}
		c.model, c.base = m, endpoint.Redact(base)
	case ProviderOllama:
		raw := strings.TrimSpace(opts.BaseURL)
		if raw == "" {
			return nil, errs.E(op, errs.Invalid, "未设置 Ollama 地址：请用 --ollama-host 或环境变量 OLLAMA_HOST 指定（如 http://127.0.0.1:11434）")
		}
		base, err := endpoint.Ollama(raw) // Ollama's convention: host[:port], http, port 11434
		if err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("Ollama 地址无效（OLLAMA_HOST）：%q", opts.BaseURL), err)
		}
		// base parses, so WithServerURL (log.Fatal on a bad URL) is safe.
		m, err := ollama.New(ollama.WithServerURL(base.String()), ollama.WithModel(model), ollama.WithHTTPClient(hc))
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "无法创建 Ollama 大模型客户端", err)
		}
		c.model, c.base = m, endpoint.Redact(base)
	default:
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("不支持的大模型服务类型 %q（可选 openai、ollama）", opts.Provider))
	}
	return c, nil
}

// GenerateContent implements llms.Model.
func (c *client) GenerateContent(ctx context.Context, msgs []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	if c.stream {
		// Caller options come last, so a caller's own streaming function wins.
		options = append([]llms.CallOption{llms.WithStreamingFunc(func(context.Context, []byte) error { return nil })}, options...)
	}
	st := &httpretry.State{}
	resp, err := c.model.GenerateContent(httpretry.WithState(ctx, st), msgs, options...)
	if err != nil {
		return nil, c.classify(ctx, st, err)
	}
	return resp, nil
}

// Call implements llms.Model.
func (c *client) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, c, prompt, options...)
}

// Codes of a failed model call. Both name the model server, so that a
// client can tell it from the database or the embedder.
const (
	CodeUnavailable errs.Code = "llm_unavailable" // refused, unreachable, rate-limited or unreadable
	CodeTimeout     errs.Code = "llm_timeout"     // no answer in time
)

// classify describes err from what the transport saw: an errs.Error of
// kind Unavailable (CodeUnavailable) or Timeout (CodeTimeout) whose
// message names the model server and what went wrong, with the server's
// Retry-After when it sent one. A call ended by ctx is Canceled (or
// Timeout when ctx's deadline passed).
func (c *client) classify(ctx context.Context, st *httpretry.State, err error) error {
	const op = "llm.call"
	if ctx.Err() != nil {
		return errs.E(op, errs.KindOf(ctx.Err()), err)
	}
	last := st.Snapshot()
	retried := ""
	if last.Retry > 0 {
		retried = fmt.Sprintf("（已重试 %d 次）", last.Retry)
	}
	if last.NetErr != nil && last.Status == 0 {
		err = errors.Join(err, last.NetErr)
	}
	unavailable := func(msg string) error {
		return errs.E(op, errs.Unavailable, CodeUnavailable, msg, last.RetryAfter, err)
	}
	switch s := last.Status; {
	case last.TimedOut:
		return errs.E(op, errs.Timeout, CodeTimeout, fmt.Sprintf("大模型服务 %s 请求超时（超过 %s）%s", c.base, c.timeout, retried), err)
	case s == 0 && last.NetErr != nil:
		return unavailable(fmt.Sprintf("无法连接大模型服务 %s%s", c.base, retried))
	case s == 0 || s < 400:
		// Nothing sent, or a 2xx/3xx the client could not read.
		return unavailable("大模型服务返回的结果无法解析")
	case s == http.StatusTooManyRequests:
		return unavailable(fmt.Sprintf("大模型服务请求过多被限流（HTTP 429）%s，请稍后再试", retried))
	case s >= 500:
		return unavailable(fmt.Sprintf("大模型服务出错：服务器返回 HTTP %d%s，请稍后再试或改用离线起草", s, retried))
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return unavailable(fmt.Sprintf("大模型服务拒绝访问（HTTP %d）：请检查 OPENAI_API_KEY", s))
	case s == http.StatusNotFound:
		return unavailable(fmt.Sprintf("大模型服务找不到模型 %s 或接口（HTTP 404）：请检查 --llm-model 与服务地址（Ollama 需先 ollama pull 该模型）", c.name))
	}
	return unavailable(fmt.Sprintf("大模型服务拒绝了请求（HTTP %d）", last.Status))
}
