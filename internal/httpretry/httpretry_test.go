package httpretry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/internal/httpretry"
	"govreply/internal/httpretry/retrytest"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name, value string
		want        time.Duration
	}{
		{"absent", "", 0},
		{"zero seconds", "0", 0},
		{"seconds", "5", 5 * time.Second},
		{"minutes of seconds", "120", 2 * time.Minute},
		{"largest seconds", "9223372036", 9223372036 * time.Second},
		{"negative", "-1", 0},
		{"too large for a duration", "9223372037", 0},
		{"wraps around", "18446744074", 0},
		{"too large for an int", "99999999999999999999", 0},
		{"fraction", "1.5", 0},
		{"words", "soon", 0},
		{"IMF-fixdate", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"RFC 850 date", now.Add(time.Hour).Format(time.RFC850), time.Hour},
		{"asctime date", now.Add(10 * time.Second).Format(time.ANSIC), 10 * time.Second},
		{"date now", now.Format(http.TimeFormat), 0},
		{"date past", now.Add(-5 * time.Second).Format(http.TimeFormat), 0},
		{"malformed date", "Thu, 02 Jan 2025 03:04", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if c.value != "" {
				h.Set("Retry-After", c.value)
			}
			if got := httpretry.RetryAfter(h, now); got != c.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", c.value, got, c.want)
			}
		})
	}
	t.Run("nil header", func(t *testing.T) {
		t.Parallel()
		if got := httpretry.RetryAfter(nil, now); got != 0 {
			t.Errorf("RetryAfter(nil) = %v, want 0", got)
		}
	})
}

func TestRetriesCount(t *testing.T) {
	t.Parallel()
	cases := []struct{ n, def, want int }{
		{0, 3, 3},
		{0, 0, 0},
		{1, 3, 1},
		{7, 3, 7},
		{-1, 3, 0},
		{-100, 5, 0},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.n)+"/"+strconv.Itoa(c.def), func(t *testing.T) {
			t.Parallel()
			if got := httpretry.Retries(c.n, c.def); got != c.want {
				t.Errorf("Retries(%d, %d) = %d, want %d", c.n, c.def, got, c.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		want   bool
	}{
		{200, false}, {301, false}, {400, false}, {401, false}, {404, false}, {408, false},
		{429, true}, {500, true}, {502, true}, {503, true}, {504, true},
	}
	for _, c := range cases {
		if got := httpretry.Retryable(c.status); got != c.want {
			t.Errorf("Retryable(%d) = %v, want %v", c.status, got, c.want)
		}
	}
}

// roundTripper is an http.RoundTripper made of a function.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// namedRT is a transport that fails with its name.
type namedRT struct{ name string }

func (n *namedRT) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New(n.name) }

func TestNewClient(t *testing.T) {
	t.Parallel()
	callerRT, baseRT := &namedRT{"caller"}, &namedRT{"base"}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	redirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cases := []struct {
		name     string
		client   *http.Client
		wantBase string // the name of the transport the retrier sends through
	}{
		{"nil client", nil, "base"},
		{"client without transport", &http.Client{Timeout: time.Minute, Jar: jar, CheckRedirect: redirect}, "base"},
		{"client with transport", &http.Client{Transport: callerRT, Timeout: time.Minute, Jar: jar}, "caller"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var before http.Client
			if c.client != nil {
				before = *c.client
			}
			out := httpretry.NewClient(c.client, baseRT, httpretry.Transport{Retries: 2, StripAuth: true})
			if out == nil || out == c.client {
				t.Fatalf("NewClient returned %p for %p, want a new client", out, c.client)
			}
			if c.client != nil {
				if c.client.Transport != before.Transport || c.client.Timeout != before.Timeout || c.client.Jar != before.Jar ||
					(c.client.CheckRedirect == nil) != (before.CheckRedirect == nil) {
					t.Errorf("the caller's client changed: %+v, was %+v", *c.client, before)
				}
				if out.Timeout != before.Timeout || out.Jar != before.Jar || (out.CheckRedirect == nil) != (before.CheckRedirect == nil) {
					t.Errorf("settings not copied: %+v from %+v", *out, before)
				}
			}
			tr, ok := out.Transport.(*httpretry.Transport)
			if !ok {
				t.Fatalf("transport %T, want *httpretry.Transport", out.Transport)
			}
			if tr.Retries != 2 || !tr.StripAuth {
				t.Errorf("transport settings lost: %+v", tr)
			}
			if n, ok := tr.Base.(*namedRT); !ok || n.name != c.wantBase {
				t.Errorf("base transport %v, want %q", tr.Base, c.wantBase)
			}
		})
	}
}

