package api

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
)

// accountRoutes are the routes of sign-in, users, tokens, sessions,
// collection access and the audit trail. They exist only with Accounts.
func (s *Server) accountRoutes(v1 *gin.RouterGroup, quick gin.HandlerFunc) {
	if s.cfg.Accounts == nil {
		return
	}
	small := s.limitBodyTo(16 << 10)
	v1.POST("/auth/login", quick, small, s.login)
	v1.POST("/auth/token", quick, small, s.tokenLogin)
	v1.POST("/auth/logout", quick, s.signedIn, s.logout)
	v1.GET("/me", quick, s.signedIn, s.me)
	v1.PUT("/me/password", quick, small, s.signedIn, s.changePassword)

	admin := []gin.HandlerFunc{quick, s.signedIn, s.requireRole(account.RoleAdmin)}
	v1.GET("/users", append(admin, s.listUsers)...)
	v1.POST("/users", append(admin, small, s.addUser)...)
	v1.PATCH("/users/:name", append(admin, small, s.updateUser)...)
	v1.GET("/tokens", quick, s.signedIn, s.listTokens)
	v1.POST("/tokens", quick, small, s.signedIn, s.createToken)
	v1.DELETE("/tokens/:id", quick, s.signedIn, s.revokeToken)
	v1.GET("/sessions", append(admin, s.listSessions)...)
	v1.GET("/collections", append(admin, s.listCollections)...)
	v1.PUT("/collections/:name/readers", append(admin, small, s.setGrant(true))...)
	v1.PUT("/collections/:name/writers", append(admin, small, s.setGrant(false))...)
	v1.GET("/audit", append(admin, s.audit)...)
}

// login answers POST /v1/auth/login: a browser session in cookies.
func (s *Server) login(c *gin.Context) {
	p, ok := s.checkCredentials(c, "api.login")
	if !ok {
		return
	}
	cookie, sess, err := s.cfg.Accounts.NewSession(c.Request.Context(), p, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	s.setCookies(c, cookie, sess)
	c.JSON(http.StatusOK, gin.H{"username": p.Username, "roles": p.Roles, "expires_at": sess.ExpiresAt})
}

// checkCredentials reads {"username","password"} and signs the user in
// (throttled and audited by the account service); ok false when it has
// answered the request with an error.
func (s *Server) checkCredentials(c *gin.Context, op string) (account.Principal, bool) {
	var cr struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	err := readJSON(c.Request, &cr, jsonRequest{op: op, example: `{"username":"wangfang","password":"……"}`,
		fields: "username、password", tooLarge: "请求内容过大"})
	var p account.Principal
	if err == nil {
		p, err = s.cfg.Accounts.Login(c.Request.Context(), cr.Username, cr.Password, c.ClientIP())
	}
	if err != nil {
		writeError(c, err)
		return p, false
	}
	return p, true
}

// setCookies sends the session and CSRF cookies: the session one
// HttpOnly, both SameSite=Lax and Secure when the request came over TLS.
func (s *Server) setCookies(c *gin.Context, value string, sess account.Session) {
	maxAge := int(time.Until(sess.ExpiresAt).Seconds())
	secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" && s.cfg.TrustedProxies != nil
	for _, ck := range []*http.Cookie{
		{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode},
		{Name: csrfCookie, Value: sess.CSRF, Path: "/", MaxAge: maxAge, Secure: secure, SameSite: http.SameSiteLaxMode},
	} {
		http.SetCookie(c.Writer, ck)
	}
}

// tokenLogin answers POST /v1/auth/token {"username","password"} with a
// new API token {"token","expires_at"}, shown this once.
func (s *Server) tokenLogin(c *gin.Context) {
	p, ok := s.checkCredentials(c, "api.token")
	if !ok {
		return
	}
	secret, tok, err := s.cfg.Accounts.CreateToken(c.Request.Context(), p, p.Username, "API 登录", 0)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": secret, "id": tok.ID, "expires_at": tok.ExpiresAt})
}

// logout ends the browser session and clears its cookies.
func (s *Server) logout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if err := s.cfg.Accounts.EndSession(c.Request.Context(), cookie); err != nil && !errs.Is(errs.NotFound, err) &&
			!errs.Is(errs.Unauthenticated, err) {
			writeError(c, err)
			return
		}
	}
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, SameSite: http.SameSiteLaxMode})
	}
	c.JSON(http.StatusOK, gin.H{"status": "signed_out"})
}

func (s *Server) me(c *gin.Context) {
	p := principal(c)
	c.JSON(http.StatusOK, gin.H{"username": p.Username, "roles": p.Roles})
}

