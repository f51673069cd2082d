package training

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Kinds of attempt.
const (
	AttemptDrill = "drill" // a reply to a scenario, graded by the grader
	AttemptQuiz  = "quiz"  // the answer to one quiz question
)

// Attempt is one graded answer of a trainee: a reply to a scenario or the
// answer to one quiz question.
type Attempt struct {
	Trainee string   `json:"trainee"`
	Kind    string   `json:"kind"` // AttemptDrill or AttemptQuiz
	Item    string   `json:"item"` // the scenario's or the question's id
	Score   int      `json:"score"`
	Correct bool     `json:"correct"` // a drill counts as correct at PassScore
	Topics  []string `json:"topics"`
	// Mistakes are what went wrong, for the trainer's "most common
	// mistakes": the review categories of a drill's findings and the
	// names of its missed elements; a wrong question's id.
	Mistakes []string  `json:"mistakes"`
	At       time.Time `json:"at"`
}

// PassScore is the drill score that counts as answered right.
const PassScore = 70

// Card is an item in a trainee's Leitner boxes: answered wrong it goes
// back to box 1 and comes back the next day; answered right it moves up a
// box and comes back after that box's interval.
type Card struct {
	Trainee string    `json:"trainee"`
	Kind    string    `json:"kind"`
	Item    string    `json:"item"`
	Box     int       `json:"box"` // 1 … len(BoxIntervals)
	Due     time.Time `json:"due"`
}

// BoxIntervals are how long a card waits in each box (box 1 first).
var BoxIntervals = []time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour}

// Review moves a card after an answer at now: right → the next box,
// wrong → box 1; and sets when it is due. A new card is the zero Card with
// its trainee, kind and item.
func (c Card) Review(correct bool, now time.Time) Card {
	switch {
	case !correct:
		c.Box = 1
	case c.Box < 1: // new, and right the first time
		c.Box = 2
	case c.Box < len(BoxIntervals):
		c.Box++
	}
	c.Due = now.Add(BoxIntervals[c.Box-1])
	return c
}

// ProgressStore keeps trainees' attempts and cards. AddAttempt stores an
// attempt and moves its card (Card.Review) in one step, so that history
// and boxes never disagree; Attempts returns a trainee's attempts oldest
// first ("" for every trainee); Cards returns a trainee's cards due at or
// before a time (the zero time: every card), soonest first. A store that
// cannot reach its database fails with an errs.Unavailable error naming
// it. Implementations are safe for concurrent use.
//
// training/memory keeps them in memory (the embedded default);
// training/postgres in PostgreSQL.
type ProgressStore interface {
	AddAttempt(ctx context.Context, a Attempt) (Card, error)
	Attempts(ctx context.Context, trainee string) ([]Attempt, error)
	Cards(ctx context.Context, trainee string, dueBy time.Time) ([]Card, error)
}

// CohortSummarizer is a ProgressStore that computes the cohort view
// itself (in its database) rather than from every attempt; the result is
// SummarizeCohort's over the same attempts.
type CohortSummarizer interface {
	Cohort(ctx context.Context, items int) (Cohort, error)
}

// Progress is a trainee's progress: what the 我的进度 page and
// GET /v1/training/progress show.
type Progress struct {
	Trainee  string         `json:"trainee"`
	Attempts int            `json:"attempts"`
	Drills   int            `json:"drills"`
	Quizzes  int            `json:"quizzes"`
	Average  int            `json:"average"` // mean score of every attempt
	Scores   []ScorePoint   `json:"scores"`  // over time, oldest first
	Topics   []TopicScore   `json:"topics"`  // weakest first
	Mistakes []MistakeCount `json:"mistakes"`
	Due      []Card         `json:"due"` // cards due now, soonest first
}

// ScorePoint is one attempt's score at its time.
type ScorePoint struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Item  string    `json:"item"`
	Score int       `json:"score"`
}

// TopicScore is the mean score of the attempts on a topic.
type TopicScore struct {
	Topic    string `json:"topic"`
	Average  int    `json:"average"`
	Attempts int    `json:"attempts"`
}

