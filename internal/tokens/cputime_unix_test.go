//go:build unix

package tokens

import "syscall"

// cpuSeconds is the CPU time (user+system) the process has used. Benchmarks
// report throughput per CPU second too, because wall-clock MB/s is
// meaningless on a shared, loaded machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
