package pdf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"govreply/internal/errs"
)

// The limits Run applies where Limits leaves them zero.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMemory  = 512 << 20 // bytes
)

// Limits bound the child process of Run.
type Limits struct {
	// Timeout is how long the child may take, from its start to its
	// result; zero or negative means DefaultTimeout.
	Timeout time.Duration
	// Memory is the resident memory, in bytes, the child may use; zero
	// or negative means DefaultMemory.
	Memory int64
}

// orDefaults fills in the defaults.
func (l Limits) orDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	return l
}

// runOp is the Op of the errors Run itself returns; errors of the
// extraction keep Extract's.
const runOp = "pdf.Run"

// The environment of a worker. workerEnv holds the protocol version: a
// variable left set by accident with another value does not turn a
// program into a worker.
const (
	workerEnv       = "GOVREPLY_PDF_WORKER"
	workerMemoryEnv = "GOVREPLY_PDF_WORKER_MEMORY"
	workerProtocol  = "1"
)

// exitWorkerFailed is the worker's exit status when it could not read
// its input or write its reply (a Go panic or fatal error exits with 2).
const exitWorkerFailed = 70

// rssInterval is how often Run reads the child's resident memory.
const rssInterval = 20 * time.Millisecond

// maxStderr bounds what Run keeps of the child's standard error, for the
// error of a child that crashed.
const maxStderr = 8 << 10

// Run does Extract's work on data in a child process and returns what
// Extract would: the same Result, or an *errs.Error of the same Op, Kind,
// Code and message (its cause comes back as text only). Run is safe for
// concurrent use; each call runs one child.
//
// The child is the running program's own executable (on Linux
// /proc/self/exe, which stays the running binary even when its file has
// been replaced; elsewhere os.Executable), started with the environment
// variable GOVREPLY_PDF_WORKER set: this package's init function then
// serves the extraction and exits, so any program that imports the
// package can be its own worker. The PDF goes to the child on its
// standard input, the reply comes back on its standard output.
//
// The child is killed (SIGKILL on Unix) and waited for when it runs longer
// than lim.Timeout (an errs.Invalid error: the file is malformed or too
// complex), when its resident memory exceeds lim.Memory (errs.TooLarge)
// or when ctx is done (errs.Canceled or errs.Timeout, after ctx.Err).
// When Run returns, the child no longer exists. On Linux the child's
// memory is read from /proc/<pid>/statm every 20 ms, and the kernel kills
// the child if the calling program dies; where /proc is unavailable,
// resident memory is not watched. In every case the child sets its Go
// runtime's soft memory limit (debug.SetMemoryLimit) a little below
// lim.Memory, so that the garbage collector works to stay under it.
//
// A child that dies on its own, as on a fatal error of the Go runtime
// (which a broken file can provoke in the PDF library, and which recover
// cannot catch), yields an errs.Invalid error. A child that cannot be
// started, or whose reply cannot be read, yields errs.Internal; so does
// Run called in a worker, which never starts another.
func Run(ctx context.Context, data []byte, lim Limits) (Result, error) {
	return run(ctx, data, lim, nil)
}

// run is Run; started, when not nil, is called with the child's process
// id once it runs, for tests that check that the child is gone.
func run(ctx context.Context, data []byte, lim Limits, started func(pid int)) (Result, error) {
	lim = lim.orDefaults()
	if inWorker {
		return Result{}, errs.E(runOp, errs.Internal, "PDF 解析进程不能再启动解析进程",
			errors.New("pdf: Run called inside a worker"))
	}
	if err := ctx.Err(); err != nil {
		return Result{}, stopped(err)
	}
	c, err := startWorker(data, lim)
	if err != nil {
		return Result{}, errs.E(runOp, errs.Internal, "无法启动 PDF 解析进程", err)
	}
	if started != nil {
		started(c.cmd.Process.Pid)
	}
	end := c.watch(ctx, lim)
	switch end.reason {
	case timedOut:
		return Result{}, errs.E(runOp, errs.Invalid, "PDF 解析超时（文件结构异常或过于复杂），已放弃",
			fmt.Errorf("pdf worker: no result after %v", lim.Timeout))
	case overMemory:
		return Result{}, tooMuchMemory(lim, end.rss)
	case canceled:
		return Result{}, stopped(ctx.Err())
	}
	if end.err != nil {
		return Result{}, c.crashed(end.err)
	}
	if c.stdout.overflow {
		// The reply is at most the size of what the child held in memory.
		return Result{}, tooMuchMemory(lim, 0)
	}
	return decodeReply(c.stdout.buf.Bytes())
}

