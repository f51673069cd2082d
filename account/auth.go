package account

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
)

// msgBadCredentials is the one answer to an unknown user and a wrong
// password, so that a login tells no one which accounts exist.
const msgBadCredentials = "用户名或密码错误"

// Login checks a username and password from client (the client's address;
// "" means ctx's, WithClient) and returns who signed in.
//
// An unknown user and a wrong password give the same errs.Unauthenticated
// error (CodeBadCredentials) after the same work (a password hash is
// computed either way). A disabled user with the right password is
// errs.Forbidden (CodeAccountDisabled). After MaxFailures failures within
// FailureWindow for the account or for the client address, attempts are
// refused without checking the password: errs.RateLimited
// (CodeLoginThrottled) with the time to wait as RetryAfter. A success
// forgets the account's failures. Every attempt is audited (login, or
// login_failed with why as its Object), never with the password.
func (s *Service) Login(ctx context.Context, username, password, client string) (Principal, error) {
	const op = "account.Login"
	name := truncate(NormalizeUsername(username), MaxUsernameLen)
	client = truncate(cmp.Or(client, ClientOf(ctx)), MaxEntryClient)
	record := func(a Action, object string, o Outcome) error {
		return s.Record(ctx, Entry{User: name, Client: client, Action: a, Object: object, Outcome: o})
	}
	start := s.clock()
	account := accountKey(name)
	keys := []string{account}
	if k := addressKey(client); k != "" {
		keys = append(keys, k)
	}
	if wait, ok := s.throttle.begin(start, keys...); !ok {
		_ = record(ActionLoginFailed, LoginRateLimited, OutcomeDenied)
		return Principal{}, errs.E(op, errs.RateLimited, CodeLoginThrottled, wait,
			fmt.Sprintf("登录失败次数过多，请%s后再试", waitText(wait)))
	}
	u, hash, ok, err := s.check(ctx, name, password)
	if err != nil {
		s.throttle.cancel(start, keys...)
		return Principal{}, errs.E(op, err)
	}
	if !ok {
		if err := record(ActionLoginFailed, LoginBadCredentials, OutcomeFailed); err != nil {
			s.log.Error("audit entry of a failed login not written", "user", name, "err", err)
		}
		return Principal{}, errs.E(op, errs.Unauthenticated, CodeBadCredentials, msgBadCredentials)
	}
	if u.Disabled {
		s.throttle.cancel(start, keys...)
		_ = record(ActionLoginFailed, LoginDisabled, OutcomeDenied)
		return Principal{}, errForbidden(op, CodeAccountDisabled, "账号已停用，请联系管理员")
	}
	s.throttle.succeed(start, account, keys[1:]...)
	if needsRehash(hash, s.params) {
		if h, err := s.hash(ctx, password); err == nil {
			_, _ = s.store.UpdateUser(ctx, u.Username, UserUpdate{PasswordHash: &h, UpdatedAt: s.clock()})
		}
	}
	// Fail closed: a login that cannot be audited does not happen.
	if err := record(ActionLogin, "", OutcomeOK); err != nil {
		return Principal{}, errs.E(op, "登录失败：审计日志无法写入", err)
	}
	return u.Principal(), nil
}

// check looks up name and compares password with its hash. An unknown
// or invalid name is compared with a dummy hash of the same cost, so the
// answer takes as long as for a real account.
func (s *Service) check(ctx context.Context, name, password string) (User, string, bool, error) {
	encoded := s.dummy
	var u User
	found := false
	if CheckUsername(name) == nil {
		var err error
		u, encoded, err = s.store.Credentials(ctx, name)
		switch {
		case err == nil:
			found = true
		case errs.Is(errs.NotFound, err):
			encoded = s.dummy
		default:
			return User{}, "", false, err
		}
	}
	if utf8.RuneCountInString(password) > MaxPasswordLen {
		password = "" // hash something short; the answer is no either way
		found = false
	}
	ok, err := s.verify(ctx, encoded, password)
	if err != nil {
		return User{}, "", false, err
	}
	return u, encoded, ok && found, nil
}

// waitText says a wait in Chinese, rounded up: "30 秒", "15 分钟".
func waitText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf(" %d 秒", int(math.Ceil(d.Seconds())))
	}
	return fmt.Sprintf(" %d 分钟", int(math.Ceil(d.Minutes())))
}

// ---------------------------------------------------------------- tokens

