package account_test

import (
	"context"
	"fmt"
	"testing"

	"govreply/account"
	"govreply/internal/errs"
)

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	records := map[string]account.Access{
		// Readers by role and by user; writers by user.
		"法规": {
			Readers: account.Grant{Roles: []account.Role{account.RoleReviewer}, Users: []string{"zhang"}},
			Writers: account.Grant{Users: []string{"wang"}},
		},
		// Writers by role only: a writer who is no reader.
		"cases": {Writers: account.Grant{Roles: []account.Role{account.RoleEditor}}},
		// A record that gives nobody anything.
		"closed": {},
	}
	for c, a := range records {
		if err := f.svc.SetAccess(ctx, f.admin, c, a); err != nil {
			t.Fatal(err)
		}
	}
	var (
		admin    = f.admin
		zhang    = account.Principal{Username: "zhang", Roles: []account.Role{account.RoleEditor}}
		wang     = account.Principal{Username: "wang", Roles: []account.Role{account.RoleTrainee}}
		reviewer = account.Principal{Username: "li", Roles: []account.Role{account.RoleReviewer}}
		trainee  = account.Principal{Username: "zhao", Roles: []account.Role{account.RoleTrainee}}
		nobody   = account.Principal{}
		roleless = account.Principal{Roles: []account.Role{account.RoleAdmin}} // no name: not signed in
	)
	tests := []struct {
		name        string
		p           account.Principal
		collection  string
		read, write bool
	}{
		{"builtin: every signed-in user reads", trainee, "builtin", true, false},
		{"builtin: admin cannot write", admin, "builtin", true, false},
		{"builtin: not signed in", nobody, "builtin", false, false},
		{"admin reads and writes any", admin, "法规", true, true},
		{"admin without a record", admin, "new", true, true},
		{"no record: deny by default", zhang, "new", false, false},
		{"reader by user", zhang, "法规", true, false},
		{"reader by role", reviewer, "法规", true, false},
		{"writer by user, no reader", wang, "法规", false, true},
		{"neither", trainee, "法规", false, false},
		{"writer by role", zhang, "cases", false, true},
		{"writer role not held", trainee, "cases", false, false},
		{"empty record", zhang, "closed", false, false},
		{"empty record, admin", admin, "closed", true, true},
		{"not signed in", nobody, "法规", false, false},
		{"roles without a name", roleless, "法规", false, false},
	}
	for _, tt := range tests {
		if got := f.svc.CanRead(ctx, tt.p, tt.collection); got != tt.read {
			t.Errorf("%s: CanRead = %v", tt.name, got)
		}
		if got := f.svc.CanWrite(ctx, tt.p, tt.collection); got != tt.write {
			t.Errorf("%s: CanWrite = %v", tt.name, got)
		}
	}
	all := []string{"builtin", "法规", "cases", "closed", "new"}
	readable := []struct {
		p    account.Principal
		want string
	}{
		{admin, "[builtin 法规 cases closed new]"},
		{zhang, "[builtin 法规]"},
		{reviewer, "[builtin 法规]"},
		{trainee, "[builtin]"},
		{nobody, "[]"},
	}
	for _, tt := range readable {
		if got := fmt.Sprint(f.svc.Readable(ctx, tt.p, all)); got != tt.want {
			t.Errorf("Readable(%s) = %s, want %s", tt.p.Username, got, tt.want)
		}
	}
}

// TestPermissionsStoreDown: a store that fails denies.
func TestPermissionsStoreDown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	a := account.Access{Readers: account.Grant{Users: []string{"zhang"}}, Writers: account.Grant{Users: []string{"zhang"}}}
	if err := f.svc.SetAccess(ctx, f.admin, "法规", a); err != nil {
		t.Fatal(err)
	}
	down := account.NewService(failingAccess{f.store}, account.Options{Password: cheap})
	if down.CanRead(ctx, f.zhang, "法规") || down.CanWrite(ctx, f.zhang, "法规") {
		t.Error("a failing store allowed")
	}
	if got := fmt.Sprint(down.Readable(ctx, f.zhang, []string{"builtin", "法规"})); got != "[builtin]" {
		t.Errorf("Readable on a failing store = %s", got)
	}
}

