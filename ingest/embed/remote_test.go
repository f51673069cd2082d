package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tmc/langchaingo/embeddings"

	"govreply/internal/errs"
	"govreply/internal/httpretry"
	"govreply/internal/httpretry/retrytest"
)

// The fake servers below speak the wire protocols exactly as langchaingo
// v0.1.14 uses them:
//
//   - OpenAI: POST {OPENAI_BASE_URL}/embeddings, JSON {"model","input":[...]}
//     ("dimensions" only when configured, which Remote never does),
//     "Authorization: Bearer KEY"; answer {"object":"list","data":[{"object":
//     "embedding","index":i,"embedding":[...]}],"model","usage"}; errors
//     {"error":{"message","type","param","code"}}.
//   - Ollama: POST {OLLAMA_HOST}/api/embed, one request per text, JSON
//     {"model","input":"text","options":{...}}; answer {"model","embeddings":
//     [[...]]}; errors {"error":"..."}. An empty input string is answered
//     200 with "embeddings":[] (as Ollama's EmbedHandler does).

const (
	rtModel = "bge-m3"
	rtKey   = "sk-test-123"
	rtDim   = 8
)

// rtVec is the fake model: a deterministic vector of the text, so tests can
// check that every vector belongs to its text.
func rtVec(text string, dim int) []float32 {
	h := fnv.New32a()
	h.Write([]byte(text))
	v := make([]float32, dim)
	v[0] = float32(h.Sum32() % 100003)
	for j := 1; j < dim; j++ {
		v[j] = float32(j) / 10
	}
	return v
}

// rtFault lets a test take over attempt number n (1-based, over the
// server's lifetime). It returns true when it wrote the response.
type rtFault func(n int, w http.ResponseWriter, r *http.Request) bool

// rtServer is a fake embedding server for one provider.
type rtServer struct {
	t        *testing.T
	provider string
	key      string // expected API key (openai); "" means no Authorization header
	dim      int
	fault    rtFault
	// mutate lets a test corrupt a successful answer: it gets the vectors
	// the server would return and returns the ones it does.
	mutate func(vecs [][]float32) [][]float32

	srv *httptest.Server

	mu       sync.Mutex
	attempts int
	batches  [][]string // inputs of successfully answered requests, in order
}

func rtNewServer(t *testing.T, provider string, fault rtFault) *rtServer {
	t.Helper()
	s := &rtServer{t: t, provider: provider, key: rtKey, dim: rtDim, fault: fault}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.srv.Close)
	return s
}

// baseURL is what a user would put in OPENAI_BASE_URL / OLLAMA_HOST.
func (s *rtServer) baseURL() string {
	if s.provider == ProviderOpenAI {
		return s.srv.URL + "/v1"
	}
	return s.srv.URL
}

func (s *rtServer) counts() (attempts int, batches [][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, append([][]string(nil), s.batches...)
}

func (s *rtServer) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.attempts++
	n := s.attempts
	s.mu.Unlock()
	if s.fault != nil && s.fault(n, w, r) {
		return
	}
	if s.provider == ProviderOpenAI {
		s.openai(w, r)
	} else {
		s.ollama(w, r)
	}
}

