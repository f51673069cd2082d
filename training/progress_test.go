package training

import (
	"fmt"
	"testing"
	"time"
)

// TestSummarize: a trainee's progress: counts, mean, scores over time,
// topics weakest first, the most common mistakes.
func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	as := []Attempt{
		{Trainee: "小李", Kind: AttemptDrill, Item: "s1", Score: 90, Correct: true, Topics: []string{"回复结构"}, At: t0},
		{Trainee: "小李", Kind: AttemptDrill, Item: "s2", Score: 30, Topics: []string{"个人信息", "回复结构"}, Mistakes: []string{"pii", "时限"}, At: t0.Add(time.Hour)},
		{Trainee: "小李", Kind: AttemptQuiz, Item: "q1", Score: 0, Topics: []string{"个人信息"}, Mistakes: []string{"pii"}, At: t0.Add(2 * time.Hour)},
	}
	p := Summarize("小李", as, nil)
	if p.Attempts != 3 || p.Drills != 2 || p.Quizzes != 1 || p.Average != 40 || len(p.Scores) != 3 || p.Due == nil {
		t.Errorf("%+v", p)
	}
	if got := fmt.Sprint(p.Topics); got != "[{个人信息 15 2} {回复结构 60 2}]" {
		t.Errorf("topics %s", got)
	}
	if got := fmt.Sprint(p.Mistakes); got != "[{pii 2} {时限 1}]" {
		t.Errorf("mistakes %s", got)
	}
}

// TestSummarizeCohort: completion counts items answered right at least
// once, against the items there are.
func TestSummarizeCohort(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	as := []Attempt{
		{Trainee: "b", Kind: AttemptQuiz, Item: "q1", Score: 100, Correct: true, At: t0},
		{Trainee: "a", Kind: AttemptQuiz, Item: "q1", Score: 0, At: t0, Mistakes: []string{"q1"}},
		{Trainee: "a", Kind: AttemptQuiz, Item: "q1", Score: 100, Correct: true, At: t0.Add(time.Hour)},
		{Trainee: "a", Kind: AttemptDrill, Item: "s1", Score: 50, At: t0.Add(2 * time.Hour), Mistakes: []string{"时限"}},
	}
	c := SummarizeCohort(as, 10)
	if len(c.Trainees) != 2 || c.Trainees[0].Trainee != "a" {
		t.Fatalf("%+v", c.Trainees)
	}
	a := c.Trainees[0]
	if a.Attempts != 3 || a.Completed != 1 || a.Completion != 10 || a.Average != 50 || !a.Last.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("a: %+v", a)
	}
	if len(c.Mistakes) != 2 || c.Items != 10 {
		t.Errorf("%+v", c)
	}
}
