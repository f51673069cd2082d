package api

import (
	"fmt"
	"testing"
	"time"
)

// TestLimitersBounded: a flood of made-up client keys keeps at most the
// bound in memory, and a key forgotten starts with a full bucket.
func TestLimitersBounded(t *testing.T) {
	l := newLimiters(1, 1, 100)
	now := time.Now()
	for i := range 20_000 {
		l.take(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), now)
	}
	if n := l.len(); n != 100 {
		t.Errorf("%d keys tracked, want 100", n)
	}
	if d := l.take("a", now); d != 0 {
		t.Errorf("first request waits %v", d)
	}
	if d := l.take("a", now); d <= 0 || d > time.Second {
		t.Errorf("second request within the second: wait %v", d)
	}
}
