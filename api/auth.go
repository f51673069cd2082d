package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/knowledge/builtin"
	"govreply/web"
)

// Cookies of a browser session. The session cookie is HttpOnly: scripts
// never see it. The CSRF cookie is readable by the workspace's scripts,
// which send it back in the X-CSRF-Token header with every change: another
// site can make the browser send cookies, not read them.
const (
	sessionCookie = "gr_session"
	csrfCookie    = "gr_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// Keys of the request context (gin) the authentication fills.
const (
	principalKey = "govreply.principal"
	sessionKey   = "govreply.session"
)

// withClient puts the client address where the audit trail finds it.
func withClient(c *gin.Context) {
	c.Request = c.Request.WithContext(account.WithClient(c.Request.Context(), c.ClientIP()))
	c.Next()
}

// identify finds who makes the request: an API token (Authorization:
// Bearer), else a browser session cookie. ok false with a nil error means
// the request carries neither.
func (s *Server) identify(c *gin.Context) (p account.Principal, sess *account.Session, ok bool, err error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return p, nil, false, errs.E("api.auth", errs.Unauthenticated, errs.Code("unauthenticated"),
				"Authorization 请求头须为 Bearer 令牌")
		}
		p, err = s.cfg.Accounts.VerifyToken(ctx, strings.TrimSpace(secret))
		return p, nil, err == nil, err
	}
	cookie, cerr := c.Cookie(sessionCookie)
	if cerr != nil || cookie == "" {
		return p, nil, false, nil
	}
	p, ss, err := s.cfg.Accounts.VerifySession(ctx, cookie)
	if err != nil {
		return p, nil, false, err
	}
	return p, &ss, true, nil
}

// signedIn lets a request through only with a valid token or session
// (401 unauthenticated otherwise), checks the CSRF token of a change made
// with a session cookie (403), and records who it is for the handlers.
// Without Accounts (a library use, the handler tests) every request
// passes as nobody in particular.
func (s *Server) signedIn(c *gin.Context) {
	if s.authenticate(c) {
		c.Next()
	}
}

// authenticate is signedIn without going on: false when it has answered
// the request with an error.
func (s *Server) authenticate(c *gin.Context) bool {
	if s.cfg.Accounts == nil {
		return true
	}
	p, sess, ok, err := s.identify(c)
	if err == nil && !ok {
		err = errs.E("api.auth", errs.Unauthenticated, errs.Code("unauthenticated"), "请先登录，或在请求头 Authorization 中提供 Bearer 令牌")
	}
	if err != nil {
		writeError(c, unauthenticated(err))
		return false
	}
	if sess != nil && !safeMethod(c.Request.Method) {
		if err := account.CheckCSRF(*sess, c.GetHeader(csrfHeader)); err != nil {
			writeError(c, err)
			return false
		}
	}
	s.setPrincipal(c, p, sess)
	return true
}

// unauthenticated keeps an error about a credential 401 whatever its
// kind, except a disabled account (403) and a store that is down (503).
func unauthenticated(err error) error {
	switch errs.KindOf(err) {
	case errs.Unauthenticated, errs.Forbidden, errs.Unavailable, errs.Timeout, errs.RateLimited:
		return err
	}
	return errs.E("api.auth", errs.Unauthenticated, errs.Code("unauthenticated"), "登录信息无效，请重新登录", err)
}

func (s *Server) setPrincipal(c *gin.Context, p account.Principal, sess *account.Session) {
	c.Set(principalKey, p)
	c.Set(userKey, p.Username)
	if sess != nil {
		c.Set(sessionKey, *sess)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// principal is the signed-in user of the request; the zero Principal
// without Accounts.
func principal(c *gin.Context) account.Principal {
	p, _ := c.Get(principalKey)
	pp, _ := p.(account.Principal)
	return pp
}

// requireRole lets only users holding role through (403 otherwise).
func (s *Server) requireRole(role account.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.hasRole(c, role) {
			c.Next()
		}
	}
}

// requireAnyRole lets through users holding one of roles (403
// otherwise): a trainee, say, may ask and train but not draft.
func (s *Server) requireAnyRole(roles ...account.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Accounts == nil || slices.ContainsFunc(roles, principal(c).Has) {
			c.Next()
			return
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = r.Name()
		}
		writeError(c, errs.E("api.auth", errs.Forbidden, errs.Code("forbidden"), "没有权限：需要"+strings.Join(names, "、")+"角色之一"))
	}
}

