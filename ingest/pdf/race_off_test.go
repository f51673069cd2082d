//go:build !race

package pdf

// raceEnabled reports a -race build.
const raceEnabled = false
