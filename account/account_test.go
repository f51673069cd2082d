package account_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"govreply/account"
	"govreply/internal/errs"
)

func TestRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role  account.Role
		valid bool
		name  string
	}{
		{account.RoleAdmin, true, "管理员"},
		{account.RoleEditor, true, "编辑"},
		{account.RoleReviewer, true, "审核员"},
		{account.RoleTrainer, true, "培训师"},
		{account.RoleTrainee, true, "学员"},
		{"root", false, "root"},
		{"", false, ""},
		{"Admin", false, "Admin"},
	}
	for _, tt := range tests {
		if got := tt.role.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v", tt.role, got)
		}
		if got := tt.role.Name(); got != tt.name {
			t.Errorf("%q.Name() = %q, want %q", tt.role, got, tt.name)
		}
	}
	if got := len(account.AllRoles()); got != 5 {
		t.Errorf("%d roles", got)
	}
}

func TestParseRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      []string
		want    string
		invalid bool
	}{
		{nil, "[]", false},
		{[]string{"trainee", "admin"}, "[admin trainee]", false},
		{[]string{" Editor ", "editor", "reviewer"}, "[editor reviewer]", false},
		{[]string{"editor", "superuser"}, "", true},
		{[]string{""}, "", true},
	}
	for _, tt := range tests {
		rs, err := account.ParseRoles(tt.in)
		if tt.invalid {
			if !errs.Is(errs.Invalid, err) || !errs.HasCode(err, account.CodeInvalidRole) {
				t.Errorf("ParseRoles(%q): %v, want invalid_role", tt.in, err)
			}
			continue
		}
		if err != nil || fmt.Sprint(rs) != tt.want || rs == nil {
			t.Errorf("ParseRoles(%q) = %v, %v; want %s", tt.in, rs, err, tt.want)
		}
	}
	if got := account.RoleNames([]account.Role{account.RoleEditor, account.RoleReviewer}); got != "编辑、审核员" {
		t.Errorf("RoleNames = %q", got)
	}
}

func TestUsernames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, canonical string
		valid         bool
	}{
		{"zhang", "zhang", true},
		{"  ZhangSan ", "zhangsan", true},
		{"张三", "张三", true},
		{"li.si_2-b", "li.si_2-b", true},
		{"宣传科.王五", "宣传科.王五", true},
		{strings.Repeat("长", 64), strings.Repeat("长", 64), true},
		{strings.Repeat("长", 65), strings.Repeat("长", 65), false},
		{"", "", false},
		{"   ", "", false},
		{"a b", "a b", false},
		{"a@b", "a@b", false},
		{"ЗАГС", "ЗАГС", false},   // Cyrillic looks like Latin: refused
		{"ｚhang", "ｚhang", false}, // full-width letter
		{"(cli)", "(cli)", false},
		{"a\x00", "a\x00", false},
		{"😀", "😀", false},
		{"a\xff", "a\uFFFD", false},
	}
	for _, tt := range tests {
		c := account.NormalizeUsername(tt.in)
		if c != tt.canonical {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", tt.in, c, tt.canonical)
		}
		err := account.CheckUsername(c)
		if (err == nil) != tt.valid {
			t.Errorf("CheckUsername(%q) = %v, want valid %v", c, err, tt.valid)
		}
		if err != nil && (!errs.Is(errs.Invalid, err) || !errs.HasCode(err, account.CodeInvalidUsername) || !hasHan(errs.MessageOf(err))) {
			t.Errorf("CheckUsername(%q): %v (kind %s, code %s), want a Chinese invalid_username", c, err, errs.KindOf(err), errs.CodeOf(err))
		}
	}
	if err := account.CheckUsername("Zhang"); !strings.Contains(errs.MessageOf(err), "小写") {
		t.Errorf("upper case: %q", errs.MessageOf(err))
	}
}

func hasHan(s string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(s) }

func TestPrincipal(t *testing.T) {
	t.Parallel()
	p := account.Principal{Username: "zhang", Roles: []account.Role{account.RoleEditor}}
	if !p.Has(account.RoleEditor) || p.Has(account.RoleAdmin) || !p.SignedIn() {
		t.Errorf("principal %+v", p)
	}
	if (account.Principal{}).SignedIn() {
		t.Error("the zero principal is signed in")
	}
	if account.CheckUsername(account.OperatorName) == nil {
		t.Error("the operator's name is a possible username")
	}
}

func TestTokenSecretShape(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^gr_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 100 {
		s := account.NewTokenSecret()
		if !re.MatchString(s) || !account.LooksLikeToken(s) || seen[s] {
			t.Fatalf("secret %q", s)
		}
		seen[s] = true
	}
	for _, s := range []string{"", "gr_", "gr_short", "xx_" + strings.Repeat("a", 43), "gr_" + strings.Repeat("*", 43), "gr_" + strings.Repeat("a", 44)} {
		if account.LooksLikeToken(s) {
			t.Errorf("LooksLikeToken(%q)", s)
		}
	}
}
