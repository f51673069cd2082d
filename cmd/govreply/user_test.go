package main

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"govreply/account"
	acctpg "govreply/account/postgres"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
)

func TestUserWithoutDatabase(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"user", "list"}, {"user", "token", "zhang"}, {"user", "disable", "zhang"}} {
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "DATABASE_URL") || !strings.Contains(stderr, "serve") {
			t.Errorf("%v without a database: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestUserUsage(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/x"} // never reached: usage is checked first
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no name", "", []string{"user", "add", "--role", "editor"}, "用户名"},
		{"no role", "password1\n", []string{"user", "add", "zhang"}, "--role"},
		{"unknown role", "password1\n", []string{"user", "add", "zhang", "--role", "root"}, "未知的角色"},
		{"no password", "", []string{"user", "add", "zhang", "--role", "editor", "--password-stdin"}, "没有读到密码"},
		{"revoke and list", "", []string{"user", "token", "zhang", "--revoke", "x", "--list"}, "只能给一个"},
		{"revoke and ttl", "", []string{"user", "token", "zhang", "--revoke", "x", "--ttl", "1h"}, "--ttl"},
		{"bad ttl", "", []string{"user", "token", "zhang", "--ttl", "90 days"}, "ttl"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLIIn(t, env, strings.NewReader(tt.stdin), tt.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 saying %q", tt.name, code, stdout, stderr, tt.want)
		}
	}
}

