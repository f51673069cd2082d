package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"govreply/internal/pgdb/pgtest"
	"govreply/training"
	"govreply/training/postgres"
	"govreply/training/progresstest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	progresstest.Run(t, func(t *testing.T) training.ProgressStore {
		db, _ := pgtest.MustOpenDB(t, postgres.Component())
		return postgres.New(db)
	})
}

// TestCohortAgrees: the cohort computed in SQL is the one
// training.SummarizeCohort computes from the same attempts.
func TestCohortAgrees(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.MustOpenDB(t, postgres.Component())
	s := postgres.New(db)
	ctx := t.Context()
	t0 := progresstest.T0
	for i, a := range []training.Attempt{
		{Trainee: "b", Kind: training.AttemptQuiz, Item: "q1", Score: 100, Correct: true, Topics: []string{"个人信息"}},
		{Trainee: "a", Kind: training.AttemptQuiz, Item: "q1", Score: 0, Topics: []string{"个人信息"}, Mistakes: []string{"q1"}},
		{Trainee: "a", Kind: training.AttemptQuiz, Item: "q1", Score: 100, Correct: true, Topics: []string{"个人信息"}},
		{Trainee: "a", Kind: training.AttemptDrill, Item: "s1", Score: 55, Topics: []string{"回复结构", "时限与渠道"}, Mistakes: []string{"时限", "missing_timeline"}},
		{Trainee: "c", Kind: training.AttemptDrill, Item: "s1", Score: 75, Correct: true, Topics: []string{"回复结构"}, Mistakes: []string{"时限"}},
	} {
		a.At = t0.Add(time.Duration(i) * time.Hour)
		if _, err := s.AddAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Cohort(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Attempts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := training.SummarizeCohort(all, 10)
	for i := range want.Trainees {
		want.Trainees[i].Last = want.Trainees[i].Last.UTC()
	}
	for i := range got.Trainees {
		got.Trainees[i].Last = got.Trainees[i].Last.UTC()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SQL cohort\n%v\nwant\n%v", got, want)
	}
}
