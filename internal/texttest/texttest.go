// Package texttest gives tests varied Chinese texts: the built-in
// knowledge base's documents and reproducible random mixes of pieces
// (words, characters, Latin, digits, punctuation, emoji, invalid UTF-8),
// for checking a fast implementation against a reference one.
package texttest

import (
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"

	"govreply/knowledge/builtin"
)

// Builtin returns the text of every built-in knowledge base document.
func Builtin(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	err := fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(builtin.FS(), p)
		texts = append(texts, string(b))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return texts
}

// Mix returns n texts, each of 0 to maxPieces-1 pieces (maxPieces must be
// positive) drawn from pieces by a PCG generator seeded with seed1 and
// seed2 (the same texts every run).
func Mix(seed1, seed2 uint64, n, maxPieces int, pieces []string) []string {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	texts := make([]string, 0, n)
	for range n {
		var b strings.Builder
		for range rng.IntN(maxPieces) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	return texts
}
