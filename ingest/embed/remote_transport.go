package embed

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Backoff schedule of remoteTransport: attempt n (from 0) waits a random
// time in [d/2, d) with d = remoteBackoffBase·2ⁿ, capped at remoteBackoffMax.
// A Retry-After header (seconds or HTTP date) lengthens the wait, up to
// remoteRetryAfterMax.
const (
	remoteBackoffBase   = 200 * time.Millisecond
	remoteBackoffMax    = 10 * time.Second
	remoteRetryAfterMax = 30 * time.Second
)

// remoteNoKey is the token handed to langchaingo's openai client when no API
// key is configured (it refuses an empty one); remoteTransport removes the
// resulting Authorization header.
const remoteNoKey = "govreply-no-api-key"

// remoteStateKey carries a *remoteCallState in a request's context, so the
// transport can tell Remote what happened on the wire for one
// CreateEmbedding call.
type remoteStateKey struct{}

// remoteCallState records the last attempt of a call.
type remoteCallState struct {
	mu       sync.Mutex
	retry    int   // retries made for the last request (0 = first attempt)
	status   int   // status of the last attempt; 0 when it got no response
	netErr   error // transport error of the last attempt
	timedOut bool  // the last attempt hit the per-request timeout
}

type remoteAttempt struct {
	retry    int
	status   int
	netErr   error
	timedOut bool
}

func (s *remoteCallState) snapshot() remoteAttempt {
	if s == nil {
		return remoteAttempt{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return remoteAttempt{retry: s.retry, status: s.status, netErr: s.netErr, timedOut: s.timedOut}
}

func (s *remoteCallState) record(retry, status int, netErr error, timedOut bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retry, s.status, s.netErr, s.timedOut = retry, status, netErr, timedOut
}

func (s *remoteCallState) markTimedOut() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timedOut = true
}

// remoteTransport bounds each attempt by timeout and retries 429, 5xx,
// timeouts and network errors with exponential backoff and jitter. It never
// retries once the request's own context has ended, and never retries other
// 4xx. After the last attempt the server's response (or error) is handed to
// langchaingo unchanged, so its error messages stay intact.
type remoteTransport struct {
	base      http.RoundTripper
	retries   int
	timeout   time.Duration
	stripAuth bool
	sleep     func(ctx context.Context, d time.Duration) error
	jitter    func() float64
}

func (t *remoteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	st, _ := parent.Value(remoteStateKey{}).(*remoteCallState)

	body, err := remoteReadBody(req)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(parent, t.timeout)
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		if t.stripAuth {
			r.Header.Del("Authorization")
		}

		resp, err := t.base.RoundTrip(r)
		if err != nil {
			timedOut := parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded)
			cancel()
			st.record(attempt, 0, err, timedOut)
			if parent.Err() != nil || attempt >= t.retries {
				return nil, err
			}
			if serr := t.sleep(parent, t.backoff(attempt, nil)); serr != nil {
				return nil, serr
			}
			continue
		}

		st.record(attempt, resp.StatusCode, nil, false)
		if remoteRetryable(resp.StatusCode) && attempt < t.retries && parent.Err() == nil {
			wait := t.backoff(attempt, resp.Header)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			cancel()
			if serr := t.sleep(parent, wait); serr != nil {
				return nil, serr
			}
			continue
		}
		resp.Body = &remoteBody{ReadCloser: resp.Body, ctx: ctx, parent: parent, cancel: cancel, st: st}
		return resp, nil
	}
}

// remoteReadBody buffers the request body so every attempt can resend it.
func remoteReadBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// remoteRetryable reports whether a response status is worth retrying.
func remoteRetryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// backoff is the wait before retry number attempt+1.
func (t *remoteTransport) backoff(attempt int, h http.Header) time.Duration {
	d := remoteBackoffBase << min(attempt, 16)
	if d > remoteBackoffMax || d <= 0 {
		d = remoteBackoffMax
	}
	d = d/2 + time.Duration(t.jitter()*float64(d/2))
	if ra := remoteRetryAfter(h, time.Now()); ra > d {
		d = min(ra, remoteRetryAfterMax)
	}
	return d
}

// remoteRetryAfter parses a Retry-After header: delay-seconds or an
// HTTP-date. It returns 0 when absent or unusable.
func remoteRetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// remoteSleep waits d or until ctx ends.
func remoteSleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func remoteJitter() float64 { return rand.Float64() }

// remoteBody releases the attempt's timeout when langchaingo closes the
// body, and notes a timeout that strikes while the body is being read.
type remoteBody struct {
	io.ReadCloser
	ctx    context.Context
	parent context.Context
	cancel context.CancelFunc
	st     *remoteCallState
}

func (b *remoteBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.parent.Err() == nil && errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
		b.st.markTimedOut()
	}
	return n, err
}

func (b *remoteBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
