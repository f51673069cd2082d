//go:build !unix

package texttest

// CPUSeconds is 0: the system does not say.
func CPUSeconds() float64 { return 0 }
