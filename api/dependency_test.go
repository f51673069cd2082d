package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/api"
	"govreply/bot"
	"govreply/bot/llm"
	"govreply/bot/memory"
	"govreply/bot/offline"
	botpg "govreply/bot/postgres"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
	"govreply/internal/pgdb/pgtest"
	"govreply/knowledge"
	knowmem "govreply/knowledge/memory"
	"govreply/knowledge/postgres"
)

// The tests of this file make each dependency fail for real (a model
// server that answers 429, 500 or nothing; an embedding server that is
// down; a database that goes away after start) and check that the client
// gets 503 or 504, a code naming the part, a Chinese message saying what
// is wrong and, where the dependency said, Retry-After.

// failure is what a client must see.
type failure struct {
	status     int
	code       errs.Code
	msg        []string // parts of the message
	retryAfter string   // the header; "" when there must be none
}

// checkFailure asserts that resp and body are failure f.
func checkFailure(t *testing.T, resp *http.Response, body []byte, f failure) {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%d: not the error shape: %.300s", resp.StatusCode, body)
	}
	if resp.StatusCode != f.status || e.Error.Code != f.code {
		t.Errorf("status %d code %s, want %d %s: %s", resp.StatusCode, e.Error.Code, f.status, f.code, body)
	}
	for _, m := range f.msg {
		if !strings.Contains(e.Error.Message, m) {
			t.Errorf("message %q lacks %q", e.Error.Message, m)
		}
	}
	if got := resp.Header.Get("Retry-After"); got != f.retryAfter {
		t.Errorf("Retry-After %q, want %q", got, f.retryAfter)
	}
}

// llmServer answers every chat completion with handle.
func llmServer(t *testing.T, handle http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(handle)
	t.Cleanup(s.Close)
	return s.URL + "/v1"
}

// hang answers nothing until the client goes away (or 10 s pass).
func hang(w http.ResponseWriter, r *http.Request) {
	// Read the body: only then does the server notice the client going
	// away and end r.Context().
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// closedURL is the address of a port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/v1"
}

