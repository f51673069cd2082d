package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"govreply/internal/errs"
)

// Defaults of Options.
const (
	DefaultSessionTTL    = 12 * time.Hour
	DefaultTokenTTL      = 90 * 24 * time.Hour
	MaxTokenTTL          = 365 * 24 * time.Hour
	DefaultMaxFailures   = 5
	DefaultFailureWindow = 15 * time.Minute
	DefaultMaxThrottled  = 10_000
	DefaultMaxHashing    = 4
)

// tokenTouchEvery is how stale a token's LastUsedAt may be before a use
// writes it again (one write per token and minute, not per request).
const tokenTouchEvery = time.Minute

// Options configure NewService; the zero value is the defaults.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SessionTTL is how long a browser session lives; 0 means
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// MaxFailures failed logins within FailureWindow refuse further
	// attempts for the account and for the client address until the
	// oldest leaves the window; 0 means DefaultMaxFailures and
	// DefaultFailureWindow.
	MaxFailures   int
	FailureWindow time.Duration
	// MaxThrottled caps how many accounts and addresses the login
	// throttle remembers; 0 means DefaultMaxThrottled.
	MaxThrottled int
	// Password is the argon2id cost of new hashes; zero means
	// DefaultPasswordParams. Tests use cheap ones.
	Password PasswordParams
	// MaxHashing caps the password hashes computed at once (each takes
	// Password.Memory); 0 means DefaultMaxHashing.
	MaxHashing int
	// Logger receives what the Service cannot return (a failed write of
	// a token's last use); nil discards it.
	Logger *slog.Logger
}

// Service applies govreply's account rules on a Store: it hashes and
// checks passwords, throttles logins, issues and checks tokens and
// sessions, decides permissions and writes the audit trail. It is safe
// for concurrent use.
type Service struct {
	store      Store
	now        func() time.Time
	sessionTTL time.Duration
	params     PasswordParams
	dummy      string // a hash with params that matches no password
	throttle   *throttle
	hashing    chan struct{}
	log        *slog.Logger
}

// NewService returns a Service on store.
func NewService(store Store, o Options) *Service {
	s := &Service{store: store, now: o.Now, sessionTTL: o.SessionTTL, params: o.Password, log: o.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = DefaultSessionTTL
	}
	if s.params == (PasswordParams{}) {
		s.params = DefaultPasswordParams
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = DefaultMaxFailures
	}
	if o.FailureWindow <= 0 {
		o.FailureWindow = DefaultFailureWindow
	}
	if o.MaxThrottled <= 0 {
		o.MaxThrottled = DefaultMaxThrottled
	}
	if o.MaxHashing <= 0 {
		o.MaxHashing = DefaultMaxHashing
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.throttle = newThrottle(o.MaxFailures, o.FailureWindow, o.MaxThrottled)
	s.hashing = make(chan struct{}, o.MaxHashing)
	s.dummy = encodeHash(s.params, make([]byte, s.params.SaltLen), make([]byte, s.params.KeyLen))
	return s
}

// clock returns the time now, to the microsecond that stores keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// acquire takes one of the MaxHashing slots for a password hash.
func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errs.E("account.hash", ctx.Err())
	}
}

func (s *Service) release() { <-s.hashing }

// hash hashes a new password (checked by CheckPassword).
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return HashPassword(password, s.params), nil
}

// verify compares password with encoded, a stored hash.
func (s *Service) verify(ctx context.Context, encoded, password string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer s.release()
	return VerifyPassword(encoded, password)
}

// audit appends an entry done by actor with ctx's client.
func (s *Service) audit(ctx context.Context, actor string, a Action, object string, o Outcome) error {
	return s.Record(ctx, Entry{User: actor, Action: a, Object: object, Outcome: o})
}

// audited returns err, or when the action succeeded but its audit entry
// could not be written, an error saying so.
func audited(op string, auditErr error) error {
	if auditErr == nil {
		return nil
	}
	return errs.E(op, "操作已完成，但审计日志写入失败", auditErr)
}

// wrap adds op to a non-nil err, keeping its kind and code.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return errs.E(op, err)
}

func errForbidden(op string, code errs.Code, msg string) error {
	return errs.E(op, errs.Forbidden, code, msg)
}

// requireAdmin refuses an actor who is not an administrator.
func requireAdmin(op string, actor Principal) error {
	if !actor.SignedIn() || !actor.Has(RoleAdmin) {
		return errForbidden(op, "", "只有管理员可以执行此操作")
	}
	return nil
}

// canonicalUser returns the canonical form of a username that names an
// existing account: an invalid one is NotFound like an unknown one.
func canonicalUser(op, username string) (string, error) {
	name := NormalizeUsername(username)
	if CheckUsername(name) != nil {
		return "", ErrUserNotFound(op, truncate(name, MaxUsernameLen))
	}
	return name, nil
}

// ---------------------------------------------------------------- users