// failingAccess is a store whose access records cannot be read.
type failingAccess struct{ account.Store }

func (failingAccess) Access(context.Context, string) (account.Access, error) {
	return account.Access{}, errs.E("test", errs.Unavailable)
}

func (failingAccess) Accesses(context.Context) ([]account.CollectionAccess, error) {
	return nil, errs.E("test", errs.Unavailable)
}

func TestSetAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := account.WithClient(t.Context(), "192.0.2.5")
	tests := []struct {
		name       string
		actor      account.Principal
		collection string
		a          account.Access
		kind       errs.Kind
		code       errs.Code
	}{
		{"admin", f.admin, "法规", account.Access{Readers: account.Grant{Roles: []account.Role{account.RoleEditor}, Users: []string{"Wang"}}}, "", ""},
		{"editor", f.zhang, "法规", account.Access{}, errs.Forbidden, ""},
		{"builtin", f.admin, "builtin", account.Access{}, errs.Forbidden, account.CodeBuiltinReadOnly},
		{"unknown role", f.admin, "法规", account.Access{Readers: account.Grant{Roles: []account.Role{"root"}}}, errs.Invalid, account.CodeInvalidRole},
		{"bad user", f.admin, "法规", account.Access{Readers: account.Grant{Users: []string{"a b"}}}, errs.Invalid, account.CodeInvalidUsername},
		{"bad collection", f.admin, "a b", account.Access{}, errs.Invalid, ""},
	}
	for _, tt := range tests {
		err := f.svc.SetAccess(ctx, tt.actor, tt.collection, tt.a)
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantErr(t, tt.name, err, tt.kind, tt.code)
	}
	a, err := f.svc.Access(ctx, "法规")
	if err != nil || fmt.Sprint(a.Readers.Users) != "[wang]" {
		t.Errorf("access %+v, %v", a, err)
	}
	es := f.entries(t, account.AuditFilter{Action: account.ActionPermissionChange})
	if len(es) != 2 || es[1].Outcome != account.OutcomeOK || es[1].Client != "192.0.2.5" || es[1].User != "admin" ||
		es[0].Outcome != account.OutcomeDenied || es[0].User != "zhang" {
		t.Errorf("permission_change audited as %+v", es)
	}
}

func TestEnsureCreator(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	wang := account.Principal{Username: "wang", Roles: []account.Role{account.RoleEditor}}
	trainee := account.Principal{Username: "zhao", Roles: []account.Role{account.RoleTrainee}}
	tests := []struct {
		name       string
		p          account.Principal
		collection string
		created    bool
		kind       errs.Kind
	}{
		{"first uploader", f.zhang, "通报", true, ""},
		{"second uploader", wang, "通报", false, ""},
		{"trainee", trainee, "练习", false, errs.Forbidden},
		{"builtin", f.zhang, "builtin", false, errs.Forbidden},
		{"not signed in", account.Principal{}, "x", false, errs.Unauthenticated},
	}
	for _, tt := range tests {
		created, err := f.svc.EnsureCreator(ctx, tt.collection, tt.p)
		if created != tt.created || (tt.kind == "" && err != nil) || (tt.kind != "" && !errs.Is(tt.kind, err)) {
			t.Errorf("%s: %v, %v; want %v, kind %q", tt.name, created, err, tt.created, tt.kind)
		}
	}
	if !f.svc.CanRead(ctx, f.zhang, "通报") || !f.svc.CanWrite(ctx, f.zhang, "通报") {
		t.Error("the creator cannot use the new collection")
	}
	if f.svc.CanRead(ctx, wang, "通报") || f.svc.CanWrite(ctx, wang, "通报") {
		t.Error("the second uploader took the collection")
	}
}