func TestModelServerFailures(t *testing.T) {
	t.Parallel()
	composer, err := offline.NewComposer(offline.ComposerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tooMany := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, `{"error":{"message":"rate limited"}}`, http.StatusTooManyRequests)
	}
	broken := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"boom"}}`, http.StatusInternalServerError)
	}
	tests := []struct {
		name string
		base string
		want failure
	}{
		{"429 with Retry-After", llmServer(t, tooMany), failure{503, llm.CodeUnavailable, []string{"大模型服务", "限流", "HTTP 429"}, "7"}},
		{"500", llmServer(t, broken), failure{503, llm.CodeUnavailable, []string{"大模型服务", "HTTP 500"}, ""}},
		{"no answer in time", llmServer(t, hang), failure{504, llm.CodeTimeout, []string{"大模型服务", "超时"}, ""}},
		{"nobody listening", closedURL(t), failure{503, llm.CodeUnavailable, []string{"无法连接大模型服务"}, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := llm.NewClient(llm.ClientOptions{Provider: llm.ProviderOpenAI, BaseURL: tt.base, Model: "m",
				Retries: -1, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			d, err := llm.NewDrafter(llm.DrafterOptions{ModelOptions: llm.ModelOptions{Model: m, ModelName: "m"}, Composer: composer})
			if err != nil {
				t.Fatal(err)
			}
			srv := newDraftServer(t, d)
			resp, body := postDrafts(t, context.Background(), srv.URL, "application/json", strings.NewReader(`{"post":"小区停水一整天了"}`))
			checkFailure(t, resp, body, tt.want)
		})
	}
}

func TestEmbedderFailures(t *testing.T) {
	t.Parallel()
	hung := llmServer(t, hang)
	tests := []struct {
		name string
		base string
		want failure
	}{
		{"down", closedURL(t), failure{503, embed.CodeUnavailable, []string{"嵌入模型服务不可用", "无法连接"}, ""}},
		{"no answer in time", hung, failure{504, embed.CodeTimeout, []string{"嵌入模型服务", "超时"}, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emb, err := embed.NewRemote(context.Background(), embed.RemoteOptions{Provider: embed.ProviderOpenAI, BaseURL: tt.base,
				Model: "e", Dimensions: 8, Retries: -1, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			store := knowmem.New(8)
			r := &knowledge.Retriever{Store: store, Embedder: emb, Segmenter: segment.Default()}
			srv := httptest.NewServer(api.New(api.Config{Retriever: r, Store: store}).Handler())
			t.Cleanup(srv.Close)
			resp, body := get(t, srv.URL+"/v1/search?q="+url.QueryEscape("网友骂人怎么回复"))
			checkFailure(t, resp, body, tt.want)
		})
	}
}

// proxy forwards TCP connections to a target until it is cut: then it
// drops every connection it carries and refuses new ones, as a database
// server that has gone away.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go func() { io.Copy(c, u); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseDownMidService opens the knowledge store and the sessions
// on one database through a proxy, then cuts the proxy: search and chat
// (whose retrieval is in memory, so only the session store fails) answer
// 503 naming the database, never 500.
func TestDatabaseDownMidService(t *testing.T) {
	t.Parallel()
	schema := pgtest.MustSchema(t)
	u, err := url.Parse(pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	kopts := postgres.Options{Dim: 64, Embedder: "local"}
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: u.String(), Schema: schema,
		Components: []pgdb.Component{postgres.Component(kopts), botpg.Component()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	store, err := postgres.New(t.Context(), db, kopts)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embed.NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Default()
	r := &knowledge.Retriever{Store: store, Embedder: emb, Segmenter: seg}
	memRetriever := &knowledge.Retriever{Store: knowmem.New(64), Embedder: emb, Segmenter: seg}
	ans, err := offline.NewAnswerer(offline.AnswererOptions{Retriever: memRetriever, Sessions: botpg.NewSessions(db, botpg.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Retriever: r, Store: store, Answerer: ans}).Handler())
	t.Cleanup(srv.Close)

	search := srv.URL + "/v1/search?q=" + url.QueryEscape("网友骂人怎么回复")
	if resp, body := get(t, search); resp.StatusCode != 200 {
		t.Fatalf("before the cut: %d %s", resp.StatusCode, body)
	}
	if resp, body := postChat(t, context.Background(), srv.URL, "", "application/json", `{"message":"网友骂人怎么回复"}`); resp.StatusCode != 200 {
		t.Fatalf("chat before the cut: %d %s", resp.StatusCode, body)
	}
	p.cut()
	down := failure{503, pgdb.CodeUnavailable, []string{"数据库不可用"}, ""}
	resp, body := get(t, search)
	checkFailure(t, resp, body, down)
	resp, body = postChat(t, context.Background(), srv.URL, "", "application/json", `{"message":"网友骂人怎么回复"}`)
	checkFailure(t, resp, body, down)
	resp, body = get(t, srv.URL+"/readyz")
	checkFailure(t, resp, body, down)
}

// TestSessionStoreErrorIsNamed: an answerer whose session store fails with
// a database error reaches the client as that error, not as 500.
func TestSessionStoreErrorIsNamed(t *testing.T) {
	t.Parallel()
	emb, err := embed.NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	r := &knowledge.Retriever{Store: knowmem.New(64), Embedder: emb, Segmenter: segment.Default()}
	failing := failingSessions{memory.NewSessions(memory.Options{})}
	ans, err := offline.NewAnswerer(offline.AnswererOptions{Retriever: r, Sessions: failing})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Answerer: ans}).Handler())
	t.Cleanup(srv.Close)
	resp, body := postChat(t, context.Background(), srv.URL, "", "application/json", `{"message":"问"}`)
	checkFailure(t, resp, body, failure{503, pgdb.CodeTimeout, []string{"保存会话失败", "数据库响应超时"}, ""})
}

// failingSessions times out on every write, as a database that does not
// answer.
type failingSessions struct{ bot.SessionStore }

func (failingSessions) Append(context.Context, string, bot.Turn) error {
	return pgdb.Wrap("test.Append", context.DeadlineExceeded)
}