// AddUser creates a user with password and roles (at least one). Only an
// administrator may; audited as user_create.
func (s *Service) AddUser(ctx context.Context, actor Principal, username, password string, roles []Role) (User, error) {
	const op = "account.AddUser"
	if err := requireAdmin(op, actor); err != nil {
		_ = s.audit(ctx, actor.Username, ActionUserCreate, NormalizeUsername(username), OutcomeDenied)
		return User{}, err
	}
	u, hash, err := s.newUser(ctx, username, password, roles)
	if err != nil {
		return User{}, err
	}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return User{}, errs.E(op, err)
	}
	return u, audited(op, s.audit(ctx, actor.Username, ActionUserCreate, u.Username+" "+rolesList(u.Roles), OutcomeOK))
}

// newUser checks a new user's fields and hashes the password.
func (s *Service) newUser(ctx context.Context, username, password string, roles []Role) (User, string, error) {
	const op = "account.AddUser"
	name := NormalizeUsername(username)
	if err := CheckUsername(name); err != nil {
		return User{}, "", err
	}
	rs, err := NormalizeRoles(roles)
	if err != nil {
		return User{}, "", err
	}
	if len(rs) == 0 {
		return User{}, "", errs.E(op, errs.Invalid, CodeInvalidRole, "至少需要指定一个角色")
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return User{}, "", err
	}
	now := s.clock()
	return User{Username: name, Roles: rs, CreatedAt: now, UpdatedAt: now}, hash, nil
}

// rolesList is roles for the audit trail: "roles=editor,reviewer".
func rolesList(rs []Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return "roles=" + strings.Join(ss, ",")
}

// User returns one user.
func (s *Service) User(ctx context.Context, username string) (User, error) {
	const op = "account.User"
	name, err := canonicalUser(op, username)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.User(ctx, name)
	return u, wrap(op, err)
}

// Users returns every user, by username.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	us, err := s.store.Users(ctx)
	if err != nil {
		return nil, errs.E("account.Users", err)
	}
	return us, nil
}

// Sessions returns a user's browser sessions that have not expired.
func (s *Service) Sessions(ctx context.Context, username string) ([]Session, error) {
	const op = "account.Sessions"
	name, err := canonicalUser(op, username)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Sessions(ctx, name)
	if err != nil {
		return nil, wrap(op, err)
	}
	now := s.now()
	live := all[:0:0]
	for _, ss := range all {
		if !ss.Expired(now) {
			live = append(live, ss)
		}
	}
	return live, nil
}

