package web_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"govreply/web"
)

func get(t testing.TB, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	assetRef   = regexp.MustCompile(`(?:src|href)="(/static/[^"?]+)\?v=([0-9a-f]+)"`)
	scriptTag  = regexp.MustCompile(`<script\b[^>]*>`)
	inlineAttr = regexp.MustCompile(`(?i)\s(on[a-z]+|style)\s*=`)
	remoteRef  = regexp.MustCompile(`(?i)(src|href|url)\s*[=(]\s*["']?(https?:)?//`)
)

// TestPages: every page renders in Chinese with its navigation entry
// marked, links only embedded assets (each served, typed and cacheable
// for a year under its hash), and has no inline script, inline style or
// event-handler attribute, which the Content-Security-Policy would refuse.
func TestPages(t *testing.T) {
	site := web.MustNew(nil)
	for _, p := range web.Pages {
		t.Run(p.Name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, p.Path, nil)
			req = req.WithContext(web.WithViewer(req.Context(), web.Viewer{Username: "王芳", Roles: []string{"admin"}, RoleNames: []string{"管理员"}}))
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, req)
			resp := rec.Result()
			html := body(t, resp)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(html, `<html lang="zh-CN">`) || !strings.Contains(html, "<title>"+p.Title+" · 政务微博回复助手</title>") {
				t.Errorf("title or language missing")
			}
			if !p.Public && !strings.Contains(html, `href="`+p.Nav+`" aria-current="page"`) {
				t.Errorf("navigation entry %s not marked current", p.Nav)
			}
			for _, tag := range scriptTag.FindAllString(html, -1) {
				if !strings.Contains(tag, ` src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
					t.Errorf("inline script: %s", tag)
				}
			}
			if m := inlineAttr.FindString(html); m != "" {
				t.Errorf("inline attribute %q", m)
			}
			if m := remoteRef.FindString(html); m != "" {
				t.Errorf("remote reference %q", m)
			}
			refs := assetRef.FindAllStringSubmatch(html, -1)
			if len(refs) < 3 {
				t.Fatalf("links %d assets: %v", len(refs), refs)
			}
			for _, r := range refs {
				a := get(t, site, r[1]+"?v="+r[2])
				if a.StatusCode != 200 || a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
					t.Errorf("%s: %d, Cache-Control %q", r[1], a.StatusCode, a.Header.Get("Cache-Control"))
				}
				if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/") && !strings.HasPrefix(ct, "image/") {
					t.Errorf("%s: Content-Type %q", r[1], ct)
				}
			}
		})
	}
}

// TestAssetCaching: an asset asked for without its current hash must be
// revalidated, and its ETag answers 304.
func TestAssetCaching(t *testing.T) {
	site := web.MustNew(nil)
	resp := get(t, site, "/static/js/app.js?v=stale")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("%d, Cache-Control %q, ETag %q", resp.StatusCode, resp.Header.Get("Cache-Control"), etag)
	}
	if r := get(t, site, "/static/js/app.js", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", r.StatusCode)
	}
	if r := get(t, site, "/static/js/missing.js"); r.StatusCode != 404 {
		t.Errorf("missing asset: %d", r.StatusCode)
	}
}

// TestRootAndNotFound: / goes to 起草; an unknown page is a 404 page in
// Chinese; other methods are refused.
func TestRootAndNotFound(t *testing.T) {
	site := web.MustNew(nil)
	if r := get(t, site, "/"); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/draft" {
		t.Errorf("/: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	r := get(t, site, "/nope")
	if b := body(t, r); r.StatusCode != 404 || !strings.Contains(b, "页面不存在") {
		t.Errorf("/nope: %d %.200s", r.StatusCode, b)
	}
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/draft", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /draft: %d", rec.Code)
	}
}

// TestSecurityHeaders: the policy allows nothing inline, nothing
// evaluated and nothing from another origin.
func TestSecurityHeaders(t *testing.T) {
	h := http.Header{}
	web.SecurityHeaders(h)
	csp := h.Get("Content-Security-Policy")
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:", "data: 'self'"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP allows %q: %s", bad, csp)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
		"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if h.Get(k) != v {
			t.Errorf("%s: %q", k, h.Get(k))
		}
	}
}

// TestOwnAssetsLocal: the workspace's own scripts and styles name no
// other host (the vendored libraries are checked by their hashes in
// static/vendor/README.md), and fetch only the service's own API.
func TestOwnAssetsLocal(t *testing.T) {
	sub, err := fs.Sub(web.Files, "static")
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(name, "vendor/") {
			return err
		}
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		// The SVG namespace is a name, not a place anything is fetched from.
		s := strings.ReplaceAll(string(b), `"http://www.w3.org/2000/svg"`, "")
		if m := regexp.MustCompile(`(?i)https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|innerHTML\s*=|insertAdjacentHTML|document\.write|eval\(|new Function`).FindString(s); m != "" &&
			!strings.HasPrefix(name, "favicon") {
			t.Errorf("%s contains %q", name, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkRender is the server's time to render each page.
func BenchmarkRender(b *testing.B) {
	site := web.MustNew(nil)
	for _, p := range web.Pages {
		b.Run(p.Name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, p.Path, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				site.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// render renders path for a user holding roles (none: no signed-in user).
func render(t *testing.T, path string, roles ...string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if len(roles) > 0 {
		req = req.WithContext(web.WithViewer(req.Context(), web.Viewer{Username: "u", Roles: roles}))
	}
	rec := httptest.NewRecorder()
	web.MustNew(nil).ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("%s: %d", path, rec.Code)
	}
	return rec.Body.String()
}

// TestQueuePages: 审核队列 is in the navigation of those who write or
// review, with 稿件审核 and 每日统计 under it; 每日统计 is for reviewers
// and administrators, and the queue links it and says 待我审核 only for
// them.
func TestQueuePages(t *testing.T) {
	for _, tt := range []struct {
		path  string
		roles []string
	}{
		{"/queue", []string{"editor", "reviewer", "admin"}},
		{"/queue/submission", []string{"editor", "reviewer", "admin"}},
		{"/queue/summary", []string{"reviewer", "admin"}},
	} {
		p, ok := web.PageAt(tt.path)
		if !ok || p.Nav != "/queue" || strings.Join(p.Roles, " ") != strings.Join(tt.roles, " ") {
			t.Errorf("%s: %+v", tt.path, p)
		}
	}
	// The entry carries the hook app.js counts the reviewer's queue into.
	nav := `<a href="/queue" data-role="nav-queue">审核队列</a>`
	if html := render(t, "/draft", "editor"); !strings.Contains(html, nav) {
		t.Errorf("an editor's navigation lacks 审核队列")
	}
	if html := render(t, "/ask", "trainee"); strings.Contains(html, `<a href="/queue"`) {
		t.Errorf("a trainee's navigation offers 审核队列")
	}
	editor := render(t, "/queue", "editor")
	if strings.Contains(editor, `href="/queue/summary"`) || !strings.Contains(editor, ">待审核</a>") {
		t.Errorf("an editor's queue links the summary or says 待我审核")
	}
	for _, roles := range [][]string{{"reviewer"}, {"admin"}, nil} {
		html := render(t, "/queue", roles...)
		if !strings.Contains(html, `href="/queue/summary"`) || !strings.Contains(html, ">待我审核</a>") {
			t.Errorf("%v: the queue does not link the summary or say 待我审核", roles)
		}
	}
}
