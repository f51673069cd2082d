package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/internal/pgdb"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// mustServe runs serve with cfg on a free loopback port until the test
// ends and returns its base URL once it is ready.
func mustServe(t testing.TB, cfg config) string {
	t.Helper()
	cfg.Addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, newApp, nil, slog.New(slog.DiscardHandler), io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	base := "http://" + cfg.Addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// offlineConfig is the embedded default.
func offlineConfig() config {
	cfg := envConfig(noEnv)
	cfg.DatabaseURL, cfg.Embedder, cfg.EmbedDim, cfg.LLM = "", "local", 0, "offline"
	cfg.AdminPassword = testAdminPassword
	return cfg
}

// testAdminPassword is the first administrator's password in the tests
// (GOVREPLY_ADMIN_PASSWORD).
const testAdminPassword = "admin-test-password-1"

// apiClient is an HTTP client signed in to the service at base as the
// administrator, with a token from POST /v1/auth/token.
func apiClient(t testing.TB, base string) *http.Client {
	t.Helper()
	return &http.Client{Transport: bearer{tokenFor(t, base, "admin", testAdminPassword), http.DefaultTransport}}
}

// tokenFor signs user in through POST /v1/auth/token.
func tokenFor(t testing.TB, base, user, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := http.Post(base+"/v1/auth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.Token == "" {
		t.Fatalf("sign in as %s: %d %v", user, resp.StatusCode, err)
	}
	return tok.Token
}

// newUser adds user with role (password user+"-password") through the
// administrator's client and returns a token of theirs.
func newUser(t testing.TB, base string, admin *http.Client, user, role string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"username": user, "password": user + "-password", "roles": []string{role}})
	resp, err := admin.Post(base+"/v1/users", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("add %s: %d", user, resp.StatusCode)
	}
	return tokenFor(t, base, user, user+"-password")
}

