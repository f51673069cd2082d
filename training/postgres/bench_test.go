package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/internal/pgdb/pgtest"
	"govreply/training"
	"govreply/training/postgres"
)

// BenchmarkCohort is the trainer's cohort view of 200 trainees with 100
// attempts each, read from PostgreSQL and summarised (docs/benchmarks.md):
//
//	go test ./training/postgres -run xxx -bench Cohort -benchtime 50x
func BenchmarkCohort(b *testing.B) {
	db, _ := pgtest.MustOpenDB(b, postgres.Component())
	s := postgres.New(db)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	topics := []string{"回复结构", "共情与道歉", "时限与渠道", "推诿与转办", "个人信息"}
	var rows [][]any
	for i := range 200 {
		for j := range 100 {
			rows = append(rows, []any{fmt.Sprintf("学员%03d", i), training.AttemptQuiz, fmt.Sprintf("q-%03d", j%60), (i*7 + j*13) % 101,
				(i+j)%3 != 0, []string{topics[j%len(topics)]}, []string{fmt.Sprintf("q-%03d", j%60)}, t0.Add(time.Duration(i*100+j) * time.Minute)})
		}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"training_attempts"},
		[]string{"trainee", "kind", "item", "score", "correct", "topics", "mistakes", "at"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "ANALYZE training_attempts"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := s.Cohort(ctx, 316)
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Trainees) != 200 {
			b.Fatal(len(c.Trainees))
		}
	}
}
