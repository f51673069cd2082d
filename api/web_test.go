package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"govreply/api"
	"govreply/web"
)

// TestWebMounted: with a Site the API serves the workspace's pages and
// assets; every response, page or JSON, carries the security headers; an
// unknown page is the 404 page for a browser and JSON for an API client.
func TestWebMounted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(api.New(api.Config{Web: web.MustNew(nil)}).Handler())
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		method, path, accept string
		status               int
		ctype, contains      string
	}{
		{"GET", "/draft", "text/html", 200, "text/html", "起草"},
		{"HEAD", "/review", "text/html", 200, "text/html", ""},
		{"GET", "/knowledge/search", "", 200, "text/html", "命中测试"},
		{"GET", "/static/css/app.css", "", 200, "text/css", ":root"},
		{"GET", "/nope", "text/html,application/xhtml+xml", 404, "text/html", "页面不存在"},
		{"GET", "/nope", "application/json", 404, "application/json", `"code":"not_found"`},
		{"GET", "/v1/nope", "text/html", 404, "application/json", `"code":"not_found"`},
		{"POST", "/draft", "", 405, "application/json", "method_not_allowed"},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(string(b), tt.contains) {
			t.Errorf("%s %s: %d %s %.120s", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s %s: CSP %q", tt.method, tt.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", tt.method, tt.path, resp.Header)
		}
	}
}
