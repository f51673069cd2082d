package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"govreply/account"
	acctmem "govreply/account/memory"
	"govreply/api"
	"govreply/bot/memory"
	"govreply/bot/offline"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/knowledge"
	knowmem "govreply/knowledge/memory"
	"govreply/review"
	"govreply/web"
)

// cheap are argon2id parameters fast enough for tests.
var cheap = account.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// authFixture is a server with accounts: admin (admin), wangfang
// (editor), xiaoli (trainee); a collection "secret" readable by wangfang
// only and "open" readable by trainees, besides builtin; a fake clock.
type authFixture struct {
	srv   *httptest.Server
	svc   *account.Service
	clock *atomic.Int64
}

func (f *authFixture) now() time.Time          { return time.Unix(0, f.clock.Load()) }
func (f *authFixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

const secretText = "内部通报：城东水厂改造的实际延期原因为设备采购流标，暂不对外。"

func newAuthFixture(t *testing.T, configure ...func(*api.Config)) *authFixture {
	t.Helper()
	f := &authFixture{clock: &atomic.Int64{}}
	f.clock.Store(time.Now().UnixNano())
	f.svc = account.NewService(acctmem.New(), account.Options{Now: f.now, Password: cheap})
	ctx := context.Background()
	if _, _, err := f.svc.Bootstrap(ctx, "admin-password-1"); err != nil {
		t.Fatal(err)
	}
	op := account.Operator()
	for _, u := range []struct {
		name string
		role account.Role
	}{{"wangfang", account.RoleEditor}, {"xiaoli", account.RoleTrainee}} {
		if _, err := f.svc.AddUser(ctx, op, u.name, u.name+"-password", []account.Role{u.role}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.SetAccess(ctx, op, "secret", account.Access{Readers: account.Grant{Users: []string{"wangfang"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetAccess(ctx, op, "open", account.Access{Readers: account.Grant{Roles: []account.Role{account.RoleTrainee}}}); err != nil {
		t.Fatal(err)
	}

	emb, err := embed.NewLocal(256)
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Default()
	store := knowmem.New(emb.Dimensions())
	put := func(collection, id, title, text string) {
		vec, _ := emb.Embed(ctx, []string{title + "\n" + text})
		if _, err := store.Put(ctx, knowledge.Document{ID: id, Collection: collection, Title: title, Category: knowledge.CategoryRule, Hash: id, Body: "# " + title + "\n\n" + text},
			[]knowledge.Chunk{{Text: text, Terms: seg.Terms(title + "\n" + text), Embedding: vec[0]}}); err != nil {
			t.Fatal(err)
		}
	}
	put("secret", "water-delay", "城东水厂改造延期原因", secretText)
	put("open", "water-notice", "城东水厂改造停水通知", "城东水厂改造期间分片停水，每次不超过8小时，提前三天公告。")
	r := &knowledge.Retriever{Store: store, Embedder: emb, Segmenter: seg}
	answerer, err := offline.NewAnswerer(offline.AnswererOptions{Retriever: r, Sessions: memory.NewSessions(memory.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := review.New(review.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{Retriever: r, Store: store, Reviewer: rv, Answerer: answerer, Accounts: f.svc, Web: web.MustNew(nil)}
	for _, c := range configure {
		c(&cfg)
	}
	f.srv = httptest.NewServer(api.New(cfg).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// call makes a request with an optional bearer token and returns the
// status, the error code and the body.
func call(t *testing.T, client *http.Client, method, url, token, body string, header ...string) (int, string, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Error struct{ Code string } }
	_ = json.Unmarshal(b, &e)
	return resp.StatusCode, e.Error.Code, string(b)
}

// token signs in through POST /v1/auth/token.
func (f *authFixture) token(t *testing.T, user, password string) string {
	t.Helper()
	status, _, body := call(t, nil, "POST", f.srv.URL+"/v1/auth/token", "", `{"username":"`+user+`","password":"`+password+`"}`)
	if status != 200 {
		t.Fatalf("token for %s: %d %s", user, status, body)
	}
	var res struct{ Token string }
	_ = json.Unmarshal([]byte(body), &res)
	return res.Token
}

// TestAuthRequired: every /v1 route but sign-in needs a valid credential;
// forged, expired, revoked and disabled users' tokens are refused; health
// stays open and /metrics needs an administrator.
func TestAuthRequired(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	u := f.srv.URL
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/search?q=停水", ""},
		{"POST", "/v1/review", `{"text":"您好"}`},
		{"POST", "/v1/chat", `{"message":"停水"}`},
		{"GET", "/v1/documents", ""},
		{"GET", "/v1/documents/water-notice", ""},
		{"DELETE", "/v1/documents/water-notice", ""},
		{"GET", "/v1/users", ""},
		{"GET", "/v1/audit", ""},
	} {
		if status, code, _ := call(t, nil, r.method, u+r.path, "", r.body); status != 401 || code != "unauthenticated" {
			t.Errorf("%s %s without credentials: %d %s", r.method, r.path, status, code)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _, _ := call(t, nil, "GET", u+path, "", ""); status != 200 {
			t.Errorf("%s: %d", path, status)
		}
	}
	good := f.token(t, "wangfang", "wangfang-password")
	if status, _, _ := call(t, nil, "GET", u+"/v1/search?q=停水", good, ""); status != 200 {
		t.Fatalf("with a valid token: %d", status)
	}
	forged := account.NewTokenSecret()
	for name, tok := range map[string]string{"forged": forged, "garbage": "abc", "tampered": good[:len(good)-2] + "xx"} {
		if status, code, _ := call(t, nil, "GET", u+"/v1/search?q=停水", tok, ""); status != 401 {
			t.Errorf("%s token: %d %s", name, status, code)
		}
	}
	if status, _, _ := call(t, nil, "GET", u+"/v1/search?q=停水", "", "", "Authorization", "Basic d2FuZzp4"); status != 401 {
		t.Errorf("basic auth: %d", status)
	}

	// Revoked.
	admin := f.token(t, "admin", "admin-password-1")
	_, tok, err := f.svc.CreateToken(context.Background(), account.Operator(), "wangfang", "to revoke", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := f.svc.CreateToken(context.Background(), account.Operator(), "wangfang", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := call(t, nil, "DELETE", u+"/v1/tokens/"+tok.ID+"?user=wangfang", admin, ""); status != 200 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	// Expired: an hour and a minute later.
	f.advance(61 * time.Minute)
	if status, _, _ := call(t, nil, "GET", u+"/v1/search?q=停水", secret, ""); status != 401 {
		t.Errorf("expired token: %d", status)
	}
	// Disabled user.
	if status, _, body := call(t, nil, "PATCH", u+"/v1/users/wangfang", admin, `{"disabled":true}`); status != 200 {
		t.Fatalf("disable: %d %s", status, body)
	}
	if status, _, _ := call(t, nil, "GET", u+"/v1/search?q=停水", good, ""); status != 401 && status != 403 {
		t.Errorf("a disabled user's token: %d", status)
	}
	// Metrics: an administrator only.
	if status, _, _ := call(t, nil, "GET", u+"/metrics", "", ""); status != 401 {
		t.Errorf("/metrics without a token: %d", status)
	}
	trainee := f.token(t, "xiaoli", "xiaoli-password")
	if status, _, _ := call(t, nil, "GET", u+"/metrics", trainee, ""); status != 403 {
		t.Errorf("/metrics as a trainee: %d", status)
	}
	if status, _, _ := call(t, nil, "GET", u+"/metrics", admin, ""); status != 200 {
		t.Errorf("/metrics as admin: %d", status)
	}
}

// TestBrowserSession: signing in sets an HttpOnly session cookie and a
// CSRF cookie; a change made with the cookie needs the CSRF header; a
// forged cookie and a session after sign-out are refused; pages send a
// stranger to the login page and a non-administrator away from /admin.
func TestBrowserSession(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	u := f.srv.URL
	jar, _ := cookiejar.New(nil)
	noRedirect := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if status, _, _ := call(t, noRedirect, "GET", u+"/draft", "", ""); status != http.StatusSeeOther {
		t.Errorf("/draft before signing in: %d", status)
	}
	if status, code, _ := call(t, noRedirect, "POST", u+"/v1/auth/login", "", `{"username":"wangfang","password":"wrong-password"}`); status != 401 || code != "bad_credentials" {
		t.Errorf("wrong password: %d %s", status, code)
	}
	req, _ := http.NewRequest("POST", u+"/v1/auth/login", strings.NewReader(`{"username":"wangfang","password":"wangfang-password"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var csrf string
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case "gr_session":
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v", ck)
			}
		case "gr_csrf":
			csrf = ck.Value
		}
	}
	if resp.StatusCode != 200 || csrf == "" {
		t.Fatalf("login: %d, csrf %q", resp.StatusCode, csrf)
	}
	if status, _, _ := call(t, noRedirect, "GET", u+"/draft", "", ""); status != 200 {
		t.Errorf("/draft signed in: %d", status)
	}
	if status, _, _ := call(t, noRedirect, "GET", u+"/admin", "", ""); status != 403 {
		t.Errorf("/admin as an editor: %d", status)
	}
	review := `{"text":"您好，路灯已修好。"}`
	if status, code, _ := call(t, noRedirect, "POST", u+"/v1/review", "", review); status != 403 || code != "csrf_invalid" {
		t.Errorf("a change without the CSRF header: %d %s", status, code)
	}
	if status, code, _ := call(t, noRedirect, "POST", u+"/v1/review", "", review, "X-CSRF-Token", "forged"); status != 403 || code != "csrf_invalid" {
		t.Errorf("a change with a wrong CSRF token: %d %s", status, code)
	}
	if status, _, _ := call(t, noRedirect, "POST", u+"/v1/review", "", review, "X-CSRF-Token", csrf); status != 200 {
		t.Errorf("a change with the CSRF header: %d", status)
	}
	forged := &http.Client{}
	if status, _, _ := call(t, forged, "GET", u+"/v1/search?q=停水", "", "", "Cookie", "gr_session=forged-value"); status != 401 {
		t.Errorf("a forged session cookie: %d", status)
	}
	if status, _, _ := call(t, noRedirect, "POST", u+"/v1/auth/logout", "", "", "X-CSRF-Token", csrf); status != 200 {
		t.Errorf("logout: %d", status)
	}
	if status, _, _ := call(t, noRedirect, "GET", u+"/v1/search?q=停水", "", ""); status != 401 {
		t.Errorf("after sign-out: %d", status)
	}
	// A session expires 12 hours after sign-in.
	if status, _, _ := call(t, noRedirect, "POST", u+"/v1/auth/login", "", `{"username":"wangfang","password":"wangfang-password"}`); status != 200 {
		t.Fatalf("second login: %d", status)
	}
	if status, _, _ := call(t, noRedirect, "GET", u+"/v1/search?q=停水", "", ""); status != 200 {
		t.Fatalf("fresh session: %d", status)
	}
	f.advance(12*time.Hour + time.Minute)
	if status, _, _ := call(t, noRedirect, "GET", u+"/v1/search?q=停水", "", ""); status != 401 {
		t.Errorf("an expired session: %d", status)
	}
}

// TestRestrictedNeverShown: a user without access to a collection never
// sees its chunks, through search (every mode), answers, the document
// list or a document page; its reader does.
func TestRestrictedNeverShown(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	u := f.srv.URL
	trainee := f.token(t, "xiaoli", "xiaoli-password")
	editor := f.token(t, "wangfang", "wangfang-password")
	q := "/v1/search?k=10&q=" + "城东水厂改造延期的实际原因"
	for _, mode := range []string{"hybrid", "vector", "text"} {
		_, _, body := call(t, nil, "GET", u+q+"&mode="+mode, trainee, "")
		if strings.Contains(body, "secret") || strings.Contains(body, "流标") {
			t.Errorf("%s search shows the trainee a restricted chunk: %s", mode, body)
		}
		if !strings.Contains(body, "water-notice") {
			t.Errorf("%s search lost the readable document: %s", mode, body)
		}
		if _, _, body := call(t, nil, "GET", u+q+"&mode="+mode, editor, ""); !strings.Contains(body, "流标") {
			t.Errorf("%s search hides the document from its reader", mode)
		}
	}
	_, _, body := call(t, nil, "POST", u+"/v1/chat", trainee, `{"message":"城东水厂改造为什么延期？实际原因是什么"}`)
	if strings.Contains(body, "流标") || strings.Contains(body, "water-delay") {
		t.Errorf("an answer shows the trainee a restricted chunk: %s", body)
	}
	_, _, body = call(t, nil, "GET", u+"/v1/documents", trainee, "")
	if strings.Contains(body, "water-delay") {
		t.Errorf("the list shows a restricted document: %s", body)
	}
	for _, path := range []string{"/v1/documents/water-delay", "/v1/documents/water-delay?collection=secret"} {
		if status, _, body := call(t, nil, "GET", u+path, trainee, ""); status != 404 || strings.Contains(body, "流标") {
			t.Errorf("GET %s as the trainee: %d %s", path, status, body)
		}
	}
	if status, _, body := call(t, nil, "GET", u+"/v1/documents/water-delay", editor, ""); status != 200 || !strings.Contains(body, "流标") {
		t.Errorf("GET the document as its reader: %d", status)
	}
	if status, _, _ := call(t, nil, "DELETE", u+"/v1/documents/water-delay?collection=secret", editor, ""); status != 403 {
		t.Errorf("a reader deleting: %d", status)
	}
}

// TestAuditTrail: sign-ins, failures, permission changes and deletions are
// recorded with user, client and outcome; administrators read them as
// JSON or CSV, nobody else.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	u := f.srv.URL
	call(t, nil, "POST", u+"/v1/auth/token", "", `{"username":"wangfang","password":"not-it-at-all"}`)
	admin := f.token(t, "admin", "admin-password-1")
	if status, _, body := call(t, nil, "PUT", u+"/v1/collections/open/readers", admin, `{"roles":["trainee","editor"],"users":[]}`); status != 200 {
		t.Fatalf("set readers: %d %s", status, body)
	}
	if status, _, _ := call(t, nil, "DELETE", u+"/v1/documents/water-notice?collection=open", admin, ""); status != 200 {
		t.Fatalf("delete as admin: %d", status)
	}
	_, _, body := call(t, nil, "GET", u+"/v1/audit", admin, "")
	var res struct {
		Entries []account.Entry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	want := map[account.Action]bool{account.ActionLoginFailed: false, account.ActionLogin: false, account.ActionPermissionChange: false, account.ActionDelete: false}
	for _, e := range res.Entries {
		if _, ok := want[e.Action]; ok && e.Client != "" {
			want[e.Action] = true
		}
		if strings.Contains(e.Object, "not-it-at-all") {
			t.Errorf("a password in the audit trail: %+v", e)
		}
	}
	for a, seen := range want {
		if !seen {
			t.Errorf("no %s entry with a client address: %s", a, body)
		}
	}
	status, _, csv := call(t, nil, "GET", u+"/v1/audit?format=csv", admin, "")
	if status != 200 || !strings.HasPrefix(csv, "time,user,client,action,object,outcome") || !strings.Contains(csv, "permission_change") {
		t.Errorf("CSV: %d %.200s", status, csv)
	}
	editor := f.token(t, "wangfang", "wangfang-password")
	if status, _, _ := call(t, nil, "GET", u+"/v1/audit", editor, ""); status != 403 {
		t.Errorf("audit as an editor: %d", status)
	}
}

// TestRoles: a trainee asks and reads but does not draft, rewrite or run
// the automatic review; an editor does.
func TestRoles(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	u := f.srv.URL
	trainee := f.token(t, "xiaoli", "xiaoli-password")
	editor := f.token(t, "wangfang", "wangfang-password")
	for _, r := range []struct{ path, body string }{
		{"/v1/drafts", `{"post":"路灯坏了"}`},
		{"/v1/rewrite", `{"text":"您好，我们将尽快处理。"}`},
		{"/v1/review", `{"text":"您好，路灯已修好。"}`},
	} {
		if status, code, _ := call(t, nil, "POST", u+r.path, trainee, r.body); status != 403 || code != "forbidden" {
			t.Errorf("a trainee POST %s: %d %s", r.path, status, code)
		}
	}
	if status, _, _ := call(t, nil, "POST", u+"/v1/review", editor, `{"text":"您好，路灯已修好。"}`); status != 200 {
		t.Errorf("an editor's review: %d", status)
	}
	if status, _, _ := call(t, nil, "POST", u+"/v1/chat", trainee, `{"message":"网友骂人怎么回复"}`); status != 200 {
		t.Errorf("a trainee's question: %d", status)
	}
}
