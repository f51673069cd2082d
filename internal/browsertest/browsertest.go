// Package browsertest drives Debian's chromium with chromedp for the web
// workspace's tests: a headless browser per test, a tab sized like the
// screen under test, and a record of what went wrong in the page (uncaught
// exceptions, console errors, Content-Security-Policy violations).
//
// Without chromium a test skips on a developer's machine and fails under
// CI=true: scripts/setup-browser.sh installs it, and scripts/test.sh runs
// that script first.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ExecPath is where Debian's chromium package installs the browser.
const ExecPath = "/usr/bin/chromium"

// Tab is one browser tab.
type Tab struct {
	Ctx context.Context

	mu       sync.Mutex
	problems []string
}

// Sizes the workspace must work at.
var (
	Desktop = Size{Name: "desktop", Width: 1366, Height: 768}
	Phone   = Size{Name: "phone", Width: 390, Height: 844}
)

// Size is a viewport.
type Size struct {
	Name          string
	Width, Height int
}

// MustStart starts a headless chromium with one tab of the given size.
// The browser is stopped when the test ends.
func MustStart(tb testing.TB, size Size) *Tab {
	tb.Helper()
	path := ExecPath
	if _, err := os.Stat(path); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			if os.Getenv("CI") != "" {
				tb.Fatalf("chromium is not installed (%v); scripts/setup-browser.sh installs it", err)
			}
			tb.Skipf("chromium is not installed; run scripts/setup-browser.sh")
		}
		path = p
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(size.Width, size.Height),
		// A machine without internet refuses these connections; they would
		// also be requests the XSS test counts.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.Flag("lang", "zh-CN"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	tab := &Tab{Ctx: ctx}
	if err := chromedp.Listen(ctx, tab.record); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size.Width), int64(size.Height))); err != nil {
		tb.Fatalf("set viewport: %v", err)
	}
	return tab
}

// record keeps what went wrong in the page. It runs in chromedp's event
// loop, so it only appends.
func (t *Tab) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			p += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = "console.error: " + strings.Join(args, " ")
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p = fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if p != "" {
		t.mu.Lock()
		t.problems = append(t.problems, p)
		t.mu.Unlock()
	}
}

// Problems returns and forgets what went wrong in the page so far.
func (t *Tab) Problems() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.problems
	t.problems = nil
	return p
}

// Do runs actions, failing the test on error.
func (t *Tab) Do(tb testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(t.Ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("browser: %v", err)
	}
}

// Eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value, failing the test on error.
func Eval[T any](tb testing.TB, t *Tab, expr string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(t.Ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %.80q: %v", expr, err)
	}
	return v
}

// Wait polls a JavaScript expression until it is truthy (at most 30 s).
// A navigation while it waits (a form that sends the browser to another
// page) starts the polling again on the new page.
func (t *Tab) Wait(tb testing.TB, expr string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(t.Ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
		if err == nil {
			return
		}
		if ctx.Err() != nil || !navigated(err) {
			tb.Fatalf("waiting for %q: %v (page problems: %v)", expr, err, t.Problems())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// navigated reports whether err says the page went away under an
// evaluation (Chromium's "Inspected target navigated or closed", or an
// execution context destroyed).
func navigated(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "navigated or closed") || strings.Contains(msg, "context was destroyed") ||
		strings.Contains(msg, "Cannot find context")
}

// Open navigates and waits until the page's scripts have run
// (window.GR exists, or the given expression holds).
func (t *Tab) Open(tb testing.TB, url string, ready string) {
	tb.Helper()
	t.Do(tb, chromedp.Navigate(url))
	if ready == "" {
		ready = "window.GR !== undefined"
	}
	t.Wait(tb, ready)
}

// Screenshot captures the whole page as PNG.
func (t *Tab) Screenshot(tb testing.TB) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(t.Ctx, time.Minute)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	return b
}
