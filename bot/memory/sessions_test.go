package memory_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"govreply/bot"
	"govreply/bot/bottest"
	"govreply/bot/memory"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestSessionsCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	m := memory.NewSessions(memory.Options{MaxSessions: 2, MaxTurns: 3, Now: clk.now})
	for i := range 5 {
		_ = m.Append(ctx, "a", bot.Turn{Question: strconv.Itoa(i)})
	}
	turns, ok, _ := m.Get(ctx, "a")
	if !ok || len(turns) != 3 || turns[0].Question != "2" || turns[2].Question != "4" || !turns[2].At.Equal(clk.now()) {
		t.Fatalf("bounded history: %+v", turns)
	}
	_ = m.Append(ctx, "b", bot.Turn{Question: "b"})
	clk.add(time.Second)
	_, _, _ = m.Get(ctx, "a") // a is now the most recently used
	_ = m.Append(ctx, "c", bot.Turn{Question: "c"})
	if _, ok, _ := m.Get(ctx, "b"); ok {
		t.Error("the least recently used session survived the cap")
	}
	for _, id := range []string{"a", "c"} {
		if _, ok, _ := m.Get(ctx, id); !ok {
			t.Errorf("session %s evicted", id)
		}
	}
	if m.Len() != 2 {
		t.Errorf("%d sessions", m.Len())
	}
}

func TestSessionsExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	m := memory.NewSessions(memory.Options{TTL: 30 * time.Minute, Now: clk.now})
	_ = m.Append(ctx, "old", bot.Turn{Question: "q"})
	clk.add(20 * time.Minute)
	_ = m.Append(ctx, "new", bot.Turn{Question: "q"})
	clk.add(20 * time.Minute) // old: 40 min unused; new: 20
	if _, ok, _ := m.Get(ctx, "old"); ok {
		t.Error("expired session found")
	}
	if _, ok, _ := m.Get(ctx, "new"); !ok {
		t.Error("live session lost")
	}
	clk.add(29 * time.Minute) // the Get above renewed it
	if _, ok, _ := m.Get(ctx, "new"); !ok {
		t.Error("a session used 29 minutes ago expired")
	}
	clk.add(30 * time.Minute)
	if m.Len() != 0 {
		t.Errorf("%d sessions after expiry", m.Len())
	}
	_ = m.Append(ctx, "old", bot.Turn{Question: "again"})
	if turns, _, _ := m.Get(ctx, "old"); len(turns) != 1 {
		t.Errorf("an expired session's history came back: %+v", turns)
	}
}

func TestSessionsConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := memory.NewSessions(memory.Options{MaxSessions: 50, MaxTurns: 1000})
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "s" + strconv.Itoa(g%10)
			for i := range 50 {
				_ = m.Append(ctx, id, bot.Turn{Question: strconv.Itoa(i)})
				_, _, _ = m.Get(ctx, id)
			}
		}()
	}
	wg.Wait()
	for i := range 10 {
		turns, ok, _ := m.Get(ctx, "s"+strconv.Itoa(i))
		if !ok || len(turns) != 100 {
			t.Errorf("session %d: %d turns", i, len(turns))
		}
	}
}

func TestSessionsOwners(t *testing.T) {
	bottest.SessionOwners(t, memory.NewSessions(memory.Options{MaxPerOwner: 50}), 50)
}
