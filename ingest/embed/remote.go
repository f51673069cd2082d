package embed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/httputil"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"govreply/internal/endpoint"
	"govreply/internal/errs"
	"govreply/internal/httpretry"
	"govreply/knowledge"
)

// Remote providers.
const (
	ProviderOpenAI = "openai" // any OpenAI-compatible /embeddings endpoint
	ProviderOllama = "ollama"
)

// Defaults applied by NewRemote when the corresponding option is zero.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultOllamaHost       = "http://127.0.0.1:11434"
	DefaultOpenAIEmbedModel = "text-embedding-3-small"
	DefaultOllamaEmbedModel = "nomic-embed-text"
	DefaultRemoteBatchSize  = 32
	DefaultRemoteTimeout    = 30 * time.Second
	DefaultRemoteRetries    = 3
)

// remoteProbeText is embedded once by NewRemote to discover the model's
// dimension when RemoteOptions.Dimensions is 0.
const remoteProbeText = "政务微博回复维度探测"

// remoteNoKey is the token handed to langchaingo's openai client when no API
// key is configured (it refuses an empty one); the retrying transport
// removes the resulting Authorization header.
const remoteNoKey = "govreply-no-api-key"

// RemoteOptions configures a Remote embedder.
type RemoteOptions struct {
	// Provider is "openai" (any OpenAI-compatible endpoint) or "ollama".
	Provider string
	// BaseURL is OPENAI_BASE_URL (including the version prefix, e.g.
	// "http://host:8000/v1"; requests go to BaseURL+"/embeddings") or
	// OLLAMA_HOST ("host:port" or a URL; requests go to /api/embed).
	// Empty means DefaultOpenAIBaseURL or DefaultOllamaHost.
	BaseURL string
	// APIKey is OPENAI_API_KEY (openai only). It may be empty for local
	// OpenAI-compatible servers; then no Authorization header is sent.
	APIKey string
	// Model is GOVREPLY_EMBED_MODEL. Empty means DefaultOpenAIEmbedModel or
	// DefaultOllamaEmbedModel.
	Model string
	// Dimensions is the expected vector length. 0 means NewRemote discovers
	// it by embedding a probe text. It is a check, not a request: it is not
	// sent to the server (models such as text-embedding-ada-002 reject the
	// "dimensions" parameter).
	Dimensions int
	// BatchSize is the number of texts per request (openai). Ollama's client
	// in langchaingo sends one request per text; batches still bound how
	// much work one CreateEmbedding call does. <= 0 means 32.
	BatchSize int
	// Timeout bounds each HTTP request (each attempt). <= 0 means 30s.
	Timeout time.Duration
	// Retries is how many times a request is retried after a 429, a 5xx, a
	// timeout or a network error, with exponential backoff and jitter
	// starting at 200ms. Other 4xx are never retried. 0 means 3; a negative
	// value disables retries.
	Retries int
	// HTTPClient is the client whose transport (and redirect policy, jar)
	// is used; it is not modified. nil means a default client.
	HTTPClient *http.Client

	// sleep waits between retries; tests replace it. nil means a real,
	// ctx-aware sleep.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a number in [0, 1); tests replace it.
	jitter func() float64
}

// Remote is a knowledge.Embedder backed by a real embedding model, reached
// through langchaingo's openai or ollama client. It is safe for concurrent
// use.
type Remote struct {
	provider string
	model    string
	baseURL  string // for messages, without user info
	dims     int
	batch    int
	timeout  time.Duration
	client   embeddings.EmbedderClient
}

var _ knowledge.Embedder = (*Remote)(nil)

