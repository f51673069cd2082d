package api

import (
	"container/list"
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"govreply/internal/errs"
)

// Admission configures what keeps one client from taking the service
// from the others. The zero value takes the defaults below.
//
// Expensive requests (drafts, chat, rewrite, upload: each costs from
// tens of milliseconds to seconds of CPU or a model's time) are limited
// in rate per user and per client address, with 429 and Retry-After; and
// at most Concurrent of them are served at once, a request that finds no
// free slot within Wait being answered 503 at once rather than queued
// without bound. Every request runs under a deadline on the server.
type Admission struct {
	// UserRate and UserBurst limit each signed-in user's expensive
	// requests (token bucket). 0 means 2 per second, a burst of 10.
	UserRate  rate.Limit
	UserBurst int
	// AddrRate and AddrBurst limit each client address's: higher than a
	// user's, since an office may reach the service through one address.
	// 0 means 10 per second, a burst of 40.
	AddrRate  rate.Limit
	AddrBurst int
	// Concurrent caps the expensive requests served at once; 0 means
	// twice the number of CPUs.
	Concurrent int
	// Wait is how long an expensive request may wait for a slot; 0 means
	// 250 ms.
	Wait time.Duration
	// Keys bounds how many users and addresses are tracked at once (the
	// least recently seen is forgotten); 0 means 10,000.
	Keys int
	// Deadline is the server's limit on an ordinary request, Slow on an
	// expensive one; 0 means 30 s and 3 minutes (an upload has
	// UploadTimeout).
	Deadline, Slow time.Duration
}

func (a Admission) withDefaults() Admission {
	if a.UserRate == 0 {
		a.UserRate, a.UserBurst = 2, max(a.UserBurst, 10)
	}
	if a.AddrRate == 0 {
		a.AddrRate, a.AddrBurst = 10, max(a.AddrBurst, 40)
	}
	a.UserBurst, a.AddrBurst = max(a.UserBurst, 1), max(a.AddrBurst, 1)
	if a.Concurrent <= 0 {
		a.Concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if a.Wait <= 0 {
		a.Wait = 250 * time.Millisecond
	}
	if a.Keys <= 0 {
		a.Keys = 10_000
	}
	if a.Deadline <= 0 {
		a.Deadline = 30 * time.Second
	}
	if a.Slow <= 0 {
		a.Slow = 3 * time.Minute
	}
	return a
}

// admission is the state behind Admission: the buckets and the slots.
type admission struct {
	cfg   Admission
	users *limiters
	addrs *limiters
	slots chan struct{}
}

func newAdmission(cfg Admission) *admission {
	cfg = cfg.withDefaults()
	return &admission{
		cfg:   cfg,
		users: newLimiters(cfg.UserRate, cfg.UserBurst, cfg.Keys),
		addrs: newLimiters(cfg.AddrRate, cfg.AddrBurst, cfg.Keys),
		slots: make(chan struct{}, cfg.Concurrent),
	}
}

// deadline runs the rest of the request under d.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// expensive admits an expensive request: within its user's and its
// address's rates, then into a free slot, held until it is answered.
func (s *Server) expensive(c *gin.Context) {
	const op = "api.admission"
	a := s.admission
	now := time.Now()
	if user := userOf(c); user != "" {
		if wait := a.users.take("u\x00"+user, now); wait > 0 {
			writeError(c, errs.E(op, errs.RateLimited, errs.Code("rate_limited"), "请求过于频繁：您的起草、问答、改写和上传请求太多，请稍后再试", wait))
			return
		}
	}
	if wait := a.addrs.take(c.ClientIP(), now); wait > 0 {
		writeError(c, errs.E(op, errs.RateLimited, errs.Code("rate_limited"), "请求过于频繁：来自这个地址的请求太多，请稍后再试", wait))
		return
	}
	timer := time.NewTimer(a.cfg.Wait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
	case <-timer.C:
		writeError(c, errs.E(op, errs.Unavailable, errs.Code("overloaded"), "服务正忙，请几秒后重试", time.Second))
		return
	case <-c.Request.Context().Done():
		writeError(c, canceled(c, op, c.Request.Context().Err()))
		return
	}
	defer func() { <-a.slots }()
	c.Next()
}

// userOf is the signed-in user of the request, "" when there is none.
func userOf(c *gin.Context) string { return c.GetString(userKey) }

// userKey is where the authentication middleware puts the user's name.
const userKey = "govreply.user"

// limiters holds a token bucket per key, for the Keys most recently seen
// keys: a flood of made-up addresses costs a bounded amount of memory
// (and only forgets the quietest clients).
type limiters struct {
	r     rate.Limit
	burst int
	max   int

	mu    sync.Mutex
	byKey map[string]*list.Element // of *keyed
	order *list.List               // most recently seen first
}

type keyed struct {
	key string
	lim *rate.Limiter
}

func newLimiters(r rate.Limit, burst, max int) *limiters {
	return &limiters{r: r, burst: burst, max: max, byKey: map[string]*list.Element{}, order: list.New()}
}

// take takes a token for key at now and returns 0, or how long to wait
// when there is none (no token is taken then).
func (l *limiters) take(key string, now time.Time) time.Duration {
	l.mu.Lock()
	e, ok := l.byKey[key]
	if ok {
		l.order.MoveToFront(e)
	} else {
		for l.order.Len() >= l.max {
			old := l.order.Back()
			delete(l.byKey, old.Value.(*keyed).key)
			l.order.Remove(old)
		}
		e = l.order.PushFront(&keyed{key, rate.NewLimiter(l.r, l.burst)})
		l.byKey[key] = e
	}
	lim := e.Value.(*keyed).lim
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// len is how many keys are tracked.
func (l *limiters) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