// tooMuchMemory is the error of a child killed for its memory use.
func tooMuchMemory(lim Limits, rss int64) error {
	return errs.E(runOp, errs.TooLarge,
		fmt.Sprintf("PDF 解析占用内存过多（超过 %d MiB），已放弃", lim.Memory>>20),
		fmt.Errorf("pdf worker: resident memory %d bytes, limit %d", rss, lim.Memory))
}

// stopped is the error of a child killed because ctx ended: its kind
// comes from cause, context.Canceled or context.DeadlineExceeded.
func stopped(cause error) error {
	return errs.E(runOp, "PDF 解析已中止（调用方已取消或超过时限）", cause)
}

// child is a running worker.
type child struct {
	cmd    *exec.Cmd
	stdout capped
	stderr capped
	done   chan error // receives cmd.Wait's result
}

// startWorker starts a worker on data.
func startWorker(data []byte, lim Limits) (*child, error) {
	exe, err := executable()
	if err != nil {
		return nil, err
	}
	c := &child{
		cmd:    exec.Command(exe),
		stdout: capped{max: lim.Memory},
		stderr: capped{max: maxStderr},
		done:   make(chan error, 1),
	}
	c.cmd.Env = workerEnviron(lim)
	c.cmd.Stdin = bytes.NewReader(data)
	c.cmd.Stdout = &c.stdout
	c.cmd.Stderr = &c.stderr
	c.cmd.SysProcAttr = sysProcAttr()
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { c.done <- c.cmd.Wait() }()
	return c, nil
}

