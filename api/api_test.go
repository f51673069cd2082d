package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"govreply/api"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/memory"
)

// newTestServer serves a memory store holding two small documents.
func newTestServer(t *testing.T, store knowledge.Store) *httptest.Server {
	t.Helper()
	emb, err := embed.NewLocal(256)
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Default()
	if store == nil {
		mem := memory.New(emb.Dimensions())
		put := func(id, title, text string) {
			vec, _ := emb.Embed(context.Background(), []string{title + "\n" + text})
			_, err := mem.Put(context.Background(), knowledge.Document{ID: id, Collection: "c", Title: title, Category: knowledge.CategoryRule, Hash: id},
				[]knowledge.Chunk{{Text: text, Terms: seg.Terms(title + "\n" + text), Embedding: vec[0]}})
			if err != nil {
				t.Fatal(err)
			}
		}
		put("rule-time", "舆情回应时限", "重大突发事件要在规定时间内发布权威信息，并举行新闻发布会。")
		put("rule-pii", "个人信息脱敏", "回复中不得公开网友的手机号码、身份证号码和详细住址。")
		store = mem
	}
	r := &knowledge.Retriever{Store: store, Embedder: emb, Segmenter: seg}
	srv := httptest.NewServer(api.New(api.Config{Retriever: r, Store: store, MaxBody: 4096}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

type errBody struct {
	Error struct {
		Code    errs.Code `json:"code"`
		Message string    `json:"message"`
	} `json:"error"`
}

func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestSearch(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	resp, body := get(t, srv.URL+"/v1/search?q="+url.QueryEscape("网友的手机号能不能写在回复里")+"&k=2")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var out struct {
		Hits []map[string]any `json:"hits"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Hits) == 0 || out.Hits[0]["doc"] != "rule-pii" {
		t.Fatalf("want rule-pii first, got %s", body)
	}
	for _, f := range []string{"doc", "title", "heading", "score", "text", "vector_rank", "text_rank"} {
		if _, ok := out.Hits[0][f]; !ok {
			t.Errorf("hit lacks field %q", f)
		}
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Error("no X-Request-ID header")
	}
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	tests := []struct {
		name   string
		query  string
		status int
		code   errs.Code
	}{
		{"empty query", "q=", 400, "invalid_input"},
		{"blank query", "q=" + url.QueryEscape("   "), 400, "invalid_input"},
		{"query too long", "q=" + strings.Repeat("长", 10000), 413, "too_large"},
		{"k not a number", "q=a&k=abc", 400, "invalid_input"},
		{"k zero", "q=a&k=0", 400, "invalid_input"},
		{"k too big", "q=a&k=1000", 400, "invalid_input"},
		{"bad mode", "q=a&mode=magic", 400, "invalid_input"},
		{"bad category", "q=a&category=x", 400, "invalid_input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/v1/search?"+tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			var e errBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not the error shape: %s", body)
			}
			if e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("error %+v, want code %s with a message", e.Error, tt.code)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp, body := get(t, srv.URL+p); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	get(t, srv.URL+"/v1/search?q=x")
	resp, body := get(t, srv.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `govreply_http_requests_total{code="200",method="GET",route="/v1/search"}`) {
		t.Fatalf("metrics lack the search counter: %.500s", body)
	}
}

// downStore is a store whose database is unreachable.
type downStore struct{ knowledge.Store }

func (downStore) Ping(context.Context) error { return errors.New("connection refused") }
func (downStore) Search(context.Context, knowledge.Query) ([]knowledge.Hit, error) {
	return nil, errs.E("test", errs.Unavailable, "数据库不可用", errors.New("connection refused"))
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, downStore{})
	for _, p := range []string{"/readyz", "/v1/search?q=abc"} {
		resp, body := get(t, srv.URL+p)
		var e errBody
		json.Unmarshal(body, &e)
		if resp.StatusCode != 503 || e.Error.Code != "unavailable" {
			t.Errorf("%s: %d %s, want 503 unavailable", p, resp.StatusCode, body)
		}
		if strings.Contains(string(body), "connection refused") {
			t.Errorf("%s leaks the internal error: %s", p, body)
		}
	}
}

func TestNotFoundAndMethod(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	resp, body := get(t, srv.URL+"/v1/nothing")
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"not_found"`) {
		t.Errorf("unknown route: %d %s", resp.StatusCode, body)
	}
	resp2, err := http.Post(srv.URL+"/v1/search", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 405 {
		t.Errorf("POST /v1/search: %d, want 405", resp2.StatusCode)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	resp, err := http.Post(srv.URL+"/v1/search", "application/json", strings.NewReader(strings.Repeat("x", 10000)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(b), "too_large") {
		t.Fatalf("oversized body: %d %s", resp.StatusCode, b)
	}
}

// wantMetrics fails the test unless GET /metrics of the server at url
// holds every one of lines.
func wantMetrics(t *testing.T, url string, lines ...string) {
	t.Helper()
	_, body := get(t, url+"/metrics")
	for _, want := range lines {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMetricsBoundedLabels: made-up methods and random paths add no
// series to /metrics: methods outside HTTP's own count as "other", and
// paths no route matches as "unmatched".
func TestMetricsBoundedLabels(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	metricsSize := func() int {
		_, b := get(t, srv.URL+"/metrics")
		return len(b)
	}
	for i := range 2000 {
		method := "GET"
		if i%2 == 0 {
			method = fmt.Sprintf("X%dZ", i)
		}
		req, _ := http.NewRequest(method, fmt.Sprintf("%s/p%d/%d", srv.URL, i, i*7), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	before := metricsSize()
	_, b := get(t, srv.URL+"/metrics")
	body := string(b)
	if strings.Contains(body, `method="X`) || strings.Contains(body, `route="/p`) {
		t.Errorf("request-chosen labels in /metrics")
	}
	if !strings.Contains(body, `method="other"`) || !strings.Contains(body, `route="unmatched"`) {
		t.Errorf("the made-up requests are not counted as other/unmatched")
	}
	if before > 64<<10 {
		t.Errorf("/metrics is %d bytes after 2,000 odd requests", before)
	}
}
