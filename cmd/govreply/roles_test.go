package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"govreply/internal/pgdb/pgtest"
)

// TestLeastPrivilegeRoles runs deploy/postgres-init/01-roles.sh against
// the test server (as its superuser), migrates as the owner role, and
// checks what the application role may do: open the store and read and
// write rows (what serve needs), but neither change the schema nor
// rewrite the audit trail.
func TestLeastPrivilegeRoles(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed")
	}
	base, err := url.Parse(pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	dbName, owner, app := "govreply_roles_"+suffix, "govreply_owner_"+suffix, "govreply_app_"+suffix
	admin, err := pgx.Connect(t.Context(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, sql := range []string{
			"DROP DATABASE IF EXISTS " + pgx.Identifier{dbName}.Sanitize() + " WITH (FORCE)",
			"DROP ROLE IF EXISTS " + pgx.Identifier{owner}.Sanitize(),
			"DROP ROLE IF EXISTS " + pgx.Identifier{app}.Sanitize(),
		} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				t.Errorf("cleanup: %s: %v", sql, err)
			}
		}
		admin.Close(ctx)
	})

	script := filepath.Join(repoRoot(t), "deploy", "postgres-init", "01-roles.sh")
	cmd := exec.CommandContext(t.Context(), "bash", script)
	cmd.Env = append(os.Environ(),
		"PGHOST="+base.Hostname(), "PGPORT="+orDefault(base.Port(), "5432"),
		"POSTGRES_USER="+base.User.Username(), "POSTGRES_DB="+strings.TrimPrefix(base.Path, "/"),
		"GOVREPLY_DB_NAME="+dbName, "GOVREPLY_DB_OWNER="+owner, "GOVREPLY_DB_APP="+app,
		"GOVREPLY_DB_OWNER_PASSWORD=owner-"+suffix, "GOVREPLY_DB_APP_PASSWORD=app-"+suffix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("01-roles.sh: %v\n%s", err, out)
	}
	// Without passwords it refuses; run again, it changes nothing and
	// fails on nothing.
	bare := exec.CommandContext(t.Context(), "bash", script)
	bare.Env = []string{"PATH=" + os.Getenv("PATH")}
	if err := bare.Run(); err == nil {
		t.Error("01-roles.sh ran without passwords")
	}
	if out, err := cmd2(cmd).CombinedOutput(); err != nil {
		t.Fatalf("01-roles.sh again: %v\n%s", err, out)
	}

	roleURL := func(role string) string {
		u := *base
		u.User = url.UserPassword(role, map[string]string{owner: "owner-" + suffix, app: "app-" + suffix}[role])
		u.Path = "/" + dbName
		return u.String()
	}
	if code, _, stderr := runCLI(t, map[string]string{"DATABASE_URL": roleURL(owner)}, "migrate"); code != 0 {
		t.Fatalf("migrate as the owner: exit %d: %s", code, stderr)
	}
	// The application role opens the migrated store (migrations, hooks
	// and the index check need no DDL) and searches it.
	if code, _, stderr := runCLI(t, map[string]string{"DATABASE_URL": roleURL(app)}, "search", "--json", "网友骂人怎么回复"); code != 0 {
		t.Fatalf("search as the application role: exit %d: %s", code, stderr)
	}
	conn, err := pgx.Connect(t.Context(), roleURL(app))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tests := []struct {
		name string
		sql  string
		ok   bool
	}{
		{"read", `SELECT count(*) FROM documents`, true},
		{"write", `UPDATE govreply_meta SET embedder = embedder`, true},
		{"rebuild the vector index", `SELECT build_vector_index()`, true},
		{"audit: append", `INSERT INTO audit_log (at, actor, client, action, object, outcome) VALUES (now(), 'a', 'c', 'test', 'o', 'ok')`, true},
		{"audit: rewrite", `UPDATE audit_log SET actor = 'x'`, false},
		{"audit: delete", `DELETE FROM audit_log`, false},
		{"audit: truncate", `TRUNCATE audit_log`, false},
		{"create a table", `CREATE TABLE intruder (x int)`, false},
		{"drop the index", `DROP INDEX chunks_embedding_idx`, false},
		{"alter a table", `ALTER TABLE documents ADD COLUMN x int`, false},
	}
	for _, tt := range tests {
		_, err := conn.Exec(t.Context(), tt.sql)
		if (err == nil) != tt.ok {
			t.Errorf("%s as the application role: %v, want allowed %v", tt.name, err, tt.ok)
		}
	}
	var super bool
	if err := conn.QueryRow(t.Context(), `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || super {
		t.Errorf("application role superuser %v, %v", super, err)
	}
}

// cmd2 is a fresh copy of an exec.Cmd, to run it again.
func cmd2(c *exec.Cmd) *exec.Cmd {
	n := exec.Command(c.Path, c.Args[1:]...)
	n.Env = c.Env
	return n
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
