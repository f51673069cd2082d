package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/internal/pgdb/pgtest"
	"govreply/knowledge/postgres"
)

// onSchema returns base (a connection string) on a fresh test schema.
func onSchema(t *testing.T, base string) string {
	t.Helper()
	schema := pgtest.MustSchema(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// pgConfig is the offline configuration on a database at dbURL.
func pgConfig(dbURL string) config {
	cfg := offlineConfig()
	cfg.DatabaseURL = dbURL
	return cfg
}

// status GETs u with c and returns the status, the error code and how
// long the answer took.
func status(t *testing.T, c *http.Client, u string) (int, string, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != 200 && !strings.Contains(e.Error.Message, "数据库") && !strings.Contains(e.Error.Message, "索引") {
		t.Errorf("%s: %d %s: the message names neither the database nor the index", u, resp.StatusCode, body)
	}
	return resp.StatusCode, e.Error.Code, time.Since(start)
}

// waitFor polls u with c until it answers want, for at most d.
func waitFor(t *testing.T, c *http.Client, u string, want int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got, code, _ := status(t, c, u)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %s, want %d within %s", u, got, code, want, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestServeWaitsForDatabase: serve waits for a database that comes up
// after it (--db-wait) and gives up, exit 2 with a clear message, on one
// that never does.
func TestServeWaitsForDatabase(t *testing.T) {
	t.Parallel()
	t.Run("comes up late", func(t *testing.T) {
		t.Parallel()
		p := pgtest.NewStoppedProxy(t)
		cfg := pgConfig(onSchema(t, p.URL()))
		cfg.DB.Wait = time.Minute
		start := time.Now()
		time.AfterFunc(2*time.Second, p.Start)
		mustServe(t, cfg)
		if took := time.Since(start); took < 2*time.Second {
			t.Errorf("ready after %s, before the database was", took)
		}
	})
	t.Run("never up", func(t *testing.T) {
		t.Parallel()
		p := pgtest.NewStoppedProxy(t)
		start := time.Now()
		code, _, stderr := runCLI(t, map[string]string{"DATABASE_URL": p.URL()},
			"serve", "--db-wait", "2s", "--addr", freeAddr(t))
		took := time.Since(start)
		if code != exitError || !strings.Contains(stderr, "后仍无法连接数据库") || !strings.Contains(stderr, "数据库暂不可用，稍后重试") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
		if took < 2*time.Second || took > 10*time.Second {
			t.Errorf("gave up after %s, want soon after 2 s", took)
		}
	})
}

// TestServeDatabaseStoppedOrFrozen: serve with its default limits answers
// 503 within 5 s for search (signed in) and readiness while the database
// is stopped or frozen, and serves again when it is back.
func TestServeDatabaseStoppedOrFrozen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		fail func(*pgtest.Proxy)
	}{
		{"stopped", (*pgtest.Proxy).Stop},
		{"frozen", (*pgtest.Proxy).Freeze},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pgtest.NewProxy(t)
			base := mustServe(t, pgConfig(onSchema(t, p.URL())))
			client := apiClient(t, base)
			routes := []string{base + "/readyz", base + "/v1/search?q=" + url.QueryEscape("网友骂人怎么回复")}
			for _, u := range routes {
				waitFor(t, client, u, 200, 10*time.Second)
			}
			tt.fail(p)
			for _, u := range routes {
				got, code, took := status(t, client, u)
				if got != 503 || took > 5*time.Second {
					t.Errorf("%s with the database %s: %d %s after %s, want 503 within 5 s", u, tt.name, got, code, took)
				}
			}
			p.Start()
			for _, u := range routes {
				waitFor(t, client, u, 200, 15*time.Second)
			}
		})
	}
}

// TestServeRebuildsMissingIndex: an index dropped while serving (a bulk
// load killed half-way) makes /readyz answer 503 until serve's check
// builds it again.
func TestServeRebuildsMissingIndex(t *testing.T) {
	t.Parallel()
	dbURL := onSchema(t, pgtest.URL())
	cfg := pgConfig(dbURL)
	cfg.DB.IndexCheck = 2 * time.Second
	base := mustServe(t, cfg)
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// The check may run between the drop and the request: try again then.
	seen := false
	for range 3 {
		if _, err := conn.Exec(t.Context(), `DROP INDEX IF EXISTS chunks_embedding_idx`); err != nil {
			t.Fatal(err)
		}
		got, code, _ := status(t, http.DefaultClient, base+"/readyz")
		if got == 503 && code == string(postgres.CodeIndexMissing) {
			seen = true
			break
		}
	}
	if !seen {
		t.Fatal("/readyz never answered 503 vector_index_missing with the index dropped")
	}
	// Ready again once the check builds it (also while it does).
	waitFor(t, http.DefaultClient, base+"/readyz", 200, 20*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var exists bool
		if err := conn.QueryRow(t.Context(), `SELECT to_regclass('chunks_embedding_idx') IS NOT NULL`).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve's check did not rebuild the index")
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(t, http.DefaultClient, base+"/readyz", 200, time.Second)
}
