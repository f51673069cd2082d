// Package storetest is the contract test suite of account.Store: every
// implementation (account/memory, account/postgres) runs it from its own
// tests and must pass it unchanged.
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) account.Store { return memory.New() })
//	}
package storetest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"govreply/account"
	"govreply/internal/errs"
)

// Run runs the whole contract against stores made by open, one fresh,
// empty store per subtest; open registers its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) account.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, account.Store)
	}{
		{"Users", testUsers},
		{"UserErrors", testUserErrors},
		{"UpdateUser", testUpdateUser},
		{"UsersAreCopies", testUsersAreCopies},
		{"CreateUserConcurrent", testCreateUserConcurrent},
		{"Tokens", testTokens},
		{"TokenErrors", testTokenErrors},
		{"RevokeToken", testRevokeToken},
		{"Sessions", testSessions},
		{"SessionErrors", testSessionErrors},
		{"Sweep", testSweep},
		{"Access", testAccess},
		{"AccessErrors", testAccessErrors},
		{"AuditOrder", testAuditOrder},
		{"AuditFilter", testAuditFilter},
		{"AuditInvalid", testAuditInvalid},
		{"AuditConcurrent", testAuditConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// T0 is the suite's reference time: UTC, to the microsecond.
var T0 = time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC)

// at returns T0 plus d.
func at(d time.Duration) time.Time { return T0.Add(d) }

// hash returns a distinct hash for n.
func hash(n int) account.Hash { return account.HashSecret(fmt.Sprint("secret-", n)) }

func mustKind(t *testing.T, what string, err error, kind errs.Kind) {
	t.Helper()
	if !errs.Is(kind, err) {
		t.Errorf("%s: err %v (kind %s), want kind %s", what, err, errs.KindOf(err), kind)
	}
}

func mustNil(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func addUser(t *testing.T, s account.Store, name string, roles ...account.Role) account.User {
	t.Helper()
	u := account.User{Username: name, Roles: roles, CreatedAt: T0, UpdatedAt: T0}
	mustNil(t, "CreateUser "+name, s.CreateUser(t.Context(), u, "hash-of-"+name))
	return u
}

func sameUser(t *testing.T, got, want account.User) {
	t.Helper()
	if got.Username != want.Username || !slices.Equal(got.Roles, want.Roles) || got.Disabled != want.Disabled ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("user = %+v, want %+v", got, want)
	}
}

// ---------------------------------------------------------------- users

func testUsers(t *testing.T, s account.Store) {
	ctx := t.Context()
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("empty store: %d users, %v", n, err)
	}
	if us, err := s.Users(ctx); err != nil || us == nil || len(us) != 0 {
		t.Fatalf("empty store: Users = %#v, %v", us, err)
	}
	// Roles are kept canonical: no repeats, in the order of AllRoles.
	mustNil(t, "CreateUser", s.CreateUser(ctx, account.User{Username: "zhang", Roles: []account.Role{account.RoleReviewer, account.RoleEditor, account.RoleEditor},
		CreatedAt: T0, UpdatedAt: at(time.Second)}, "h1"))
	addUser(t, s, "李四", account.RoleTrainee)
	addUser(t, s, "admin", account.RoleAdmin)
	mustNil(t, "CreateUser disabled", s.CreateUser(ctx, account.User{Username: "old.user", Roles: []account.Role{account.RoleTrainer}, Disabled: true, CreatedAt: T0, UpdatedAt: T0}, "h4"))

	want := account.User{Username: "zhang", Roles: []account.Role{account.RoleEditor, account.RoleReviewer}, CreatedAt: T0, UpdatedAt: at(time.Second)}
	u, err := s.User(ctx, "zhang")
	mustNil(t, "User", err)
	sameUser(t, u, want)
	u, h, err := s.Credentials(ctx, "zhang")
	mustNil(t, "Credentials", err)
	sameUser(t, u, want)
	if h != "h1" {
		t.Errorf("password hash %q, want h1", h)
	}
	us, err := s.Users(ctx)
	mustNil(t, "Users", err)
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	if fmt.Sprint(names) != "[admin old.user zhang 李四]" {
		t.Errorf("Users in order %v", names)
	}
	if !us[1].Disabled || us[0].Disabled {
		t.Errorf("disabled flags: %+v", us)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 4 {
		t.Errorf("CountUsers = %d, %v; want 4 (disabled users count)", n, err)
	}
}

func testUserErrors(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	err := s.CreateUser(ctx, account.User{Username: "zhang", Roles: []account.Role{account.RoleAdmin}, CreatedAt: T0, UpdatedAt: T0}, "other")
	mustKind(t, "CreateUser twice", err, errs.Conflict)
	if !errs.HasCode(err, account.CodeUserExists) {
		t.Errorf("CreateUser twice: code %s, want %s", errs.CodeOf(err), account.CodeUserExists)
	}
	if _, h, _ := s.Credentials(ctx, "zhang"); h != "hash-of-zhang" {
		t.Errorf("a refused CreateUser changed the hash to %q", h)
	}
	tests := []struct {
		name string
		u    account.User
		hash string
	}{
		{"empty username", account.User{Roles: []account.Role{account.RoleEditor}}, "h"},
		{"space in username", account.User{Username: "a b", Roles: []account.Role{account.RoleEditor}}, "h"},
		{"upper case", account.User{Username: "Zhang", Roles: []account.Role{account.RoleEditor}}, "h"},
		{"too long", account.User{Username: string(slices.Repeat([]rune("长"), 65)), Roles: []account.Role{account.RoleEditor}}, "h"},
		{"unknown role", account.User{Username: "wang", Roles: []account.Role{"root"}}, "h"},
		{"empty hash", account.User{Username: "wang", Roles: []account.Role{account.RoleEditor}}, ""},
	}
	for _, tt := range tests {
		tt.u.CreatedAt, tt.u.UpdatedAt = T0, T0
		mustKind(t, "CreateUser "+tt.name, s.CreateUser(ctx, tt.u, tt.hash), errs.Invalid)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("%d users after invalid creations, want 1", n)
	}
	_, err = s.User(ctx, "nobody")
	mustKind(t, "User unknown", err, errs.NotFound)
	if !errs.HasCode(err, account.CodeUserNotFound) {
		t.Errorf("User unknown: code %s", errs.CodeOf(err))
	}
	_, _, err = s.Credentials(ctx, "nobody")
	mustKind(t, "Credentials unknown", err, errs.NotFound)
	d := true
	_, err = s.UpdateUser(ctx, "nobody", account.UserUpdate{Disabled: &d, UpdatedAt: T0})
	mustKind(t, "UpdateUser unknown", err, errs.NotFound)
	bad := []account.Role{"root"}
	_, err = s.UpdateUser(ctx, "zhang", account.UserUpdate{Roles: &bad, UpdatedAt: T0})
	mustKind(t, "UpdateUser bad role", err, errs.Invalid)
	empty := ""
	_, err = s.UpdateUser(ctx, "zhang", account.UserUpdate{PasswordHash: &empty, UpdatedAt: T0})
	mustKind(t, "UpdateUser empty hash", err, errs.Invalid)
}

func testUpdateUser(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	tests := []struct {
		name string
		up   func() account.UserUpdate
		want account.User
		hash string
	}{
		{"roles", func() account.UserUpdate {
			rs := []account.Role{account.RoleTrainee, account.RoleAdmin}
			return account.UserUpdate{Roles: &rs, UpdatedAt: at(time.Minute)}
		}, account.User{Username: "zhang", Roles: []account.Role{account.RoleAdmin, account.RoleTrainee}, CreatedAt: T0, UpdatedAt: at(time.Minute)}, "hash-of-zhang"},
		{"disabled", func() account.UserUpdate {
			d := true
			return account.UserUpdate{Disabled: &d, UpdatedAt: at(2 * time.Minute)}
		}, account.User{Username: "zhang", Roles: []account.Role{account.RoleAdmin, account.RoleTrainee}, Disabled: true, CreatedAt: T0, UpdatedAt: at(2 * time.Minute)}, "hash-of-zhang"},
		{"password", func() account.UserUpdate {
			h := "new-hash"
			return account.UserUpdate{PasswordHash: &h, UpdatedAt: at(3 * time.Minute)}
		}, account.User{Username: "zhang", Roles: []account.Role{account.RoleAdmin, account.RoleTrainee}, Disabled: true, CreatedAt: T0, UpdatedAt: at(3 * time.Minute)}, "new-hash"},
		{"enabled again", func() account.UserUpdate {
			d := false
			return account.UserUpdate{Disabled: &d, UpdatedAt: at(4 * time.Minute)}
		}, account.User{Username: "zhang", Roles: []account.Role{account.RoleAdmin, account.RoleTrainee}, CreatedAt: T0, UpdatedAt: at(4 * time.Minute)}, "new-hash"},
	}
	for _, tt := range tests {
		got, err := s.UpdateUser(ctx, "zhang", tt.up())
		mustNil(t, "UpdateUser "+tt.name, err)
		sameUser(t, got, tt.want)
		u, h, err := s.Credentials(ctx, "zhang")
		mustNil(t, "Credentials", err)
		sameUser(t, u, tt.want)
		if h != tt.hash {
			t.Errorf("%s: hash %q, want %q", tt.name, h, tt.hash)
		}
	}
	// A zero UpdatedAt means now.
	before := time.Now().Add(-time.Second)
	rs := []account.Role{account.RoleEditor}
	u, err := s.UpdateUser(ctx, "zhang", account.UserUpdate{Roles: &rs})
	mustNil(t, "UpdateUser without time", err)
	if u.UpdatedAt.Before(before) || u.UpdatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("UpdatedAt %v, want about now", u.UpdatedAt)
	}
}

