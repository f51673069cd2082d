package account_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/account"
	"govreply/account/memory"
	"govreply/internal/errs"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a Service on a memory store with a fake clock, an
// administrator "admin" and an editor "zhang" (password "zhang-password").
type fixture struct {
	svc   *account.Service
	store *memory.Store
	clock *clock
	admin account.Principal
	zhang account.Principal
}

const zhangPassword = "zhang-password"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	f.svc = account.NewService(f.store, account.Options{Now: f.clock.Now, Password: cheap})
	ctx := t.Context()
	if created, _, err := f.svc.Bootstrap(ctx, "admin-password"); !created || err != nil {
		t.Fatalf("Bootstrap: %v %v", created, err)
	}
	f.admin = account.Principal{Username: "admin", Roles: []account.Role{account.RoleAdmin}}
	u, err := f.svc.AddUser(ctx, f.admin, "zhang", zhangPassword, []account.Role{account.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	f.zhang = u.Principal()
	return f
}

func wantErr(t *testing.T, what string, err error, kind errs.Kind, code errs.Code) {
	t.Helper()
	if !errs.Is(kind, err) || (code != "" && !errs.HasCode(err, code)) {
		t.Errorf("%s: err %v (kind %s, code %s), want %s %s", what, err, errs.KindOf(err), errs.CodeOf(err), kind, code)
	}
}

// entries returns the audit trail, newest first.
func (f *fixture) entries(t *testing.T, filter account.AuditFilter) []account.Entry {
	t.Helper()
	es, err := f.svc.Audit(t.Context(), filter)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// ---------------------------------------------------------------- login

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.svc.AddUser(ctx, f.admin, "old", "old-password", []account.Role{account.RoleTrainee}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Disable(ctx, f.admin, "old"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, password string
		kind                 errs.Kind
		code                 errs.Code
		outcome              account.Outcome
		object               string
	}{
		{"right password", "zhang", zhangPassword, "", "", account.OutcomeOK, ""},
		{"any case", " ZHANG ", zhangPassword, "", "", account.OutcomeOK, ""},
		{"wrong password", "zhang", "wrong-password", errs.Unauthenticated, account.CodeBadCredentials, account.OutcomeFailed, account.LoginBadCredentials},
		{"unknown user", "nobody", zhangPassword, errs.Unauthenticated, account.CodeBadCredentials, account.OutcomeFailed, account.LoginBadCredentials},
		{"impossible name", "no body!", zhangPassword, errs.Unauthenticated, account.CodeBadCredentials, account.OutcomeFailed, account.LoginBadCredentials},
		{"empty password", "zhang", "", errs.Unauthenticated, account.CodeBadCredentials, account.OutcomeFailed, account.LoginBadCredentials},
		{"huge password", "zhang", strings.Repeat("x", 10_000), errs.Unauthenticated, account.CodeBadCredentials, account.OutcomeFailed, account.LoginBadCredentials},
		{"disabled", "old", "old-password", errs.Forbidden, account.CodeAccountDisabled, account.OutcomeDenied, account.LoginDisabled},
	}
	var message string
	for i, tt := range tests {
		client := "192.0.2." + string(rune('1'+i)) // one address each: no throttling here
		p, err := f.svc.Login(ctx, tt.user, tt.password, client)
		if tt.kind == "" {
			if err != nil || p.Username != "zhang" || !p.Has(account.RoleEditor) {
				t.Errorf("%s: %+v, %v", tt.name, p, err)
			}
		} else {
			wantErr(t, tt.name, err, tt.kind, tt.code)
			if p.SignedIn() {
				t.Errorf("%s: signed in as %+v", tt.name, p)
			}
			// Unknown user and wrong password say the same.
			if tt.code == account.CodeBadCredentials {
				if message == "" {
					message = errs.MessageOf(err)
				}
				if errs.MessageOf(err) != message || message != "用户名或密码错误" {
					t.Errorf("%s: message %q, want %q", tt.name, errs.MessageOf(err), message)
				}
			}
		}
		es := f.entries(t, account.AuditFilter{Limit: 1})
		e := es[0]
		wantAction := account.ActionLogin
		if tt.outcome != account.OutcomeOK {
			wantAction = account.ActionLoginFailed
		}
		if e.Action != wantAction || e.Outcome != tt.outcome || e.Client != client || e.Object != tt.object {
			t.Errorf("%s: audited %+v", tt.name, e)
		}
	}
	for _, e := range f.entries(t, account.AuditFilter{}) {
		if strings.Contains(e.User+e.Object+e.Client, "password") {
			t.Errorf("a password reached the audit trail: %+v", e)
		}
	}
}

// TestLoginAuditFailsClosed: a login that cannot be audited does not
// happen.
func TestLoginAuditFailsClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc := account.NewService(failingAppend{f.store}, account.Options{Now: f.clock.Now, Password: cheap})
	p, err := svc.Login(t.Context(), "zhang", zhangPassword, "192.0.2.1")
	if err == nil || p.SignedIn() {
		t.Errorf("login without an audit trail: %+v, %v", p, err)
	}
}

// failingAppend is a store whose audit trail cannot be written.
type failingAppend struct{ *memory.Store }

func (failingAppend) Append(context.Context, account.Entry) error {
	return errs.E("test", errs.Unavailable, "审计日志不可用")
}

func TestThrottleAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// Five failures from five addresses within the window.
	for i := range account.DefaultMaxFailures {
		f.clock.Advance(time.Minute)
		_, err := f.svc.Login(ctx, "zhang", "wrong-password", "198.51.100."+string(rune('1'+i)))
		wantErr(t, "failure", err, errs.Unauthenticated, account.CodeBadCredentials)
	}
	// The account is refused now, even with the right password and from
	// a new address, without the password being checked.
	_, err := f.svc.Login(ctx, "zhang", zhangPassword, "203.0.113.9")
	wantErr(t, "sixth attempt", err, errs.RateLimited, account.CodeLoginThrottled)
	// The first failure was 4 minutes ago; it leaves the window in 11.
	if got := errs.RetryAfterOf(err); got != 11*time.Minute {
		t.Errorf("RetryAfter %v, want 11m", got)
	}
	if msg := errs.MessageOf(err); !strings.Contains(msg, "11 分钟") {
		t.Errorf("message %q", msg)
	}
	if e := f.entries(t, account.AuditFilter{Limit: 1})[0]; e.Action != account.ActionLoginFailed || e.Outcome != account.OutcomeDenied || e.Object != account.LoginRateLimited {
		t.Errorf("throttled attempt audited as %+v", e)
	}
	// Other accounts are not affected.
	if _, err := f.svc.Login(ctx, "admin", "admin-password", "203.0.113.9"); err != nil {
		t.Errorf("another account: %v", err)
	}
	// After the window the account may try again, and a success forgets
	// its failures.
	f.clock.Advance(11 * time.Minute)
	if _, err := f.svc.Login(ctx, "zhang", zhangPassword, "203.0.113.9"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	for i := range account.DefaultMaxFailures - 1 {
		if _, err := f.svc.Login(ctx, "zhang", "wrong-password", "198.51.100."+string(rune('1'+i))); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("failure after success: %v", err)
		}
	}
	if _, err := f.svc.Login(ctx, "zhang", zhangPassword, "203.0.113.9"); err != nil {
		t.Errorf("four failures after a success refused the fifth attempt: %v", err)
	}
}

func TestThrottleUnknownAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// An account that does not exist is throttled like one that does, so
	// that throttling tells nothing either.
	for i := range account.DefaultMaxFailures {
		_, err := f.svc.Login(ctx, "ghost", "whatever-password", "198.51.100."+string(rune('1'+i)))
		wantErr(t, "failure", err, errs.Unauthenticated, account.CodeBadCredentials)
	}
	_, err := f.svc.Login(ctx, "ghost", "whatever-password", "203.0.113.1")
	wantErr(t, "sixth attempt", err, errs.RateLimited, account.CodeLoginThrottled)
}

func TestThrottleAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failFrom []string // five failing clients
		then     string   // the next client
		refused  bool
	}{
		{"one address", []string{"192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7"}, "192.0.2.7", true},
		{"ports differ", []string{"192.0.2.7:1000", "192.0.2.7:1001", "192.0.2.7:1002", "192.0.2.7:1003", "192.0.2.7:1004"}, "192.0.2.7", true},
		{"one IPv6 /64", []string{"2001:db8::1", "2001:db8::2", "[2001:db8::3]:443", "2001:db8::4", "2001:db8::5"}, "2001:db8::ffff", true},
		{"IPv4 in IPv6", []string{"::ffff:192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7"}, "::ffff:192.0.2.7", true},
		{"another address", []string{"192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7"}, "192.0.2.8", false},
		{"another IPv6 /64", []string{"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4", "2001:db8::5"}, "2001:db8:0:1::1", false},
		{"four failures", []string{"192.0.2.7", "192.0.2.7", "192.0.2.7", "192.0.2.7"}, "192.0.2.7", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := t.Context()
			// Each failure for another account, so only the address counts.
			for i, c := range tt.failFrom {
				if _, err := f.svc.Login(ctx, "user"+string(rune('a'+i)), "wrong-password", c); !errs.Is(errs.Unauthenticated, err) {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			_, err := f.svc.Login(ctx, "zhang", zhangPassword, tt.then)
			if tt.refused {
				wantErr(t, "next", err, errs.RateLimited, account.CodeLoginThrottled)
				if got := errs.RetryAfterOf(err); got != 15*time.Minute {
					t.Errorf("RetryAfter %v, want 15m", got)
				}
				// Recovery after the window.
				f.clock.Advance(15 * time.Minute)
				if _, err := f.svc.Login(ctx, "zhang", zhangPassword, tt.then); err != nil {
					t.Errorf("after the window: %v", err)
				}
			} else if err != nil {
				t.Errorf("next: %v", err)
			}
		})
	}
}

