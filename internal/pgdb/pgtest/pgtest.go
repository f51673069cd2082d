// Package pgtest gives tests a fresh, isolated PostgreSQL schema and a
// database opened on it (MustOpenDB), as govreply's stores use.
//
// Every MustSchema creates its own schema in the test database, so tests
// and test packages running in parallel never see each other's rows, and
// drops it when the test ends. The database is GOVREPLY_TEST_DATABASE_URL, by
// default the local server that scripts/setup-postgres.sh prepares.
//
// A test that needs the database fails when it cannot be reached: it is
// skipped only when GOVREPLY_SKIP_DB=1 says so explicitly.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/internal/pgdb"
)

// DefaultURL is the test database used when GOVREPLY_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// schemaPrefix starts the name of every schema pgtest creates.
const schemaPrefix = "govreply_test_"

// extensionLock is the advisory lock key held while creating the extension.
const extensionLock int64 = 0x67767274_65737478

// URL returns the test database's connection string.
func URL() string {
	if u := os.Getenv("GOVREPLY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// MustOpenDB opens the test database on a new schema (MustSchema) with
// components migrated; tb.Cleanup closes it. It returns the schema too.
func MustOpenDB(tb testing.TB, components ...pgdb.Component) (*pgdb.DB, string) {
	tb.Helper()
	schema := MustSchema(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := pgdb.Open(ctx, pgdb.Options{URL: URL(), Schema: schema, Components: components})
	if err != nil {
		tb.Fatalf("pgtest: 打开测试数据库失败：%v", err)
	}
	tb.Cleanup(db.Close)
	return db, schema
}

// MustSchema creates an empty schema in the test database and returns its
// name; tb.Cleanup drops it. The vector extension is made sure of first.
func MustSchema(tb testing.TB) string {
	tb.Helper()
	if os.Getenv("GOVREPLY_SKIP_DB") == "1" {
		tb.Skip("pgtest: GOVREPLY_SKIP_DB=1，跳过需要 PostgreSQL 的测试")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := mustConnect(ctx, tb)
	defer conn.Close(context.Background())

	prepareOnce.Do(func() { prepareErr = prepare(ctx, conn) })
	if prepareErr != nil {
		tb.Fatalf("pgtest: 测试数据库 %s 缺少 pgvector 扩展：%v\n请先以 root 运行 scripts/setup-postgres.sh", redact(URL()), prepareErr)
	}

	schema := newSchemaName()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: 创建测试 schema 失败：%v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, URL())
		if err != nil {
			tb.Errorf("pgtest: 无法连接测试数据库以删除 schema %s：%v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("pgtest: 删除测试 schema %s 失败：%v", schema, err)
		}
	})
	return schema
}

func mustConnect(ctx context.Context, tb testing.TB) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		tb.Fatalf("pgtest: 无法连接测试数据库 %s：%v\n"+
			"请先以 root 运行 scripts/setup-postgres.sh（启动本机 PostgreSQL 并安装 pgvector），"+
			"或用 GOVREPLY_TEST_DATABASE_URL 指定数据库；确需跳过时设置 GOVREPLY_SKIP_DB=1",
			redact(URL()), err)
	}
	return conn
}

var (
	prepareOnce sync.Once
	prepareErr  error
)

// prepare runs once per test process: it creates the vector extension in
// public (serialised by an advisory lock, as test packages start at once)
// and drops the schemas that earlier, crashed test runs left behind.
func prepare(ctx context.Context, conn *pgx.Conn) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", extensionLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public")
		return err
	})
	if err != nil {
		return err
	}
	rows, _ := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, schemaPrefix)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil // sweeping is best effort
	}
	for _, name := range names {
		if stale(name, time.Now()) {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
		}
	}
	return nil
}

// newSchemaName returns a unique schema name that records when it was made.
func newSchemaName() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%s%d_%s", schemaPrefix, time.Now().Unix(), hex.EncodeToString(b[:]))
}

// stale reports whether a pgtest schema is old enough to be left over.
func stale(name string, now time.Time) bool {
	rest := strings.TrimPrefix(name, schemaPrefix)
	sec, _, ok := strings.Cut(rest, "_")
	if !ok {
		return false
	}
	t, err := strconv.ParseInt(sec, 10, 64)
	return err == nil && now.Sub(time.Unix(t, 0)) > 6*time.Hour
}

// redact hides a password in a connection string for messages.
func redact(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil || cfg.Password == "" {
		return url
	}
	return strings.Replace(url, cfg.Password, "***", 1)
}
