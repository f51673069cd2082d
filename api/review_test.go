package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"govreply/api"
	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge/builtin"
	"govreply/review"
)

// phraseCheck flags 无可奉告 wherever it occurs: a stand-in for the real
// checks, so these tests pin down only the HTTP layer.
type phraseCheck struct{}

func (phraseCheck) Check(d *review.Draft) []review.Finding {
	i := strings.Index(d.Text, "无可奉告")
	if i < 0 {
		return nil
	}
	start := utf8.RuneCountInString(d.Text[:i])
	s, e, ex := d.Span(start, start+4)
	return []review.Finding{{Rule: "stonewalling.no-comment", Category: "stonewalling", Severity: review.SeverityError,
		Start: s, End: e, Excerpt: ex, Message: "拒绝沟通", Suggestion: "说能说的部分",
		Source: review.Source{Doc: "tone-vague-time-words", Section: "小节"}}}
}

func newReviewServer(t *testing.T, rv *review.Reviewer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{Reviewer: rv}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func postReview(t *testing.T, url, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return post(t, context.Background(), url+"/v1/review", contentType, body)
}

// post sends body to url with contentType ("" sends none) and returns the
// response with its body read.
func post(t *testing.T, ctx context.Context, url, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestReview(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, review.NewWithChecks(phraseCheck{}))
	resp, body := postReview(t, srv.URL, "application/json; charset=utf-8",
		jsonBody(t, map[string]string{"text": "您好，这件事无可奉告。", "kind": "reply"}))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatal(err)
	}
	if got := keys(obj); !slices.Equal(got, []string{"findings", "kind", "length", "limit", "pass", "score"}) {
		t.Fatalf("review keys %v: %s", got, body)
	}
	var rv struct {
		Kind     string
		Length   int
		Limit    int
		Score    int
		Pass     bool
		Findings []map[string]any
	}
	json.Unmarshal(body, &rv)
	if rv.Kind != "reply" || rv.Limit != 2000 || rv.Length != 11 || rv.Pass || rv.Score >= 100 || len(rv.Findings) != 1 {
		t.Fatalf("review %s", body)
	}
	f := rv.Findings[0]
	want := []string{"category", "end", "excerpt", "message", "rule", "severity", "source", "start", "suggestion"}
	if got := keys(f); !slices.Equal(got, want) {
		t.Fatalf("finding keys %v", got)
	}
	if f["start"] != 6.0 || f["end"] != 10.0 || f["excerpt"] != "无可奉告" {
		t.Fatalf("finding %v", f)
	}

	// kind defaults to comment; a clean draft passes with an empty list.
	resp, body = postReview(t, srv.URL, "application/json", strings.NewReader(`{"text":"您好，已修好。"}`))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"kind":"comment"`) || !strings.Contains(string(body), `"limit":140`) ||
		!strings.Contains(string(body), `"pass":true`) || !strings.Contains(string(body), `"findings":[]`) {
		t.Fatalf("default kind: %d %s", resp.StatusCode, body)
	}

	// The longest draft fits the body limit even with every character
	// escaped as a surrogate pair.
	long, _ := json.Marshal(strings.Repeat("😀", review.MaxRunes))
	long = bytes.ReplaceAll(long, []byte("😀"), []byte(`\ud83d\ude00`))
	resp, body = postReview(t, srv.URL, "application/json", strings.NewReader(`{"text":`+string(long)+`,"kind":"post"}`))
	if resp.StatusCode != 200 {
		t.Fatalf("%d-character draft, fully escaped: %d %.300s", review.MaxRunes, resp.StatusCode, body)
	}
}

// builtinReviewer is the reviewer the service builds: the built-in phrase
// lists and the embedded rules.
func builtinReviewer(t *testing.T) *review.Reviewer {
	t.Helper()
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		t.Fatal(err)
	}
	rv, err := review.New(review.Options{Phrases: files})
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

// TestReviewBuiltin answers from the reviewer the service builds (the
// built-in phrase lists); it asserts the shape, not what is found.
func TestReviewBuiltin(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, builtinReviewer(t))
	resp, body := postReview(t, srv.URL, "application/json", jsonBody(t, map[string]string{"text": "您好，我们会尽快处理。"}))
	var out struct {
		Pass     *bool
		Findings []any
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || out.Pass == nil || out.Findings == nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// TestReviewContext: the citizen's post and the class reach the reviewer,
// which fits its warnings to them: praise needs thanks, not a timeline;
// a reply that skips the citizen's question is off topic.
func TestReviewContext(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, builtinReviewer(t))
	categories := func(body map[string]string) []string {
		t.Helper()
		resp, out := postReview(t, srv.URL, "application/json", jsonBody(t, body))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
		var r review.Review
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		var cats []string
		for _, f := range r.Findings {
			cats = append(cats, f.Category)
		}
		return cats
	}
	thanks := "谢谢您的肯定！您的表扬我们已转达给城南派出所的值班民警。"
	if got := categories(map[string]string{"text": thanks, "kind": "comment", "class": "表扬"}); len(got) != 0 {
		t.Errorf("praise, class given: %v, want no finding", got)
	}
	if got := categories(map[string]string{"text": thanks, "kind": "comment", "post": "昨晚钱包丢了，派出所民警两个小时就帮我找回来了，必须点赞！"}); len(got) != 0 {
		t.Errorf("praise, post given: %v, want no finding", got)
	}
	post := "社保卡丢了，补办要多久？能不能在网上办？我人在外地，一时半会回不去。"
	reply := "您好，给您添麻烦了。社保卡补办请携带身份证原件到就近的社保卡服务网点办理，现场即可制卡领取，有疑问可拨打12333。"
	if got := categories(map[string]string{"text": reply, "kind": "reply", "post": post}); !slices.Contains(got, "off_topic") {
		t.Errorf("a reply that skips “能不能在网上办”: %v, want off_topic", got)
	}
	if got := categories(map[string]string{"text": reply, "kind": "reply"}); slices.Contains(got, "off_topic") {
		t.Errorf("without the post: %v, want no off_topic", got)
	}
}

// TestReviewEscapes: a surrogate pair and an escaped backslash before "u"
// are valid JSON text, reviewed as usual.
func TestReviewEscapes(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, review.NewWithChecks())
	for _, body := range []string{`{"text":"草稿\ud83d\ude00"}`, `{"text":"C:\\ud800"}`, `{"text":"引号\"和\\"}`} {
		resp, out := postReview(t, srv.URL, "application/json", strings.NewReader(body))
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %.200s", body, resp.StatusCode, out)
		}
	}
}

func TestReviewErrors(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, review.NewWithChecks(phraseCheck{}))
	huge := `{"text":"` + strings.Repeat("长", api.ReviewMaxBody/3+1) + `"}`
	tests := []struct {
		name        string
		contentType string
		body        io.Reader
		status      int
		code        errs.Code
	}{
		{"unknown kind", "application/json", strings.NewReader(`{"text":"草稿","kind":"weibo"}`), 400, review.CodeInvalidKind},
		{"empty text", "application/json", strings.NewReader(`{"text":"","kind":"comment"}`), 400, review.CodeEmptyText},
		{"blank text", "application/json", strings.NewReader(`{"text":" \n\t "}`), 400, review.CodeEmptyText},
		{"no text", "application/json", strings.NewReader(`{"kind":"post"}`), 400, review.CodeEmptyText},
		{"null text", "application/json", strings.NewReader(`{"text":null}`), 400, review.CodeEmptyText},
		{"invalid UTF-8", "application/json", strings.NewReader("{\"text\":\"\xff\xfe草稿\"}"), 400, review.CodeInvalidText},
		{"lone high surrogate", "application/json", strings.NewReader(`{"text":"草稿\ud800"}`), 400, review.CodeInvalidText},
		{"lone low surrogate", "application/json", strings.NewReader(`{"text":"\udc00草稿"}`), 400, review.CodeInvalidText},
		{"high surrogate then text", "application/json", strings.NewReader(`{"text":"\ud83d\u0041"}`), 400, review.CodeInvalidText},
		{"text too long", "application/json", jsonBody(t, map[string]string{"text": strings.Repeat("长", review.MaxRunes+1)}), 413, review.CodeTooLong},
		{"body too large", "application/json", strings.NewReader(huge), 413, "too_large"},
		{"body too large, no length", "application/json", io.MultiReader(strings.NewReader(huge)), 413, "too_large"},
		{"not JSON", "application/json", strings.NewReader(`text=草稿`), 400, "invalid_input"},
		{"truncated JSON", "application/json", strings.NewReader(`{"text":"草稿"`), 400, "invalid_input"},
		{"empty body", "application/json", strings.NewReader(``), 400, "invalid_input"},
		{"array", "application/json", strings.NewReader(`["草稿"]`), 400, "invalid_input"},
		{"text not a string", "application/json", strings.NewReader(`{"text":123}`), 400, "invalid_input"},
		{"unknown field", "application/json", strings.NewReader(`{"txt":"草稿"}`), 400, "invalid_input"},
		{"two objects", "application/json", strings.NewReader(`{"text":"草稿"}{"text":"草稿"}`), 400, "invalid_input"},
		{"unknown class", "application/json", strings.NewReader(`{"text":"草稿","class":"吐槽"}`), 400, review.CodeInvalidClass},
		{"post too long", "application/json", jsonBody(t, map[string]string{"text": "草稿", "post": strings.Repeat("长", review.MaxRunes+1)}), 413, review.CodePostTooLong},
		{"post not a string", "application/json", strings.NewReader(`{"text":"草稿","post":1}`), 400, "invalid_input"},
		{"plain text", "text/plain", strings.NewReader(`{"text":"草稿"}`), 415, "unsupported_format"},
		{"form", "application/x-www-form-urlencoded", strings.NewReader(`text=草稿`), 415, "unsupported_format"},
		{"no content type", "", strings.NewReader(`{"text":"草稿"}`), 415, "unsupported_format"},
		{"not UTF-8 charset", "application/json; charset=gbk", strings.NewReader(`{"text":"草稿"}`), 415, "unsupported_format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postReview(t, srv.URL, tt.contentType, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			var e errBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not the error shape: %.300s", body)
			}
			if e.Error.Code != tt.code || e.Error.Message == "" || !utf8.ValidString(e.Error.Message) {
				t.Fatalf("error %+v, want code %s with a message", e.Error, tt.code)
			}
		})
	}
}

func TestReviewRouteAndMetrics(t *testing.T) {
	t.Parallel()
	srv := newReviewServer(t, review.NewWithChecks())
	resp, body := get(t, srv.URL+"/v1/review")
	if resp.StatusCode != 405 || !strings.Contains(string(body), "method_not_allowed") {
		t.Fatalf("GET /v1/review: %d %s", resp.StatusCode, body)
	}
	postReview(t, srv.URL, "application/json", strings.NewReader(`{"text":"您好"}`))
	postReview(t, srv.URL, "text/plain", strings.NewReader(`您好`))
	wantMetrics(t, srv.URL,
		`govreply_http_requests_total{code="200",method="POST",route="/v1/review"} 1`,
		`govreply_http_requests_total{code="415",method="POST",route="/v1/review"} 1`)

	// Without a reviewer the route says the service is unavailable.
	srv = newReviewServer(t, nil)
	resp, body = postReview(t, srv.URL, "application/json", strings.NewReader(`{"text":"您好"}`))
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"code":"unavailable"`) {
		t.Fatalf("no reviewer: %d %s", resp.StatusCode, body)
	}
}