func testUsersAreCopies(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor, account.RoleReviewer)
	u, _ := s.User(ctx, "zhang")
	u.Roles[0] = account.RoleAdmin
	us, _ := s.Users(ctx)
	us[0].Roles[1] = account.RoleAdmin
	again, _ := s.User(ctx, "zhang")
	if !slices.Equal(again.Roles, []account.Role{account.RoleEditor, account.RoleReviewer}) {
		t.Errorf("changing a returned user changed the stored one: %v", again.Roles)
	}
}

func testCreateUserConcurrent(t *testing.T, s account.Store) {
	var wg sync.WaitGroup
	var ok, conflicts atomic.Int32
	for i := range 8 {
		wg.Go(func() {
			err := s.CreateUser(t.Context(), account.User{Username: "same", Roles: []account.Role{account.RoleEditor}, CreatedAt: T0, UpdatedAt: T0}, fmt.Sprint("h", i))
			switch {
			case err == nil:
				ok.Add(1)
			case errs.Is(errs.Conflict, err):
				conflicts.Add(1)
			default:
				t.Errorf("CreateUser: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || conflicts.Load() != 7 {
		t.Errorf("%d created, %d conflicts; want 1 and 7", ok.Load(), conflicts.Load())
	}
}

// ---------------------------------------------------------------- tokens

func sameToken(t *testing.T, got, want account.Token) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Name != want.Name ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
		!got.LastUsedAt.Equal(want.LastUsedAt) || !got.RevokedAt.Equal(want.RevokedAt) {
		t.Errorf("token = %+v, want %+v", got, want)
	}
}

func testTokens(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	addUser(t, s, "wang", account.RoleEditor)
	t1 := account.Token{ID: "t1", Username: "zhang", Name: "笔记本", CreatedAt: T0, ExpiresAt: at(90 * 24 * time.Hour)}
	t2 := account.Token{ID: "t2", Username: "zhang", Name: "", CreatedAt: at(time.Hour), ExpiresAt: at(48 * time.Hour)}
	t3 := account.Token{ID: "t3", Username: "wang", Name: "脚本", CreatedAt: at(time.Hour), ExpiresAt: at(48 * time.Hour)}
	for i, tk := range []account.Token{t1, t2, t3} {
		mustNil(t, "AddToken "+tk.ID, s.AddToken(ctx, tk, hash(i)))
	}
	got, err := s.TokenByHash(ctx, hash(1))
	mustNil(t, "TokenByHash", err)
	sameToken(t, got, t2)
	if !got.LastUsedAt.IsZero() || !got.RevokedAt.IsZero() {
		t.Errorf("new token has last use %v, revoked %v", got.LastUsedAt, got.RevokedAt)
	}
	ts, err := s.Tokens(ctx, "zhang")
	mustNil(t, "Tokens", err)
	if len(ts) != 2 {
		t.Fatalf("zhang has %d tokens, want 2", len(ts))
	}
	sameToken(t, ts[0], t2) // newest first
	sameToken(t, ts[1], t1)
	if ts, err := s.Tokens(ctx, "nobody"); err != nil || ts == nil || len(ts) != 0 {
		t.Errorf("Tokens of an unknown user = %#v, %v; want empty", ts, err)
	}
	mustNil(t, "TouchToken", s.TouchToken(ctx, "t1", at(2*time.Hour)))
	t1.LastUsedAt = at(2 * time.Hour)
	got, err = s.TokenByHash(ctx, hash(0))
	mustNil(t, "TokenByHash after touch", err)
	sameToken(t, got, t1)
}

func testTokenErrors(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	tk := account.Token{ID: "t1", Username: "zhang", CreatedAt: T0, ExpiresAt: at(time.Hour)}
	mustNil(t, "AddToken", s.AddToken(ctx, tk, hash(1)))
	mustKind(t, "AddToken same id", s.AddToken(ctx, tk, hash(2)), errs.Conflict)
	tk.ID = "t2"
	mustKind(t, "AddToken same hash", s.AddToken(ctx, tk, hash(1)), errs.Conflict)
	tk.Username = "nobody"
	mustKind(t, "AddToken unknown user", s.AddToken(ctx, tk, hash(3)), errs.NotFound)
	_, err := s.TokenByHash(ctx, hash(9))
	mustKind(t, "TokenByHash unknown", err, errs.NotFound)
	mustKind(t, "TouchToken unknown", s.TouchToken(ctx, "nope", T0), errs.NotFound)
	_, err = s.RevokeToken(ctx, "zhang", "nope", T0)
	mustKind(t, "RevokeToken unknown", err, errs.NotFound)
}

func testRevokeToken(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	addUser(t, s, "wang", account.RoleEditor)
	tk := account.Token{ID: "t1", Username: "zhang", CreatedAt: T0, ExpiresAt: at(time.Hour)}
	mustNil(t, "AddToken", s.AddToken(ctx, tk, hash(1)))
	_, err := s.RevokeToken(ctx, "wang", "t1", at(time.Minute))
	mustKind(t, "RevokeToken of another user's token", err, errs.NotFound)
	got, err := s.RevokeToken(ctx, "zhang", "t1", at(2*time.Minute))
	mustNil(t, "RevokeToken", err)
	tk.RevokedAt = at(2 * time.Minute)
	sameToken(t, got, tk)
	got, err = s.RevokeToken(ctx, "zhang", "t1", at(3*time.Minute))
	mustNil(t, "RevokeToken again", err)
	sameToken(t, got, tk) // the first time stays
	got, err = s.TokenByHash(ctx, hash(1))
	mustNil(t, "TokenByHash revoked", err)
	sameToken(t, got, tk)
}

// ---------------------------------------------------------------- sessions

func sameSession(t *testing.T, got, want account.Session) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.CSRF != want.CSRF || got.Client != want.Client ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("session = %+v, want %+v", got, want)
	}
}

func testSessions(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	addUser(t, s, "wang", account.RoleEditor)
	s1 := account.Session{ID: "s1", Username: "zhang", CSRF: "c1", Client: "10.0.0.1", CreatedAt: T0, ExpiresAt: at(12 * time.Hour)}
	s2 := account.Session{ID: "s2", Username: "zhang", CSRF: "c2", Client: "2001:db8::1", CreatedAt: at(time.Hour), ExpiresAt: at(13 * time.Hour)}
	s3 := account.Session{ID: "s3", Username: "wang", CSRF: "c3", Client: "", CreatedAt: at(time.Hour), ExpiresAt: at(13 * time.Hour)}
	for i, sess := range []account.Session{s1, s2, s3} {
		mustNil(t, "AddSession "+sess.ID, s.AddSession(ctx, sess, hash(i)))
	}
	got, err := s.SessionByHash(ctx, hash(0))
	mustNil(t, "SessionByHash", err)
	sameSession(t, got, s1)
	ss, err := s.Sessions(ctx, "zhang")
	mustNil(t, "Sessions", err)
	if len(ss) != 2 {
		t.Fatalf("zhang has %d sessions, want 2", len(ss))
	}
	sameSession(t, ss[0], s2)
	sameSession(t, ss[1], s1)
	mustNil(t, "DeleteSession", s.DeleteSession(ctx, "s1"))
	_, err = s.SessionByHash(ctx, hash(0))
	mustKind(t, "SessionByHash deleted", err, errs.NotFound)
	n, err := s.DeleteUserSessions(ctx, "zhang")
	if err != nil || n != 1 {
		t.Errorf("DeleteUserSessions = %d, %v; want 1", n, err)
	}
	if ss, _ := s.Sessions(ctx, "zhang"); len(ss) != 0 {
		t.Errorf("sessions left: %+v", ss)
	}
	if _, err := s.SessionByHash(ctx, hash(2)); err != nil {
		t.Errorf("another user's session went: %v", err)
	}
	if n, err := s.DeleteUserSessions(ctx, "nobody"); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions of nobody = %d, %v", n, err)
	}
}