// NewRemote builds a Remote embedder. When opt.Dimensions is 0 it embeds a
// probe text (honouring ctx) to learn the dimension, so a server that is
// down is reported here as errs.Unavailable.
func NewRemote(ctx context.Context, opt RemoteOptions) (*Remote, error) {
	const op = "embed.NewRemote"
	provider := strings.ToLower(strings.TrimSpace(opt.Provider))
	model := strings.TrimSpace(opt.Model)
	if opt.Dimensions < 0 {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("嵌入维度设置无效：%d", opt.Dimensions))
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultRemoteBatchSize
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultRemoteTimeout
	}
	opt.Retries = httpretry.Retries(opt.Retries, DefaultRemoteRetries)

	httpClient := remoteHTTPClient(opt, provider == ProviderOpenAI && opt.APIKey == "")

	r := &Remote{
		provider: provider,
		dims:     opt.Dimensions,
		batch:    opt.BatchSize,
		timeout:  opt.Timeout,
	}
	switch provider {
	case ProviderOpenAI:
		if model == "" {
			model = DefaultOpenAIEmbedModel
		}
		base, err := remoteOpenAIBase(opt.BaseURL)
		if err != nil {
			return nil, errs.E(op, errs.Invalid,
				fmt.Sprintf("嵌入模型服务地址无效（OPENAI_BASE_URL）：%q", opt.BaseURL), err)
		}
		token := opt.APIKey
		if token == "" {
			// langchaingo refuses an empty token; the transport strips
			// this placeholder so no Authorization header is sent.
			token = remoteNoKey
		}
		llm, err := openai.New(
			openai.WithToken(token),
			openai.WithBaseURL(base.String()),
			openai.WithEmbeddingModel(model),
			openai.WithHTTPClient(httpClient),
		)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "无法创建 OpenAI 兼容的嵌入客户端", err)
		}
		r.client, r.baseURL = llm, endpoint.Redact(base)
	case ProviderOllama:
		if model == "" {
			model = DefaultOllamaEmbedModel
		}
		base, err := remoteOllamaBase(opt.BaseURL)
		if err != nil {
			return nil, errs.E(op, errs.Invalid,
				fmt.Sprintf("Ollama 服务地址无效（OLLAMA_HOST）：%q", opt.BaseURL), err)
		}
		// base has been parsed successfully, so WithServerURL (which calls
		// log.Fatal on a parse error) cannot fail.
		llm, err := ollama.New(
			ollama.WithServerURL(base.String()),
			ollama.WithModel(model),
			ollama.WithHTTPClient(httpClient),
		)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "无法创建 Ollama 嵌入客户端", err)
		}
		r.client, r.baseURL = llm, endpoint.Redact(base)
	default:
		return nil, errs.E(op, errs.Invalid,
			fmt.Sprintf("不支持的嵌入服务类型 %q（可选 openai、ollama）", opt.Provider))
	}
	r.model = model

	if r.dims == 0 {
		// embedBatch guarantees one non-empty vector.
		vecs, err := r.embedBatch(ctx, []string{remoteProbeText})
		if err != nil {
			return nil, errs.E(op, err)
		}
		r.dims = len(vecs[0])
	}
	return r, nil
}

// Name identifies the model: provider + ":" + model.
func (r *Remote) Name() string { return r.provider + ":" + r.model }

// Dimensions is the vector length every Embed result has.
func (r *Remote) Dimensions() int { return r.dims }

// Embed returns one vector per text, in order. Texts are sent in batches of
// BatchSize; each HTTP request is bounded by the timeout, retried on 429,
// 5xx, timeouts and network errors, and stops when ctx ends. Zero texts
// return nil, nil without a request.
func (r *Remote) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += r.batch {
		end := min(start+r.batch, len(texts))
		vecs, err := r.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// embedBatch embeds one batch through langchaingo and validates the answer.
// When r.dims is 0 (the probe) only the count is checked.
func (r *Remote) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	const op = "embed.Remote.Embed"
	if err := ctx.Err(); err != nil {
		return nil, r.ctxError(op, err)
	}
	inputs := make([]string, len(texts))
	for i, t := range texts {
		// OpenAI rejects "" in input[] and Ollama answers an empty string
		// with no embedding at all; a single space embeds as "nothing".
		if t == "" {
			t = " "
		}
		inputs[i] = t
	}

	st := &httpretry.State{}
	vecs, err := r.client.CreateEmbedding(httpretry.WithState(ctx, st), inputs)
	if err != nil {
		return nil, r.classify(ctx, op, st, err)
	}
	if len(vecs) != len(texts) {
		return nil, errs.E(op, errs.Unavailable, CodeUnavailable,
			fmt.Sprintf("嵌入模型返回的向量数量与输入不一致：输入 %d 条，返回 %d 个向量", len(texts), len(vecs)))
	}
	want := r.dims
	if want == 0 {
		want = len(vecs[0])
	}
	for i, v := range vecs {
		if len(v) != want || want == 0 {
			return nil, errs.E(op, errs.Unavailable, CodeUnavailable,
				fmt.Sprintf("嵌入向量维度不符：应为 %d，第 %d 个向量为 %d（请检查 GOVREPLY_EMBED_MODEL 与维度设置）", want, i+1, len(v)))
		}
	}
	return vecs, nil
}

// Codes of a failed embedding call (knowledge.Embedder's). Both name the
// embedding model server, so that a client can tell it from the database
// or the language model.
const (
	CodeUnavailable = knowledge.CodeEmbedderUnavailable // refused, unreachable, rate-limited or unreadable
	CodeTimeout     = knowledge.CodeEmbedderTimeout     // no answer in time
)

