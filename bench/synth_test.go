package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSynthDeterministic(t *testing.T) {
	t.Parallel()
	a, b := NewSynth(Seed), NewSynth(Seed)
	for i := range 20 {
		if a.Doc(i, 4, 12).Markdown() != b.Doc(i, 4, 12).Markdown() {
			t.Fatalf("doc %d differs between two generators with the same seed", i)
		}
	}
	if !slices.Equal(a.Queries(50), b.Queries(50)) {
		t.Fatal("queries differ between two generators with the same seed")
	}
	if NewSynth(Seed+1).Doc(0, 4, 12).Markdown() == a.Doc(0, 4, 12).Markdown() {
		t.Fatal("another seed gives the same text")
	}
}

func TestSynthShape(t *testing.T) {
	t.Parallel()
	s := NewSynth(Seed)
	if n := s.VocabularySize(); n < 2000 {
		t.Errorf("vocabulary has %d words and phrases, want at least 2000", n)
	}
	for i := range 200 {
		d := s.Doc(i, 4, 12)
		if len(d.Sections) < 4 || len(d.Sections) > 12 {
			t.Fatalf("doc %d has %d sections", i, len(d.Sections))
		}
		for _, sec := range d.Sections {
			n := utf8.RuneCountInString(sec.Text)
			if n < MinChunkRunes || n > MaxChunkRunes {
				t.Fatalf("doc %d: section of %d characters, want %d–%d", i, n, MinChunkRunes, MaxChunkRunes)
			}
			if strings.ContainsAny(sec.Text, "{}") {
				t.Fatalf("doc %d: unfilled template slot in %q", i, sec.Text)
			}
		}
	}
	qs := s.Queries(numQueries)
	seen := map[string]bool{}
	for _, q := range qs {
		if n := utf8.RuneCountInString(q); n < 4 || n > 40 || strings.ContainsAny(q, "{}") {
			t.Errorf("bad query %q", q)
		}
		seen[q] = true
	}
	if len(seen) < numQueries*3/4 {
		t.Errorf("only %d distinct queries of %d", len(seen), numQueries)
	}
}

func TestDocsExactSize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 7, 1000} {
		total := 0
		for _, d := range docs(n) {
			total += len(d.Sections)
		}
		if total != n {
			t.Errorf("docs(%d) has %d chunks", n, total)
		}
	}
}

func TestWriteCorpus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, total, err := NewSynth(Seed).WriteCorpus(dir, 0, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 || total < 50_000 {
		t.Fatalf("wrote %d files, %d bytes", files, total)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := l.percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
}
