package pgdb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"govreply/internal/errs"
	"govreply/internal/pgdb"
	"govreply/internal/pgdb/pgtest"
)

// component is a test component whose migrations create tables named
// after them; its hooks record the order they ran in.
func component(name string, files map[string]string, log *[]string) pgdb.Component {
	m := fstest.MapFS{}
	for f, sql := range files {
		m[f] = &fstest.MapFile{Data: []byte(sql)}
	}
	return pgdb.Component{
		Name:       name,
		Migrations: m,
		Prepare: func(ctx context.Context, conn *pgx.Conn) (any, error) {
			*log = append(*log, name+".prepare")
			return map[string]string{"Suffix": name}, nil
		},
		Finish: func(ctx context.Context, conn *pgx.Conn) error {
			*log = append(*log, name+".finish")
			return nil
		},
	}
}

func applied(t *testing.T, db *pgdb.DB) []string {
	t.Helper()
	rows, _ := db.Pool.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY applied_at, version`)
	vs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestOneHistory: two components' migrations run in one version order,
// rendered with each component's own data, recorded once in one table;
// opening again applies nothing and Ping is satisfied.
func TestOneHistory(t *testing.T) {
	t.Parallel()
	var log []string
	a := component("a", map[string]string{
		"0001_a.sql": "CREATE TABLE t_{{.Suffix}}_1 (x int);",
		"0003_a.sql": "CREATE TABLE t_{{.Suffix}}_3 (x int REFERENCES t_b_2 (x));",
	}, &log)
	b := component("b", map[string]string{
		"0002_b.sql": "CREATE TABLE t_{{.Suffix}}_2 (x int PRIMARY KEY);",
	}, &log)
	db, schema := pgtest.MustOpenDB(t, a, b)
	if got := fmt.Sprint(applied(t, db)); got != "[0001_a 0002_b 0003_a]" {
		t.Errorf("applied %s", got)
	}
	if got := strings.Join(log, " "); got != "a.prepare b.prepare a.finish b.finish" {
		t.Errorf("hooks ran as %s", got)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	db2, err := pgdb.Open(t.Context(), pgdb.Options{URL: pgtest.URL(), Schema: schema, Components: []pgdb.Component{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if got := len(applied(t, db2)); got != 3 {
		t.Errorf("second open: %d migrations recorded", got)
	}
}

// TestPingNamesMissingMigration: a database that lacks a component's
// migration is not ready, and the message says which.
func TestPingNamesMissingMigration(t *testing.T) {
	t.Parallel()
	var log []string
	a := component("a", map[string]string{"0001_a.sql": "SELECT 1;"}, &log)
	db, schema := pgtest.MustOpenDB(t, a)
	b := component("b", map[string]string{"0002_b.sql": "SELECT 2;"}, &log)
	// As if the database had been restored from before a's migration.
	if _, err := db.Pool.Exec(t.Context(), `DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	err := db.Ping(t.Context())
	if !errs.Is(errs.Unavailable, err) || !errs.HasCode(err, pgdb.CodeUnavailable) || !strings.Contains(errs.MessageOf(err), "0001_a") {
		t.Errorf("Ping without the migration: %v", err)
	}
	db2, err := pgdb.Open(t.Context(), pgdb.Options{URL: pgtest.URL(), Schema: schema, Components: []pgdb.Component{b}})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.Ping(t.Context()); err != nil {
		t.Errorf("Ping of a database opened with b alone: %v", err)
	}
}

