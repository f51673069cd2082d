//go:build !linux

package pdf

import (
	"os"
	"syscall"
)

// sysProcAttr returns nil: without Linux's parent-death signal, a child
// whose parent crashes runs until it ends or its pipes break.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// rssWatched reports false: there is no /proc to read the child's memory
// from, so only the timeout and the child's soft memory limit apply.
func rssWatched() bool { return false }

func residentBytes(int) (int64, bool) { return 0, false }

// executable is the program a worker runs: the running binary.
func executable() (string, error) { return os.Executable() }