func (s *rtServer) openai(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		s.t.Errorf("openai fake: %s", msg)
		rtWriteJSON(w, status, map[string]any{"error": map[string]any{
			"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		fail(http.StatusNotFound, "unexpected %s %s", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		fail(http.StatusBadRequest, "content type %q", ct)
		return
	}
	wantAuth := ""
	if s.key != "" {
		wantAuth = "Bearer " + s.key
	}
	if got := r.Header.Get("Authorization"); got != wantAuth {
		fail(http.StatusUnauthorized, "authorization %q, want %q", got, wantAuth)
		return
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		fail(http.StatusBadRequest, "decode body: %v", err)
		return
	}
	for k := range raw {
		if k != "model" && k != "input" {
			fail(http.StatusBadRequest, "unexpected field %q", k)
			return
		}
	}
	var model string
	var input []string
	if err := json.Unmarshal(raw["model"], &model); err != nil || model != rtModel {
		fail(http.StatusNotFound, "model %s, want %q", raw["model"], rtModel)
		return
	}
	if err := json.Unmarshal(raw["input"], &input); err != nil || len(input) == 0 {
		fail(http.StatusBadRequest, "input %s is not a non-empty array of strings", raw["input"])
		return
	}
	for _, in := range input {
		if in == "" {
			// The real API answers 400 to an empty string in input[].
			fail(http.StatusBadRequest, "'$.input' is invalid: empty string")
			return
		}
	}
	vecs := make([][]float32, len(input))
	for i, in := range input {
		vecs[i] = rtVec(in, s.dim)
	}
	s.record(input)
	if s.mutate != nil {
		vecs = s.mutate(vecs)
	}
	data := make([]map[string]any, len(vecs))
	for i, v := range vecs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	rtWriteJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   data,
		"model":  model,
		"usage":  map[string]int{"prompt_tokens": 3 * len(input), "total_tokens": 3 * len(input)},
	})
}