// TestUserCommands runs every user command against PostgreSQL and checks
// what they did through the account service on the same database.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	env := pgEnv(t)
	run := func(stdin string, want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLIIn(t, env, strings.NewReader(stdin), args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, want, stdout, stderr)
		}
		if want == 2 {
			return stderr
		}
		return stdout
	}

	out := run("zhang-password\n", 0, "user", "add", "ZhangSan", "--role", "editor", "--role", "reviewer", "--password-stdin")
	if !strings.Contains(out, "已添加用户 zhangsan") || !strings.Contains(out, "编辑、审核员") {
		t.Errorf("add: %q", out)
	}
	// Standard input that is not a terminal is read without the flag.
	var li account.User
	if err := json.Unmarshal([]byte(run("li-password\r\n", 0, "user", "add", "李四", "--role", "trainee", "--json")), &li); err != nil ||
		li.Username != "李四" || len(li.Roles) != 1 || li.Roles[0] != account.RoleTrainee {
		t.Errorf("add --json: %+v, %v", li, err)
	}
	for _, tt := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"twice", "zhang-password\n", []string{"user", "add", "zhangsan", "--role", "editor"}, "已存在"},
		{"weak password", "short\n", []string{"user", "add", "wang", "--role", "editor"}, "至少需要 8 个字符"},
		{"bad name", "wang-password\n", []string{"user", "add", "wang wu", "--role", "editor"}, "不允许的字符"},
		{"passwd of nobody", "new-password\n", []string{"user", "passwd", "nobody"}, "不存在"},
		{"token of nobody", "", []string{"user", "token", "nobody"}, "不存在"},
		{"list of nobody", "", []string{"user", "token", "nobody", "--list"}, "不存在"},
		{"ttl too long", "", []string{"user", "token", "zhangsan", "--ttl", "9000h"}, "最长 1 年"},
		{"revoke unknown", "", []string{"user", "token", "zhangsan", "--revoke", "0000"}, "令牌不存在"},
	} {
		if stderr := run(tt.stdin, 2, tt.args...); !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: stderr %q, want %q", tt.name, stderr, tt.want)
		}
	}

	out = run("", 0, "user", "list")
	if !strings.Contains(out, "用户名") || !strings.Contains(out, "zhangsan") || !strings.Contains(out, "编辑、审核员") ||
		!strings.Contains(out, "共 2 个用户") {
		t.Errorf("list:\n%s", out)
	}
	var list struct{ Users []account.User }
	if err := json.Unmarshal([]byte(run("", 0, "user", "list", "--json")), &list); err != nil || len(list.Users) != 2 || list.Users[0].Username != "zhangsan" {
		t.Errorf("list --json: %+v, %v", list, err)
	}

	var tok struct {
		Token, ID, Username, Name string
		ExpiresAt                 time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(run("", 0, "user", "token", "zhangsan", "--name", "脚本", "--ttl", "720h", "--json")), &tok); err != nil {
		t.Fatal(err)
	}
	if !account.LooksLikeToken(tok.Token) || tok.Username != "zhangsan" || tok.Name != "脚本" ||
		time.Until(tok.ExpiresAt) < 719*time.Hour || time.Until(tok.ExpiresAt) > 721*time.Hour {
		t.Errorf("token --json: %+v", tok)
	}
	out = run("", 0, "user", "token", "zhangsan")
	if !strings.Contains(out, "只显示这一次") || !strings.Contains(out, account.TokenPrefix) {
		t.Errorf("token:\n%s", out)
	}
	if out := run("", 0, "user", "token", "zhangsan", "--list"); !strings.Contains(out, tok.ID) || !strings.Contains(out, "脚本") || strings.Contains(out, tok.Token) {
		t.Errorf("token --list:\n%s", out)
	}

	svc := openAccounts(t, env)
	ctx := t.Context()
	if p, err := svc.VerifyToken(ctx, tok.Token); err != nil || p.Username != "zhangsan" || !p.Has(account.RoleReviewer) {
		t.Fatalf("the token does not work: %+v, %v", p, err)
	}
	if _, err := svc.Login(ctx, "zhangsan", "zhang-password", ""); err != nil {
		t.Errorf("login with the added password: %v", err)
	}

	if out := run("new-zhang-password\n", 0, "user", "passwd", "zhangsan"); !strings.Contains(out, "已修改用户 zhangsan 的密码") {
		t.Errorf("passwd: %q", out)
	}
	if _, err := svc.Login(ctx, "zhangsan", "new-zhang-password", ""); err != nil {
		t.Errorf("login with the new password: %v", err)
	}

	if out := run("", 0, "user", "disable", "zhangsan"); !strings.Contains(out, "已停用用户 zhangsan") {
		t.Errorf("disable: %q", out)
	}
	if _, err := svc.VerifyToken(ctx, tok.Token); !errs.Is(errs.Unauthenticated, err) {
		t.Errorf("token of a disabled user: %v", err)
	}
	if _, err := svc.Login(ctx, "zhangsan", "new-zhang-password", ""); !errs.HasCode(err, account.CodeAccountDisabled) {
		t.Errorf("login of a disabled user: %v", err)
	}
	var enabled account.User
	if err := json.Unmarshal([]byte(run("", 0, "user", "enable", "zhangsan", "--json")), &enabled); err != nil || enabled.Disabled {
		t.Errorf("enable --json: %+v, %v", enabled, err)
	}
	if _, err := svc.VerifyToken(ctx, tok.Token); err != nil {
		t.Errorf("token after enable: %v", err)
	}

	if out := run("", 0, "user", "token", "zhangsan", "--revoke", tok.ID); !strings.Contains(out, "已撤销") {
		t.Errorf("revoke: %q", out)
	}
	if _, err := svc.VerifyToken(ctx, tok.Token); !errs.HasCode(err, account.CodeInvalidToken) {
		t.Errorf("revoked token: %v", err)
	}
	if out := run("", 0, "user", "token", "zhangsan", "--list"); !strings.Contains(out, "已撤销") {
		t.Errorf("token --list after revoke:\n%s", out)
	}

	// The command line's actions are in the audit trail, as the operator's.
	es, err := svc.Audit(ctx, account.AuditFilter{User: account.OperatorName})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		if e.Client != cliClient {
			t.Errorf("entry from client %q: %+v", e.Client, e)
		}
		actions = append(actions, string(e.Action))
	}
	want := "token_revoke user_update user_update password_change token_create token_create user_create user_create"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit trail:\n%s\nwant\n%s", got, want)
	}
}

// openAccounts returns an account service on the database of env.
func openAccounts(t *testing.T, env map[string]string) *account.Service {
	t.Helper()
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: env["DATABASE_URL"], Components: []pgdb.Component{acctpg.Component()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return account.NewService(acctpg.New(db), account.Options{})
}

// TestUserAccountsWithKnowledgeStore: a database opened for the knowledge
// store holds the account tables too (one migration history).
func TestUserAccountsWithKnowledgeStore(t *testing.T) {
	t.Parallel()
	env := pgEnv(t)
	if code, _, stderr := runCLI(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	a, err := newApp(t.Context(), envConfig(mapEnv(env)), needs{store: true, accounts: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.db.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if n, err := a.accounts.CountUsers(t.Context()); err != nil || n != 0 {
		t.Errorf("CountUsers = %d, %v", n, err)
	}
}
