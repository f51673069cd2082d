package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkQueue is the review queue's request, as the queue page makes
// it, to `govreply serve` on PostgreSQL holding 10,000 submissions of six
// offices (docs/benchmarks.md):
//
//	go test ./cmd/govreply -run xxx -bench Queue -benchtime 100x -count 3
//
// "mine" is a reviewer's 待我审核 (status=pending), "all" an
// administrator's first page of everything (scope=all), "deep" the 40th
// page of that; each answers the page's rows and the total. "summary" is
// 每日统计's request: 30 days of the six offices.
func BenchmarkQueue(b *testing.B) {
	cfg := offlineConfig()
	cfg.DatabaseURL = pgEnv(b)["DATABASE_URL"]
	base := mustServe(b, cfg)
	admin := apiClient(b, base)
	reviewer := &http.Client{Transport: bearer{newUser(b, base, admin, "rv", "reviewer"), http.DefaultTransport}}
	offices := []string{"", "宣传科", "网信办", "信访科", "应急办", "城管局"}
	for i, o := range offices[1:] {
		body := fmt.Sprintf(`{"levels":%d,"members":["ed%d"]}`, i%3+1, i+1)
		req, _ := http.NewRequest("PUT", base+"/v1/offices/"+url.PathEscape(o), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := admin.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("put office %s: %v %v", o, resp, err)
		}
		resp.Body.Close()
	}
	fillSubmissions(b, cfg.DatabaseURL, offices, 10_000)
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			resp, err := admin.Get(base + "/v1/submissions/summary?days=30")
			if err != nil {
				b.Fatal(err)
			}
			var sum struct{ Summaries []json.RawMessage }
			err = json.NewDecoder(resp.Body).Decode(&sum)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || len(sum.Summaries) != 30*len(offices) {
				b.Fatalf("%d %v: %d rows", resp.StatusCode, err, len(sum.Summaries))
			}
		}
	})
	for _, tc := range []struct {
		name   string
		client *http.Client
		query  string
	}{
		{"mine", reviewer, "status=pending&limit=50"},
		{"all", admin, "scope=all&limit=50"},
		{"deep", admin, "scope=all&limit=50&offset=1950"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := tc.client.Get(base + "/v1/submissions?" + tc.query)
				if err != nil {
					b.Fatal(err)
				}
				var page struct {
					Submissions []json.RawMessage
					Total       int
				}
				err = json.NewDecoder(resp.Body).Decode(&page)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || len(page.Submissions) != 50 || page.Total < 5000 {
					b.Fatalf("%d %v: %d rows of %d", resp.StatusCode, err, len(page.Submissions), page.Total)
				}
			}
		})
	}
}

// fillSubmissions copies n submissions into the database at dbURL: 70 %
// pending at their levels, 15 % returned, 15 % approved; deadlines from
// two days past to five days ahead; texts of a reply's length.
func fillSubmissions(b *testing.B, dbURL string, offices []string, n int) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	now := time.Now()
	text := strings.Repeat("您好，给您添麻烦了。维修班组明天上午到现场更换路灯灯具。", 3)
	rows := make([][]any, 0, n)
	for i := range n {
		oi := i % len(offices)
		levels := 1
		if oi > 0 {
			levels = (oi-1)%3 + 1
		}
		status, level := "pending", i%levels+1
		var approved *time.Time
		switch i % 20 {
		case 0, 1, 2:
			status, level = "returned", 1
		case 3, 4, 5:
			status, level = "approved", levels
			t := now.Add(-time.Duration(i%48) * time.Hour)
			approved = &t
		}
		created := now.Add(-time.Duration(i%72) * time.Hour)
		deadline := now.Add(time.Duration(i%168-48) * time.Hour)
		rows = append(rows, []any{offices[oi], fmt.Sprintf("ed%d", oi), "路灯坏了一周了", "维修班组明天上午到场", "reply", "投诉",
			status, level, levels, 1, 1, text, deadline, created, created, approved})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"submissions"}, []string{"office", "author", "post", "facts", "kind", "class",
		"status", "level", "levels", "version", "head", "text", "deadline", "created_at", "updated_at", "approved_at"},
		pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE submissions"); err != nil {
		b.Fatal(err)
	}
}
