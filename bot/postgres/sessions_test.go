package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"govreply/bot"
	"govreply/bot/bottest"
	"govreply/bot/postgres"
	"govreply/internal/pgdb"
	"govreply/internal/pgdb/pgtest"
)

// clock is a settable clock for expiry tests.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// open returns a session store on a new schema of the test database.
func open(t *testing.T, o postgres.Options) (*postgres.Sessions, string) {
	t.Helper()
	db, schema := pgtest.MustOpenDB(t, postgres.Component())
	return postgres.NewSessions(db, o), schema
}

func questions(ts []bot.Turn) []string {
	var qs []string
	for _, t := range ts {
		qs = append(qs, t.Question)
	}
	return qs
}

func TestAppendGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock()
	s, _ := open(t, postgres.Options{Now: c.Now})
	if turns, ok, err := s.Get(ctx, "unknown"); err != nil || ok || turns != nil {
		t.Fatalf("unknown session: %v %v %v", turns, ok, err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.Append(ctx, "s1", bot.Turn{Question: "投诉怎么回复？", Query: "投诉 回复", Answer: "先致歉[1]。", At: at}); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if err := s.Append(ctx, "s1", bot.Turn{Question: "那要道歉吗", Query: "投诉 回复 道歉", Answer: "要[1]。"}); err != nil {
		t.Fatal(err)
	}
	turns, ok, err := s.Get(ctx, "s1")
	if err != nil || !ok || len(turns) != 2 {
		t.Fatalf("get: %+v %v %v", turns, ok, err)
	}
	want := []bot.Turn{
		{Question: "投诉怎么回复？", Query: "投诉 回复", Answer: "先致歉[1]。", At: at},
		{Question: "那要道歉吗", Query: "投诉 回复 道歉", Answer: "要[1]。", At: c.Now()},
	}
	for i, w := range want {
		g := turns[i]
		if g.Question != w.Question || g.Query != w.Query || g.Answer != w.Answer || !g.At.Equal(w.At) {
			t.Errorf("turn %d = %+v, want %+v", i, g, w)
		}
	}
	if _, ok, _ := s.Get(ctx, "s2"); ok {
		t.Error("another session is visible")
	}
}

func TestMaxTurns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t, postgres.Options{MaxTurns: 3})
	for i := range 7 {
		if err := s.Append(ctx, "s", bot.Turn{Question: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	turns, ok, err := s.Get(ctx, "s")
	if err != nil || !ok || fmt.Sprint(questions(turns)) != "[4 5 6]" {
		t.Fatalf("got %v %v %v, want the last three", questions(turns), ok, err)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock()
	s, _ := open(t, postgres.Options{TTL: time.Hour, Now: c.Now})
	for _, id := range []string{"a", "b"} {
		if err := s.Append(ctx, id, bot.Turn{Question: id + "1"}); err != nil {
			t.Fatal(err)
		}
	}
	// A Get counts as use: a stays alive, b does not.
	c.Advance(50 * time.Minute)
	if _, ok, _ := s.Get(ctx, "a"); !ok {
		t.Fatal("a expired early")
	}
	c.Advance(20 * time.Minute)
	if _, ok, _ := s.Get(ctx, "a"); !ok {
		t.Error("a expired though used 20 minutes ago")
	}
	if turns, ok, err := s.Get(ctx, "b"); err != nil || ok || turns != nil {
		t.Errorf("b after 70 minutes: %v %v %v", turns, ok, err)
	}
	// Appending to an expired session starts it again, empty.
	if err := s.Append(ctx, "b", bot.Turn{Question: "b2"}); err != nil {
		t.Fatal(err)
	}
	if turns, ok, _ := s.Get(ctx, "b"); !ok || fmt.Sprint(questions(turns)) != "[b2]" {
		t.Errorf("b restarted: %v %v", questions(turns), ok)
	}
	c.Advance(2 * time.Hour)
	n, err := s.Sweep(ctx)
	if err != nil || n != 2 {
		t.Errorf("sweep deleted %d sessions (%v), want 2", n, err)
	}
	if _, ok, _ := s.Get(ctx, "a"); ok {
		t.Error("a still there after sweep")
	}
}

func TestConcurrentAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := pgtest.MustSchema(t)
	// Two stores on one schema, as two processes would be; both migrate
	// the database at once.
	var (
		stores [2]*postgres.Sessions
		wg     sync.WaitGroup
	)
	for i := range stores {
		wg.Go(func() {
			db, err := pgdb.Open(ctx, pgdb.Options{URL: pgtest.URL(), Schema: schema, Components: []pgdb.Component{postgres.Component()}})
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(db.Close)
			stores[i] = postgres.NewSessions(db, postgres.Options{MaxTurns: 100})
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	const writers, each = 8, 5
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := stores[w%2].Append(ctx, "shared", bot.Turn{Question: fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					t.Error(err)
				}
				if err := stores[w%2].Append(ctx, fmt.Sprintf("own-%d", w), bot.Turn{Question: fmt.Sprint(i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	turns, ok, err := stores[0].Get(ctx, "shared")
	if err != nil || !ok || len(turns) != writers*each {
		t.Fatalf("shared: %d turns, %v %v; want %d", len(turns), ok, err, writers*each)
	}
	seen := map[string]bool{}
	next := map[string]int{}
	for _, tr := range turns {
		seen[tr.Question] = true
		var w, i int
		fmt.Sscanf(tr.Question, "w%d-%d", &w, &i)
		if i != next[fmt.Sprint(w)] {
			t.Errorf("writer %d's turns out of order: %d after %d", w, i, next[fmt.Sprint(w)]-1)
		}
		next[fmt.Sprint(w)] = i + 1
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct turns, want %d", len(seen), writers*each)
	}
	for w := range writers {
		if turns, _, _ := stores[1].Get(ctx, fmt.Sprintf("own-%d", w)); fmt.Sprint(questions(turns)) != "[0 1 2 3 4]" {
			t.Errorf("own-%d: %v", w, questions(turns))
		}
	}
}

// TestSweepEvery: the periodic sweep deletes a session once it expires and
// stops with its context.
func TestSweepEvery(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClock()
	s, schema := open(t, postgres.Options{TTL: time.Hour, Now: c.Now})
	conn, err := pgx.Connect(ctx, pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	count := func() int {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "chat_sessions"}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := s.Append(ctx, "a", bot.Turn{Question: "a1"}); err != nil {
		t.Fatal(err)
	}
	if count() != 1 {
		t.Fatal("the session was not stored")
	}
	c.Advance(2 * time.Hour)
	stopped := make(chan struct{})
	go func() {
		s.SweepEvery(ctx, 10*time.Millisecond, func(err error) { t.Error(err) })
		close(stopped)
	}()
	for deadline := time.Now().Add(5 * time.Second); count() != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the expired session was never swept")
		}
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("SweepEvery did not stop with its context")
	}
}

func TestSessionsOwners(t *testing.T) {
	t.Parallel()
	s, _ := open(t, postgres.Options{MaxPerOwner: 50})
	bottest.SessionOwners(t, s, 50)
}

// TestRetention: Sweep deletes turns older than the retention even from a
// session still in use.
func TestRetention(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s, _ := open(t, postgres.Options{Now: clk.Now, Retention: 24 * time.Hour, TTL: 48 * time.Hour})
	ctx := context.Background()
	if err := s.Append(ctx, "s", bot.Turn{Question: "旧"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(25 * time.Hour)
	if err := s.Append(ctx, "s", bot.Turn{Question: "新"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	turns, ok, err := s.Get(ctx, "s")
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if got := questions(turns); len(got) != 1 || got[0] != "新" {
		t.Errorf("after the sweep: %v", got)
	}
}