// TestThrottleConcurrent: guesses at once cannot overtake the count.
func TestThrottleConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	checked := 0
	for range 40 {
		wg.Go(func() {
			_, err := f.svc.Login(t.Context(), "zhang", "wrong-password", "192.0.2.1")
			if errs.Is(errs.Unauthenticated, err) {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if checked != account.DefaultMaxFailures {
		t.Errorf("%d guesses checked, want %d", checked, account.DefaultMaxFailures)
	}
}

// ---------------------------------------------------------------- tokens

func TestTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	secret, tok, err := f.svc.CreateToken(ctx, f.zhang, "zhang", "我的脚本", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !account.LooksLikeToken(secret) || tok.Username != "zhang" || tok.Name != "我的脚本" {
		t.Fatalf("token %q %+v", secret, tok)
	}
	if got := tok.ExpiresAt.Sub(tok.CreatedAt); got != 90*24*time.Hour {
		t.Errorf("default lifetime %v, want 90 days", got)
	}
	p, err := f.svc.VerifyToken(ctx, secret)
	if err != nil || p.Username != "zhang" || !p.Has(account.RoleEditor) {
		t.Fatalf("VerifyToken: %+v, %v", p, err)
	}
	ts, _ := f.svc.Tokens(ctx, "zhang")
	if len(ts) != 1 || !ts[0].LastUsedAt.Equal(f.clock.Now()) {
		t.Errorf("last use not recorded: %+v", ts)
	}
	// Roles come from the user now, not from when the token was made.
	if _, err := f.svc.SetRoles(ctx, f.admin, "zhang", []account.Role{account.RoleReviewer}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.svc.VerifyToken(ctx, secret); !p.Has(account.RoleReviewer) || p.Has(account.RoleEditor) {
		t.Errorf("roles after a change: %+v", p)
	}
	e := f.entries(t, account.AuditFilter{Action: account.ActionTokenCreate})
	if len(e) != 1 || e[0].User != "zhang" || !strings.Contains(e[0].Object, tok.ID) || strings.Contains(e[0].Object, secret) {
		t.Errorf("token_create audited as %+v", e)
	}
}

func TestVerifyTokenRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture, secret string, tok account.Token) string // returns the secret to try
	}{
		{"forged", func(*testing.T, *fixture, string, account.Token) string { return account.NewTokenSecret() }},
		{"malformed", func(*testing.T, *fixture, string, account.Token) string { return "gr_abc" }},
		{"empty", func(*testing.T, *fixture, string, account.Token) string { return "" }},
		{"another prefix", func(_ *testing.T, _ *fixture, s string, _ account.Token) string { return "xx_" + s[3:] }},
		{"expired", func(_ *testing.T, f *fixture, s string, _ account.Token) string {
			f.clock.Advance(time.Hour)
			return s
		}},
		{"revoked", func(t *testing.T, f *fixture, s string, tok account.Token) string {
			if _, err := f.svc.RevokeToken(t.Context(), f.zhang, "zhang", tok.ID); err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"disabled user", func(t *testing.T, f *fixture, s string, _ account.Token) string {
			if _, err := f.svc.Disable(t.Context(), f.admin, "zhang"); err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			secret, tok, err := f.svc.CreateToken(t.Context(), f.admin, "zhang", "", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.svc.VerifyToken(t.Context(), tt.setup(t, f, secret, tok))
			wantErr(t, tt.name, err, errs.Unauthenticated, account.CodeInvalidToken)
			if p.SignedIn() {
				t.Errorf("signed in as %+v", p)
			}
		})
	}
}

func TestTokenRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.svc.AddUser(ctx, f.admin, "wang", "wang-password", []account.Role{account.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		actor       account.Principal
		user, label string
		ttl         time.Duration
		kind        errs.Kind
	}{
		{"own", f.zhang, "zhang", "", time.Hour, ""},
		{"admin for another", f.admin, "zhang", "", time.Hour, ""},
		{"a year", f.zhang, "zhang", "", 365 * 24 * time.Hour, ""},
		{"for another", f.zhang, "wang", "", time.Hour, errs.Forbidden},
		{"nobody", account.Principal{}, "zhang", "", time.Hour, errs.Forbidden},
		{"over a year", f.zhang, "zhang", "", 366 * 24 * time.Hour, errs.Invalid},
		{"negative", f.zhang, "zhang", "", -time.Hour, errs.Invalid},
		{"long name", f.zhang, "zhang", strings.Repeat("名", 65), time.Hour, errs.Invalid},
		{"control in name", f.zhang, "zhang", "a\nb", time.Hour, errs.Invalid},
		{"unknown user", f.admin, "nobody", "", time.Hour, errs.NotFound},
	}
	for _, tt := range tests {
		_, _, err := f.svc.CreateToken(ctx, tt.actor, tt.user, tt.label, tt.ttl)
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantErr(t, tt.name, err, tt.kind, "")
	}
	// Revoking: the owner or an administrator.
	_, tok, _ := f.svc.CreateToken(ctx, f.zhang, "zhang", "", time.Hour)
	wang := account.Principal{Username: "wang", Roles: []account.Role{account.RoleEditor}}
	_, err := f.svc.RevokeToken(ctx, wang, "zhang", tok.ID)
	wantErr(t, "revoke another's", err, errs.Forbidden, "")
	_, err = f.svc.RevokeToken(ctx, wang, "wang", tok.ID)
	wantErr(t, "revoke another's as one's own", err, errs.NotFound, "")
	got, err := f.svc.RevokeToken(ctx, f.admin, "zhang", tok.ID)
	if err != nil || !got.Revoked() {
		t.Errorf("admin revoke: %+v, %v", got, err)
	}
	if e := f.entries(t, account.AuditFilter{Action: account.ActionTokenRevoke}); len(e) != 2 ||
		e[0].Outcome != account.OutcomeOK || e[1].Outcome != account.OutcomeDenied || e[1].User != "wang" {
		t.Errorf("token_revoke audited as %+v", e)
	}
}

// ---------------------------------------------------------------- sessions

func TestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	cookie, sess, err := f.svc.NewSession(ctx, f.zhang, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cookie) != 43 || sess.CSRF == "" || sess.CSRF == cookie || sess.ExpiresAt.Sub(sess.CreatedAt) != 12*time.Hour {
		t.Fatalf("session %q %+v", cookie, sess)
	}
	p, got, err := f.svc.VerifySession(ctx, cookie)
	if err != nil || p.Username != "zhang" || got.ID != sess.ID || got.CSRF != sess.CSRF {
		t.Fatalf("VerifySession: %+v %+v %v", p, got, err)
	}
	// The store keeps no cookie.
	if _, err := f.store.SessionByHash(ctx, account.Hash([]byte(cookie))); err == nil {
		t.Error("found by the raw cookie")
	}
	for _, c := range []string{"", "short", cookie + "x", strings.ToUpper(cookie)} {
		_, _, err := f.svc.VerifySession(ctx, c)
		wantErr(t, "cookie "+c, err, errs.Unauthenticated, account.CodeInvalidSession)
	}
	// Expiry.
	f.clock.Advance(12*time.Hour - time.Second)
	if _, _, err := f.svc.VerifySession(ctx, cookie); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	f.clock.Advance(time.Second)
	_, _, err = f.svc.VerifySession(ctx, cookie)
	wantErr(t, "expired", err, errs.Unauthenticated, account.CodeInvalidSession)
	if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("Sweep = %d, %v", n, err)
	}
}

func TestEndSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := account.WithClient(t.Context(), "192.0.2.9")
	cookie, sess, _ := f.svc.NewSession(ctx, f.zhang, "192.0.2.9")
	if err := f.svc.EndSession(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.svc.VerifySession(ctx, cookie)
	wantErr(t, "after logout", err, errs.Unauthenticated, account.CodeInvalidSession)
	if err := f.svc.EndSession(ctx, cookie); err != nil {
		t.Errorf("logging out twice: %v", err)
	}
	e := f.entries(t, account.AuditFilter{Action: account.ActionLogout})
	if len(e) != 1 || e[0].User != "zhang" || e[0].Client != "192.0.2.9" || !strings.Contains(e[0].Object, sess.ID) {
		t.Errorf("logout audited as %+v", e)
	}
}

func TestDisableEndsSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	cookie, _, _ := f.svc.NewSession(ctx, f.zhang, "")
	if _, err := f.svc.Disable(ctx, f.admin, "zhang"); err != nil {
		t.Fatal(err)
	}
	if ss, _ := f.store.Sessions(ctx, "zhang"); len(ss) != 0 {
		t.Errorf("sessions left after Disable: %+v", ss)
	}
	_, _, err := f.svc.VerifySession(ctx, cookie)
	wantErr(t, "disabled", err, errs.Unauthenticated, account.CodeInvalidSession)
	// A session made while disabled (the API never does) is refused too.
	cookie, _, _ = f.svc.NewSession(ctx, f.zhang, "")
	_, _, err = f.svc.VerifySession(ctx, cookie)
	wantErr(t, "session of a disabled user", err, errs.Unauthenticated, account.CodeInvalidSession)
}

