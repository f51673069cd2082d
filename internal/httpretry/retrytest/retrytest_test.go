package retrytest

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestSleepsRecordsWithoutWaiting(t *testing.T) {
	t.Parallel()
	var s Sleeps
	start := time.Now()
	for _, d := range []time.Duration{time.Hour, 2 * time.Second} {
		if err := s.Sleep(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) > time.Second {
		t.Error("Sleep waited")
	}
	if got := s.Waits(); !slices.Equal(got, []time.Duration{time.Hour, 2 * time.Second}) {
		t.Errorf("Waits = %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Sleep(ctx, time.Second); err != context.Canceled {
		t.Errorf("Sleep on an ended context = %v", err)
	}
}
