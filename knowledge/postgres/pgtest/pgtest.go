// Package pgtest gives tests a fresh, isolated knowledge/postgres Store, in
// a schema of its own of the test database (internal/pgdb/pgtest).
package pgtest

import (
	"cmp"
	"context"
	"testing"
	"time"

	dbtest "govreply/internal/pgdb/pgtest"
	"govreply/knowledge/postgres"
)

// Embedder is the embedder name the test stores are created with.
const Embedder = "pgtest"

// URL returns the test database's connection string.
func URL() string { return dbtest.URL() }

// MustSchema creates an empty schema in the test database and returns its
// name; tb.Cleanup drops it.
func MustSchema(tb testing.TB) string {
	tb.Helper()
	return dbtest.MustSchema(tb)
}

// MustOpen returns an empty Store for embeddings of dimension dim in a new
// schema of the test database. The store is closed and the schema dropped
// by tb.Cleanup.
func MustOpen(tb testing.TB, dim int) *postgres.Store {
	tb.Helper()
	return MustOpenWith(tb, postgres.Options{Dim: dim})
}

// MustOpenWith is MustOpen with further options (URL, Schema and an empty
// Embedder are filled in).
func MustOpenWith(tb testing.TB, opts postgres.Options) *postgres.Store {
	tb.Helper()
	opts.URL, opts.Schema = URL(), MustSchema(tb)
	opts.Embedder = cmp.Or(opts.Embedder, Embedder)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, opts)
	if err != nil {
		tb.Fatalf("pgtest: 打开测试知识库失败：%v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