// bearer adds an Authorization header to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// TestServeDefault starts the embedded default (memory store, built-in
// knowledge base), queries it, and shuts it down gracefully (mustServe
// checks the shutdown).
func TestServeDefault(t *testing.T) {
	t.Parallel()
	base := mustServe(t, offlineConfig())
	resp, err := apiClient(t, base).Get(base + "/v1/search?k=3&q=" + url.QueryEscape("回复里能写网友的手机号吗"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"collection":"builtin"`) {
		t.Fatalf("search on the built-in knowledge base: %d %s", resp.StatusCode, body)
	}
}

// TestServeRefusesNUL: on PostgreSQL, which refuses U+0000 in text, a
// NUL in any field is a 400 with a clear message before anything is
// written; the same question without it is answered and kept.
func TestServeRefusesNUL(t *testing.T) {
	t.Parallel()
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
	base := mustServe(t, cfg)
	client := apiClient(t, base)
	for _, tt := range []struct{ path, body string }{
		{"/v1/chat", `{"message":"路灯\u0000坏了怎么回复"}`},
		{"/v1/chat", `{"session":"a\u0000b","message":"路灯坏了怎么回复"}`},
		{"/v1/review", `{"text":"您好\u0000，已修好。","kind":"comment"}`},
		{"/v1/review", `{"text":"您好，已修好。","post":"路灯\u0000坏了"}`},
		{"/v1/drafts", `{"post":"路灯\u0000坏了"}`},
		{"/v1/drafts", `{"post":"路灯坏了","facts":"已\u0000修"}`},
		{"/v1/rewrite", `{"text":"您好\u0000，已修好。"}`},
	} {
		resp, err := client.Post(base+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), "U+0000") && !strings.Contains(string(b), "无效字符") {
			t.Errorf("%s %s: %d %s", tt.path, tt.body, resp.StatusCode, b)
		}
	}
	resp, err := client.Get(base + "/v1/search?q=" + url.QueryEscape("路灯\x00坏了"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "U+0000") {
		t.Errorf("search: %d %s", resp.StatusCode, b)
	}
	resp, err = client.Post(base+"/v1/chat", "application/json", strings.NewReader(`{"message":"路灯坏了怎么回复"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the question without NUL: %d", resp.StatusCode)
	}
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: cfg.DatabaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var turns int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM chat_turns`).Scan(&turns); err != nil {
		t.Fatal(err)
	}
	if turns != 1 {
		t.Errorf("%d turns stored, want the one without NUL", turns)
	}
}

// TestServeMasksPII: a question carrying a citizen's ID and mobile
// numbers is answered, and the turn kept in PostgreSQL holds neither;
// the answer that the knowledge base has nothing does not repeat the
// question.
func TestServeMasksPII(t *testing.T) {
	t.Parallel()
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
	base := mustServe(t, cfg)
	client := apiClient(t, base)
	for _, q := range []string{
		"网友在评论里留了身份证号530102198703151541和手机13987126540，回复时怎么处理？",
		"量子色动力学530102198703151541的渐近自由13987126540是什么",
	} {
		body, _ := json.Marshal(map[string]string{"message": q})
		resp, err := client.Post(base+"/v1/chat", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Answer string }
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		if strings.Contains(res.Answer, "量子色动力学") {
			t.Errorf("the answer repeats the question: %q", res.Answer)
		}
	}
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: cfg.DatabaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Pool.Query(t.Context(), `SELECT question || query || answer FROM chat_turns`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var kept string
		if err := rows.Scan(&kept); err != nil {
			t.Fatal(err)
		}
		n++
		if strings.Contains(kept, "530102198703151541") || strings.Contains(kept, "13987126540") || !strings.Contains(kept, "139****6540") {
			t.Errorf("turn kept as %q", kept)
		}
	}
	if n != 2 {
		t.Errorf("%d turns kept, want 2", n)
	}
}

// TestServeReplicas: two serve processes on one database behave as one
// service: a browser session and an API token made on one work on the
// other, a conversation started on one continues on the other, and a
// permission set on one holds on the other.
func TestServeReplicas(t *testing.T) {
	t.Parallel()
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
	a := mustServe(t, cfg)
	b := mustServe(t, cfg)

	// A token from a, used on b.
	client := apiClient(t, a)
	resp, err := client.Get(b + "/v1/search?q=" + url.QueryEscape("网友骂人怎么回复"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("a's token on b: %d", resp.StatusCode)
	}

	// A browser session from a, used on b (the cookie is the browser's).
	resp, err = http.Post(a+"/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+testAdminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookies []string
	csrf := ""
	for _, ck := range resp.Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
		if ck.Name == "gr_csrf" {
			csrf = ck.Value
		}
	}
	req, _ := http.NewRequest("POST", b+"/v1/chat", strings.NewReader(`{"message":"网友骂人怎么回复？"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	req.Header.Set("X-CSRF-Token", csrf)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var first struct{ Session string }
	_ = json.NewDecoder(resp.Body).Decode(&first)
	resp.Body.Close()
	if resp.StatusCode != 200 || first.Session == "" {
		t.Fatalf("a's session cookie on b: %d", resp.StatusCode)
	}

	// The conversation started on b continues on a.
	body, _ := json.Marshal(map[string]string{"session": first.Session, "message": "那要道歉吗？"})
	resp, err = client.Post(a+"/v1/chat", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var next struct{ Session string }
	_ = json.NewDecoder(resp.Body).Decode(&next)
	resp.Body.Close()
	if next.Session != first.Session {
		t.Errorf("the conversation did not continue on the other replica: %q then %q", first.Session, next.Session)
	}

	// A user added on a signs in on b.
	resp, err = client.Post(a+"/v1/users", "application/json",
		strings.NewReader(`{"username":"zhaolei","password":"zhaolei-password","roles":["trainee"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("add a user on a: %d", resp.StatusCode)
	}
	resp, err = http.Post(b+"/v1/auth/token", "application/json", strings.NewReader(`{"username":"zhaolei","password":"zhaolei-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the new user signing in on b: %d", resp.StatusCode)
	}
	zhaolei := &http.Client{Transport: bearer{tok.Token, http.DefaultTransport}}

	// A permission set on a holds on b, from the next request.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("collection", "内部")
	fw, _ := w.CreateFormFile("file", "延期说明.md")
	_, _ = fw.Write([]byte("# 水厂延期说明\n\n设备采购流标，改造延期两个月。\n"))
	_ = w.Close()
	resp, err = client.Post(a+"/v1/documents", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sees := func() bool {
		t.Helper()
		resp, err := zhaolei.Get(b + "/v1/search?q=" + url.QueryEscape("设备采购流标"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), "流标")
	}
	if sees() {
		t.Errorf("a trainee sees a collection nobody gave them")
	}
	resp, err = client.Do(func() *http.Request {
		req, _ := http.NewRequest("PUT", a+"/v1/collections/"+url.PathEscape("内部")+"/readers", strings.NewReader(`{"roles":["trainee"],"users":[]}`))
		req.Header.Set("Content-Type", "application/json")
		return req
	}())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !sees() {
		t.Errorf("readers set on a (%d) do not hold on b", resp.StatusCode)
	}
}

// TestServeSubmissions: on PostgreSQL, an administrator's submission is
// approved by a reviewer and is 可发布 with its text; two reviewers
// deciding on the same state: one wins, the other gets 409.
func TestServeSubmissions(t *testing.T) {
	t.Parallel()
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(t)["DATABASE_URL"]
	base := mustServe(t, cfg)
	admin := apiClient(t, base)
	tokens := map[string]*http.Client{}
	for _, name := range []string{"reviewer1", "reviewer2"} {
		tokens[name] = &http.Client{Transport: bearer{newUser(t, base, admin, name, "reviewer"), http.DefaultTransport}}
	}
	resp, err := admin.Post(base+"/v1/submissions", "application/json", strings.NewReader(
		`{"post":"路灯坏了一周了","kind":"reply","text":"您好，给您添麻烦了。维修班组明天上午到现场更换灯具，修好后在这里告诉您；有问题请拨打12345。"}`))
	if err != nil {
		t.Fatal(err)
	}
	var sub struct {
		ID      int64
		Version int
	}
	_ = json.NewDecoder(resp.Body).Decode(&sub)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	body := fmt.Sprintf(`{"decision":"approve","version":%d,"checks":{"political":true,"legal":true,"policy":true,"secrecy":true,"wording":true}}`, sub.Version)
	codes := make(chan int, 2)
	var wg sync.WaitGroup
	for _, c := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Post(fmt.Sprintf("%s/v1/submissions/%d/decisions", base, sub.ID), "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	var got []int
	for c := range codes {
		got = append(got, c)
	}
	slices.Sort(got)
	if fmt.Sprint(got) != "[200 409]" {
		t.Errorf("two concurrent decisions: %v", got)
	}
	resp, err = admin.Get(fmt.Sprintf("%s/v1/submissions/%d", base, sub.ID))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"status":"approved"`) {
		t.Errorf("after approval: %.300s", b)
	}
}