// step is what the fake server does on one attempt: answer with status
// (and header and body), or fail with err.
type step struct {
	status int
	header http.Header
	body   string
	err    error
}

// script is a fake model server that plays its steps one per attempt and
// records every request it receives.
type script struct {
	steps []step
	// during, when set, runs inside each attempt (to cancel the caller).
	during func(attempt int, r *http.Request)

	mu     sync.Mutex
	bodies []string
	auth   []string
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	n := len(s.bodies)
	body := ""
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		body = string(b)
		if r.ContentLength != int64(len(b)) {
			body += " (wrong Content-Length " + strconv.FormatInt(r.ContentLength, 10) + ")"
		}
	}
	s.bodies = append(s.bodies, body)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	if s.during != nil {
		s.during(n, r)
	}
	st := s.steps[min(n, len(s.steps)-1)]
	if st.err != nil {
		return nil, st.err
	}
	h := st.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: st.status, Header: h, Body: io.NopCloser(strings.NewReader(st.body)), Request: r}, nil
}

func (s *script) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// sleeps records the waits of a Transport without waiting.
type sleeps = retrytest.Sleeps

var errNet = errors.New("connection refused")

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		retries    int
		steps      []step
		attempts   int
		wantStatus int   // 0: an error is expected
		wantErr    error // with wantStatus 0
		wantBody   string
	}{
		{"ok", 2, []step{{status: 200, body: "ok"}}, 1, 200, nil, "ok"},
		{"503 then ok", 2, []step{{status: 503}, {status: 200, body: "ok"}}, 2, 200, nil, "ok"},
		{"429 then ok", 2, []step{{status: 429}, {status: 200, body: "ok"}}, 2, 200, nil, "ok"},
		{"network error then ok", 2, []step{{err: errNet}, {status: 200, body: "ok"}}, 2, 200, nil, "ok"},
		{"last answer handed over", 2, []step{{status: 500, body: "1"}, {status: 502, body: "2"}, {status: 503, body: "服务繁忙"}}, 3, 503, nil, "服务繁忙"},
		{"no retries", 0, []step{{status: 500, body: "down"}}, 1, 500, nil, "down"},
		{"4xx not retried", 3, []step{{status: 400, body: "bad"}}, 1, 400, nil, "bad"},
		{"404 not retried", 3, []step{{status: 404}}, 1, 404, nil, ""},
		{"network errors to the end", 2, []step{{err: errNet}}, 3, 0, errNet, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := &script{steps: c.steps}
			sl := &sleeps{}
			tr := &httpretry.Transport{Base: srv, Retries: c.retries, Sleep: sl.Sleep}
			resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, "http://model.local/", nil))
			if got := srv.attempts(); got != c.attempts {
				t.Errorf("%d attempts, want %d", got, c.attempts)
			}
			if len(sl.Waits()) != c.attempts-1 {
				t.Errorf("%d waits, want %d", len(sl.Waits()), c.attempts-1)
			}
			if c.wantStatus == 0 {
				if resp != nil || !errors.Is(err, c.wantErr) {
					t.Fatalf("got %v, %v; want error %v", resp, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.wantStatus || string(b) != c.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, b, c.wantStatus, c.wantBody)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	ra := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	cases := []struct {
		name   string
		jitter float64
		steps  []step
		want   []time.Duration
	}{
		{"doubling, least jitter", 0, []step{{status: 503}, {err: errNet}, {status: 429}, {status: 200}},
			[]time.Duration{100 * ms, 200 * ms, 400 * ms}},
		{"doubling, most jitter", 0.5, []step{{status: 503}, {status: 503}, {status: 200}},
			[]time.Duration{150 * ms, 300 * ms}},
		{"capped", 0, []step{{status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 200}},
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, httpretry.BackoffMax / 2}},
		{"Retry-After lengthens", 0, []step{{status: 429, header: ra("5")}, {status: 200}}, []time.Duration{5 * time.Second}},
		{"Retry-After capped", 0, []step{{status: 503, header: ra("120")}, {status: 200}}, []time.Duration{httpretry.RetryAfterMax}},
		{"Retry-After shorter than backoff", 0, []step{{status: 503, header: ra("0")}, {status: 200}}, []time.Duration{100 * ms}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sl := &sleeps{}
			tr := &httpretry.Transport{Base: &script{steps: c.steps}, Retries: 10, Sleep: sl.Sleep,
				Jitter: func() float64 { return c.jitter }}
			resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, "http://model.local/", nil))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if !slices.Equal(sl.Waits(), c.want) {
				t.Errorf("waits %v, want %v", sl.Waits(), c.want)
			}
		})
	}
}