func testSessionErrors(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	sess := account.Session{ID: "s1", Username: "zhang", CSRF: "c", CreatedAt: T0, ExpiresAt: at(time.Hour)}
	mustNil(t, "AddSession", s.AddSession(ctx, sess, hash(1)))
	mustKind(t, "AddSession same id", s.AddSession(ctx, sess, hash(2)), errs.Conflict)
	sess.ID = "s2"
	mustKind(t, "AddSession same hash", s.AddSession(ctx, sess, hash(1)), errs.Conflict)
	sess.Username = "nobody"
	mustKind(t, "AddSession unknown user", s.AddSession(ctx, sess, hash(3)), errs.NotFound)
	mustKind(t, "DeleteSession unknown", s.DeleteSession(ctx, "nope"), errs.NotFound)
	_, err := s.SessionByHash(ctx, hash(9))
	mustKind(t, "SessionByHash unknown", err, errs.NotFound)
}

func testSweep(t *testing.T, s account.Store) {
	ctx := t.Context()
	addUser(t, s, "zhang", account.RoleEditor)
	now := at(10 * time.Hour)
	sessions := []account.Session{
		{ID: "gone", Username: "zhang", CreatedAt: T0, ExpiresAt: at(9 * time.Hour)},
		{ID: "edge", Username: "zhang", CreatedAt: T0, ExpiresAt: now},
		{ID: "live", Username: "zhang", CreatedAt: T0, ExpiresAt: now.Add(time.Microsecond)},
	}
	for i, sess := range sessions {
		mustNil(t, "AddSession", s.AddSession(ctx, sess, hash(i)))
	}
	tokens := []account.Token{
		{ID: "gone", Username: "zhang", CreatedAt: T0, ExpiresAt: at(time.Hour)},
		{ID: "live", Username: "zhang", CreatedAt: T0, ExpiresAt: at(11 * time.Hour)},
		{ID: "revoked", Username: "zhang", CreatedAt: T0, ExpiresAt: at(11 * time.Hour), RevokedAt: at(time.Hour)},
	}
	for i, tk := range tokens {
		mustNil(t, "AddToken", s.AddToken(ctx, tk, hash(10+i)))
	}
	n, err := s.Sweep(ctx, now)
	if err != nil || n != 3 {
		t.Errorf("Sweep = %d, %v; want 3", n, err)
	}
	ss, _ := s.Sessions(ctx, "zhang")
	if len(ss) != 1 || ss[0].ID != "live" {
		t.Errorf("sessions after Sweep: %+v", ss)
	}
	ts, _ := s.Tokens(ctx, "zhang")
	var ids []string
	for _, tk := range ts {
		ids = append(ids, tk.ID)
	}
	slices.Sort(ids)
	if fmt.Sprint(ids) != "[live revoked]" {
		t.Errorf("tokens after Sweep: %v", ids)
	}
	if _, err := s.TokenByHash(ctx, hash(10)); !errs.Is(errs.NotFound, err) {
		t.Errorf("swept token still found: %v", err)
	}
}