// TestBadMigrations: two migrations with one number, a file misnamed, a
// template that names data it lacks and SQL that fails are errors, and
// nothing of a failed migration is recorded.
func TestBadMigrations(t *testing.T) {
	t.Parallel()
	var log []string
	tests := []struct {
		name  string
		comps []pgdb.Component
		kind  errs.Kind
	}{
		{"one number twice", []pgdb.Component{
			component("a", map[string]string{"0001_a.sql": "SELECT 1;"}, &log),
			component("b", map[string]string{"0001_b.sql": "SELECT 1;"}, &log)}, errs.Internal},
		{"misnamed", []pgdb.Component{component("a", map[string]string{"init.sql": "SELECT 1;"}, &log)}, errs.Internal},
		{"missing data", []pgdb.Component{component("a", map[string]string{"0001_a.sql": "SELECT {{.Nope}};"}, &log)}, errs.Internal},
		{"failing SQL", []pgdb.Component{component("a", map[string]string{"0001_a.sql": "CREATE TABLE x (y nosuchtype);"}, &log)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			schema := pgtest.MustSchema(t)
			_, err := pgdb.Open(t.Context(), pgdb.Options{URL: pgtest.URL(), Schema: schema, Components: tt.comps})
			if err == nil || (tt.kind != "" && !errs.Is(tt.kind, err)) {
				t.Fatalf("err %v (kind %s), want kind %q", err, errs.KindOf(err), tt.kind)
			}
			conn, err := pgx.Connect(t.Context(), pgtest.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int
			q := `SELECT count(*) FROM ` + pgx.Identifier{schema, "schema_migrations"}.Sanitize()
			if err := conn.QueryRow(t.Context(), q).Scan(&n); err == nil && n != 0 {
				t.Errorf("%d migrations recorded after a failure", n)
			}
		})
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	_, err := pgdb.Open(t.Context(), pgdb.Options{URL: "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"})
	if !errs.Is(errs.Unavailable, err) || !errs.HasCode(err, pgdb.CodeUnavailable) {
		t.Errorf("err %v (kind %s, code %s), want database_unavailable", err, errs.KindOf(err), errs.CodeOf(err))
	}
	if _, err := pgdb.Open(t.Context(), pgdb.Options{URL: "::not a url"}); !errs.Is(errs.Invalid, err) {
		t.Errorf("bad URL: %v", err)
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	classified := errs.E("x", errs.NotFound, "未找到")
	tests := []struct {
		name string
		err  error
		kind errs.Kind
		code errs.Code
	}{
		{"nil", nil, "", ""},
		{"already classified", classified, errs.NotFound, "not_found"},
		{"canceled", context.Canceled, errs.Canceled, "canceled"},
		// A database that does not answer in time is, to its caller, down.
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), errs.Unavailable, pgdb.CodeTimeout},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, errs.Unavailable, pgdb.CodeTimeout},
		{"no privilege", &pgconn.PgError{Code: "42501"}, errs.Unavailable, pgdb.CodeUnavailable},
		{"bad data", &pgconn.PgError{Code: "22021", Message: "invalid byte sequence"}, errs.Invalid, "invalid_input"},
		{"unique", &pgconn.PgError{Code: "23505"}, errs.Conflict, "conflict"},
		{"serialization", &pgconn.PgError{Code: "40001"}, errs.Conflict, "conflict"},
		{"too many connections", &pgconn.PgError{Code: "53300"}, errs.Unavailable, pgdb.CodeUnavailable},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, errs.Unavailable, pgdb.CodeUnavailable},
		{"no table", &pgconn.PgError{Code: "42P01"}, errs.Unavailable, pgdb.CodeUnavailable},
		{"syntax", &pgconn.PgError{Code: "42601"}, errs.Internal, "internal"},
		{"no rows", pgx.ErrNoRows, errs.Internal, "internal"},
		{"connection lost", errors.New("unexpected EOF"), errs.Unavailable, pgdb.CodeUnavailable},
	}
	for _, tt := range tests {
		err := pgdb.Wrap("test", tt.err)
		if tt.err == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if errs.KindOf(err) != tt.kind || errs.CodeOf(err) != tt.code {
			t.Errorf("%s: kind %s code %s, want %s %s", tt.name, errs.KindOf(err), errs.CodeOf(err), tt.kind, tt.code)
		}
		if msg := errs.MessageOf(err); strings.Contains(msg, "invalid byte sequence") {
			t.Errorf("%s: the server's text reached the message %q", tt.name, msg)
		}
	}
}
