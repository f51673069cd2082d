package postgres_test

import (
	"testing"

	"govreply/internal/pgdb/pgtest"
	"govreply/training"
	"govreply/training/postgres"
	"govreply/training/progresstest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	progresstest.Run(t, func(t *testing.T) training.ProgressStore {
		db, _ := pgtest.MustOpenDB(t, postgres.Component())
		return postgres.New(db)
	})
}
