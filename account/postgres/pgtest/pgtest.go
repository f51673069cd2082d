// Package pgtest gives tests a fresh, isolated account/postgres Store, in
// a schema of its own of the test database (internal/pgdb/pgtest).
package pgtest

import (
	"testing"

	"govreply/account/postgres"
	"govreply/internal/pgdb"
	dbtest "govreply/internal/pgdb/pgtest"
)

// MustOpen returns an empty Store in a new schema of the test database,
// and the database it is on (for tests that look at the tables). The
// schema is dropped and the pool closed by tb.Cleanup.
func MustOpen(tb testing.TB) (*postgres.Store, *pgdb.DB) {
	tb.Helper()
	db, _ := dbtest.MustOpenDB(tb, postgres.Component())
	return postgres.New(db), db
}
