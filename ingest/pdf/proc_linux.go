package pdf

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// sysProcAttr makes the kernel kill the child when the thread that
// started it dies, so a child working on a hostile file does not outlive
// a crashed parent. (Go threads outlive the goroutines they run, except
// one that exits while locked to its thread: Run must not be called from
// such a goroutine.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// rssWatched reports whether residentBytes can work: /proc is mounted.
var rssWatched = sync.OnceValue(func() bool {
	_, ok := residentBytes(os.Getpid())
	return ok
})

// residentBytes returns the resident memory of process pid, from the
// second field of /proc/<pid>/statm (resident pages).
func residentBytes(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// executable is the program a worker runs: the running binary itself,
// even when its file has since been replaced or deleted (an upgrade in
// place), through /proc; os.Executable where /proc is not mounted.
func executable() (string, error) {
	const self = "/proc/self/exe"
	if _, err := os.Stat(self); err == nil {
		return self, nil
	}
	return os.Executable()
}