// MistakeCount is how often a mistake was made.
type MistakeCount struct {
	Mistake string `json:"mistake"`
	Count   int    `json:"count"`
}

// Summarize computes a trainee's progress from their attempts and due
// cards.
func Summarize(trainee string, attempts []Attempt, due []Card) Progress {
	p := Progress{Trainee: trainee, Attempts: len(attempts), Scores: []ScorePoint{}, Due: due}
	if p.Due == nil {
		p.Due = []Card{}
	}
	total := 0
	for _, a := range attempts {
		total += a.Score
		if a.Kind == AttemptDrill {
			p.Drills++
		} else {
			p.Quizzes++
		}
		p.Scores = append(p.Scores, ScorePoint{At: a.At, Kind: a.Kind, Item: a.Item, Score: a.Score})
	}
	if len(attempts) > 0 {
		p.Average = (total + len(attempts)/2) / len(attempts)
	}
	p.Topics = topicScores(attempts)
	p.Mistakes = mistakeCounts(attempts, 10)
	return p
}

func topicScores(attempts []Attempt) []TopicScore {
	sum, n := map[string]int{}, map[string]int{}
	for _, a := range attempts {
		for _, t := range a.Topics {
			sum[t] += a.Score
			n[t]++
		}
	}
	out := make([]TopicScore, 0, len(n))
	for t, c := range n {
		out = append(out, TopicScore{Topic: t, Average: (sum[t] + c/2) / c, Attempts: c})
	}
	slices.SortFunc(out, func(a, b TopicScore) int {
		return cmp.Or(cmp.Compare(a.Average, b.Average), cmp.Compare(a.Topic, b.Topic))
	})
	return out
}

func mistakeCounts(attempts []Attempt, limit int) []MistakeCount {
	n := map[string]int{}
	for _, a := range attempts {
		for _, m := range a.Mistakes {
			n[m]++
		}
	}
	out := make([]MistakeCount, 0, len(n))
	for m, c := range n {
		out = append(out, MistakeCount{m, c})
	}
	slices.SortFunc(out, func(a, b MistakeCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Mistake, b.Mistake))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Cohort is the trainer's view of a group of trainees.
type Cohort struct {
	Trainees []TraineeRow   `json:"trainees"`
	Topics   []TopicScore   `json:"topics"`   // over the whole cohort, weakest first
	Mistakes []MistakeCount `json:"mistakes"` // the most common, first
	Items    int            `json:"items"`    // scenarios and questions there are
}

// TraineeRow is one trainee in the cohort view.
type TraineeRow struct {
	Trainee    string    `json:"trainee"`
	Attempts   int       `json:"attempts"`
	Completed  int       `json:"completed"`  // distinct items answered right at least once
	Completion int       `json:"completion"` // Completed as a percentage of the items there are
	Average    int       `json:"average"`
	Last       time.Time `json:"last"`
}

// SummarizeCohort computes the cohort view from every attempt (any
// order); items is how many scenarios and questions there are.
func SummarizeCohort(attempts []Attempt, items int) Cohort {
	byTrainee := map[string][]Attempt{}
	for _, a := range attempts {
		byTrainee[a.Trainee] = append(byTrainee[a.Trainee], a)
	}
	c := Cohort{Trainees: make([]TraineeRow, 0, len(byTrainee)), Items: items}
	for name, as := range byTrainee {
		row := TraineeRow{Trainee: name, Attempts: len(as)}
		done := map[string]bool{}
		total := 0
		for _, a := range as {
			total += a.Score
			if a.Correct {
				done[a.Kind+"\x00"+a.Item] = true
			}
			if a.At.After(row.Last) {
				row.Last = a.At
			}
		}
		row.Completed = len(done)
		row.Average = (total + len(as)/2) / len(as)
		if items > 0 {
			row.Completion = min(100, row.Completed*100/items)
		}
		c.Trainees = append(c.Trainees, row)
	}
	slices.SortFunc(c.Trainees, func(a, b TraineeRow) int { return cmp.Compare(a.Trainee, b.Trainee) })
	c.Topics = topicScores(attempts)
	c.Mistakes = mistakeCounts(attempts, 10)
	return c
}