// workerEnviron is the environment of a worker: this process's, with the
// worker variables set to lim. A binary built with -race sleeps a second
// when it exits, to let other goroutines report races, unless GORACE says
// otherwise; a worker has none, and must not spend the second (GORACE is
// ignored by other binaries).
func workerEnviron(lim Limits) []string {
	env := make([]string, 0, len(os.Environ())+3)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case workerEnv, workerMemoryEnv, "GORACE":
		default:
			env = append(env, kv)
		}
	}
	return append(env,
		workerEnv+"="+workerProtocol,
		workerMemoryEnv+"="+strconv.FormatInt(lim.Memory, 10),
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// Why a child ended.
type endReason int

const (
	exited endReason = iota
	timedOut
	overMemory
	canceled
)

// ending is how a child ended: the reason, cmd.Wait's error for a child
// that exited by itself, the resident memory seen for one over the limit.
type ending struct {
	reason endReason
	err    error
	rss    int64
}

// watch waits for the child to exit, killing it on timeout, on too much
// memory or when ctx is done; it returns once the child has been reaped.
func (c *child) watch(ctx context.Context, lim Limits) ending {
	timer := time.NewTimer(lim.Timeout)
	defer timer.Stop()
	var tick <-chan time.Time
	if rssWatched() {
		t := time.NewTicker(rssInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		var end ending
		select {
		case err := <-c.done:
			return ending{reason: exited, err: err}
		case <-timer.C:
			end.reason = timedOut
		case <-ctx.Done():
			end.reason = canceled
		case <-tick:
			rss, ok := residentBytes(c.cmd.Process.Pid)
			if !ok || rss <= lim.Memory {
				continue
			}
			end = ending{reason: overMemory, rss: rss}
		}
		return c.kill(end)
	}
}

// kill kills the child and waits for it. A child that had already
// finished its work and exited cleanly keeps its result.
func (c *child) kill(end ending) ending {
	_ = c.cmd.Process.Kill() // SIGKILL; fails only when the child is already gone
	if err := <-c.done; err == nil {
		return ending{reason: exited}
	}
	return end
}

// crashed is the error of a child that exited without a reply.
func (c *child) crashed(waitErr error) error {
	cause := fmt.Errorf("pdf worker: %w: %s", waitErr, bytes.TrimSpace(c.stderr.buf.Bytes()))
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) && exit.ExitCode() == exitWorkerFailed {
		return errs.E(runOp, errs.Internal, "PDF 解析进程出错", cause)
	}
	return errs.E(runOp, errs.Invalid, "PDF 解析进程异常退出（文件可能已损坏或结构异常），已放弃", cause)
}

// capped is an io.Writer that keeps the first max bytes written to it and
// discards the rest, so a child cannot make Run's memory grow without
// bound, and so the child never blocks on a full pipe.
type capped struct {
	buf      bytes.Buffer
	max      int64
	overflow bool
}

func (w *capped) Write(p []byte) (int, error) {
	if room := w.max - int64(w.buf.Len()); int64(len(p)) > room {
		w.buf.Write(p[:max(room, 0)])
		w.overflow = true
		return len(p), nil
	}
	return w.buf.Write(p)
}

// replyHeader precedes a worker's reply on its standard output. Package
// initialisation before this package's init may print (a dependency's
// init is not this package's to control); the parent reads the reply
// after the header and ignores what comes before.
const replyHeader = "\ngovreply-pdf-reply/" + workerProtocol + "\n"

// reply is what a worker writes after replyHeader, gob-encoded: gob
// carries every float64 and string exactly, so the parent gets the very
// Result the worker computed.
type reply struct {
	Result Result
	Err    *wireError // nil on success
}

// wireError is an *errs.Error on the wire; its cause travels as text.
type wireError struct {
	Op    string
	Kind  errs.Kind
	Code  errs.Code
	Msg   string
	Cause string
}

// newReply packs Extract's return values.
func newReply(res Result, err error) reply {
	if err == nil {
		return reply{Result: res}
	}
	w := &wireError{Kind: errs.KindOf(err), Cause: err.Error()}
	var e *errs.Error
	if errors.As(err, &e) {
		w.Op, w.Kind, w.Code, w.Msg = e.Op, e.Kind, e.Code, e.Msg
		w.Cause = ""
		if e.Err != nil {
			w.Cause = e.Err.Error()
		}
	}
	return reply{Err: w}
}

// decodeReply reads a worker's standard output and returns what Extract
// returned.
func decodeReply(out []byte) (Result, error) {
	i := bytes.Index(out, []byte(replyHeader))
	if i < 0 {
		return Result{}, errs.E(runOp, errs.Internal, "PDF 解析进程返回的结果无法读取",
			fmt.Errorf("pdf worker: no reply in %d bytes of output", len(out)))
	}
	var rep reply
	if err := gob.NewDecoder(bytes.NewReader(out[i+len(replyHeader):])).Decode(&rep); err != nil {
		return Result{}, errs.E(runOp, errs.Internal, "PDF 解析进程返回的结果无法读取", err)
	}
	if rep.Err == nil {
		return rep.Result, nil
	}
	var cause error
	if rep.Err.Cause != "" {
		cause = errors.New(rep.Err.Cause)
	}
	return Result{}, errs.E(rep.Err.Op, rep.Err.Kind, rep.Err.Code, rep.Err.Msg, cause)
}

// inWorker is set in a worker process, where Run refuses to start
// another.
var inWorker bool

// workerHook, when not nil, is called by a worker with its input before
// the extraction. Only this package's tests set it (in a _test.go file,
// which no other binary contains), to make a worker hang or allocate.
var workerHook func(data []byte)

// init turns the process into a worker when Run started it. The work is
// done here, in an init function, so that every binary that links this
// package can serve as its own worker with no call to remember in main:
// govreply itself and every test binary. The worker exits before main and
// before the init functions of the packages initialised after this one
// (all that import it, among others); those initialised earlier have run
// theirs, which is why the reply follows a header.
func init() {
	if os.Getenv(workerEnv) != workerProtocol {
		return
	}
	os.Exit(serveWorker())
}

// serveWorker reads a PDF on standard input, extracts it and writes the
// gob-encoded reply on standard output; it returns the exit status.
func serveWorker() int {
	inWorker = true
	os.Unsetenv(workerEnv)
	// Standard output carries the reply only: anything else the program
	// prints through os.Stdout goes to standard error.
	out := os.Stdout
	os.Stdout = os.Stderr
	if mem, err := strconv.ParseInt(os.Getenv(workerMemoryEnv), 10, 64); err == nil && mem > 0 {
		// RSS also counts the binary's code and the runtime's overheads,
		// which the soft limit does not: leave them an eighth.
		debug.SetMemoryLimit(mem - mem/8)
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pdf worker: reading the PDF:", err)
		return exitWorkerFailed
	}
	if workerHook != nil {
		workerHook(data)
	}
	if err := writeReply(out, newReply(Extract(data))); err != nil {
		fmt.Fprintln(os.Stderr, "pdf worker: writing the reply:", err)
		return exitWorkerFailed
	}
	return 0
}

// writeReply writes replyHeader and rep to w.
func writeReply(w io.Writer, rep reply) error {
	b := bufio.NewWriter(w)
	b.WriteString(replyHeader)
	if err := gob.NewEncoder(b).Encode(rep); err != nil {
		return err
	}
	return b.Flush()
}
