//go:build unix

package texttest

import "syscall"

// CPUSeconds is the CPU time (user+system) the process has used; 0 where
// the system does not say.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
