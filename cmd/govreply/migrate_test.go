package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMigrateRepairsMissingIndex: a bulk ingest killed before it rebuilt
// the HNSW index leaves it missing; migrate builds it again.
func TestMigrateRepairsMissingIndex(t *testing.T) {
	t.Parallel()
	env := pgEnv(t)
	if code, _, stderr := runCLI(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	conn, err := pgx.Connect(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	exists := func() bool {
		var ok bool
		if err := conn.QueryRow(t.Context(), `SELECT to_regclass('chunks_embedding_idx') IS NOT NULL`).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if _, err := conn.Exec(t.Context(), `DROP INDEX chunks_embedding_idx`); err != nil {
		t.Fatal(err)
	}
	if exists() {
		t.Fatal("index still there after DROP INDEX")
	}
	if code, _, stderr := runCLI(t, env, "migrate"); code != 0 {
		t.Fatalf("second migrate: exit %d: %s", code, stderr)
	}
	if !exists() {
		t.Error("migrate did not rebuild the missing HNSW index")
	}
}
