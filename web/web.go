// Package web is the browser workspace: page shells in Simplified Chinese,
// rendered on the server from embedded templates, whose scripts call the
// public JSON API (package api), so what a page shows is what an API
// client gets. Every asset is embedded: no CDN, no web font, no Node.js.
//
// The pages never insert text they did not write as HTML: posts, drafts,
// model answers and retrieved passages go into the DOM as text; the one
// HTML fragment a page inserts (a document rendered from Markdown) is
// sanitised by the server and again by DOMPurify. SecurityHeaders is the
// policy that backs this up in the browser.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"govreply/knowledge"
	"govreply/review"
)

// Files are the embedded templates and static assets.
//
//go:embed templates static
var Files embed.FS

// Page is one page of the workspace.
type Page struct {
	Path   string // the URL path it is served at
	Name   string // its template, templates/<Name>.html
	Title  string // the title and the navigation label
	Nav    string // the navigation entry it belongs to
	Script string // its script under static/js, "" for none
	// Vendor are the vendored libraries it loads before its script.
	Vendor []string
	// Public pages are shown to anyone (the login page); the others only
	// to a signed-in user, which the server in front checks.
	Public bool
	// Roles, when set, are the roles one of which a user needs to see
	// the page (and its entry in the navigation).
	Roles []string
}

// Pages are the workspace's pages, in navigation order.
var Pages = []Page{
	{Path: "/draft", Name: "draft", Title: "起草", Nav: "/draft", Script: "js/draft.js", Roles: writerRoles},
	{Path: "/review", Name: "review", Title: "审核", Nav: "/review", Script: "js/review.js", Roles: checkerRoles},
	{Path: "/queue", Name: "queue", Title: "审核队列", Nav: "/queue", Script: "js/queue.js", Roles: writerRoles},
	{Path: "/queue/submission", Name: "submission", Title: "稿件审核", Nav: "/queue", Script: "js/submission.js", Roles: writerRoles},
	{Path: "/queue/summary", Name: "summary", Title: "每日统计", Nav: "/queue", Script: "js/summary.js", Roles: deciderRoles},
	{Path: "/ask", Name: "ask", Title: "问答", Nav: "/ask", Script: "js/ask.js"},
	{Path: "/knowledge", Name: "knowledge", Title: "知识库", Nav: "/knowledge", Script: "js/knowledge.js"},
	{Path: "/knowledge/search", Name: "search", Title: "命中测试", Nav: "/knowledge", Script: "js/search.js"},
	{Path: "/knowledge/document", Name: "document", Title: "文档", Nav: "/knowledge", Script: "js/document.js",
		Vendor: []string{"vendor/dompurify/purify.min.js"}},
	{Path: "/training", Name: "training", Title: "培训", Nav: "/training", Script: "js/training.js"},
	{Path: "/training/cohort", Name: "cohort", Title: "培训管理", Nav: "/training", Script: "js/cohort.js", Roles: []string{"trainer", "admin"}},
	{Path: "/admin", Name: "admin", Title: "用户与审计", Nav: "/admin", Script: "js/admin.js", Roles: []string{"admin"}},
	{Path: "/login", Name: "login", Title: "登录", Script: "js/login.js", Public: true},
}

// PageAt returns the page served at path.
func PageAt(path string) (Page, bool) {
	for _, p := range Pages {
		if p.Path == strings.TrimSuffix(path, "/") {
			return p, true
		}
	}
	return Page{}, false
}

// The roles of the pages that are not for everyone (the API checks the
// same roles on the routes these pages call).
var (
	writerRoles  = []string{"editor", "reviewer", "admin"}
	checkerRoles = []string{"editor", "reviewer", "trainer", "admin"}
	deciderRoles = []string{"reviewer", "admin"}
)

// navEntries are the links of the navigation bar; an entry with roles
// shows only to users who hold one of them.
var navEntries = []struct {
	Path, Label string
	Roles       []string
}{
	{"/draft", "起草", writerRoles}, {"/review", "审核", checkerRoles}, {"/queue", "审核队列", writerRoles},
	{"/ask", "问答", nil}, {"/knowledge", "知识库", nil},
	{"/training", "培训", nil},
	{"/admin", "用户与审计", []string{"admin"}},
}

// Allowed reports whether v may see a page or entry needing one of roles
// (none: everyone).
func (v *Viewer) Allowed(roles []string) bool {
	return len(roles) == 0 || slices.ContainsFunc(roles, v.Has)
}

// Viewer is the signed-in user a page is rendered for.
type Viewer struct {
	Username string
	Roles    []string
	// RoleNames are the Chinese names of the roles, for the header.
	RoleNames []string
}

// Has reports whether the viewer holds role.
func (v *Viewer) Has(role string) bool { return v != nil && slices.Contains(v.Roles, role) }

type viewerKey struct{}

// WithViewer returns ctx carrying the user a page is for; the server in
// front sets it after checking the session.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, &v)
}

