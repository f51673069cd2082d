// Package httpretry is the retrying HTTP transport of the model clients
// (embedding providers in ingest/embed, language models in bot): each
// attempt is bounded by a timeout, and 429, 5xx, timeouts and network
// errors are retried with exponential backoff and jitter, honouring
// Retry-After. It never retries once the request's own context has ended,
// and never retries other 4xx. After the last attempt the server's
// response (or error) is handed to the client unchanged, so the client's
// error messages stay intact; a State in the request's context tells the
// caller what happened on the wire.
package httpretry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Backoff schedule: attempt n (from 0) waits a random time in [d/2, d)
// with d = BackoffBase·2ⁿ, capped at BackoffMax. A Retry-After header
// (seconds or HTTP date) lengthens the wait, up to RetryAfterMax.
const (
	BackoffBase   = 200 * time.Millisecond
	BackoffMax    = 10 * time.Second
	RetryAfterMax = 30 * time.Second
)

// stateKey carries a *State in a request's context.
type stateKey struct{}

// State records the last attempt of a call. Put one in the request's
// context with WithState to learn what happened on the wire. A nil
// *State is valid and records nothing.
type State struct {
	mu       sync.Mutex
	retry    int   // retries made for the last request (0 = first attempt)
	status   int   // status of the last attempt; 0 when it got no response
	netErr   error // transport error of the last attempt
	timedOut bool  // the last attempt hit the per-attempt timeout
	// retryAfter is the last response's Retry-After, 0 when absent.
	retryAfter time.Duration
}

// Attempt is a snapshot of a State.
type Attempt struct {
	Retry    int   // retries made (0 = first attempt)
	Status   int   // HTTP status; 0 when no response arrived
	NetErr   error // transport error, when no response arrived
	TimedOut bool  // the attempt hit the per-attempt timeout
	// RetryAfter is the response's Retry-After (seconds or an HTTP date,
	// as a duration from when it arrived); 0 when it had none.
	RetryAfter time.Duration
}

// WithState returns ctx carrying st for the transport to record into.
func WithState(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// Snapshot returns the last attempt recorded.
func (s *State) Snapshot() Attempt {
	if s == nil {
		return Attempt{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return Attempt{Retry: s.retry, Status: s.status, NetErr: s.netErr, TimedOut: s.timedOut, RetryAfter: s.retryAfter}
}

func (s *State) record(retry, status int, netErr error, timedOut bool, retryAfter time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retry, s.status, s.netErr, s.timedOut, s.retryAfter = retry, status, netErr, timedOut, retryAfter
}

func (s *State) markTimedOut() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timedOut = true
}

// Transport is the retrying http.RoundTripper.
type Transport struct {
	// Base sends each attempt. Required.
	Base http.RoundTripper
	// Retries is how many times a request is retried (0: never).
	Retries int
	// Timeout bounds each attempt, including reading its body; 0 means
	// only the request's context bounds it.
	Timeout time.Duration
	// StripAuth removes the Authorization header (for clients that insist
	// on a token when the server needs none).
	StripAuth bool
	// Sleep waits between attempts; nil means a real, ctx-aware sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); nil means math/rand.
	Jitter func() float64
}

// NewClient copies c (nil: a zero client), never modifying it, and puts t
// in front of its transport (nil: base, which must then be set).
func NewClient(c *http.Client, base http.RoundTripper, t Transport) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
		if c.Transport != nil {
			base = c.Transport
		}
	}
	t.Base = base
	out.Transport = &t
	return out
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	st, _ := parent.Value(stateKey{}).(*State)
	sleep, jitter := t.Sleep, t.Jitter
	if sleep == nil {
		sleep = Sleep
	}
	if jitter == nil {
		jitter = rand.Float64
	}

	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		ctx, cancel := t.attemptContext(parent)
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		if t.StripAuth {
			r.Header.Del("Authorization")
		}

		resp, err := t.Base.RoundTrip(r)
		if err != nil {
			timedOut := parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded)
			cancel()
			st.record(attempt, 0, err, timedOut, 0)
			if parent.Err() != nil || attempt >= t.Retries {
				return nil, err
			}
			if serr := sleep(parent, backoff(attempt, nil, jitter)); serr != nil {
				return nil, serr
			}
			continue
		}

		st.record(attempt, resp.StatusCode, nil, false, RetryAfter(resp.Header, time.Now()))
		if Retryable(resp.StatusCode) && attempt < t.Retries && parent.Err() == nil {
			wait := backoff(attempt, resp.Header, jitter)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			cancel()
			if serr := sleep(parent, wait); serr != nil {
				return nil, serr
			}
			continue
		}
		resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, parent: parent, cancel: cancel, st: st}
		return resp, nil
	}
}

// attemptContext is the context of one attempt: parent bounded by the
// attempt timeout, when there is one.
func (t *Transport) attemptContext(parent context.Context) (context.Context, context.CancelFunc) {
	if t.Timeout > 0 {
		return context.WithTimeout(parent, t.Timeout)
	}
	return context.WithCancel(parent)
}

// readBody buffers the request body so every attempt can resend it.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// Retryable reports whether a response status is worth retrying: 429 and
// 5xx.
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// backoff is the wait before retry number attempt+1.
func backoff(attempt int, h http.Header, jitter func() float64) time.Duration {
	d := BackoffBase << min(attempt, 16)
	if d > BackoffMax || d <= 0 {
		d = BackoffMax
	}
	d = d/2 + time.Duration(jitter()*float64(d/2))
	if ra := RetryAfter(h, time.Now()); ra > d {
		d = min(ra, RetryAfterMax)
	}
	return d
}

// RetryAfter parses a Retry-After header: delay-seconds or an HTTP-date.
// It returns 0 when absent or unusable (negative, or more seconds than a
// time.Duration holds).
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 || int64(s) > math.MaxInt64/int64(time.Second) {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attemptBody releases the attempt's timeout when the client closes the
// body, and notes a timeout that strikes while the body is being read.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context
	parent context.Context
	cancel context.CancelFunc
	st     *State
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.parent.Err() == nil && errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
		b.st.markTimedOut()
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Retries reads a configured retry count: 0 means def, a negative count
// means none.
func Retries(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}
