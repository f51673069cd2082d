package postgres

import "context"

// HNSWIndexDef returns the definition of the HNSW index as PostgreSQL
// prints it, or "" when the index is missing (tests only).
func (s *Store) HNSWIndexDef(ctx context.Context) (string, error) {
	var def string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(pg_get_indexdef(to_regclass($1)), '')`, hnswIndex).Scan(&def)
	return def, err
}

// BuildMem exposes buildMem.
var BuildMem = buildMem