// ---------------------------------------------------------------- access

func sameAccess(t *testing.T, what string, got, want account.Access) {
	t.Helper()
	if !slices.Equal(got.Readers.Roles, want.Readers.Roles) || !slices.Equal(got.Readers.Users, want.Readers.Users) ||
		!slices.Equal(got.Writers.Roles, want.Writers.Roles) || !slices.Equal(got.Writers.Users, want.Writers.Users) {
		t.Errorf("%s: access = %+v, want %+v", what, got, want)
	}
	for _, s := range [][]string{got.Readers.Users, got.Writers.Users} {
		if s == nil {
			t.Errorf("%s: a nil users list", what)
		}
	}
}

func testAccess(t *testing.T, s account.Store) {
	ctx := t.Context()
	_, err := s.Access(ctx, "法规")
	mustKind(t, "Access without a record", err, errs.NotFound)
	if !errs.HasCode(err, account.CodeNoAccessRecord) {
		t.Errorf("Access without a record: code %s", errs.CodeOf(err))
	}
	a := account.Access{
		Readers: account.Grant{Roles: []account.Role{account.RoleTrainee, account.RoleEditor, account.RoleTrainee}, Users: []string{"wang", "Zhang", "wang"}},
		Writers: account.Grant{Users: []string{"zhang"}},
	}
	canonical := account.Access{
		Readers: account.Grant{Roles: []account.Role{account.RoleEditor, account.RoleTrainee}, Users: []string{"wang", "zhang"}},
		Writers: account.Grant{Roles: []account.Role{}, Users: []string{"zhang"}},
	}
	mustNil(t, "AddAccess", s.AddAccess(ctx, "法规", a))
	got, err := s.Access(ctx, "法规")
	mustNil(t, "Access", err)
	sameAccess(t, "after AddAccess", got, canonical)
	mustKind(t, "AddAccess twice", s.AddAccess(ctx, "法规", account.Access{}), errs.Conflict)
	got, _ = s.Access(ctx, "法规")
	sameAccess(t, "after a refused AddAccess", got, canonical)

	replaced := account.Access{Readers: account.Grant{Roles: []account.Role{account.RoleReviewer}}}
	mustNil(t, "SetAccess", s.SetAccess(ctx, "法规", replaced))
	mustNil(t, "SetAccess new", s.SetAccess(ctx, "cases", account.Access{Writers: account.Grant{Roles: []account.Role{account.RoleEditor}}}))
	mustNil(t, "AddAccess other", s.AddAccess(ctx, "a-first", account.Access{}))
	got, _ = s.Access(ctx, "法规")
	sameAccess(t, "after SetAccess", got, account.Access{
		Readers: account.Grant{Roles: []account.Role{account.RoleReviewer}, Users: []string{}},
		Writers: account.Grant{Roles: []account.Role{}, Users: []string{}},
	})
	all, err := s.Accesses(ctx)
	mustNil(t, "Accesses", err)
	var names []string
	for _, ca := range all {
		names = append(names, ca.Collection)
	}
	if fmt.Sprint(names) != "[a-first cases 法规]" {
		t.Errorf("Accesses in order %v", names)
	}
	sameAccess(t, "Accesses cases", all[1].Access, account.Access{
		Readers: account.Grant{Roles: []account.Role{}, Users: []string{}},
		Writers: account.Grant{Roles: []account.Role{account.RoleEditor}, Users: []string{}},
	})
	// A returned record is a copy.
	all[1].Writers.Roles[0] = account.RoleAdmin
	got, _ = s.Access(ctx, "cases")
	if got.Writers.Roles[0] != account.RoleEditor {
		t.Error("changing a returned record changed the stored one")
	}
}

