package pdf

import (
	"context"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"govreply/internal/errs"
)

// Inputs that make a worker of this test binary misbehave before it
// extracts anything (see misbehave).
var (
	hangInput  = []byte("govreply-pdf-test: hang")
	allocInput = []byte("govreply-pdf-test: allocate 256 MiB")
	crashInput = []byte("govreply-pdf-test: crash")
	noisyInput = []byte("govreply-pdf-test: noisy")
)

// The hook is installed by a variable initialiser, not an init function:
// every package variable is initialised before any init function runs, so
// it is in place when the worker's init serves. Being in a _test.go file,
// it exists in this test binary only.
var _ = func() bool { workerHook = misbehave; return true }()

// misbehave makes a worker hang, allocate memory, crash or print on its
// standard output, according to its input; other inputs pass through.
func misbehave(data []byte) {
	switch string(data) {
	case string(hangInput):
		time.Sleep(time.Hour)
	case string(allocInput):
		var held [][]byte
		for range 256 {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // touch every page, so it counts as resident
			}
			held = append(held, b)
		}
		time.Sleep(time.Hour)
		runtime.KeepAlive(held)
	case string(crashInput):
		done := make(chan bool)
		go func() { panic("worker crash on purpose") }() // unrecovered: the process dies
		<-done
	case string(noisyInput):
		os.NewFile(1, "stdout").WriteString("noise before the reply\n")
	}
}

// wantSameError checks that got is the error want, as Run carries it
// across the process boundary: same kind, code, message and text.
func wantSameError(t *testing.T, got, want error) {
	t.Helper()
	if got == nil {
		t.Fatalf("Run returned no error, Extract returned %v", want)
	}
	if errs.KindOf(got) != errs.KindOf(want) || errs.CodeOf(got) != errs.CodeOf(want) ||
		errs.MessageOf(got) != errs.MessageOf(want) || got.Error() != want.Error() {
		t.Errorf("Run error:\n  %s %s %q %v\nExtract error:\n  %s %s %q %v",
			errs.KindOf(got), errs.CodeOf(got), errs.MessageOf(got), got,
			errs.KindOf(want), errs.CodeOf(want), errs.MessageOf(want), want)
	}
}

func TestRunMatchesExtract(t *testing.T) {
	t.Parallel()
	cases := allCases()
	for _, name := range []string{"text.pdf", "scanned.pdf"} {
		cases = append(cases, extractCase{name: "fixture/" + name, data: readFixture(t, name)})
	}
	cases = append(cases, extractCase{name: "noise on the worker's stdout", data: noisyInput})
	var lim Limits // the defaults, which the content-stream bomb fits in
	if raceEnabled {
		lim.Memory = 2 << 30
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, wantErr := Extract(tt.data)
			got, err := Run(context.Background(), tt.data, lim)
			if wantErr != nil {
				wantSameError(t, err, wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Run =\n%+v\nExtract =\n%+v", got, want)
			}
		})
	}
}

func TestRunCrashedWorker(t *testing.T) {
	t.Parallel()
	_, err := Run(context.Background(), crashInput, Limits{})
	wantErr(t, err, errs.Invalid, "异常退出")
	if !strings.Contains(err.Error(), "worker crash on purpose") {
		t.Errorf("error %q does not carry the worker's standard error", err)
	}
}

// TestRunInWorker checks the guard against recursion: in a worker, Run
// starts nothing. Not parallel: it sets inWorker.
func TestRunInWorker(t *testing.T) {
	inWorker = true
	defer func() { inWorker = false }()
	called := false
	_, err := run(context.Background(), readFixture(t, "text.pdf"), Limits{}, func(int) { called = true })
	wantErr(t, err, errs.Internal)
	if called {
		t.Error("a worker started a worker")
	}
}

func TestRunDoneContextStartsNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, err := run(ctx, readFixture(t, "text.pdf"), Limits{}, func(int) { called = true })
	wantErr(t, err, errs.Canceled)
	if called {
		t.Error("a worker was started for a canceled context")
	}
}

func TestLimitsDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want Limits
	}{
		{Limits{}, Limits{Timeout: DefaultTimeout, Memory: DefaultMemory}},
		{Limits{Timeout: -1, Memory: -1}, Limits{Timeout: DefaultTimeout, Memory: DefaultMemory}},
		{Limits{Timeout: time.Second, Memory: 1 << 20}, Limits{Timeout: time.Second, Memory: 1 << 20}},
	}
	for _, tt := range tests {
		if got := tt.in.orDefaults(); got != tt.want {
			t.Errorf("%+v.orDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	data := readFixture(b, "text.pdf")
	for b.Loop() {
		if _, err := Extract(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRun(b *testing.B) {
	data := readFixture(b, "text.pdf")
	for b.Loop() {
		if _, err := Run(context.Background(), data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