// CreateToken issues an API token for username, valid for ttl (0 means
// DefaultTokenTTL; at most MaxTokenTTL), named name (optional, for the
// owner's list). It returns the secret, shown only this once, and the
// token. A user may create their own tokens, an administrator anyone's.
// Audited as token_create.
func (s *Service) CreateToken(ctx context.Context, actor Principal, username, name string, ttl time.Duration) (string, Token, error) {
	const op = "account.CreateToken"
	owner, err := canonicalUser(op, username)
	if err != nil {
		return "", Token{}, err
	}
	if !actor.SignedIn() || (actor.Username != owner && !actor.Has(RoleAdmin)) {
		_ = s.audit(ctx, actor.Username, ActionTokenCreate, "user="+owner, OutcomeDenied)
		return "", Token{}, errForbidden(op, "", "只能为自己创建令牌；为他人创建需要管理员权限")
	}
	switch {
	case ttl == 0:
		ttl = DefaultTokenTTL
	case ttl < 0:
		return "", Token{}, errs.E(op, errs.Invalid, "令牌有效期必须为正数")
	case ttl > MaxTokenTTL:
		return "", Token{}, errs.E(op, errs.Invalid, "令牌有效期最长 1 年（8760h）")
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxTokenNameLen || strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name) {
		return "", Token{}, errs.E(op, errs.Invalid, fmt.Sprintf("令牌名称无效：最多 %d 个字符，不能含控制字符", MaxTokenNameLen))
	}
	u, err := s.store.User(ctx, owner)
	if err != nil {
		return "", Token{}, errs.E(op, err)
	}
	if u.Disabled {
		return "", Token{}, errForbidden(op, CodeAccountDisabled, "账号已停用，不能创建令牌")
	}
	now := s.clock()
	secret := NewTokenSecret()
	t := Token{ID: newID(), Username: owner, Name: name, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.store.AddToken(ctx, t, HashSecret(secret)); err != nil {
		return "", Token{}, errs.E(op, err)
	}
	return secret, t, audited(op, s.audit(ctx, actor.Username, ActionTokenCreate, t.ID+" user="+owner, OutcomeOK))
}

// errInvalidToken is the one answer to a token that does not let its
// bearer in.
func errInvalidToken(op string) error {
	return errs.E(op, errs.Unauthenticated, CodeInvalidToken, "令牌无效、已过期或已撤销，请重新登录")
}

// VerifyToken returns who a token secret belongs to, with their current
// roles. A forged, expired or revoked token, or one of a disabled user,
// is errs.Unauthenticated (CodeInvalidToken).
func (s *Service) VerifyToken(ctx context.Context, secret string) (Principal, error) {
	const op = "account.VerifyToken"
	if !LooksLikeToken(secret) {
		return Principal{}, errInvalidToken(op)
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if errs.Is(errs.NotFound, err) {
		return Principal{}, errInvalidToken(op)
	}
	if err != nil {
		return Principal{}, errs.E(op, err)
	}
	now := s.clock()
	if t.Revoked() || t.Expired(now) {
		return Principal{}, errInvalidToken(op)
	}
	u, err := s.store.User(ctx, t.Username)
	if errs.Is(errs.NotFound, err) || (err == nil && u.Disabled) {
		return Principal{}, errInvalidToken(op)
	}
	if err != nil {
		return Principal{}, errs.E(op, err)
	}
	if now.Sub(t.LastUsedAt) >= tokenTouchEvery {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			s.log.Warn("token last use not recorded", "token", t.ID, "err", err)
		}
	}
	return u.Principal(), nil
}

// RevokeToken revokes username's token id (revoking it again changes
// nothing). A user may revoke their own tokens, an administrator
// anyone's. Audited as token_revoke.
func (s *Service) RevokeToken(ctx context.Context, actor Principal, username, id string) (Token, error) {
	const op = "account.RevokeToken"
	owner, err := canonicalUser(op, username)
	if err != nil {
		return Token{}, err
	}
	if !actor.SignedIn() || (actor.Username != owner && !actor.Has(RoleAdmin)) {
		_ = s.audit(ctx, actor.Username, ActionTokenRevoke, id+" user="+owner, OutcomeDenied)
		return Token{}, errForbidden(op, "", "只能撤销自己的令牌；撤销他人令牌需要管理员权限")
	}
	t, err := s.store.RevokeToken(ctx, owner, id, s.clock())
	if err != nil {
		return Token{}, errs.E(op, err)
	}
	return t, audited(op, s.audit(ctx, actor.Username, ActionTokenRevoke, t.ID+" user="+owner, OutcomeOK))
}

// Tokens lists a user's tokens, newest first, revoked and expired ones
// included (until Sweep deletes the expired).
func (s *Service) Tokens(ctx context.Context, username string) ([]Token, error) {
	const op = "account.Tokens"
	owner, err := canonicalUser(op, username)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tokens(ctx, owner)
	if err != nil {
		return nil, errs.E(op, err)
	}
	return ts, nil
}

// ---------------------------------------------------------------- sessions

// NewSession starts a browser session for p (who has just logged in) from
// client ("" means ctx's, WithClient). It returns the cookie value, shown only to the browser, and
// the session with its CSRF token; it lives SessionTTL.
func (s *Service) NewSession(ctx context.Context, p Principal, client string) (string, Session, error) {
	const op = "account.NewSession"
	if !p.SignedIn() {
		return "", Session{}, errs.E(op, errs.Unauthenticated, "请先登录")
	}
	now := s.clock()
	cookie := newSecret()
	sess := Session{ID: newID(), Username: p.Username, CSRF: newSecret(), Client: truncate(cmp.Or(client, ClientOf(ctx)), MaxEntryClient),
		CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	if err := s.store.AddSession(ctx, sess, HashSecret(cookie)); err != nil {
		return "", Session{}, errs.E(op, err)
	}
	return cookie, sess, nil
}

// errInvalidSession is the one answer to a cookie that does not let its
// browser in.
func errInvalidSession(op string) error {
	return errs.E(op, errs.Unauthenticated, CodeInvalidSession, "登录已过期，请重新登录")
}

// VerifySession returns who a session cookie belongs to, with their
// current roles, and the session. An unknown or expired session, or one
// of a disabled user, is errs.Unauthenticated (CodeInvalidSession).
func (s *Service) VerifySession(ctx context.Context, cookie string) (Principal, Session, error) {
	const op = "account.VerifySession"
	if !wellFormed(cookie) {
		return Principal{}, Session{}, errInvalidSession(op)
	}
	sess, err := s.store.SessionByHash(ctx, HashSecret(cookie))
	if errs.Is(errs.NotFound, err) {
		return Principal{}, Session{}, errInvalidSession(op)
	}
	if err != nil {
		return Principal{}, Session{}, errs.E(op, err)
	}
	if sess.Expired(s.clock()) {
		return Principal{}, Session{}, errInvalidSession(op)
	}
	u, err := s.store.User(ctx, sess.Username)
	if errs.Is(errs.NotFound, err) || (err == nil && u.Disabled) {
		return Principal{}, Session{}, errInvalidSession(op)
	}
	if err != nil {
		return Principal{}, Session{}, errs.E(op, err)
	}
	return u.Principal(), sess, nil
}

// EndSession ends the session of a cookie (logging out). A cookie of no
// session is no error: the browser is logged out either way. Audited as
// logout.
func (s *Service) EndSession(ctx context.Context, cookie string) error {
	const op = "account.EndSession"
	if !wellFormed(cookie) {
		return nil
	}
	sess, err := s.store.SessionByHash(ctx, HashSecret(cookie))
	if errs.Is(errs.NotFound, err) {
		return nil
	}
	if err != nil {
		return errs.E(op, err)
	}
	if err := s.store.DeleteSession(ctx, sess.ID); err != nil && !errs.Is(errs.NotFound, err) {
		return errs.E(op, err)
	}
	return audited(op, s.audit(ctx, sess.Username, ActionLogout, "session="+sess.ID, OutcomeOK))
}

// ---------------------------------------------------------------- permissions

// access returns a collection's access record and whether it has one; a
// store that fails denies (found false) and is logged.
func (s *Service) access(ctx context.Context, collection string) (Access, bool) {
	a, err := s.store.Access(ctx, collection)
	if err != nil {
		if !errs.Is(errs.NotFound, err) {
			s.log.Error("collection access not read; denied", "collection", collection, "err", err)
		}
		return Access{}, false
	}
	return a, true
}

// CanRead reports whether p may read collection: the built-in collection
// every signed-in user; any other an administrator, or a user its
// readers name (by username or by one of their roles). A collection
// without an access record is an administrator's only. A store that
// fails denies.
func (s *Service) CanRead(ctx context.Context, p Principal, collection string) bool {
	if !p.SignedIn() {
		return false
	}
	if collection == BuiltinCollection || p.Has(RoleAdmin) {
		return true
	}
	a, found := s.access(ctx, collection)
	return canRead(p, collection, a, found)
}

// CanWrite reports whether p may write collection (upload, delete): never
// the built-in collection; any other an administrator, or a user its
// writers name. A collection without an access record is an
// administrator's only. A store that fails denies.
func (s *Service) CanWrite(ctx context.Context, p Principal, collection string) bool {
	if !p.SignedIn() || collection == BuiltinCollection {
		return false
	}
	if p.Has(RoleAdmin) {
		return true
	}
	a, found := s.access(ctx, collection)
	return canWrite(p, collection, a, found)
}

// Readable returns the collections of collections that p may read, in
// their order, reading the access records once. A store that fails
// denies every collection but the built-in one.
func (s *Service) Readable(ctx context.Context, p Principal, collections []string) []string {
	out := []string{}
	if !p.SignedIn() {
		return out
	}
	var records map[string]Access
	if !p.Has(RoleAdmin) {
		all, err := s.store.Accesses(ctx)
		if err != nil {
			s.log.Error("collection access not read; denied", "err", err)
		}
		records = make(map[string]Access, len(all))
		for _, ca := range all {
			records[ca.Collection] = ca.Access
		}
	}
	for _, c := range collections {
		a, found := records[c]
		if canRead(p, c, a, found) {
			out = append(out, c)
		}
	}
	return out
}

// Access returns a collection's access record, NotFound
// (CodeNoAccessRecord) when it has none.
func (s *Service) Access(ctx context.Context, collection string) (Access, error) {
	a, err := s.store.Access(ctx, collection)
	return a, wrap("account.Access", err)
}

// Accesses lists every collection's access record, by collection.
func (s *Service) Accesses(ctx context.Context) ([]CollectionAccess, error) {
	all, err := s.store.Accesses(ctx)
	return all, wrap("account.Accesses", err)
}

// SetAccess sets who may read and write collection. Only an administrator
// may; the built-in collection's permissions are fixed (Forbidden,
// CodeBuiltinReadOnly). Audited as permission_change.
func (s *Service) SetAccess(ctx context.Context, actor Principal, collection string, a Access) error {
	const op = "account.SetAccess"
	if err := requireAdmin(op, actor); err != nil {
		_ = s.audit(ctx, actor.Username, ActionPermissionChange, collection, OutcomeDenied)
		return err
	}
	if collection == BuiltinCollection {
		return errForbidden(op, CodeBuiltinReadOnly, "内置知识库对所有用户只读，其权限不能修改")
	}
	if err := CheckCollection(collection); err != nil {
		return err
	}
	a, err := a.Normalize()
	if err != nil {
		return err
	}
	if err := s.store.SetAccess(ctx, collection, a); err != nil {
		return errs.E(op, err)
	}
	return audited(op, s.audit(ctx, actor.Username, ActionPermissionChange, collection+" "+describeAccess(a), OutcomeOK))
}

// describeAccess is an access record for the audit trail.
func describeAccess(a Access) string {
	g := func(g Grant) string {
		return strings.TrimPrefix(rolesList(g.Roles), "roles=") + ";" + strings.Join(g.Users, ",")
	}
	return "readers=" + g(a.Readers) + " writers=" + g(a.Writers)
}

// EnsureCreator gives p read and write permission on collection when it
// has no access record yet, and reports whether it did (audited as
// permission_change). Uploads call it before checking CanWrite, so that
// whoever makes a new collection may use it.
//
// The caller must call it only for a collection that holds no documents:
// a collection filled at the command line has no access record either,
// and its first uploader must not take it over. Only editors and
// administrators may create collections (Forbidden otherwise).
func (s *Service) EnsureCreator(ctx context.Context, collection string, p Principal) (bool, error) {
	const op = "account.EnsureCreator"
	if !p.SignedIn() {
		return false, errs.E(op, errs.Unauthenticated, "请先登录")
	}
	if collection == BuiltinCollection {
		return false, errForbidden(op, CodeBuiltinReadOnly, "内置知识库只读，不能上传文档")
	}
	if err := CheckCollection(collection); err != nil {
		return false, err
	}
	if !p.Has(RoleAdmin) && !p.Has(RoleEditor) {
		return false, errForbidden(op, "", "只有编辑或管理员可以新建知识库集合")
	}
	me := Grant{Roles: []Role{}, Users: []string{p.Username}}
	err := s.store.AddAccess(ctx, collection, Access{Readers: me, Writers: me})
	switch {
	case errs.Is(errs.Conflict, err):
		return false, nil
	case err != nil:
		return false, errs.E(op, err)
	}
	return true, audited(op, s.audit(ctx, p.Username, ActionPermissionChange, collection+" creator", OutcomeOK))
}
