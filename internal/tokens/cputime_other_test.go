//go:build !unix

package tokens

func cpuSeconds() float64 { return 0 }