func (s *rtServer) ollama(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		s.t.Errorf("ollama fake: %s", msg)
		rtWriteJSON(w, status, map[string]string{"error": msg})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/embed" {
		fail(http.StatusNotFound, "unexpected %s %s", r.Method, r.URL.Path)
		return
	}
	if got := r.Header.Get("Authorization"); got != "" {
		fail(http.StatusBadRequest, "unexpected authorization %q", got)
		return
	}
	var req struct {
		Model   string          `json:"model"`
		Input   json.RawMessage `json:"input"`
		Options map[string]any  `json:"options"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "decode body: %v", err)
		return
	}
	if req.Model != rtModel {
		fail(http.StatusNotFound, "model %q not found, try pulling it first", req.Model)
		return
	}
	var input string
	if err := json.Unmarshal(req.Input, &input); err != nil {
		fail(http.StatusBadRequest, "input %s is not a string", req.Input)
		return
	}
	vecs := [][]float32{}
	if input != "" { // Ollama embeds nothing for "" and still answers 200
		vecs = append(vecs, rtVec(input, s.dim))
	}
	s.record([]string{input})
	if s.mutate != nil {
		vecs = s.mutate(vecs)
	}
	rtWriteJSON(w, http.StatusOK, map[string]any{
		"model":             req.Model,
		"embeddings":        vecs,
		"total_duration":    1200000,
		"load_duration":     300000,
		"prompt_eval_count": 4,
	})
}

func (s *rtServer) record(input []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, input)
}

func rtWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// rtStatus is a fault answering the first `times` attempts with status (and
// the provider's error body); times < 0 means always.
func rtStatus(provider string, status, times int, header http.Header) rtFault {
	return func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if times >= 0 && n > times {
			return false
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		msg := http.StatusText(status)
		if provider == ProviderOpenAI {
			rtWriteJSON(w, status, map[string]any{"error": map[string]any{
				"message": msg, "type": "server_error", "param": nil, "code": nil}})
		} else {
			rtWriteJSON(w, status, map[string]string{"error": msg})
		}
		return true
	}
}

// rtSleeps records the waits the transport asks for, without waiting.
type rtSleeps = retrytest.Sleeps

// rtOptions are options for s with a fixed dimension and recorded sleeps.
func rtOptions(s *rtServer, sl *rtSleeps) RemoteOptions {
	return RemoteOptions{
		Provider:   s.provider,
		BaseURL:    s.baseURL(),
		APIKey:     s.key,
		Model:      rtModel,
		Dimensions: s.dim,
		sleep:      sl.Sleep,
		jitter:     func() float64 { return 0.5 },
	}
}

func rtMustNew(t *testing.T, opt RemoteOptions) *Remote {
	t.Helper()
	r, err := NewRemote(context.Background(), opt)
	if err != nil {
		t.Fatalf("NewRemote: %v", err)
	}
	return r
}

func rtTexts(n int) []string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("第%d条：市民反映路灯不亮\n请尽快处理", i)
	}
	return texts
}

func rtCheckVectors(t *testing.T, texts []string, vecs [][]float32, dim int) {
	t.Helper()
	if len(vecs) != len(texts) {
		t.Errorf("got %d vectors for %d texts", len(vecs), len(texts))
		return
	}
	for i, text := range texts {
		if text == "" {
			text = " "
		}
		want := rtVec(text, dim)
		if fmt.Sprint(vecs[i]) != fmt.Sprint(want) {
			t.Errorf("vector %d = %v, want %v (order not preserved?)", i, vecs[i], want)
			return
		}
	}
}

var rtProviders = []string{ProviderOpenAI, ProviderOllama}

func TestRemoteBatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider  string
		n, batch  int
		wantSizes []int // texts per HTTP request
	}{
		{ProviderOpenAI, 70, 32, []int{32, 32, 6}},
		{ProviderOpenAI, 64, 32, []int{32, 32}},
		{ProviderOpenAI, 3, 0, []int{3}}, // default batch 32
		{ProviderOpenAI, 40, 0, []int{32, 8}},
		// langchaingo's ollama client sends one /api/embed request per text.
		{ProviderOllama, 7, 3, []int{1, 1, 1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%d", tt.provider, tt.n, tt.batch), func(t *testing.T) {
			s := rtNewServer(t, tt.provider, nil)
			opt := rtOptions(s, &rtSleeps{})
			opt.BatchSize = tt.batch
			r := rtMustNew(t, opt)
			texts := rtTexts(tt.n)
			vecs, err := r.Embed(context.Background(), texts)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			rtCheckVectors(t, texts, vecs, rtDim)
			_, batches := s.counts()
			var sizes []int
			var sent []string
			for _, b := range batches {
				sizes = append(sizes, len(b))
				sent = append(sent, b...)
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.wantSizes) {
				t.Errorf("request sizes %v, want %v", sizes, tt.wantSizes)
			}
			if strings.Join(sent, "|") != strings.Join(texts, "|") {
				t.Errorf("server received texts out of order or altered (newlines must be kept)")
			}
			if r.Dimensions() != rtDim {
				t.Errorf("Dimensions() = %d, want %d", r.Dimensions(), rtDim)
			}
		})
	}
}

func TestRemoteNameAndDimensionDiscovery(t *testing.T) {
	t.Parallel()
	for _, provider := range rtProviders {
		t.Run(provider, func(t *testing.T) {
			s := rtNewServer(t, provider, nil)
			s.dim = 13
			opt := rtOptions(s, &rtSleeps{})
			opt.Dimensions = 0
			r := rtMustNew(t, opt)
			if r.Dimensions() != 13 {
				t.Errorf("Dimensions() = %d, want 13", r.Dimensions())
			}
			if want := provider + ":" + rtModel; r.Name() != want {
				t.Errorf("Name() = %q, want %q", r.Name(), want)
			}
			_, batches := s.counts()
			if len(batches) != 1 || len(batches[0]) != 1 || batches[0][0] != remoteProbeText {
				t.Errorf("probe requests %q, want one with %q", batches, remoteProbeText)
			}
			vecs, err := r.Embed(context.Background(), []string{"a", "b"})
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			rtCheckVectors(t, []string{"a", "b"}, vecs, 13)
		})
	}
}

func TestRemoteEmptyInputs(t *testing.T) {
	t.Parallel()
	for _, provider := range rtProviders {
		t.Run(provider, func(t *testing.T) {
			s := rtNewServer(t, provider, nil)
			r := rtMustNew(t, rtOptions(s, &rtSleeps{}))
			for _, texts := range [][]string{nil, {}} {
				vecs, err := r.Embed(context.Background(), texts)
				if vecs != nil || err != nil {
					t.Errorf("Embed(%v) = %v, %v; want nil, nil", texts, vecs, err)
				}
			}
			if n, _ := s.counts(); n != 0 {
				t.Errorf("zero texts made %d requests", n)
			}
			texts := []string{"", "路灯", ""}
			vecs, err := r.Embed(context.Background(), texts)
			if err != nil {
				t.Fatalf("Embed with empty strings: %v", err)
			}
			rtCheckVectors(t, texts, vecs, rtDim)
		})
	}
}

func TestRemoteNoAPIKey(t *testing.T) {
	t.Parallel()
	s := rtNewServer(t, ProviderOpenAI, nil)
	s.key = "" // the fake now requires the Authorization header to be absent
	r := rtMustNew(t, rtOptions(s, &rtSleeps{}))
	if _, err := r.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("Embed without key: %v", err)
	}
}

func TestRemoteRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int // answered by the fault
		times        int // how many attempts fail; -1 = all
		retries      int // RemoteOptions.Retries
		wantAttempts int
		wantKind     errs.Kind // "" = success
	}{
		{"429 twice then ok", http.StatusTooManyRequests, 2, 0, 3, ""},
		{"503 once then ok", http.StatusServiceUnavailable, 1, 0, 2, ""},
		{"500 three times then ok", http.StatusInternalServerError, 3, 0, 4, ""},
		{"503 exhausted", http.StatusServiceUnavailable, -1, 2, 3, errs.Unavailable},
		{"429 exhausted default", http.StatusTooManyRequests, -1, 0, 4, errs.Unavailable},
		{"retries disabled", http.StatusBadGateway, -1, -1, 1, errs.Unavailable},
		{"400 not retried", http.StatusBadRequest, -1, 0, 1, errs.Unavailable},
		{"401 not retried", http.StatusUnauthorized, -1, 0, 1, errs.Unavailable},
		{"404 not retried", http.StatusNotFound, -1, 0, 1, errs.Unavailable},
		{"413 not retried", http.StatusRequestEntityTooLarge, -1, 0, 1, errs.TooLarge},
	}
	for _, provider := range rtProviders {
		for _, tt := range tests {
			t.Run(provider+"/"+tt.name, func(t *testing.T) {
				s := rtNewServer(t, provider, rtStatus(provider, tt.status, tt.times, nil))
				sl := &rtSleeps{}
				opt := rtOptions(s, sl)
				opt.Retries = tt.retries
				r := rtMustNew(t, opt)
				texts := []string{"你好", "谢谢"}
				if provider == ProviderOllama {
					texts = texts[:1] // one request per text
				}
				vecs, err := r.Embed(context.Background(), texts)
				attempts, _ := s.counts()
				if attempts != tt.wantAttempts {
					t.Errorf("attempts = %d, want %d", attempts, tt.wantAttempts)
				}
				if sleeps := sl.Waits(); len(sleeps) != tt.wantAttempts-1 {
					t.Errorf("sleeps = %v, want %d", sleeps, tt.wantAttempts-1)
				}
				if tt.wantKind == "" {
					if err != nil {
						t.Fatalf("Embed: %v", err)
					}
					rtCheckVectors(t, texts, vecs, rtDim)
					return
				}
				if err == nil {
					t.Fatalf("Embed succeeded, want %s error", tt.wantKind)
				}
				if k := errs.KindOf(err); k != tt.wantKind {
					t.Errorf("kind = %s, want %s (%v)", k, tt.wantKind, err)
				}
				var ke *errs.Error
				if !errors.As(err, &ke) || !strings.Contains(errs.MessageOf(ke), fmt.Sprint(tt.status)) {
					t.Errorf("message does not name HTTP %d: %v", tt.status, err)
				}
				if retried := fmt.Sprintf("已重试 %d 次", tt.wantAttempts-1); tt.wantAttempts > 1 && !strings.Contains(errs.MessageOf(ke), retried) {
					t.Errorf("message %q does not say %s", errs.MessageOf(ke), retried)
				}
				t.Logf("%s: %v", errs.MessageOf(ke), err)
			})
		}
	}
}

func TestRemoteBackoff(t *testing.T) {
	t.Parallel()
	s := rtNewServer(t, ProviderOpenAI, rtStatus(ProviderOpenAI, http.StatusServiceUnavailable, -1, nil))
	sl := &rtSleeps{}
	opt := rtOptions(s, sl)
	opt.Retries = 4
	opt.jitter = nil // real jitter
	r := rtMustNew(t, opt)
	if _, err := r.Embed(context.Background(), []string{"x"}); err == nil {
		t.Fatal("want error")
	}
	sleeps := sl.Waits()
	if len(sleeps) != 4 {
		t.Fatalf("sleeps = %v, want 4", sleeps)
	}
	for i, d := range sleeps {
		hi := httpretry.BackoffBase << i
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v, want in [%v, %v]", i, d, hi/2, hi)
		}
	}
}

func TestRemoteRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second},
		{now.Add(-5 * time.Second).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		if got := httpretry.RetryAfter(h, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}

	// End to end: a 429 asking for 3s makes the transport wait 3s.
	s := rtNewServer(t, ProviderOpenAI, rtStatus(ProviderOpenAI, http.StatusTooManyRequests, 1,
		http.Header{"Retry-After": {"3"}}))
	sl := &rtSleeps{}
	r := rtMustNew(t, rtOptions(s, sl))
	if _, err := r.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if sleeps := sl.Waits(); len(sleeps) != 1 || sleeps[0] != 3*time.Second {
		t.Errorf("sleeps = %v, want [3s]", sleeps)
	}
}

// rtBlocking is a fault that holds every request until the client gives up;
// started receives one value per request.
func rtBlocking(t *testing.T, started chan<- struct{}) rtFault {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return func(_ int, _ http.ResponseWriter, r *http.Request) bool {
		if started != nil {
			started <- struct{}{}
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	}
}

func TestRemoteTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider     string
		retries      int
		wantAttempts int
	}{
		{ProviderOpenAI, -1, 1},
		{ProviderOpenAI, 2, 3}, // a timed-out attempt is retried
		{ProviderOllama, 1, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.provider, tt.retries), func(t *testing.T) {
			s := rtNewServer(t, tt.provider, nil)
			s.fault = rtBlocking(t, nil)
			opt := rtOptions(s, &rtSleeps{})
			opt.Timeout = 50 * time.Millisecond
			opt.Retries = tt.retries
			r := rtMustNew(t, opt)
			// The guard turns a missing per-request timeout into a failure
			// instead of a hang.
			guard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			begin := time.Now()
			_, err := r.Embed(guard, []string{"x"})
			if elapsed := time.Since(begin); elapsed > 3*time.Second {
				t.Errorf("Embed took %v despite a 50ms timeout", elapsed)
			}
			if !errs.Is(errs.Timeout, err) || !errs.HasCode(err, CodeTimeout) {
				t.Fatalf("err = %v, want kind Timeout", err)
			}
			var ke *errs.Error
			if errors.As(err, &ke) && !strings.Contains(errs.MessageOf(ke), "超时") {
				t.Errorf("message %q does not mention the timeout", errs.MessageOf(ke))
			}
			if n, _ := s.counts(); n != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", n, tt.wantAttempts)
			}
		})
	}
}

func TestRemoteCancel(t *testing.T) {
	t.Parallel()
	for _, provider := range rtProviders {
		t.Run(provider, func(t *testing.T) {
			started := make(chan struct{}, 8)
			s := rtNewServer(t, provider, nil)
			s.fault = rtBlocking(t, started)
			r := rtMustNew(t, rtOptions(s, &rtSleeps{}))
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-started
				cancel()
			}()
			begin := time.Now()
			_, err := r.Embed(ctx, []string{"x", "y"})
			if elapsed := time.Since(begin); elapsed > 3*time.Second {
				t.Errorf("Embed took %v after cancel", elapsed)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if n, _ := s.counts(); n != 1 {
				t.Errorf("attempts = %d, want 1 (no retry after cancel)", n)
			}
		})
	}

	t.Run("already cancelled", func(t *testing.T) {
		s := rtNewServer(t, ProviderOpenAI, nil)
		r := rtMustNew(t, rtOptions(s, &rtSleeps{}))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.Embed(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if n, _ := s.counts(); n != 0 {
			t.Errorf("attempts = %d, want 0", n)
		}
	})

	t.Run("during backoff", func(t *testing.T) {
		s := rtNewServer(t, ProviderOpenAI, rtStatus(ProviderOpenAI, http.StatusServiceUnavailable, -1, nil))
		ctx, cancel := context.WithCancel(context.Background())
		opt := rtOptions(s, &rtSleeps{})
		opt.sleep = func(c context.Context, d time.Duration) error {
			cancel()
			return httpretry.Sleep(c, time.Hour) // must return at once
		}
		r := rtMustNew(t, opt)
		if _, err := r.Embed(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if n, _ := s.counts(); n != 1 {
			t.Errorf("attempts = %d, want 1", n)
		}
	})
}

func TestRemoteBadResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		provider string
		mutate   func([][]float32) [][]float32
		fault    rtFault
	}{
		{name: "openai one vector short", provider: ProviderOpenAI,
			mutate: func(v [][]float32) [][]float32 { return v[:len(v)-1] }},
		{name: "openai one vector extra", provider: ProviderOpenAI,
			mutate: func(v [][]float32) [][]float32 { return append(v, v[0]) }},
		{name: "openai wrong dimension", provider: ProviderOpenAI,
			mutate: func(v [][]float32) [][]float32 { v[1] = v[1][:rtDim-1]; return v }},
		{name: "openai empty data", provider: ProviderOpenAI,
			mutate: func([][]float32) [][]float32 { return nil }},
		{name: "openai not json", provider: ProviderOpenAI,
			fault: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte("<html>proxy</html>"))
				return true
			}},
		{name: "ollama two vectors for one text", provider: ProviderOllama,
			mutate: func(v [][]float32) [][]float32 { return append(v, v[0]) }},
		{name: "ollama no vector", provider: ProviderOllama,
			mutate: func([][]float32) [][]float32 { return [][]float32{} }},
		{name: "ollama wrong dimension", provider: ProviderOllama,
			mutate: func(v [][]float32) [][]float32 { v[0] = append(v[0], 1); return v }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rtNewServer(t, tt.provider, tt.fault)
			s.mutate = tt.mutate
			sl := &rtSleeps{}
			r := rtMustNew(t, rtOptions(s, sl))
			vecs, err := r.Embed(context.Background(), []string{"甲", "乙", "丙"})
			if err == nil {
				t.Fatalf("Embed = %d vectors, want error", len(vecs))
			}
			// A model server that answers garbage is as down as one that
			// does not answer.
			if k := errs.KindOf(err); k != errs.Unavailable || !errs.HasCode(err, CodeUnavailable) {
				t.Errorf("kind = %s (code %s), want %s (%v)", k, errs.CodeOf(err), errs.Unavailable, err)
			}
			if len(sl.Waits()) != 0 {
				t.Errorf("a bad 200 answer was retried")
			}
		})
	}
}

// TestRemoteValidation checks Remote's own validation of what the client
// returns, independent of langchaingo's checks.
func TestRemoteValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		dims  int // Remote.dims; 0 = probing
		texts []string
		reply [][]float32
	}{
		{"too few", 2, []string{"a", "b"}, [][]float32{{1, 2}}},
		{"too many", 2, []string{"a"}, [][]float32{{1, 2}, {3, 4}}},
		{"none", 2, []string{"a"}, nil},
		{"short vector", 2, []string{"a", "b"}, [][]float32{{1, 2}, {3}}},
		{"long vector", 2, []string{"a"}, [][]float32{{1, 2, 3}}},
		{"mixed while probing", 0, []string{"a", "b"}, [][]float32{{1, 2}, {3}}},
		{"empty while probing", 0, []string{"a"}, [][]float32{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Remote{provider: "fake", model: "m", dims: tt.dims, batch: 32,
				client: embeddings.EmbedderClientFunc(func(context.Context, []string) ([][]float32, error) {
					return tt.reply, nil
				})}
			_, err := r.embedBatch(context.Background(), tt.texts)
			if k := errs.KindOf(err); err == nil || k != errs.Unavailable || !errs.HasCode(err, CodeUnavailable) {
				t.Errorf("err = %v (kind %s), want kind %s", err, k, errs.Unavailable)
			}
		})
	}
}

// rtDeadAddr is an address nothing listens on.
func rtDeadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRemoteUnreachable(t *testing.T) {
	t.Parallel()
	addr := rtDeadAddr(t)
	tests := []struct {
		provider, base string
		dims           int // 0: NewRemote probes and must fail
	}{
		{ProviderOpenAI, "http://" + addr + "/v1", 8},
		{ProviderOllama, addr, 8}, // OLLAMA_HOST style host:port
		{ProviderOpenAI, "http://" + addr + "/v1", 0},
		{ProviderOllama, "http://" + addr, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.provider, tt.dims), func(t *testing.T) {
			sl := &rtSleeps{}
			opt := RemoteOptions{Provider: tt.provider, BaseURL: tt.base, APIKey: rtKey,
				Model: rtModel, Dimensions: tt.dims, sleep: sl.Sleep}
			r, err := NewRemote(context.Background(), opt)
			if tt.dims > 0 {
				if err != nil {
					t.Fatalf("NewRemote with fixed dimensions must not touch the network: %v", err)
				}
				_, err = r.Embed(context.Background(), []string{"x"})
			}
			if !errs.Is(errs.Unavailable, err) {
				t.Fatalf("err = %v, want kind Unavailable", err)
			}
			var ke *errs.Error
			if !errors.As(err, &ke) || !strings.HasPrefix(errs.MessageOf(ke), "嵌入模型服务不可用：") {
				t.Errorf("message of %v does not start with 嵌入模型服务不可用：", err)
			}
			t.Logf("%v", err)
			if n := len(sl.Waits()); n != DefaultRemoteRetries {
				t.Errorf("retries = %d, want %d", n, DefaultRemoteRetries)
			}
		})
	}
}

func TestRemoteInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  RemoteOptions
	}{
		{"unknown provider", RemoteOptions{Provider: "azure", Dimensions: 8}},
		{"empty provider", RemoteOptions{Dimensions: 8}},
		{"openai bad scheme", RemoteOptions{Provider: "openai", BaseURL: "ftp://x/v1", Dimensions: 8}},
		{"openai unparsable", RemoteOptions{Provider: "openai", BaseURL: "http://[::1", Dimensions: 8}},
		{"ollama unparsable", RemoteOptions{Provider: "ollama", BaseURL: "http://[::1", Dimensions: 8}},
		{"negative dimensions", RemoteOptions{Provider: "openai", Dimensions: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRemote(context.Background(), tt.opt)
			if !errs.Is(errs.Invalid, err) {
				t.Errorf("err = %v, want kind Invalid", err)
			}
		})
	}
}

func TestRemoteDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opt      RemoteOptions
		wantName string
		wantBase string
	}{
		{RemoteOptions{Provider: "OpenAI", Dimensions: 4}, "openai:" + DefaultOpenAIEmbedModel, DefaultOpenAIBaseURL},
		{RemoteOptions{Provider: "openai", BaseURL: "http://u:p@h:8000/v1/", Model: "m", Dimensions: 4}, "openai:m", "http://h:8000/v1"},
		{RemoteOptions{Provider: "ollama", Dimensions: 4}, "ollama:" + DefaultOllamaEmbedModel, DefaultOllamaHost},
		{RemoteOptions{Provider: "ollama", BaseURL: "0.0.0.0", Model: "m", Dimensions: 4}, "ollama:m", "http://0.0.0.0:11434"},
		{RemoteOptions{Provider: "ollama", BaseURL: "gpu-box:8080", Model: "m", Dimensions: 4}, "ollama:m", "http://gpu-box:8080"},
		{RemoteOptions{Provider: "ollama", BaseURL: "[::1]", Model: "m", Dimensions: 4}, "ollama:m", "http://[::1]:11434"},
		{RemoteOptions{Provider: "ollama", BaseURL: "https://ollama.example/", Model: "m", Dimensions: 4}, "ollama:m", "https://ollama.example"},
	}
	for _, tt := range tests {
		t.Run(tt.wantName+" "+tt.wantBase, func(t *testing.T) {
			r := rtMustNew(t, tt.opt)
			if r.Name() != tt.wantName || r.baseURL != tt.wantBase || r.Dimensions() != 4 {
				t.Errorf("got %q %q %d, want %q %q 4", r.Name(), r.baseURL, r.Dimensions(), tt.wantName, tt.wantBase)
			}
			if r.batch != DefaultRemoteBatchSize || r.timeout != DefaultRemoteTimeout {
				t.Errorf("batch %d timeout %v, want defaults", r.batch, r.timeout)
			}
		})
	}
}

// rtCountingTransport counts requests passing through a caller's client.
type rtCountingTransport struct {
	mu sync.Mutex
	n  int
}

func (c *rtCountingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestRemoteHTTPClient(t *testing.T) {
	t.Parallel()
	s := rtNewServer(t, ProviderOpenAI, rtStatus(ProviderOpenAI, http.StatusServiceUnavailable, 1, nil))
	ct := &rtCountingTransport{}
	hc := &http.Client{Transport: ct}
	opt := rtOptions(s, &rtSleeps{})
	opt.HTTPClient = hc
	r := rtMustNew(t, opt)
	if _, err := r.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if ct.n != 2 {
		t.Errorf("caller's transport saw %d requests, want 2 (one retry)", ct.n)
	}
	if hc.Transport != ct {
		t.Errorf("caller's client was modified")
	}
}

func TestRemoteConcurrent(t *testing.T) {
	t.Parallel()
	for _, provider := range rtProviders {
		t.Run(provider, func(t *testing.T) {
			// The first attempt of every batch fails with 503, so retries
			// interleave with other goroutines' first attempts. (Failing
			// every third attempt overall could starve one goroutine whose
			// retries kept landing on the failing turns.)
			var mu sync.Mutex
			failed := map[string]bool{}
			s := rtNewServer(t, provider, func(n int, w http.ResponseWriter, r *http.Request) bool {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					t.Errorf("read request: %v", err)
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				mu.Lock()
				first := !failed[string(body)]
				failed[string(body)] = true
				mu.Unlock()
				if !first {
					return false
				}
				return rtStatus(provider, http.StatusServiceUnavailable, -1, nil)(n, w, r)
			})
			opt := rtOptions(s, &rtSleeps{})
			opt.BatchSize = 4
			opt.Retries = 10
			r := rtMustNew(t, opt)
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					texts := rtTexts(10)
					for i := range texts {
						texts[i] = fmt.Sprintf("g%d-%s", g, texts[i])
					}
					vecs, err := r.Embed(context.Background(), texts)
					if err != nil {
						t.Errorf("goroutine %d: %v", g, err)
						return
					}
					rtCheckVectors(t, texts, vecs, rtDim)
				}()
			}
			wg.Wait()
		})
	}
}
