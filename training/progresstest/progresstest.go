// Package progresstest is the contract test of training.ProgressStore,
// run against every implementation:
//
//	func TestContract(t *testing.T) {
//		progresstest.Run(t, func(t *testing.T) training.ProgressStore { return memory.New() })
//	}
package progresstest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"govreply/training"
)

// T0 is the contract's reference time.
var T0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// Run runs the contract against fresh stores from open.
func Run(t *testing.T, open func(t *testing.T) training.ProgressStore) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, training.ProgressStore)
	}{
		{"Attempts", testAttempts},
		{"Leitner", testLeitner},
		{"CardsDue", testCardsDue},
		{"Concurrent", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func add(t *testing.T, s training.ProgressStore, a training.Attempt) training.Card {
	t.Helper()
	c, err := s.AddAttempt(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testAttempts(t *testing.T, s training.ProgressStore) {
	ctx := context.Background()
	add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "q2", Score: 0, At: T0.Add(time.Hour), Topics: []string{"个人信息"}, Mistakes: []string{"q2"}})
	add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptDrill, Item: "s1", Score: 82, Correct: true, At: T0, Topics: []string{"回复结构", "时限与渠道"}})
	add(t, s, training.Attempt{Trainee: "小王", Kind: training.AttemptDrill, Item: "s1", Score: 40, At: T0.Add(2 * time.Hour), Mistakes: []string{"missing_timeline", "时限"}})
	got, err := s.Attempts(ctx, "小李")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Item != "s1" || got[1].Item != "q2" {
		t.Fatalf("小李's attempts, oldest first: %+v", got)
	}
	a := got[0]
	if a.Kind != training.AttemptDrill || a.Score != 82 || !a.Correct || len(a.Topics) != 2 || a.Topics[1] != "时限与渠道" || !a.At.Equal(T0) {
		t.Errorf("attempt read back as %+v", a)
	}
	if got[1].Mistakes[0] != "q2" {
		t.Errorf("mistakes read back as %v", got[1].Mistakes)
	}
	all, err := s.Attempts(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("every trainee's attempts: %d %v", len(all), err)
	}
	none, err := s.Attempts(ctx, "无此人")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("an unknown trainee: %v %v", none, err)
	}
}

func testLeitner(t *testing.T, s training.ProgressStore) {
	at := T0
	steps := []struct {
		correct bool
		box     int
	}{
		{false, 1}, {true, 2}, {true, 3}, {true, 4}, {true, 5}, {true, 5}, {false, 1},
	}
	for i, st := range steps {
		c := add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "q1", Correct: st.correct, At: at})
		if c.Box != st.box || !c.Due.Equal(at.Add(training.BoxIntervals[st.box-1])) {
			t.Fatalf("step %d (%v): box %d due %v, want box %d", i, st.correct, c.Box, c.Due, st.box)
		}
		at = c.Due
	}
	if c := add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "new", Correct: true, At: T0}); c.Box != 2 {
		t.Errorf("a new item answered right goes to box %d, want 2", c.Box)
	}
}

func testCardsDue(t *testing.T, s training.ProgressStore) {
	ctx := context.Background()
	add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "wrong", At: T0})                    // due T0+1d
	add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "right", Correct: true, At: T0})     // due T0+3d
	add(t, s, training.Attempt{Trainee: "小王", Kind: training.AttemptQuiz, Item: "wrong", At: T0})                    // another trainee
	add(t, s, training.Attempt{Trainee: "小李", Kind: training.AttemptDrill, Item: "s1", Score: 30, At: T0.Add(-day)}) // due T0
	for _, tc := range []struct {
		by   time.Time
		want []string
	}{
		{T0, []string{"s1"}},
		{T0.Add(2 * day), []string{"s1", "wrong"}},
		{time.Time{}, []string{"s1", "wrong", "right"}},
	} {
		cards, err := s.Cards(ctx, "小李", tc.by)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cards {
			got = append(got, c.Item)
			if c.Trainee != "小李" {
				t.Errorf("another trainee's card: %+v", c)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("due by %v: %v, want %v", tc.by, got, tc.want)
		}
	}
}

func testConcurrent(t *testing.T, s training.ProgressStore) {
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AddAttempt(context.Background(), training.Attempt{Trainee: "小李", Kind: training.AttemptQuiz, Item: "q1",
				Correct: i%2 == 0, At: T0.Add(time.Duration(i) * time.Minute)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Attempts(context.Background(), "小李")
	if err != nil || len(got) != 20 {
		t.Errorf("%d attempts after 20 concurrent ones: %v", len(got), err)
	}
	cards, err := s.Cards(context.Background(), "小李", time.Time{})
	if err != nil || len(cards) != 1 {
		t.Errorf("cards: %+v %v", cards, err)
	}
}
