package pdf

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"govreply/internal/errs"
)

// runWatched is run, returning also the child's process id.
func runWatched(ctx context.Context, data []byte, lim Limits) (Result, int, error) {
	var pid atomic.Int64
	res, err := run(ctx, data, lim, func(p int) { pid.Store(int64(p)) })
	return res, int(pid.Load()), err
}

// wantGone checks that process pid no longer exists (not even as a
// zombie: Run must have waited for it).
func wantGone(t *testing.T, pid int) {
	t.Helper()
	if pid <= 0 {
		t.Fatal("no worker was started")
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("worker %d still exists after Run returned (kill 0: %v)", pid, err)
	}
}

func TestRunKillsWorker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   []byte
		lim    Limits
		cancel time.Duration // cancel the context after this long; 0 = never
		kind   errs.Kind
		msg    string
	}{
		{"timeout", hangInput, Limits{Timeout: 200 * time.Millisecond}, 0, errs.Invalid, "PDF 解析超时"},
		{"memory", allocInput, Limits{Timeout: 20 * time.Second, Memory: 64 << 20}, 0, errs.TooLarge, "超过 64 MiB"},
		{"context canceled", hangInput, Limits{Timeout: 20 * time.Second}, 200 * time.Millisecond, errs.Canceled, "已中止"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.kind == errs.TooLarge && !rssWatched() {
				t.Skip("/proc is not mounted: resident memory is not watched")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			start := time.Now()
			_, pid, err := runWatched(ctx, tt.data, tt.lim)
			wantErr(t, err, tt.kind, tt.msg)
			wantGone(t, pid)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Run took %v to give up", d)
			}
		})
	}
}

// TestRunUnderLimits checks that the limits of TestRunKillsWorker leave
// room for an ordinary file, so that the kills there are the misbehaving
// worker's doing.
func TestRunUnderLimits(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, pid, err := runWatched(ctx, readFixture(t, "text.pdf"), Limits{Timeout: 10 * time.Second, Memory: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != 2 {
		t.Errorf("got %d pages, want 2", len(res.Pages))
	}
	wantGone(t, pid)
}

func TestRunContextDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, pid, err := runWatched(ctx, hangInput, Limits{Timeout: 20 * time.Second})
	wantErr(t, err, errs.Timeout)
	wantGone(t, pid)
}
