package pgdb_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/internal/errs"
	"govreply/internal/pgdb"
	"govreply/internal/pgdb/pgtest"
)

// syncBuffer is a log sink safe for the goroutines that write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openThrough opens a database on a fresh schema through p with limits.
func openThrough(t *testing.T, p *pgtest.Proxy, l pgdb.Limits) *pgdb.DB {
	t.Helper()
	schema := pgtest.MustSchema(t)
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: p.URL(), Schema: schema, Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// query runs one statement on the pool and says how long it took.
func query(ctx context.Context, db *pgdb.DB, sql string) (time.Duration, error) {
	start := time.Now()
	_, err := db.Pool.Exec(ctx, sql)
	return time.Since(start), pgdb.Wrap("test", err)
}

// TestLimitsBoundWaits: with the database stopped or frozen a statement
// fails within the limits as Unavailable, naming the database; when it
// comes back the pool serves again.
func TestLimitsBoundWaits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		break_ func(*pgtest.Proxy)
		code   errs.Code
	}{
		{"stopped", (*pgtest.Proxy).Stop, pgdb.CodeUnavailable},
		{"frozen", (*pgtest.Proxy).Freeze, pgdb.CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pgtest.NewProxy(t)
			db := openThrough(t, p, pgdb.Limits{StatementTimeout: 3 * time.Second, Timeout: time.Second, ConnectTimeout: time.Second})
			if _, err := query(t.Context(), db, `SELECT 1`); err != nil {
				t.Fatal(err)
			}
			tt.break_(p)
			for i := range 3 { // a fresh connection, then pooled ones
				took, err := query(t.Context(), db, `SELECT 1`)
				if err == nil {
					t.Fatalf("query %d succeeded with the database %s", i, tt.name)
				}
				if !errs.Is(errs.Unavailable, err) || took > 2*time.Second {
					t.Errorf("query %d: %v (kind %s code %s) after %s, want unavailable within 2 s", i, err, errs.KindOf(err), errs.CodeOf(err), took)
				}
				if i == 0 && tt.name == "frozen" && !errs.HasCode(err, tt.code) {
					t.Errorf("frozen: code %s, want %s", errs.CodeOf(err), tt.code)
				}
			}
			p.Start()
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, err := query(t.Context(), db, `SELECT 1`)
				if err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no recovery after the database came back: %v", err)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// TestStatementTimeout: the server's statement_timeout ends a slow
// statement (Unavailable, database_timeout); Long and Raise lift it and
// the client's bound for a transaction, and the limits hold again after.
func TestStatementTimeout(t *testing.T) {
	t.Parallel()
	p := pgtest.NewProxy(t)
	db := openThrough(t, p, pgdb.Limits{StatementTimeout: 500 * time.Millisecond, Timeout: 700 * time.Millisecond})
	ctx := t.Context()
	tests := []struct {
		name string
		run  func() error
		ok   bool
	}{
		{"plain statement", func() error { _, err := db.Pool.Exec(ctx, `SELECT pg_sleep(1)`); return err }, false},
		{"Long, no limit", func() error {
			return db.Long(ctx, 0, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `SELECT pg_sleep(1)`)
				return err
			})
		}, true},
		{"Long, 2 s", func() error {
			return db.Long(ctx, 2*time.Second, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `SELECT pg_sleep(1)`)
				return err
			})
		}, true},
		{"Long, 2 s, too slow", func() error {
			return db.Long(ctx, 2*time.Second, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `SELECT pg_sleep(3)`)
				return err
			})
		}, false},
		{"Long does not lower", func() error {
			return db.Long(ctx, 100*time.Millisecond, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `SELECT pg_sleep(0.3)`)
				return err
			})
		}, true},
		{"after Long", func() error { _, err := db.Pool.Exec(ctx, `SELECT pg_sleep(1)`); return err }, false},
	}
	for _, tt := range tests {
		err := pgdb.Wrap("test", tt.run())
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (!errs.Is(errs.Unavailable, err) || !errs.HasCode(err, pgdb.CodeTimeout)):
			t.Errorf("%s: %v (kind %s code %s), want unavailable database_timeout", tt.name, err, errs.KindOf(err), errs.CodeOf(err))
		}
	}
	var setting string
	if err := db.Pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&setting); err != nil || setting != "500ms" {
		t.Errorf("statement_timeout of a pooled connection: %q %v", setting, err)
	}
}

// TestStartupWait: Open waits for a server that comes up late, logging
// each retry, and gives up on one that never does (refusing or frozen)
// after the wait, with a message that says what to check.
func TestStartupWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(*pgtest.Proxy)
		wait    time.Duration
		ok      bool
		maxTook time.Duration
	}{
		{"up after 1.5 s", func(p *pgtest.Proxy) { time.AfterFunc(1500*time.Millisecond, p.Start) }, 30 * time.Second, true, 15 * time.Second},
		{"never up", func(*pgtest.Proxy) {}, 2 * time.Second, false, 4 * time.Second},
		{"frozen", (*pgtest.Proxy).Freeze, 2 * time.Second, false, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pgtest.NewStoppedProxy(t)
			schema := pgtest.MustSchema(t)
			var logs syncBuffer
			tt.setup(p)
			start := time.Now()
			db, err := pgdb.Open(t.Context(), pgdb.Options{URL: p.URL(), Schema: schema, StartupWait: tt.wait,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			took := time.Since(start)
			if db != nil {
				defer db.Close()
			}
			if took > tt.maxTook {
				t.Errorf("Open took %s, want at most %s", took, tt.maxTook)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Open: %v\n%s", err, logs.String())
				}
				if !strings.Contains(logs.String(), "数据库暂不可用，稍后重试") || !strings.Contains(logs.String(), "已连接数据库") {
					t.Errorf("no retry logged:\n%s", logs.String())
				}
				if err := db.Ping(t.Context()); err != nil {
					t.Error(err)
				}
				return
			}
			if !errs.Is(errs.Unavailable, err) || !strings.Contains(errs.MessageOf(err), "后仍无法连接数据库") {
				t.Errorf("err %v (kind %s), want unavailable after the wait", err, errs.KindOf(err))
			}
			if took < tt.wait {
				t.Errorf("gave up after %s, before the wait of %s", took, tt.wait)
			}
		})
	}
}

// TestStartupWaitStopsOnOtherErrors: a failure other than an unreachable
// server (here a database that does not exist) is not retried.
func TestStartupWaitStopsOnOtherErrors(t *testing.T) {
	t.Parallel()
	p := pgtest.NewProxy(t)
	u := strings.Replace(p.URL(), "/test?", "/no_such_database_govreply?", 1)
	if u == p.URL() {
		t.Skip("the test database URL is not of the form …/test?…")
	}
	start := time.Now()
	_, err := pgdb.Open(t.Context(), pgdb.Options{URL: u, StartupWait: 30 * time.Second})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %s, want a failure at once", err, time.Since(start))
	}
}