// TestState: a State in the request's context holds the last attempt,
// its Retry-After included.
func TestState(t *testing.T) {
	t.Parallel()
	ra := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	cases := []struct {
		name    string
		retries int
		steps   []step
		want    httpretry.Attempt // NetErr compared with errors.Is
	}{
		{"first attempt", 2, []step{{status: 200}}, httpretry.Attempt{Status: 200}},
		{"after a retry", 2, []step{{status: 503, header: ra("7")}, {status: 200}}, httpretry.Attempt{Retry: 1, Status: 200}},
		{"Retry-After of the last answer", 0, []step{{status: 429, header: ra("7")}}, httpretry.Attempt{Status: 429, RetryAfter: 7 * time.Second}},
		{"the last Retry-After wins", 1, []step{{status: 503, header: ra("3")}, {status: 503, header: ra("4")}}, httpretry.Attempt{Retry: 1, Status: 503, RetryAfter: 4 * time.Second}},
		{"network error clears the answer", 1, []step{{status: 503, header: ra("9")}, {err: errNet}}, httpretry.Attempt{Retry: 1, NetErr: errNet}},
		{"Retry-After on success", 0, []step{{status: 200, header: ra("2")}}, httpretry.Attempt{Status: 200, RetryAfter: 2 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := &httpretry.State{}
			sl := &sleeps{}
			tr := &httpretry.Transport{Base: &script{steps: c.steps}, Retries: c.retries, Sleep: sl.Sleep}
			req := httptest.NewRequest(http.MethodGet, "http://model.local/", nil)
			resp, err := tr.RoundTrip(req.WithContext(httpretry.WithState(req.Context(), st)))
			if err == nil {
				resp.Body.Close()
			}
			got := st.Snapshot()
			if !errors.Is(got.NetErr, c.want.NetErr) || (got.NetErr == nil) != (c.want.NetErr == nil) {
				t.Errorf("NetErr %v, want %v", got.NetErr, c.want.NetErr)
			}
			got.NetErr, c.want.NetErr = nil, nil
			if got != c.want {
				t.Errorf("state %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestStateRetryAfterDate: a Retry-After given as an HTTP date is
// recorded as the time from when the answer arrived.
func TestStateRetryAfterDate(t *testing.T) {
	t.Parallel()
	st := &httpretry.State{}
	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat) // whole seconds: 59–60 s away
	tr := &httpretry.Transport{Base: &script{steps: []step{{status: 503, header: http.Header{"Retry-After": {date}}}}}}
	req := httptest.NewRequest(http.MethodGet, "http://model.local/", nil)
	resp, err := tr.RoundTrip(req.WithContext(httpretry.WithState(req.Context(), st)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := st.Snapshot().RetryAfter; got < 58*time.Second || got > time.Minute {
		t.Errorf("RetryAfter %v, want about a minute", got)
	}
}

// TestStateTimeout: an attempt cut by the per-attempt timeout, while
// waiting for the answer or while reading its body, is recorded as
// timed out; the caller's own deadline is not.
func TestStateTimeout(t *testing.T) {
	t.Parallel()
	hang := roundTripper(func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	slowBody := roundTripper(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: ctxReader{r.Context()}, Request: r}, nil
	})
	cases := []struct {
		name      string
		base      http.RoundTripper
		timeout   time.Duration // per attempt
		deadline  time.Duration // of the caller's context; 0: none
		readBody  bool
		wantTO    bool
		wantErr   bool
		wantState int // status recorded
	}{
		{"answer too slow", hang, 20 * time.Millisecond, 0, false, true, true, 0},
		{"body too slow", slowBody, 20 * time.Millisecond, 0, true, true, false, 200},
		{"caller's deadline", hang, 0, 20 * time.Millisecond, false, false, true, 0},
		{"caller's deadline while reading", slowBody, 0, 20 * time.Millisecond, true, false, false, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if c.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.deadline)
				defer cancel()
			}
			st := &httpretry.State{}
			tr := &httpretry.Transport{Base: c.base, Timeout: c.timeout}
			req := httptest.NewRequest(http.MethodGet, "http://model.local/", nil)
			resp, err := tr.RoundTrip(req.WithContext(httpretry.WithState(ctx, st)))
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want one: %v", err, c.wantErr)
			}
			if resp != nil {
				_, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr == nil {
					t.Errorf("reading the body succeeded, want its deadline")
				}
			}
			got := st.Snapshot()
			if got.TimedOut != c.wantTO || got.Status != c.wantState {
				t.Errorf("state %+v, want TimedOut %v, Status %d", got, c.wantTO, c.wantState)
			}
		})
	}
}

// ctxReader is a body that blocks until its context ends.
type ctxReader struct{ ctx context.Context }

func (r ctxReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

func (ctxReader) Close() error { return nil }

func TestNilState(t *testing.T) {
	t.Parallel()
	var st *httpretry.State
	if got := st.Snapshot(); got != (httpretry.Attempt{}) {
		t.Errorf("nil State snapshot %+v", got)
	}
	tr := &httpretry.Transport{Base: &script{steps: []step{{status: 503}, {status: 200}}}, Retries: 1, Sleep: (&sleeps{}).Sleep}
	req := httptest.NewRequest(http.MethodGet, "http://model.local/", nil)
	resp, err := tr.RoundTrip(req.WithContext(httpretry.WithState(req.Context(), st)))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("with a nil State: %v, %v", resp, err)
	}
	resp.Body.Close()
}

// TestCallerContextEnds: once the caller's context has ended, nothing is
// retried.
func TestCallerContextEnds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		step step
		// cancelIn: "attempt" cancels the caller during the first attempt,
		// "sleep" during the wait after it.
		cancelIn   string
		wantStatus int // 0: an error is expected
	}{
		{"answer after cancel", step{status: 503}, "attempt", 503},
		{"network error after cancel", step{err: errNet}, "attempt", 0},
		{"cancel during the wait", step{status: 503}, "sleep", 0},
		{"cancel during the wait after an error", step{err: errNet}, "sleep", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := &script{steps: []step{c.step, {status: 200}}}
			if c.cancelIn == "attempt" {
				srv.during = func(int, *http.Request) { cancel() }
			}
			// The wait itself ignores the context unless it cancels it, so
			// that the transport's own checks are what stops the retries.
			tr := &httpretry.Transport{Base: srv, Retries: 3, Sleep: func(ctx context.Context, d time.Duration) error {
				if c.cancelIn == "sleep" {
					cancel()
					return ctx.Err()
				}
				return nil
			}}
			req := httptest.NewRequest(http.MethodGet, "http://model.local/", nil).WithContext(ctx)
			resp, err := tr.RoundTrip(req)
			if n := srv.attempts(); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
			if c.wantStatus == 0 {
				if resp != nil || err == nil {
					t.Fatalf("got %v, %v; want an error", resp, err)
				}
				if c.cancelIn == "sleep" && !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
				return
			}
			if err != nil || resp.StatusCode != c.wantStatus {
				t.Fatalf("got %v, %v; want status %d", resp, err, c.wantStatus)
			}
			resp.Body.Close()
		})
	}
}

