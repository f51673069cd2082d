package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"govreply/account"
	"govreply/account/postgres"
	"govreply/account/postgres/pgtest"
	"govreply/account/storetest"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
	dbtest "govreply/internal/pgdb/pgtest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) account.Store {
		s, _ := pgtest.MustOpen(t)
		return s
	})
}

// TestAuditAppendOnly: the audit table refuses every change to history,
// even from its owner on the application's own connection; appending
// still works.
func TestAuditAppendOnly(t *testing.T) {
	t.Parallel()
	s, db := pgtest.MustOpen(t)
	ctx := t.Context()
	e := account.Entry{Time: storetest.T0, User: "zhang", Client: "10.0.0.1", Action: account.ActionLogin, Outcome: account.OutcomeOK}
	if err := s.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sql string
	}{
		{"update", `UPDATE audit_log SET outcome = 'failed'`},
		{"update one column", `UPDATE audit_log SET actor = 'someone-else' WHERE actor = 'zhang'`},
		{"delete", `DELETE FROM audit_log`},
		{"delete one row", `DELETE FROM audit_log WHERE actor = 'zhang'`},
		{"truncate", `TRUNCATE audit_log`},
	}
	for _, tt := range tests {
		_, err := db.Pool.Exec(ctx, tt.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "append-only") {
			t.Errorf("%s: %q gave %v, want the trigger's refusal", tt.name, tt.sql, err)
		}
	}
	es, err := s.Entries(ctx, account.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].User != "zhang" || es[0].Outcome != account.OutcomeOK {
		t.Errorf("history changed: %+v", es)
	}
	e.Time = e.Time.Add(1)
	if err := s.Append(ctx, e); err != nil {
		t.Errorf("append after refused changes: %v", err)
	}
}

// TestClosedPool: a database that cannot be reached is Unavailable, naming the
// database.
func TestClosedPool(t *testing.T) {
	t.Parallel()
	s, db := pgtest.MustOpen(t)
	db.Close()
	_, err := s.Users(t.Context())
	if !errs.Is(errs.Unavailable, err) {
		t.Errorf("closed pool: %v (kind %s)", err, errs.KindOf(err))
	}
}

// TestAuditPrivilegesRevoked: where default privileges grant every right
// on new tables to other roles (the application role of a least-privilege
// deployment; PUBLIC here), the migration takes back UPDATE, DELETE and
// TRUNCATE on the audit table, and on it alone.
func TestAuditPrivilegesRevoked(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := dbtest.MustSchema(t)
	conn, err := pgx.Connect(ctx, dbtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `ALTER DEFAULT PRIVILEGES IN SCHEMA `+pgx.Identifier{schema}.Sanitize()+
		` GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO PUBLIC`); err != nil {
		t.Fatal(err)
	}
	db, err := pgdb.Open(ctx, pgdb.Options{URL: dbtest.URL(), Schema: schema, Components: []pgdb.Component{postgres.Component()}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	granted := func(table string) string {
		var privs []string
		err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(a.privilege_type ORDER BY a.privilege_type), '{}')
			FROM pg_class c, aclexplode(c.relacl) a
			WHERE c.oid = $1::regclass AND a.grantee = 0`, pgx.Identifier{schema, table}.Sanitize()).Scan(&privs)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(privs, " ")
	}
	if got := granted("audit_log"); got != "INSERT SELECT" {
		t.Errorf("PUBLIC holds %q on audit_log, want INSERT SELECT", got)
	}
	if got := granted("account_users"); got != "DELETE INSERT SELECT TRUNCATE UPDATE" {
		t.Errorf("PUBLIC holds %q on account_users: only the audit table loses rights", got)
	}
}