func TestCheckCSRF(t *testing.T) {
	t.Parallel()
	sess := account.Session{CSRF: "abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE"}
	tests := []struct {
		sess  account.Session
		token string
		ok    bool
	}{
		{sess, sess.CSRF, true},
		{sess, "", false},
		{sess, sess.CSRF[:42], false},
		{sess, sess.CSRF + "x", false},
		{sess, strings.ToUpper(sess.CSRF), false},
		{account.Session{}, "", false}, // a session without a token accepts nothing
	}
	for _, tt := range tests {
		err := account.CheckCSRF(tt.sess, tt.token)
		if (err == nil) != tt.ok {
			t.Errorf("CheckCSRF(%q, %q) = %v", tt.sess.CSRF, tt.token, err)
		}
		if err != nil {
			wantErr(t, "CheckCSRF", err, errs.Forbidden, account.CodeCSRF)
		}
	}
}

// ---------------------------------------------------------------- users

func TestBootstrap(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		name     string
		password string
		kind     errs.Kind
	}{
		{"given password", "given-password", ""},
		{"generated password", "", ""},
		{"weak password", "short", errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := memory.New()
			svc := account.NewService(store, account.Options{Password: cheap})
			created, generated, err := svc.Bootstrap(ctx, tt.password)
			if tt.kind != "" {
				wantErr(t, "Bootstrap", err, tt.kind, account.CodeWeakPassword)
				if n, _ := store.CountUsers(ctx); n != 0 {
					t.Errorf("%d users after a failed bootstrap", n)
				}
				return
			}
			if err != nil || !created {
				t.Fatalf("Bootstrap: %v %v", created, err)
			}
			password := tt.password
			if password == "" {
				if len(generated) < 20 {
					t.Fatalf("generated password %q", generated)
				}
				password = generated
			} else if generated != "" {
				t.Errorf("generated %q though a password was given", generated)
			}
			p, err := svc.Login(ctx, "admin", password, "")
			if err != nil || !p.Has(account.RoleAdmin) {
				t.Fatalf("login as the first admin: %+v, %v", p, err)
			}
			// Once only.
			created, generated, err = svc.Bootstrap(ctx, "another-password")
			if created || generated != "" || err != nil {
				t.Errorf("second Bootstrap: %v %q %v", created, generated, err)
			}
			if _, err := svc.Login(ctx, "admin", password, ""); err != nil {
				t.Errorf("the second Bootstrap changed the password: %v", err)
			}
			es, _ := svc.Audit(ctx, account.AuditFilter{Action: account.ActionUserCreate})
			if len(es) != 1 || es[0].User != account.SystemName {
				t.Errorf("bootstrap audited as %+v", es)
			}
		})
	}
}

