package tokens

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// tricky holds characters at the edges of cl100k_base's pattern: the
// contractions in both cases, every kind of whitespace unicode.IsSpace
// knows (and U+200B, which it does not), numbers that are not digits,
// combining marks (neither letters nor numbers), letters outside ASCII
// whose case folds towards ASCII, CJK and emoji.
var tricky = []string{
	"'", "s", "S", "t", "T", "re", "RE", "vE", "m", "ll", "Ll", "d", "x", "e",
	" ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\u0085", "\u00a0", "\u3000", "\u2028", "\u200b", "\u1680",
	"0", "42", "12345", "①", "Ⅻ", "٣", "½",
	"\u0301", "\u0e31", "ſ", "İ", "K", "ß",
	"中", "国", "政务", "微博", "，", "。", "！", "？", "、", "“", "”", "（", "）", "《", "》", "…",
	"😀", "👍🏽", "-", "--", ".", "!", "?", "#", "##", "`", "```", "\"", "(", ")", "<|endoftext|>",
	"hello", "Hello", "don't", "I'M", "http://x.cn/a?b=1",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(24); n >= 0; n-- {
		b.WriteString(tricky[r.IntN(len(tricky))])
	}
	return b.String()
}

func mustCL100K(tb testing.TB) *Counter {
	tb.Helper()
	c := mustCounter(tb, "")
	if c.fast == nil {
		tb.Fatal("cl100k_base has no fast counter")
	}
	return c
}

// checkFast fails when the fast count of text differs from tiktoken-go's.
func checkFast(t *testing.T, c *Counter, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		return
	}
	want := len(c.enc.EncodeOrdinary(text))
	if got := c.fast.count(text); got != want {
		t.Fatalf("fast count of %q = %d, tiktoken-go = %d", text, got, want)
	}
}

func TestFastCountAgreesWithTiktoken(t *testing.T) {
	t.Parallel()
	c := mustCL100K(t)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		checkFast(t, c, randomText(r))
	}
	// Real text: the built-in knowledge base, whole documents and lines.
	files, err := filepath.Glob("../../knowledge/builtin/docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in documents: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkFast(t, c, string(b))
		for line := range strings.Lines(string(b)) {
			checkFast(t, c, line)
		}
	}
}

func TestCL100KPieces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"don't", []string{"don", "'t"}},
		{"I'M here", []string{"I", "'M", " here"}},
		{"'x", []string{"'x"}},
		{"12345", []string{"123", "45"}},
		{"你好，世界。", []string{"你好", "，世界", "。"}},
		{"a  b", []string{"a", " ", " b"}},
		{"a \n\n  b", []string{"a", " \n\n", " ", " b"}},
		{"x   ", []string{"x", "   "}},
		{" !!\n\nx", []string{" !!\n\n", "x"}},
		{"\u3000政务", []string{"\u3000政务"}},
		{"\n微博", []string{"\n", "微博"}},
	}
	for _, tt := range tests {
		var got []string
		for s := tt.in; s != ""; {
			n := cl100kPiece(s)
			got = append(got, s[:n])
			s = s[n:]
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("pieces of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFastCount(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Add("市民反映幸福路路灯不亮，我们已转交城管局，3日内答复。")
	c := mustCL100K(f)
	f.Fuzz(func(t *testing.T, text string) {
		checkFast(t, c, text)
	})
}

func BenchmarkCountNatural(b *testing.B) {
	c := mustCL100K(b)
	text, err := os.ReadFile("../../knowledge/builtin/docs/tone-angry-netizens.md")
	if err != nil {
		b.Fatal(err)
	}
	s := string(text)
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			c.fast.count(s)
		}
	})
	b.Run("tiktoken-go", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			c.enc.EncodeOrdinary(s)
		}
	})
}