// Who may use the assistant's writing tools: drafting and rewriting are
// an editor's work (and a reviewer's, who may edit); the automatic review
// is for anyone who writes or checks replies.
var (
	writers   = []account.Role{account.RoleEditor, account.RoleReviewer, account.RoleAdmin}
	checkers  = []account.Role{account.RoleEditor, account.RoleReviewer, account.RoleTrainer, account.RoleAdmin}
	observers = []account.Role{account.RoleTrainer, account.RoleAdmin}
)

// hasRole is requireRole without going on.
func (s *Server) hasRole(c *gin.Context, role account.Role) bool {
	if s.cfg.Accounts != nil && !principal(c).Has(role) {
		writeError(c, errs.E("api.auth", errs.Forbidden, errs.Code("forbidden"), "没有权限：需要"+role.Name()+"角色"))
		return false
	}
	return true
}

// readable is the collections the caller may read, for
// knowledge.Query.Readable: nil (everything) without Accounts or for an
// administrator; else builtin and every collection whose readers name the
// user or a role of theirs.
func (s *Server) readable(c *gin.Context) []string {
	if s.cfg.Accounts == nil {
		return nil
	}
	p := principal(c)
	if p.Has(account.RoleAdmin) {
		return nil
	}
	ctx := c.Request.Context()
	names := []string{builtin.Collection}
	if accs, err := s.cfg.Accounts.Accesses(ctx); err == nil {
		for _, a := range accs {
			names = append(names, a.Collection)
		}
	}
	return s.cfg.Accounts.Readable(ctx, p, names)
}

// canWrite reports whether the caller may change collection.
func (s *Server) canWrite(c *gin.Context, collection string) bool {
	return s.cfg.Accounts == nil || s.cfg.Accounts.CanWrite(c.Request.Context(), principal(c), collection)
}

// record appends to the audit trail, logging (not failing) when it
// cannot: the change it records has been made.
func (s *Server) record(c *gin.Context, action account.Action, object string, outcome account.Outcome) {
	if s.cfg.Accounts == nil {
		return
	}
	e := account.Entry{User: principal(c).Username, Client: c.ClientIP(), Action: action, Object: object, Outcome: outcome}
	if err := s.cfg.Accounts.Record(c.Request.Context(), e); err != nil {
		s.log.Error("audit record failed", "action", action, "err", err)
	}
}

// pageGate serves the workspace's pages only to signed-in users: others
// are sent to the login page (and back afterwards); a page needing a role
// the user lacks is a 403 page. The user's name and roles go to the page
// for its header.
func (s *Server) pageGate(c *gin.Context) {
	if s.cfg.Accounts == nil {
		c.Next()
		return
	}
	pg, isPage := web.PageAt(c.Request.URL.Path)
	if !isPage || pg.Public {
		c.Next()
		return
	}
	p, sess, ok, _ := s.identify(c)
	if !ok {
		next := c.Request.URL.RequestURI()
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	s.setPrincipal(c, p, sess)
	if v := viewer(p); !v.Allowed(pg.Roles) {
		c.Status(http.StatusForbidden)
		s.cfg.Web.Forbidden(c.Writer, c.Request.WithContext(web.WithViewer(c.Request.Context(), viewer(p))))
		c.Abort()
		return
	}
	c.Request = c.Request.WithContext(web.WithViewer(c.Request.Context(), viewer(p)))
	c.Next()
}

func viewer(p account.Principal) web.Viewer {
	v := web.Viewer{Username: p.Username}
	for _, r := range p.Roles {
		v.Roles = append(v.Roles, string(r))
		v.RoleNames = append(v.RoleNames, r.Name())
	}
	return v
}
