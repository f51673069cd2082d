package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"govreply/web"
)

// webRoutes serves the browser workspace, when there is one: its pages
// and its assets, for GET and HEAD.
func (s *Server) webRoutes(e *gin.Engine) {
	if s.cfg.Web == nil {
		return
	}
	h := gin.WrapH(s.cfg.Web)
	for _, p := range append(s.cfg.Web.Paths(), web.StaticPrefix+"*asset") {
		e.GET(p, s.pageGate, h)
		e.HEAD(p, s.pageGate, h)
	}
}

// secureHeaders sets the workspace's security headers on every response,
// API and pages alike (web.SecurityHeaders says which).
func secureHeaders(c *gin.Context) {
	web.SecurityHeaders(c.Writer.Header())
	c.Next()
}

// wantsPage reports whether an unmatched request is a browser's asking
// for a page (so it gets the 404 page, not JSON).
func wantsPage(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		!strings.HasPrefix(r.URL.Path, "/v1/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}
