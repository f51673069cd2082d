package main

import (
	"fmt"
	"os"

	"govreply/ingest/segment"
)

func main() {
	s := segment.Default()
	for _, q := range os.Args[1:] {
		fmt.Println(q)
		fmt.Print("  words:")
		for _, w := range s.Words(q) {
			fmt.Printf(" %s", w)
		}
		fmt.Println()
		fmt.Print("  terms:")
		for _, t := range s.Terms(q) {
			k := ""
			if !segment.Known(t) {
				k = "?"
			}
			fmt.Printf(" %s%s:%.1f", t, k, segment.IDF(t))
		}
		fmt.Println()
	}
}
