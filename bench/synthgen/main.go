// Command synthgen writes the synthetic Chinese Markdown corpus of the
// benchmarks into a folder, for timing `govreply ingest` (see
// scripts/bench-ingest.sh and docs/benchmarks.md).
//
//	go run ./bench/synthgen -out /tmp/corpus -mb 8
package main

import (
	"flag"
	"fmt"
	"os"

	"govreply/bench"
)

func main() {
	out := flag.String("out", "", "folder to write the Markdown files into (created if missing)")
	mb := flag.Float64("mb", 8, "how many megabytes of Markdown to write")
	seed := flag.Uint64("seed", bench.Seed+2, "generator seed")
	flag.Parse()
	if *out == "" || *mb <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, total, err := bench.NewSynth(*seed).WriteCorpus(*out, 0, int64(*mb*1e6))
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthgen:", err)
		os.Exit(2)
	}
	fmt.Printf("%d files, %d bytes (%.2f MB) in %s\n", files, total, float64(total)/1e6, *out)
}