// changePassword answers PUT /v1/me/password {"current","password"}: the
// current password is checked first.
func (s *Server) changePassword(c *gin.Context) {
	const op = "api.password"
	var req struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"current":"……","password":"……"}`,
		fields: "current、password", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	p := principal(c)
	if _, err := s.cfg.Accounts.Login(ctx, p.Username, req.Current, c.ClientIP()); err != nil {
		writeError(c, errs.E(op, errs.Forbidden, errs.Code("bad_credentials"), "当前密码不正确"))
		return
	}
	if err := s.cfg.Accounts.SetPassword(ctx, p, p.Username, req.Password); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "changed"})
}

func (s *Server) listUsers(c *gin.Context) {
	us, err := s.cfg.Accounts.Users(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": nonNil(us)})
}

// addUser answers POST /v1/users {"username","password","roles"} with 201
// {"username","roles"}.
func (s *Server) addUser(c *gin.Context) {
	const op = "api.users.add"
	var req struct {
		Username string         `json:"username"`
		Password string         `json:"password"`
		Roles    []account.Role `json:"roles"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"username":"wangfang","password":"……","roles":["editor"]}`,
		fields: "username、password、roles", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	u, err := s.cfg.Accounts.AddUser(c.Request.Context(), principal(c), req.Username, req.Password, req.Roles)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"username": u.Username, "roles": u.Roles})
}

// updateUser answers PATCH /v1/users/{name} {"roles","disabled","password"}
// (each optional) with the user.
func (s *Server) updateUser(c *gin.Context) {
	const op = "api.users.update"
	var req struct {
		Roles    *[]account.Role `json:"roles"`
		Disabled *bool           `json:"disabled"`
		Password *string         `json:"password"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"roles":["editor","reviewer"],"disabled":false}`,
		fields: "roles、disabled、password", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	ctx, actor, name := c.Request.Context(), principal(c), c.Param("name")
	var err error
	if req.Password != nil {
		err = s.cfg.Accounts.SetPassword(ctx, actor, name, *req.Password)
	}
	if err == nil && req.Roles != nil {
		_, err = s.cfg.Accounts.SetRoles(ctx, actor, name, *req.Roles)
	}
	if err == nil && req.Disabled != nil {
		if *req.Disabled {
			_, err = s.cfg.Accounts.Disable(ctx, actor, name)
		} else {
			_, err = s.cfg.Accounts.Enable(ctx, actor, name)
		}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	u, err := s.cfg.Accounts.User(ctx, name)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// listTokens answers GET /v1/tokens[?user=]: an administrator sees every
// user's tokens (or one user's), anyone else their own.
func (s *Server) listTokens(c *gin.Context) {
	ctx, p := c.Request.Context(), principal(c)
	names := []string{p.Username}
	if p.Has(account.RoleAdmin) {
		names = nil
		if u := c.Query("user"); u != "" {
			names = []string{u}
		} else {
			us, err := s.cfg.Accounts.Users(ctx)
			if err != nil {
				writeError(c, err)
				return
			}
			for _, u := range us {
				names = append(names, u.Username)
			}
		}
	}
	out := []account.Token{}
	for _, n := range names {
		ts, err := s.cfg.Accounts.Tokens(ctx, n)
		if err != nil {
			writeError(c, err)
			return
		}
		out = append(out, ts...)
	}
	c.JSON(http.StatusOK, gin.H{"tokens": out})
}

// createToken answers POST /v1/tokens {"username","name","ttl_hours"} with
// {"token","id","expires_at"}: the secret is shown this once.
func (s *Server) createToken(c *gin.Context) {
	const op = "api.tokens.create"
	var req struct {
		Username string `json:"username"`
		Name     string `json:"name"`
		TTLHours int    `json:"ttl_hours"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"username":"wangfang","name":"舆情系统","ttl_hours":720}`,
		fields: "username、name、ttl_hours", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	p := principal(c)
	if req.Username == "" {
		req.Username = p.Username
	}
	secret, tok, err := s.cfg.Accounts.CreateToken(c.Request.Context(), p, req.Username, req.Name, time.Duration(req.TTLHours)*time.Hour)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": secret, "id": tok.ID, "username": tok.Username, "expires_at": tok.ExpiresAt})
}

// revokeToken answers DELETE /v1/tokens/{id}[?user=] (the token's owner;
// default the caller).
func (s *Server) revokeToken(c *gin.Context) {
	p := principal(c)
	owner := c.Query("user")
	if owner == "" {
		owner = p.Username
	}
	tok, err := s.cfg.Accounts.RevokeToken(c.Request.Context(), p, owner, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": tok})
}

// listSessions answers GET /v1/sessions with every user's live browser
// sessions.
func (s *Server) listSessions(c *gin.Context) {
	ctx := c.Request.Context()
	us, err := s.cfg.Accounts.Users(ctx)
	if err != nil {
		writeError(c, err)
		return
	}
	out := []account.Session{}
	for _, u := range us {
		ss, err := s.cfg.Accounts.Sessions(ctx, u.Username)
		if err != nil {
			writeError(c, err)
			return
		}
		out = append(out, ss...)
	}
	c.JSON(http.StatusOK, gin.H{"sessions": out})
}

type collectionJSON struct {
	Name      string        `json:"name"`
	Documents int           `json:"documents"`
	Readers   account.Grant `json:"readers"`
	Writers   account.Grant `json:"writers"`
}

// listCollections answers GET /v1/collections: every collection with
// documents or an access record, with its readers and writers.
func (s *Server) listCollections(c *gin.Context) {
	ctx := c.Request.Context()
	docs, err := s.cfg.Store.Documents(ctx, knowledge.Filter{})
	if err != nil {
		writeError(c, err)
		return
	}
	accs, err := s.cfg.Accounts.Accesses(ctx)
	if err != nil {
		writeError(c, err)
		return
	}
	by := map[string]*collectionJSON{}
	get := func(name string) *collectionJSON {
		if by[name] == nil {
			by[name] = &collectionJSON{Name: name, Readers: account.Grant{Roles: []account.Role{}, Users: []string{}},
				Writers: account.Grant{Roles: []account.Role{}, Users: []string{}}}
		}
		return by[name]
	}
	for _, d := range docs {
		get(d.Collection).Documents++
	}
	for _, a := range accs {
		cj := get(a.Collection)
		cj.Readers, cj.Writers = nonNilGrant(a.Readers), nonNilGrant(a.Writers)
	}
	out := make([]collectionJSON, 0, len(by))
	for _, cj := range by {
		out = append(out, *cj)
	}
	slices.SortFunc(out, func(a, b collectionJSON) int {
		switch {
		case a.Name == builtin.Collection:
			return -1
		case b.Name == builtin.Collection:
			return 1
		}
		return bytes.Compare([]byte(a.Name), []byte(b.Name))
	})
	c.JSON(http.StatusOK, gin.H{"collections": out})
}

func nonNilGrant(g account.Grant) account.Grant {
	g.Roles, g.Users = nonNil(g.Roles), nonNil(g.Users)
	return g
}

// setGrant answers PUT /v1/collections/{name}/readers (or /writers)
// {"roles","users"}: the other grant is kept. Enforced inside the store's
// search from the next request on.
func (s *Server) setGrant(readers bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		const op = "api.collections.access"
		var g account.Grant
		if err := readJSON(c.Request, &g, jsonRequest{op: op, example: `{"roles":["editor"],"users":["wangfang"]}`,
			fields: "roles、users", tooLarge: "请求内容过大"}); err != nil {
			writeError(c, err)
			return
		}
		ctx, name := c.Request.Context(), c.Param("name")
		a, err := s.cfg.Accounts.Access(ctx, name)
		if err != nil && !errs.Is(errs.NotFound, err) {
			writeError(c, err)
			return
		}
		if readers {
			a.Readers = g
		} else {
			a.Writers = g
		}
		if err := s.cfg.Accounts.SetAccess(ctx, principal(c), name, a); err != nil {
			writeError(c, err)
			return
		}
		a, err = s.cfg.Accounts.Access(ctx, name)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, collectionJSON{Name: name, Readers: nonNilGrant(a.Readers), Writers: nonNilGrant(a.Writers)})
	}
}

// audit answers GET /v1/audit[?user=&action=&since=&until=&limit=]
// [&format=csv], newest first.
func (s *Server) audit(c *gin.Context) {
	const op = "api.audit"
	f := account.AuditFilter{User: c.Query("user"), Action: account.Action(c.Query("action"))}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := c.Query(t.name); v != "" {
			tm, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(c, errs.E(op, errs.Invalid, t.name+" 须为 RFC 3339 时间，如 2026-12-01T00:00:00+08:00"))
				return
			}
			*t.dst = tm
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > account.MaxAuditLimit {
			writeError(c, errs.E(op, errs.Invalid, "limit 须为 1 到 "+strconv.Itoa(account.MaxAuditLimit)+" 之间的整数"))
			return
		}
		f.Limit = n
	}
	entries, err := s.cfg.Accounts.Audit(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	if c.Query("format") == "csv" {
		var buf bytes.Buffer
		if err := account.WriteCSV(&buf, entries); err != nil {
			writeError(c, errs.E(op, errs.Internal, "导出失败", err))
			return
		}
		c.Header("Content-Disposition", `attachment; filename="audit.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": nonNil(entries)})
}
