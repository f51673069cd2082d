package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"govreply/internal/errs"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govreply_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "govreply_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// requestID tags each request with an id (the caller's X-Request-ID when
// it is short and plain, else a new one) and echoes it back.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || !plain(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set("request_id", id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func plain(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// observe logs and measures each request. It logs the route pattern, never
// the raw URL or body: queries and drafts may carry citizens' personal data.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	d := time.Since(start)
	method := methodLabel(c.Request.Method)
	s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(route, method).Observe(d.Seconds())
	attrs := []any{"id", c.GetString("request_id"), "method", method, "route", route,
		"status", status, "ms", float64(d.Microseconds()) / 1000}
	if len(c.Errors) > 0 {
		s.log.Error("request failed", append(attrs, "err", c.Errors.Last().Err)...)
		return
	}
	s.log.Info("request", attrs...)
}

// methodLabel is the method as a metric label: one of HTTP's own, else
// "other". A client chooses the method; as a label taken verbatim, made-up
// methods would each add a series and grow /metrics without bound.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// limitBody caps request bodies; reading past the cap fails, and handlers
// answer that as too_large. The cap is MaxBody, but MaxUpload for an
// upload of documents.
func (s *Server) limitBody(c *gin.Context) {
	n := s.cfg.MaxBody
	if c.Request.Method == http.MethodPost && c.FullPath() == documentsRoute {
		if n = s.maxUpload(); c.Request.ContentLength > n {
			writeError(c, uploadTooLarge(n, nil)) // says the upload's limit
			return
		}
	}
	s.capBody(c, n)
}

// limitBodyTo is limitBody with a tighter cap for one route (the server's
// MaxBody still applies when it is smaller).
func (s *Server) limitBodyTo(n int64) gin.HandlerFunc {
	return func(c *gin.Context) { s.capBody(c, min(n, s.cfg.MaxBody)) }
}

func (s *Server) capBody(c *gin.Context, n int64) {
	if c.Request.ContentLength > n {
		writeError(c, errs.E("api", errs.TooLarge, "请求内容过大"))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
	c.Next()
}

// recovery turns a panic into a 500 with the standard error body.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "id", c.GetString("request_id"), "route", c.FullPath(), "panic", r)
			writeError(c, errs.E("api.recovery", errs.Internal, fmt.Errorf("panic: %v", r)))
		}
	}()
	c.Next()
}
