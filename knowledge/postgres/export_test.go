package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Explain returns PostgreSQL's plan for the search statement of q, run the
// way Search runs it (same settings, same transaction shape).
func (s *Store) Explain(ctx context.Context, useVec, useText bool, args pgx.NamedArgs, filtered bool) (string, error) {
	var plan string
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := s.tuneSearch(ctx, tx, useVec, args["depth"].(int), filtered); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "EXPLAIN "+searchSQL(useVec, useText, s.dim), args)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, l := range lines {
			plan += l + "\n"
		}
		return err
	})
	return plan, err
}

// Exec runs a statement on the store's pool (tests only).
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// VersionAtLeast exposes versionAtLeast.
var VersionAtLeast = versionAtLeast

// RawSearchRows runs the vector search statement without tuneVectorScan
// (no iterative scan, default ef_search) and counts its rows.
func (s *Store) RawSearchRows(ctx context.Context, args pgx.NamedArgs) (int, error) {
	rows, _ := s.pool.Query(ctx, searchSQL(true, false, s.dim), args)
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	return n, rows.Err()
}

// MigrationCount is how many migrations are embedded.
func MigrationCount() int { return len(migrations()) }

// QueryRow runs a query on the store's pool (tests only).
func (s *Store) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.pool.QueryRow(ctx, sql, args...)
}

// TsvectorOf exposes tsvectorOf.
var TsvectorOf = tsvectorOf

// ApplyMigrationsBefore applies, through conn, the embedded migrations whose
// version sorts before version, as an older govreply would have (tests of
// the upgrade path only).
func ApplyMigrationsBefore(ctx context.Context, conn *pgx.Conn, dim int, version string) error {
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	for _, m := range migrations() {
		if m.version >= version {
			break
		}
		sql, err := m.render(migrationData{Dim: dim})
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, sql); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
			return err
		}
	}
	_, err := conn.Exec(ctx, `INSERT INTO govreply_meta (dim, embedder) VALUES ($1, $2)`, dim, "")
	return err
}
