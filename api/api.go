// Package api is govreply's HTTP interface: a gin router, its handlers and
// middleware (request ids, logging, metrics, body limits, recovery).
//
// Errors are JSON: {"error":{"code":"…","message":"…"}}, where code is a
// stable machine code (a errs.Kind, or the code of a review or bot
// InputError) and message is Chinese for people. statusOf is the one table
// that maps codes to HTTP statuses.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"govreply/account"
	"govreply/bot"
	"govreply/ingest"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/review"
	"govreply/web"
)

// DefaultMaxBody is the largest request body accepted (1 MiB): a draft or
// a post is at most a few thousand characters.
const DefaultMaxBody = 1 << 20

// Config holds what the API serves from.
type Config struct {
	Retriever *knowledge.Retriever
	Store     knowledge.Store
	// Indexer stores the files of POST /v1/documents (into Store); nil
	// answers that route 503 unavailable. Its OCR reads PDF pictures.
	Indexer *ingest.Indexer
	// MaxUpload caps the body of POST /v1/documents, which MaxBody does
	// not; 0 means DefaultMaxUpload.
	MaxUpload int64
	// Reviewer answers POST /v1/review; nil answers it 503 unavailable.
	Reviewer *review.Reviewer
	// Drafter answers POST /v1/drafts; nil answers it 503 unavailable.
	Drafter bot.Drafter
	// Answerer answers POST /v1/chat; nil answers it 503 unavailable.
	Answerer bot.Answerer
	// Rewriter answers POST /v1/rewrite; nil answers it 503 unavailable.
	Rewriter bot.Rewriter
	Logger   *slog.Logger
	// Registry collects the API's metrics; nil means a new registry.
	Registry *prometheus.Registry
	MaxBody  int64 // 0 means DefaultMaxBody
	// Web is the browser workspace served at / and /static/; nil serves
	// the API alone.
	Web *web.Site
	// Admission limits rates, concurrency and time per request (see
	// Admission); the zero value takes its defaults.
	Admission Admission
	// Accounts signs users in and says what they may do; nil serves every
	// request as nobody in particular (a library use, handler tests): no
	// login, no permissions, no audit trail. serve always sets it.
	Accounts *account.Service
	// Workflow serves /v1/submissions/… (the publishing review); nil
	// answers them 503.
	Workflow *Review
	// Training serves /v1/training/…; nil answers them 503.
	Training *Training
	// OpenMetrics serves /metrics to anyone even with Accounts.
	OpenMetrics bool
	// TrustedProxies are the addresses (or CIDR ranges) of reverse
	// proxies whose X-Forwarded-For names the client; nil trusts none,
	// so the client address is the connection's and cannot be forged.
	TrustedProxies []string
}

// Server is the HTTP API.
type Server struct {
	cfg       Config
	log       *slog.Logger
	metrics   *metrics
	admission *admission
	engine    *gin.Engine
}

// New builds the router.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Registry), admission: newAdmission(cfg.Admission)}
	e := gin.New()
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// Config is checked where it is read (serve); a bad entry here
		// trusts no proxy rather than every one.
		s.log.Warn("可信代理地址无效，不信任任何代理", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.HandleMethodNotAllowed = true
	e.Use(secureHeaders, s.recovery, s.requestID, s.observe, withClient, s.limitBody)
	e.NoRoute(func(c *gin.Context) {
		if s.cfg.Web != nil && wantsPage(c.Request) {
			s.cfg.Web.NotFound(c.Writer, c.Request)
			return
		}
		writeError(c, errs.E("api", errs.NotFound, "接口不存在："+c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		// Routing's own answer, not an error of the application.
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{errorDetail{Code: "method_not_allowed", Message: "不支持该请求方法"}})
	})
	s.routes(e)
	s.engine = e
	return s
}

func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsGate, gin.WrapH(s.metrics.handler))
	s.webRoutes(e)
	v1 := e.Group("/v1")
	quick := deadline(s.admission.cfg.Deadline)
	slow := func(h ...gin.HandlerFunc) []gin.HandlerFunc {
		return append([]gin.HandlerFunc{deadline(s.admission.cfg.Slow), s.signedIn, s.expensive}, h...)
	}
	auth := s.signedIn
	v1.GET("/search", quick, auth, s.search)
	v1.POST("/review", quick, auth, s.requireAnyRole(checkers...), s.limitBodyTo(ReviewMaxBody), s.review)
	v1.POST("/drafts", slow(s.requireAnyRole(writers...), s.limitBodyTo(DraftsMaxBody), s.drafts)...)
	v1.POST("/chat", slow(s.limitBodyTo(ChatMaxBody), s.chat)...)
	v1.POST("/rewrite", slow(s.requireAnyRole(writers...), s.limitBodyTo(RewriteMaxBody), s.rewrite)...)
	v1.GET("/documents", quick, auth, s.listDocuments)
	v1.GET("/documents/*id", quick, auth, s.getDocument)
	v1.DELETE("/documents/*id", quick, auth, s.deleteDocument)
	// Body limit MaxUpload (see limitBody); its own deadline (UploadTimeout).
	v1.POST("/documents", deadline(UploadTimeout), auth, s.expensive, s.uploadDocuments)
	s.accountRoutes(v1, quick)
	s.trainingRoutes(v1, quick)
	s.submissionRoutes(v1, quick)
}

// metricsGate lets only an administrator (token or session) read
// /metrics when there are accounts, unless Config.OpenMetrics; serve's
// --metrics-addr serves MetricsHandler on a separate address instead.
func (s *Server) metricsGate(c *gin.Context) {
	if s.cfg.Accounts == nil || s.cfg.OpenMetrics || s.authenticate(c) && s.hasRole(c, account.RoleAdmin) {
		c.Next()
	}
}

// MetricsHandler serves the metrics without authentication, for a
// listener of its own (serve --metrics-addr) that only the monitoring
// system reaches.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler }

// nonNil returns s, or an empty slice for nil (JSON [] rather than null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Handler returns the http.Handler of the API.
func (s *Server) Handler() http.Handler { return s.engine }

// HTTPServer returns an http.Server for addr with timeouts set, so a slow
// or stalled client cannot hold a connection forever.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.engine,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Streamed answers from a model can take a while; keep generous.
		WriteTimeout:   3 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz reports whether the store can serve (Postgres reachable and migrated).
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		// Not ready is 503 (or 504) whatever the store says; a store
		// that names the failing part (database_unavailable) keeps it.
		switch errs.KindOf(err) {
		case errs.Unavailable, errs.Timeout:
			err = errs.E("readyz", "知识库暂不可用", err)
		default:
			err = errs.E("readyz", errs.Unavailable, "知识库暂不可用", err)
		}
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
