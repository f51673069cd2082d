package postgres

import (
	"context"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Explain returns PostgreSQL's plan for the search statement of q, run the
// way Search runs it (same settings, same transaction shape).
func (s *Store) Explain(ctx context.Context, useVec, useText bool, args pgx.NamedArgs, filtered bool) (string, error) {
	var plan string
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		exact, err := s.exactVectors(ctx)
		if err != nil {
			return err
		}
		if err := s.tuneSearch(ctx, tx, useVec, exact, args["depth"].(int), filtered); err != nil {
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

// migrationNames are the embedded migrations' paths, in order.
func migrationNames() []string {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	slices.Sort(names)
	return names
}

// MigrationCount is how many migrations are embedded.
func MigrationCount() int { return len(migrationNames()) }

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
	for _, name := range migrationNames() {
		v := strings.TrimSuffix(path.Base(name), ".sql")
		if v >= version {
			break
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		var sql strings.Builder
		if err := template.Must(template.New(v).Parse(string(text))).Execute(&sql, migrationData{Dim: dim}); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, sql.String()); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
			return err
		}
	}
	_, err := conn.Exec(ctx, `INSERT INTO govreply_meta (dim, embedder) VALUES ($1, $2)`, dim, "")
	return err
}
