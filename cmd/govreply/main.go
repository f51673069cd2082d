// Command govreply is the govreply service and its command-line tools.
// This package is wiring only: it reads configuration, builds the parts
// from the domain packages and hands them to cobra commands and the API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"govreply/knowledge"
)

// Exit codes, as DESIGN.md fixes them.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran and found failures it reports
	exitError    = 2 // usage or runtime error
)

// errFindings makes a command exit 1 after it has printed its output.
var errFindings = errors.New("findings")

// usageError marks a command-line mistake (exit 2 like any error, but the
// message says how to use the command).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startCPUProfile(os.Getenv("GOVREPLY_CPUPROFILE"))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the whole process, start-up
// included, to path (GOVREPLY_CPUPROFILE; see docs/benchmarks.md) and
// returns the function that finishes it. An empty path profiles nothing.
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "无法写入 CPU 剖析文件 %s：%v\n", path, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run executes the CLI and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIn(ctx, args, nil, stdout, stderr)
}

// runIn is run reading standard input from stdin (nil: os.Stdin).
func runIn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	if stdin != nil {
		root.SetIn(stdin)
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	default:
		fmt.Fprintln(stderr, "错误："+message(err))
		return exitError
	}
}

// message is the people-facing text of err.
func message(err error) string {
	var ke *knowledge.Error
	if errors.As(err, &ke) {
		return ke.Message()
	}
	return err.Error()
}
