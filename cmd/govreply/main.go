// Command govreply is the govreply service and its command-line tools.
// This package is wiring only: it reads one configuration, builds each
// part once from it (app.go) and hands the parts to cobra commands and
// the API. docs/architecture.md follows a request through it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"govreply/internal/errs"
)

// Exit codes.
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
	code := run(ctx, invocation{args: os.Args[1:], getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
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

// invocation is one run of the command line: its arguments, environment
// and streams, and how it builds its parts.
type invocation struct {
	args           []string
	getenv         func(string) string // nil: os.Getenv
	stdin          io.Reader           // nil: os.Stdin
	stdout, stderr io.Writer
	open           opener       // nil: newApp
	log            *slog.Logger // nil: the command's own (stderr)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, inv invocation) int {
	if inv.getenv == nil {
		inv.getenv = os.Getenv
	}
	if inv.open == nil {
		inv.open = newApp
	}
	root := newRoot(&inv)
	root.SetArgs(inv.args)
	if inv.stdin != nil {
		root.SetIn(inv.stdin)
	}
	root.SetOut(inv.stdout)
	root.SetErr(inv.stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	default:
		fmt.Fprintln(inv.stderr, "错误："+message(err))
		return exitError
	}
}

// message is the people-facing text of err.
func message(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return errs.MessageOf(err)
	}
	return err.Error()
}