func TestUserManagement(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	wang := account.Principal{Username: "wang", Roles: []account.Role{account.RoleEditor}}
	tests := []struct {
		name string
		do   func() error
		kind errs.Kind
		code errs.Code
	}{
		{"add by admin", func() error {
			_, err := f.svc.AddUser(ctx, f.admin, "Wang", "wang-password", []account.Role{account.RoleEditor})
			return err
		}, "", ""},
		{"add twice", func() error {
			_, err := f.svc.AddUser(ctx, f.admin, "wang", "wang-password", []account.Role{account.RoleEditor})
			return err
		}, errs.Conflict, account.CodeUserExists},
		{"add by editor", func() error {
			_, err := f.svc.AddUser(ctx, f.zhang, "li", "li-password", []account.Role{account.RoleEditor})
			return err
		}, errs.Forbidden, ""},
		{"add without roles", func() error {
			_, err := f.svc.AddUser(ctx, f.admin, "li", "li-password", nil)
			return err
		}, errs.Invalid, account.CodeInvalidRole},
		{"add weak password", func() error {
			_, err := f.svc.AddUser(ctx, f.admin, "li", "1234", []account.Role{account.RoleEditor})
			return err
		}, errs.Invalid, account.CodeWeakPassword},
		{"add bad name", func() error {
			_, err := f.svc.AddUser(ctx, f.admin, "li si", "li-password", []account.Role{account.RoleEditor})
			return err
		}, errs.Invalid, account.CodeInvalidUsername},
		{"own password", func() error { return f.svc.SetPassword(ctx, wang, "wang", "new-wang-password") }, "", ""},
		{"another's password", func() error { return f.svc.SetPassword(ctx, wang, "zhang", "hijacked-password") }, errs.Forbidden, ""},
		{"admin sets a password", func() error { return f.svc.SetPassword(ctx, f.admin, "zhang", "reset-password") }, "", ""},
		{"password of nobody", func() error { return f.svc.SetPassword(ctx, f.admin, "nobody", "reset-password") }, errs.NotFound, account.CodeUserNotFound},
		{"roles by editor", func() error {
			_, err := f.svc.SetRoles(ctx, wang, "wang", []account.Role{account.RoleAdmin})
			return err
		}, errs.Forbidden, ""},
		{"last admin's role", func() error {
			_, err := f.svc.SetRoles(ctx, f.admin, "admin", []account.Role{account.RoleEditor})
			return err
		}, errs.Conflict, account.CodeLastAdmin},
		{"disable last admin", func() error {
			_, err := f.svc.Disable(ctx, f.admin, "admin")
			return err
		}, errs.Conflict, account.CodeLastAdmin},
		{"second admin", func() error {
			_, err := f.svc.SetRoles(ctx, f.admin, "wang", []account.Role{account.RoleAdmin, account.RoleEditor})
			return err
		}, "", ""},
		{"disable an admin of two", func() error {
			_, err := f.svc.Disable(ctx, f.admin, "wang")
			return err
		}, "", ""},
		{"disable by editor", func() error {
			_, err := f.svc.Disable(ctx, f.zhang, "wang")
			return err
		}, errs.Forbidden, ""},
		{"enable", func() error {
			_, err := f.svc.Enable(ctx, f.admin, "wang")
			return err
		}, "", ""},
	}
	for _, tt := range tests {
		err := tt.do()
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantErr(t, tt.name, err, tt.kind, tt.code)
	}
	if _, err := f.svc.Login(ctx, "zhang", "reset-password", ""); err != nil {
		t.Errorf("login with the reset password: %v", err)
	}
	if _, err := f.svc.Login(ctx, "wang", "new-wang-password", ""); err != nil {
		t.Errorf("login with the changed password: %v", err)
	}
	us, _ := f.svc.Users(ctx)
	if len(us) != 3 {
		t.Errorf("users %+v", us)
	}
	var got []string
	for _, e := range f.entries(t, account.AuditFilter{Since: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}) {
		if e.Action != account.ActionLogin {
			got = append(got, string(e.Action)+"/"+string(e.Outcome))
		}
	}
	want := "user_update/ok user_update/denied user_update/ok user_update/ok user_update/denied " +
		"password_change/ok password_change/denied password_change/ok user_create/denied user_create/ok user_create/ok user_create/ok"
	if strings.Join(got, " ") != want {
		t.Errorf("audit trail:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	cookie, _, _ := f.svc.NewSession(ctx, f.zhang, "")
	secret, _, _ := f.svc.CreateToken(ctx, f.zhang, "zhang", "", time.Hour)
	if err := f.svc.SetPassword(ctx, f.zhang, "zhang", "another-password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.VerifySession(ctx, cookie); err == nil {
		t.Error("a session outlived a password change")
	}
	if _, err := f.svc.VerifyToken(ctx, secret); err != nil {
		t.Errorf("a token stopped with a password change: %v", err)
	}
}

// TestClientFromContext: without a client of its own, a login and a
// session take the one WithClient put in the context.
func TestClientFromContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := account.WithClient(t.Context(), "192.0.2.77")
	p, err := f.svc.Login(ctx, "zhang", zhangPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := f.entries(t, account.AuditFilter{Limit: 1})[0]; e.Client != "192.0.2.77" {
		t.Errorf("login audited from %q", e.Client)
	}
	_, sess, err := f.svc.NewSession(ctx, p, "")
	if err != nil || sess.Client != "192.0.2.77" {
		t.Errorf("session %+v, %v", sess, err)
	}
}
