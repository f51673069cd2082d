//go:build race

package chunk

// raceEnabled lets the slowest property tests do fewer rounds under -race.
const raceEnabled = true
