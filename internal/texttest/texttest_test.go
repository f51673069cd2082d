package texttest_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"govreply/internal/texttest"
	"govreply/knowledge/builtin"
)

func TestBuiltin(t *testing.T) {
	t.Parallel()
	texts := texttest.Builtin(t)
	files, err := fs.Glob(builtin.FS(), "*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 || len(texts) < len(files) {
		t.Fatalf("%d texts for %d documents", len(texts), len(files))
	}
	for i, text := range texts {
		if !utf8.ValidString(text) || !strings.HasPrefix(text, "---\n") {
			t.Errorf("text %d is not a document with front matter: %.40q", i, text)
		}
	}
	// Each document is there, whole.
	cases := []struct{ file, phrase string }{
		{"rule-reply-pii-masking.md", "## 常见信息的脱敏写法"},
		{"tone-vague-time-words.md", "id: tone-vague-time-words"},
	}
	for _, c := range cases {
		want, err := fs.ReadFile(builtin.FS(), c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(want), c.phrase) {
			t.Fatalf("%s does not contain %q", c.file, c.phrase)
		}
		if !slices.Contains(texts, string(want)) {
			t.Errorf("%s is missing", c.file)
		}
	}
}

func TestMix(t *testing.T) {
	t.Parallel()
	// One-character pieces, so that a text's length is its number of
	// pieces; one of them is not valid UTF-8.
	pieces := []string{"甲", "乙", "丙", "a", "\xff"}
	count := func(s string) int { return utf8.RuneCountInString(s) }
	cases := []struct {
		name         string
		seed1, seed2 uint64
		n, maxPieces int
	}{
		{"none", 1, 2, 0, 5},
		{"one", 1, 2, 1, 5},
		{"many", 1, 2, 500, 8},
		{"other seeds", 3, 4, 500, 8},
		{"maxPieces 1: empty texts", 5, 6, 200, 1},
		{"maxPieces 2: one piece at most", 5, 6, 200, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			texts := texttest.Mix(c.seed1, c.seed2, c.n, c.maxPieces, pieces)
			if len(texts) != c.n {
				t.Fatalf("%d texts, want %d", len(texts), c.n)
			}
			again := texttest.Mix(c.seed1, c.seed2, c.n, c.maxPieces, pieces)
			if !slices.Equal(texts, again) {
				t.Errorf("the same seeds gave other texts")
			}
			longest := 0
			for _, text := range texts {
				for _, r := range text {
					if !strings.ContainsRune("甲乙丙a\uFFFD", r) {
						t.Fatalf("text %q has %q, not of a piece", text, r)
					}
				}
				n := count(text)
				if n >= c.maxPieces {
					t.Errorf("text %q has %d pieces, want fewer than %d", text, n, c.maxPieces)
				}
				longest = max(longest, n)
			}
			// Enough texts reach the longest a text may be.
			if c.n >= 200 && longest != c.maxPieces-1 {
				t.Errorf("longest text has %d pieces, want %d", longest, c.maxPieces-1)
			}
		})
	}
	t.Run("seeds matter", func(t *testing.T) {
		t.Parallel()
		a := texttest.Mix(1, 2, 50, 8, pieces)
		b := texttest.Mix(2, 1, 50, 8, pieces)
		if slices.Equal(a, b) {
			t.Error("different seeds gave the same texts")
		}
	})
	t.Run("invalid UTF-8 kept", func(t *testing.T) {
		t.Parallel()
		for _, text := range texttest.Mix(7, 8, 50, 6, []string{"\xff"}) {
			if strings.Trim(text, "\xff") != "" {
				t.Fatalf("text %q is not made of the piece", text)
			}
		}
	})
}

// TestReadJSONL: one value per line, blank lines skipped; strict rejects a
// field the type lacks, lenient ignores it.
func TestReadJSONL(t *testing.T) {
	t.Parallel()
	type row struct {
		ID string `json:"id"`
	}
	path := filepath.Join(t.TempDir(), "rows.jsonl")
	if err := os.WriteFile(path, []byte("{\"id\":\"a\"}\n\n{\"id\":\"b\",\"extra\":1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := texttest.ReadJSONL[row](t, path, false); len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("lenient: %+v", got)
	}
	var strictFailed bool
	ft := &fatalRecorder{TB: t, failed: &strictFailed}
	func() {
		defer func() { _ = recover() }()
		texttest.ReadJSONL[row](ft, path, true)
	}()
	if !strictFailed {
		t.Error("strict read accepted an unknown field")
	}
}

// fatalRecorder records a Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	failed *bool
}

func (f *fatalRecorder) Fatalf(string, ...any) { *f.failed = true; panic("fatal") }
func (f *fatalRecorder) Helper()               {}