// ViewerOf returns the user ctx carries, nil when none.
func ViewerOf(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// Site serves the pages and their assets. It is safe for concurrent use.
type Site struct {
	log    *slog.Logger
	pages  map[string]*page
	assets *assets
	data   template.JS // the labels and limits every page's script reads
}

type page struct {
	Page
	tmpl *template.Template
}

// New parses the embedded templates and indexes the assets. log may be nil.
func New(log *slog.Logger) (*Site, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	as, err := loadAssets(Files)
	if err != nil {
		return nil, err
	}
	s := &Site{log: log, pages: map[string]*page{}, assets: as}
	if s.data, err = clientData(); err != nil {
		return nil, err
	}
	funcs := templateFuncs(as)
	for _, p := range Pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(Files, "templates/layout.html", "templates/"+p.Name+".html")
		if err != nil {
			return nil, err
		}
		s.pages[p.Path] = &page{Page: p, tmpl: t}
	}
	return s, nil
}

// MustNew is New for callers whose templates are known good (they are
// embedded, and a test parses them).
func MustNew(log *slog.Logger) *Site {
	s, err := New(log)
	if err != nil {
		panic(err)
	}
	return s
}

// Paths are the URL paths the Site answers besides /static/: the root
// (a redirect to 起草) and every page.
func (s *Site) Paths() []string {
	out := []string{"/"}
	for _, p := range Pages {
		out = append(out, p.Path)
	}
	return out
}

// StaticPrefix is where the assets are served.
const StaticPrefix = "/static/"

// ServeHTTP answers GET and HEAD for the root, the pages and the assets,
// and 404 with a page in Chinese for anything else.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "不支持该请求方法", http.StatusMethodNotAllowed)
		return
	}
	switch path := r.URL.Path; {
	case path == "/":
		http.Redirect(w, r, "/draft", http.StatusFound)
	case strings.HasPrefix(path, StaticPrefix):
		s.assets.serve(w, r, strings.TrimPrefix(path, StaticPrefix))
	default:
		p, ok := s.pages[strings.TrimSuffix(path, "/")]
		if !ok {
			s.NotFound(w, r)
			return
		}
		s.render(w, r, http.StatusOK, p)
	}
}

// Forbidden answers with the page saying the user lacks the role a page
// needs (the status is the caller's to set).
func (s *Site) Forbidden(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, &page{Page: Page{Name: "forbidden", Title: "没有权限"}, tmpl: s.extra("forbidden")})
}

// NotFound answers with the 404 page.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, &page{Page: Page{Name: "notfound", Title: "页面不存在"}, tmpl: s.extra("notfound")})
}

// extra parses a page that is not in Pages (an error page).
func (s *Site) extra(name string) *template.Template {
	// Parsed per call: error pages are rare and this keeps New small.
	return template.Must(template.New("layout.html").Funcs(templateFuncs(s.assets)).
		ParseFS(Files, "templates/layout.html", "templates/"+name+".html"))
}

// templateFuncs are the functions the templates may call: asset, the
// hashed URL of a static file; reviewLevels, the review levels 1 … 3 of
// an office (workflow.MaxLevels).
func templateFuncs(as *assets) template.FuncMap {
	return template.FuncMap{"asset": as.url, "reviewLevels": func() []int { return []int{1, 2, 3} }}
}

// view is what the layout template reads.
type view struct {
	Page
	Nav    []navLink
	Data   template.JS
	Viewer *Viewer
}

type navLink struct {
	Path, Label string
	Current     bool
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, p *page) {
	v := view{Page: p.Page, Data: s.data, Viewer: ViewerOf(r.Context())}
	for _, n := range navEntries {
		// Without a signed-in user (a server without accounts) every page
		// but the administrator's is offered.
		if v.Viewer == nil && n.Path != "/admin" || v.Viewer != nil && v.Viewer.Allowed(n.Roles) {
			v.Nav = append(v.Nav, navLink{n.Path, n.Label, n.Path == p.Nav})
		}
	}
	var buf bytes.Buffer
	if err := p.tmpl.Execute(&buf, v); err != nil {
		s.log.Error("render page", "page", p.Name, "err", err)
		http.Error(w, "页面生成失败，请稍后重试", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// docCategories are the Chinese names of the knowledge categories.
var docCategories = map[knowledge.Category]string{
	knowledge.CategoryRule: "规则", knowledge.CategoryTone: "语气", knowledge.CategoryCase: "案例", knowledge.CategoryFAQ: "资料",
}

// clientData is the JSON the scripts read from the page (a script element
// of type application/json, which the browser never runs): the Chinese
// names of kinds, severities and categories and each kind's length limit,
// so the browser counts and labels exactly as the reviewer does.
func clientData() (template.JS, error) {
	kinds, severities, categories := review.Names()
	limits := map[string]int{}
	for _, k := range []review.Kind{review.KindComment, review.KindReply, review.KindPost} {
		limits[string(k)] = k.Limit()
	}
	b, err := json.Marshal(map[string]any{
		"kinds": kinds, "severities": severities, "categories": categories, "limits": limits,
		"docCategories": docCategories, "classes": review.Classes(),
	})
	// json.Marshal escapes <, > and & so the data cannot close its script
	// element.
	return template.JS(b), err
}

// SecurityHeaders sets the headers every response of the service carries:
// a Content-Security-Policy that allows scripts, styles, fonts, images and
// connections from the service itself only (no inline script or style, no
// eval, no frames, no plugins), no MIME sniffing, no referrer, and no
// framing by other sites.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; " +
	"frame-ancestors 'none'; object-src 'none'"
