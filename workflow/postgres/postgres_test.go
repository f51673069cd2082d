package postgres_test

import (
	"testing"

	"govreply/internal/pgdb/pgtest"
	"govreply/workflow"
	"govreply/workflow/postgres"
	"govreply/workflow/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) workflow.Store {
		db, _ := pgtest.MustOpenDB(t, postgres.Component())
		return postgres.New(db)
	})
}