// ctxError reports the caller's context ending; errors.Is(err, ctx.Err())
// holds.
func (r *Remote) ctxError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errs.E(op, errs.Timeout, CodeTimeout, "嵌入模型服务没有在调用方的截止时间内返回结果", err)
	}
	return errs.E(op, errs.Canceled, "嵌入请求已取消", err)
}

// classify turns a langchaingo error into an errs.Error, using what the
// transport observed on the wire (langchaingo's errors carry no status
// code for Ollama and hide network details for OpenAI). Every failure of
// the server is Unavailable (CodeUnavailable) or Timeout (CodeTimeout),
// with a message that names the embedding model server and the server's
// Retry-After when it sent one.
func (r *Remote) classify(ctx context.Context, op string, st *httpretry.State, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return r.ctxError(op, cerr)
	}
	last := st.Snapshot()
	retried := ""
	if last.Retry > 0 {
		retried = fmt.Sprintf("（已重试 %d 次）", last.Retry)
	}
	down := func(msg string, cause error) error {
		return errs.E(op, errs.Unavailable, CodeUnavailable, msg, last.RetryAfter, cause)
	}
	switch {
	case last.TimedOut:
		return errs.E(op, errs.Timeout, CodeTimeout,
			fmt.Sprintf("嵌入模型服务 %s 请求超时（超过 %s）%s", r.baseURL, r.timeout, retried), err)
	case last.Status == 0 && last.NetErr != nil:
		return down(fmt.Sprintf("嵌入模型服务不可用：无法连接 %s%s", r.baseURL, retried), last.NetErr)
	case last.Status == 0:
		// The transport never saw a request: the client failed before
		// sending (should not happen with the clients we build).
		return errs.E(op, errs.Internal, "嵌入请求未能发出", err)
	case last.Status == http.StatusTooManyRequests:
		return down(fmt.Sprintf("嵌入模型服务不可用：请求过多被限流（HTTP 429）%s，请稍后再试", retried), err)
	case last.Status >= 500:
		return down(fmt.Sprintf("嵌入模型服务不可用：服务器返回 HTTP %d%s", last.Status, retried), err)
	case last.Status == http.StatusUnauthorized || last.Status == http.StatusForbidden:
		return down(fmt.Sprintf("嵌入模型服务拒绝访问（HTTP %d）：请检查 OPENAI_API_KEY", last.Status), err)
	case last.Status == http.StatusNotFound:
		return down(fmt.Sprintf("嵌入模型服务找不到模型 %s 或接口（HTTP 404）：请检查 GOVREPLY_EMBED_MODEL 与服务地址（Ollama 需先 ollama pull 该模型）", r.model), err)
	case last.Status == http.StatusRequestEntityTooLarge:
		// The text, not the server, is at fault: a file that cannot be
		// embedded fails on its own.
		return errs.E(op, errs.TooLarge, "文本超出嵌入模型的长度限制（HTTP 413）", err)
	case last.Status >= 400:
		return down(fmt.Sprintf("嵌入模型服务拒绝了请求（HTTP %d）：文本可能过长或模型不支持", last.Status), err)
	}
	// The server answered 2xx but the body was unusable: undecodable,
	// empty, or the wrong number of vectors.
	return down("嵌入模型返回的结果无效：向量缺失或数量与输入不一致", err)
}

// remoteHTTPClient copies the caller's client (never modifying it) and puts
// the retrying transport in front of its transport.
func remoteHTTPClient(opt RemoteOptions, stripAuth bool) *http.Client {
	// langchaingo's default transport: http.DefaultTransport plus its
	// User-Agent.
	return httpretry.NewClient(opt.HTTPClient, httputil.DefaultTransport, httpretry.Transport{
		Retries:   opt.Retries,
		Timeout:   opt.Timeout,
		StripAuth: stripAuth,
		Sleep:     opt.sleep,
		Jitter:    opt.jitter,
	})
}

// remoteOpenAIBase validates OPENAI_BASE_URL. langchaingo posts to
// BaseURL + "/embeddings" (trailing slash trimmed).
func remoteOpenAIBase(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultOpenAIBaseURL
	}
	return endpoint.HTTP(raw)
}

// remoteOllamaBase reads OLLAMA_HOST as Ollama does (endpoint.Ollama),
// DefaultOllamaHost when unset.
func remoteOllamaBase(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultOllamaHost
	}
	return endpoint.Ollama(raw)
}