func testAccessErrors(t *testing.T, s account.Store) {
	ctx := t.Context()
	tests := []struct {
		name       string
		collection string
		a          account.Access
	}{
		{"empty collection", "", account.Access{}},
		{"space in collection", "a b", account.Access{}},
		{"unknown role", "c", account.Access{Readers: account.Grant{Roles: []account.Role{"root"}}}},
		{"bad username", "c", account.Access{Writers: account.Grant{Users: []string{"a b"}}}},
	}
	for _, tt := range tests {
		mustKind(t, "SetAccess "+tt.name, s.SetAccess(ctx, tt.collection, tt.a), errs.Invalid)
		mustKind(t, "AddAccess "+tt.name, s.AddAccess(ctx, tt.collection, tt.a), errs.Invalid)
	}
	if all, _ := s.Accesses(ctx); len(all) != 0 {
		t.Errorf("invalid records were stored: %+v", all)
	}
}

// ---------------------------------------------------------------- audit

func entry(d time.Duration, user string, a account.Action, object string) account.Entry {
	return account.Entry{Time: at(d), User: user, Client: "10.0.0.1", Action: a, Object: object, Outcome: account.OutcomeOK}
}

func objects(es []account.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Object)
	}
	return fmt.Sprint(out)
}

func testAuditOrder(t *testing.T, s account.Store) {
	ctx := t.Context()
	if es, err := s.Entries(ctx, account.AuditFilter{}); err != nil || es == nil || len(es) != 0 {
		t.Fatalf("empty trail: %#v, %v", es, err)
	}
	in := []account.Entry{
		entry(time.Minute, "zhang", account.ActionLogin, "b"),
		entry(0, "zhang", account.ActionLogin, "a"),
		entry(time.Minute, "wang", account.ActionUpload, "c"), // same time as b, appended later
		{Time: at(2 * time.Minute), User: "admin", Client: "", Action: account.ActionLoginFailed, Object: "=cmd()", Outcome: account.OutcomeDenied},
	}
	for _, e := range in {
		mustNil(t, "Append", s.Append(ctx, e))
	}
	es, err := s.Entries(ctx, account.AuditFilter{})
	mustNil(t, "Entries", err)
	if got := objects(es); got != "[=cmd() c b a]" {
		t.Errorf("order %s, want newest first, later appended first on a tie", got)
	}
	want := in[3]
	if g := es[0]; !g.Time.Equal(want.Time) || g.User != want.User || g.Client != want.Client || g.Action != want.Action ||
		g.Object != want.Object || g.Outcome != want.Outcome {
		t.Errorf("entry = %+v, want %+v", g, want)
	}
}