// SetPassword sets a user's password. An administrator may set anyone's;
// a user their own. The user's browser sessions end (tokens stay).
// Audited as password_change.
func (s *Service) SetPassword(ctx context.Context, actor Principal, username, password string) error {
	const op = "account.SetPassword"
	name, err := canonicalUser(op, username)
	if err != nil {
		return err
	}
	if !actor.SignedIn() || (actor.Username != name && !actor.Has(RoleAdmin)) {
		_ = s.audit(ctx, actor.Username, ActionPasswordChange, name, OutcomeDenied)
		return errForbidden(op, "", "只能修改自己的密码；修改他人密码需要管理员权限")
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateUser(ctx, name, UserUpdate{PasswordHash: &hash, UpdatedAt: s.clock()}); err != nil {
		return errs.E(op, err)
	}
	if _, err := s.store.DeleteUserSessions(ctx, name); err != nil {
		return errs.E(op, "密码已修改，但未能退出该用户已登录的会话", err)
	}
	return audited(op, s.audit(ctx, actor.Username, ActionPasswordChange, name, OutcomeOK))
}

// SetRoles replaces a user's roles (at least one). Only an administrator
// may; the last enabled administrator keeps the admin role. Audited as
// user_update.
func (s *Service) SetRoles(ctx context.Context, actor Principal, username string, roles []Role) (User, error) {
	const op = "account.SetRoles"
	if err := requireAdmin(op, actor); err != nil {
		_ = s.audit(ctx, actor.Username, ActionUserUpdate, NormalizeUsername(username), OutcomeDenied)
		return User{}, err
	}
	name, err := canonicalUser(op, username)
	if err != nil {
		return User{}, err
	}
	rs, err := NormalizeRoles(roles)
	if err != nil {
		return User{}, err
	}
	if len(rs) == 0 {
		return User{}, errs.E(op, errs.Invalid, CodeInvalidRole, "至少需要保留一个角色")
	}
	if !slices.Contains(rs, RoleAdmin) {
		if err := s.keepAnAdmin(ctx, op, name); err != nil {
			return User{}, err
		}
	}
	u, err := s.store.UpdateUser(ctx, name, UserUpdate{Roles: &rs, UpdatedAt: s.clock()})
	if err != nil {
		return User{}, errs.E(op, err)
	}
	return u, audited(op, s.audit(ctx, actor.Username, ActionUserUpdate, name+" "+rolesList(rs), OutcomeOK))
}

// keepAnAdmin refuses a change that would leave no enabled administrator
// when name is one now.
func (s *Service) keepAnAdmin(ctx context.Context, op, name string) error {
	us, err := s.store.Users(ctx)
	if err != nil {
		return errs.E(op, err)
	}
	target, others := false, 0
	for _, u := range us {
		if u.Disabled || !slices.Contains(u.Roles, RoleAdmin) {
			continue
		}
		if u.Username == name {
			target = true
		} else {
			others++
		}
	}
	if target && others == 0 {
		return errs.E(op, errs.Conflict, CodeLastAdmin, fmt.Sprintf("%s 是唯一可用的管理员，不能取消其管理员角色或停用", name))
	}
	return nil
}

// Disable disables a user: they cannot log in, their browser sessions are
// deleted and their tokens stop working. Only an administrator may, and
// not on the last enabled administrator. Audited as user_update.
func (s *Service) Disable(ctx context.Context, actor Principal, username string) (User, error) {
	return s.setDisabled(ctx, "account.Disable", actor, username, true)
}

// Enable enables a disabled user again (their tokens that have not
// expired work again). Only an administrator may. Audited as
// user_update.
func (s *Service) Enable(ctx context.Context, actor Principal, username string) (User, error) {
	return s.setDisabled(ctx, "account.Enable", actor, username, false)
}

func (s *Service) setDisabled(ctx context.Context, op string, actor Principal, username string, disabled bool) (User, error) {
	if err := requireAdmin(op, actor); err != nil {
		_ = s.audit(ctx, actor.Username, ActionUserUpdate, NormalizeUsername(username), OutcomeDenied)
		return User{}, err
	}
	name, err := canonicalUser(op, username)
	if err != nil {
		return User{}, err
	}
	if disabled {
		if err := s.keepAnAdmin(ctx, op, name); err != nil {
			return User{}, err
		}
	}
	u, err := s.store.UpdateUser(ctx, name, UserUpdate{Disabled: &disabled, UpdatedAt: s.clock()})
	if err != nil {
		return User{}, errs.E(op, err)
	}
	what := name + " enabled"
	if disabled {
		what = name + " disabled"
		if _, err := s.store.DeleteUserSessions(ctx, name); err != nil {
			return User{}, errs.E(op, "账号已停用，但未能退出其已登录的会话", err)
		}
	}
	return u, audited(op, s.audit(ctx, actor.Username, ActionUserUpdate, what, OutcomeOK))
}

// Bootstrap creates the first administrator when there are no users: the
// user "admin" with the role admin and password, or, when password is
// empty, a random one that it returns (serve prints it once). With users
// already there it does nothing and returns false. Audited as
// user_create by "(system)".
func (s *Service) Bootstrap(ctx context.Context, password string) (created bool, generated string, err error) {
	const op = "account.Bootstrap"
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", wrap(op, err)
	}
	if password == "" {
		generated = rand.Text()
		password = generated
	}
	u, hash, err := s.newUser(ctx, "admin", password, []Role{RoleAdmin})
	if err != nil {
		return false, "", errs.E(op, "首个管理员的密码（GOVREPLY_ADMIN_PASSWORD）不可用", err)
	}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		if errs.Is(errs.Conflict, err) { // another process was first
			return false, "", nil
		}
		return false, "", errs.E(op, err)
	}
	return true, generated, audited(op, s.audit(ctx, SystemName, ActionUserCreate, u.Username+" "+rolesList(u.Roles), OutcomeOK))
}

// ---------------------------------------------------------------- audit

// Record appends an entry to the audit trail. A zero Time is now, an
// empty Client is ctx's (WithClient); text fields longer than their
// limit are shortened, bytes that are not UTF-8 replaced.
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.Time.IsZero() {
		e.Time = s.clock()
	}
	if e.Client == "" {
		e.Client = ClientOf(ctx)
	}
	clean := func(s string, n int) string { return truncate(strings.ToValidUTF8(s, "\uFFFD"), n) }
	e.User = clean(e.User, MaxEntryUser)
	e.Client = clean(e.Client, MaxEntryClient)
	e.Object = clean(e.Object, MaxEntryObject)
	if err := s.store.Append(ctx, e); err != nil {
		return errs.E("account.Record", err)
	}
	return nil
}

// Audit returns the entries f selects, newest first: at most f.Limit,
// DefaultAuditLimit when it is 0, never more than MaxAuditLimit.
func (s *Service) Audit(ctx context.Context, f AuditFilter) ([]Entry, error) {
	switch {
	case f.Limit < 0:
		return nil, errs.E("account.Audit", errs.Invalid, "条数不能为负数")
	case f.Limit == 0:
		f.Limit = DefaultAuditLimit
	case f.Limit > MaxAuditLimit:
		f.Limit = MaxAuditLimit
	}
	if f.User != "" {
		f.User = NormalizeUsername(f.User)
	}
	es, err := s.store.Entries(ctx, f)
	if err != nil {
		return nil, errs.E("account.Audit", err)
	}
	return es, nil
}

// Sweep deletes the sessions and tokens that have expired and returns how
// many it deleted.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n, err := s.store.Sweep(ctx, s.clock())
	if err != nil {
		return 0, errs.E("account.Sweep", err)
	}
	return n, nil
}

// SweepEvery runs Sweep every interval until ctx is done. A failed sweep
// is reported to onError (nil: ignored) and tried again at the next tick.
func (s *Service) SweepEvery(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && onError != nil && !errors.Is(ctx.Err(), context.Canceled) {
				onError(err)
			}
		}
	}
}
