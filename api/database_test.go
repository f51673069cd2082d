package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"govreply/api"
	botpg "govreply/bot/postgres"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/errs"
	"govreply/internal/pgdb"
	"govreply/internal/pgdb/pgtest"
	"govreply/knowledge"
	"govreply/knowledge/postgres"
)

// The tests of this file run the API as serve does on PostgreSQL (one
// pool with serve's limits, pgdb.ServeLimits) through a proxy that stops
// or freezes the database, and check that every request that needs it
// answers 503 naming the database within the 5 s a client is promised,
// and 200 again once the database is back.

// servedOnProxy is an API on a database reached through a proxy.
type servedOnProxy struct {
	url   string
	proxy *pgtest.Proxy
	store *postgres.Store
	db    *pgdb.DB
}

func serveOnProxy(t *testing.T) servedOnProxy {
	t.Helper()
	p := pgtest.NewProxy(t)
	schema := pgtest.MustSchema(t)
	kopts := postgres.Options{Dim: 64, Embedder: "local"}
	db, err := pgdb.Open(t.Context(), pgdb.Options{URL: p.URL(), Schema: schema, Limits: pgdb.ServeLimits(),
		Components: []pgdb.Component{postgres.Component(kopts), botpg.Component()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	store, err := postgres.New(t.Context(), db, kopts)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embed.NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	r := &knowledge.Retriever{Store: store, Embedder: emb, Segmenter: segment.Default()}
	srv := httptest.NewServer(api.New(api.Config{Retriever: r, Store: store}).Handler())
	t.Cleanup(srv.Close)
	return servedOnProxy{url: srv.URL, proxy: p, store: store, db: db}
}

// waitStatus polls u until it answers want, for at most d.
func waitStatus(t *testing.T, u string, want int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		resp, body := get(t, u)
		if resp.StatusCode == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %s, want %d within %s", u, resp.StatusCode, body, want, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDatabaseStoppedOrFrozen: search and readiness answer 503 naming
// the database within 5 s when it is stopped (connections refused and
// reset) or frozen (accepted, never answered), and recover when it comes
// back.
func TestDatabaseStoppedOrFrozen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fail  func(*pgtest.Proxy)
		codes []errs.Code // the codes a 503 may carry
	}{
		{"stopped", (*pgtest.Proxy).Stop, []errs.Code{pgdb.CodeUnavailable, pgdb.CodeTimeout}},
		{"frozen", (*pgtest.Proxy).Freeze, []errs.Code{pgdb.CodeTimeout}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serveOnProxy(t)
			search := s.url + "/v1/search?q=" + url.QueryEscape("网友骂人怎么回复")
			routes := []string{search, s.url + "/readyz"}
			for _, u := range routes {
				waitStatus(t, u, 200, 10*time.Second)
			}
			tt.fail(s.proxy)
			for round := range 2 { // the first requests meet pooled connections, later ones new ones
				for _, u := range routes {
					start := time.Now()
					resp, body := get(t, u)
					took := time.Since(start)
					var e errBody
					_ = json.Unmarshal(body, &e)
					if resp.StatusCode != 503 || !containsCode(tt.codes, e.Error.Code) || !strings.Contains(e.Error.Message, "数据库") {
						t.Errorf("round %d %s: %d %s, want 503 with a code of %v naming the database", round, u, resp.StatusCode, body, tt.codes)
					}
					if took > 5*time.Second {
						t.Errorf("round %d %s: answered after %s, want within 5 s", round, u, took)
					}
				}
			}
			s.proxy.Start()
			for _, u := range routes {
				waitStatus(t, u, 200, 15*time.Second)
			}
		})
	}
}

func containsCode(codes []errs.Code, c errs.Code) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// TestReadinessNeedsIndexAndMigrations: /readyz answers 503 while the
// vector index is missing (a bulk load killed half-way) or a migration
// has not been applied, and 200 once the index is rebuilt (what serve's
// check does) or the migration recorded.
func TestReadinessNeedsIndexAndMigrations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		break_, mend func(ctx context.Context, s servedOnProxy) error
		code         errs.Code
		messagePart  string
	}{
		{"index missing",
			func(ctx context.Context, s servedOnProxy) error {
				_, err := s.db.Pool.Exec(ctx, `DROP INDEX chunks_embedding_idx`)
				return err
			},
			func(ctx context.Context, s servedOnProxy) error { return s.store.EnsureIndexes(ctx) },
			postgres.CodeIndexMissing, "向量索引缺失"},
		{"migration missing",
			func(ctx context.Context, s servedOnProxy) error {
				_, err := s.db.Pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version LIKE '0011\_%'`)
				return err
			},
			func(ctx context.Context, s servedOnProxy) error { return s.db.Migrate(ctx) },
			pgdb.CodeUnavailable, "数据库缺少迁移 0011"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serveOnProxy(t)
			ready := s.url + "/readyz"
			waitStatus(t, ready, 200, 10*time.Second)
			if err := tt.break_(t.Context(), s); err != nil {
				t.Fatal(err)
			}
			resp, body := get(t, ready)
			var e errBody
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != 503 || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.messagePart) {
				t.Errorf("readyz: %d %s, want 503 %s saying %q", resp.StatusCode, body, tt.code, tt.messagePart)
			}
			if err := tt.mend(t.Context(), s); err != nil {
				t.Fatal(err)
			}
			waitStatus(t, ready, 200, 5*time.Second)
		})
	}
}
