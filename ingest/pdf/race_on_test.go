//go:build race

package pdf

// raceEnabled reports a -race build, whose shadow memory multiplies a
// worker's resident memory (the content-stream bomb peaks near 800 MiB).
const raceEnabled = true