func testAuditFilter(t *testing.T, s account.Store) {
	ctx := t.Context()
	for i, e := range []account.Entry{
		entry(0, "zhang", account.ActionLogin, "0"),
		entry(time.Minute, "wang", account.ActionLogin, "1"),
		entry(2*time.Minute, "zhang", account.ActionUpload, "2"),
		entry(3*time.Minute, "zhang", account.ActionLogin, "3"),
		entry(4*time.Minute, "wang", account.ActionDelete, "4"),
	} {
		mustNil(t, fmt.Sprint("Append ", i), s.Append(ctx, e))
	}
	tests := []struct {
		name string
		f    account.AuditFilter
		want string
	}{
		{"all", account.AuditFilter{}, "[4 3 2 1 0]"},
		{"since inclusive", account.AuditFilter{Since: at(2 * time.Minute)}, "[4 3 2]"},
		{"until exclusive", account.AuditFilter{Until: at(2 * time.Minute)}, "[1 0]"},
		{"range", account.AuditFilter{Since: at(time.Minute), Until: at(4 * time.Minute)}, "[3 2 1]"},
		{"user", account.AuditFilter{User: "zhang"}, "[3 2 0]"},
		{"action", account.AuditFilter{Action: account.ActionLogin}, "[3 1 0]"},
		{"user and action", account.AuditFilter{User: "zhang", Action: account.ActionLogin}, "[3 0]"},
		{"limit", account.AuditFilter{Limit: 2}, "[4 3]"},
		{"limit after filter", account.AuditFilter{User: "wang", Limit: 1}, "[4]"},
		{"nothing", account.AuditFilter{User: "nobody"}, "[]"},
	}
	for _, tt := range tests {
		es, err := s.Entries(ctx, tt.f)
		mustNil(t, tt.name, err)
		if got := objects(es); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func testAuditInvalid(t *testing.T, s account.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		e    account.Entry
	}{
		{"no time", account.Entry{User: "a", Action: account.ActionLogin, Outcome: account.OutcomeOK}},
		{"no action", account.Entry{Time: T0, User: "a", Outcome: account.OutcomeOK}},
		{"bad action", account.Entry{Time: T0, User: "a", Action: "Drop Table", Outcome: account.OutcomeOK}},
		{"bad outcome", account.Entry{Time: T0, User: "a", Action: account.ActionLogin, Outcome: "maybe"}},
		{"bad UTF-8", account.Entry{Time: T0, User: "a\xff", Action: account.ActionLogin, Outcome: account.OutcomeOK}},
	}
	for _, tt := range tests {
		mustKind(t, tt.name, s.Append(ctx, tt.e), errs.Invalid)
	}
	if es, _ := s.Entries(ctx, account.AuditFilter{}); len(es) != 0 {
		t.Errorf("invalid entries were appended: %+v", es)
	}
}

func testAuditConcurrent(t *testing.T, s account.Store) {
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.Append(t.Context(), entry(time.Duration(i)*time.Second, "zhang", account.ActionLogin, fmt.Sprint(i))); err != nil {
				t.Errorf("Append: %v", err)
			}
		})
	}
	wg.Wait()
	es, err := s.Entries(t.Context(), account.AuditFilter{})
	mustNil(t, "Entries", err)
	if len(es) != 20 {
		t.Errorf("%d entries, want 20", len(es))
	}
}