// TestRealSleepHonoursContext: the default Sleep stops waiting when the
// caller's context ends, even when Retry-After asks for longer.
func TestRealSleepHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	srv := &script{steps: []step{{status: 503, header: http.Header{"Retry-After": {"30"}}}, {status: 200}}}
	tr := &httpretry.Transport{Base: srv, Retries: 3}
	start := time.Now()
	resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, "http://model.local/", nil).WithContext(ctx))
	if resp != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v; want the caller's deadline", resp, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	if n := srv.attempts(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits", context.Background(), time.Millisecond, nil},
		{"zero", context.Background(), 0, nil},
		{"context ended", canceled, time.Hour, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := httpretry.Sleep(c.ctx, c.d); !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
				t.Errorf("Sleep = %v, want %v", err, c.want)
			}
		})
	}
}

// TestBodyResent: every attempt sends the whole request body with its
// length, and StripAuth removes the Authorization header from each
// without touching the caller's request.
func TestBodyResent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		body      io.Reader
		stripAuth bool
		wantBody  string
		wantAuth  string
	}{
		{"body", strings.NewReader(`{"input":"市民热线"}`), false, `{"input":"市民热线"}`, "Bearer k"},
		{"no body", nil, false, "", "Bearer k"},
		{"no body either", http.NoBody, false, "", "Bearer k"},
		{"strip auth", strings.NewReader("x"), true, "x", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := &script{steps: []step{{status: 503}, {err: errNet}, {status: 200}}}
			tr := &httpretry.Transport{Base: srv, Retries: 2, StripAuth: c.stripAuth, Sleep: (&sleeps{}).Sleep}
			req := httptest.NewRequest(http.MethodPost, "http://model.local/v1/embeddings", c.body)
			req.Header.Set("Authorization", "Bearer k")
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := []string{c.wantBody, c.wantBody, c.wantBody}
			if !slices.Equal(srv.bodies, want) {
				t.Errorf("bodies %q, want %q", srv.bodies, want)
			}
			if wantAuth := []string{c.wantAuth, c.wantAuth, c.wantAuth}; !slices.Equal(srv.auth, wantAuth) {
				t.Errorf("Authorization %q, want %q", srv.auth, wantAuth)
			}
			if req.Header.Get("Authorization") != "Bearer k" {
				t.Errorf("the caller's header changed")
			}
		})
	}
}

// TestClientEndToEnd: through NewClient and a real HTTP server, a POST
// that fails twice arrives three times with its body.
func TestClientEndToEnd(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		n := len(got)
		mu.Unlock()
		if n < 3 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer ts.Close()
	c := httpretry.NewClient(ts.Client(), nil, httpretry.Transport{Retries: 2, Timeout: 5 * time.Second,
		Sleep: (&sleeps{}).Sleep})
	st := &httpretry.State{}
	req, err := http.NewRequestWithContext(httpretry.WithState(context.Background(), st), http.MethodPost, ts.URL, strings.NewReader("请求体"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "ok" {
		t.Fatalf("body %q, %v", b, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"请求体", "请求体", "请求体"}; !slices.Equal(got, want) {
		t.Errorf("server got %q, want %q", got, want)
	}
	if a := st.Snapshot(); a.Retry != 2 || a.Status != 200 {
		t.Errorf("state %+v, want retry 2, status 200", a)
	}
}
