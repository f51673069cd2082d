// Package retrytest helps test code that retries through
// internal/httpretry: a recorder of the waits between attempts, so a test
// sees the backoff without waiting for it.
package retrytest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Sleeps records the waits it is asked for instead of waiting. Its Sleep
// method fits httpretry.Transport.Sleep (and the clients' sleep options).
// It is safe for concurrent use.
type Sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns at once: ctx's error, when it has ended.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

// Waits returns the waits recorded, in order.
func (s *Sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}
